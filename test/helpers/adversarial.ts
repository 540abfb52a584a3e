/**
 * Adversarial inputs for ReDoS hardening, shared by test/hardening/redos.test.ts and bench/redos.bench.ts.
 *
 * Every input is a *shape*: a short, secret-free description plus a builder that makes it any length, so
 * that the same attack can be run at 16 KiB, at the scan limit or at 100 MB. Shapes are derived from each
 * detector's own definition:
 *   - its pattern: every repeated atom (`[A-Za-z0-9]{36,251}`, `\d{3}`, `[ \t]{0,3}`, `\\{1,2}`) gives long
 *     runs of one of its characters and of all of them in turn;
 *   - its keywords: the keyword repeated, the keyword followed by a long run of the pattern's body alphabet
 *     with no terminator, and `keyword=keyword=...` alternations;
 *   - its positive examples: near-misses (truncated by one character, or with the last character changed)
 *     repeated, glued together by a character the pattern accepts, and the same written URL-encoded,
 *     base64-encoded and JSON-escaped (the encoded scan in lib/redact/encoded.ts decodes all three);
 *   - for the detectors without keywords (phone numbers, SSNs, cards, IBANs, IP addresses): groups of
 *     digits (or hex digits, letters) separated by each separator the pattern allows.
 * Plus shapes aimed at the encoded scan, at the work done once per finding (the shortest findings, tens of
 * thousands of them), at the structured walker and at the truncation cut (`sharedAttacks`).
 *
 * Descriptions never contain an example value (positive examples look like real secrets): they name it
 * by its index. Builders are deterministic.
 */
import type { DetectorSpec } from '../../lib/detect/types.ts';
import { corpus } from '../../bench/corpus.ts';

export interface Attack {
  /** The detector the shape is derived from, or a shared group: `encoded:url`, `encoded:base64`, `encoded:json`, `dense-findings`, `structure`, `separators`. */
  target: string;
  /** What the input looks like, without any example value (safe to print). */
  shape: string;
  /** Identifies the input independently of `target`: equal keys build equal inputs (used to measure each once). */
  key: string;
  /** The input, exactly `chars` characters long (or within a few characters, for encodings that need whole groups). */
  build(chars: number): string;
}

/** 1 MiB of characters: the unit of the per-MB budgets and figures (inputs are ASCII, so also bytes). */
export const MB = 1 << 20;

/** `unit` repeated to exactly `chars` characters (the last repetition may be cut). */
export function repeatTo(unit: string, chars: number): string {
  if (chars <= 0 || unit.length === 0) return '';
  return unit.repeat(Math.ceil(chars / unit.length)).slice(0, chars);
}

const ASCII: string[] = [9, 10, 13, ...Array.from({ length: 95 }, (_, i) => 32 + i)].map((c) => String.fromCharCode(c));

/** A repeated atom of a pattern: its source, the ASCII characters it accepts, its repetition bounds. */
export interface RepeatedAtom {
  source: string;
  members: string[];
  max: number;
}

/**
 * The repeated atoms of a regex source (character classes, escapes like `\d`, `.`, literals) that carry a
 * quantifier. Groups are not expanded as atoms: the atoms inside them are found on their own.
 */
export function repeatedAtoms(pattern: string, flags = ''): RepeatedAtom[] {
  const out: RepeatedAtom[] = [];
  const seen = new Set<string>();
  const testFlags = flags.replace(/[gyd]/g, '');
  for (let i = 0; i < pattern.length; ) {
    const c = pattern[i]!;
    let atom: string | undefined;
    let j = i + 1;
    if (c === '\\') {
      const n = pattern[i + 1] ?? '';
      if (n === 'x') j = i + 4;
      else if (n === 'u') j = i + 6;
      else if (n === 'c') j = i + 3;
      else j = i + 2;
      atom = pattern.slice(i, j);
      if (/^\\[1-9bBk]/.test(atom)) atom = undefined; // back-references and boundaries are not characters
    } else if (c === '[') {
      j = i + 1;
      if (pattern[j] === '^') j++;
      if (pattern[j] === ']') j++;
      while (j < pattern.length && pattern[j] !== ']') j += pattern[j] === '\\' ? 2 : 1;
      j++;
      atom = pattern.slice(i, j);
    } else if (!'()|^$?*+{}'.includes(c)) {
      atom = c;
    }
    const q = /^(?:\{(\d+)(?:(,)(\d*))?\}|([+*]))/.exec(pattern.slice(j));
    if (atom !== undefined && q !== null) {
      const max = q[4] !== undefined ? Infinity : q[2] === undefined ? Number(q[1]) : q[3] === '' ? Infinity : Number(q[3]);
      let members: string[] = [];
      try {
        const re = new RegExp(`^(?:${atom})$`, testFlags);
        members = ASCII.filter((ch) => re.test(ch));
      } catch {
        members = [];
      }
      const id = members.join('');
      if (members.length > 0 && max >= 2 && !seen.has(id)) {
        seen.add(id);
        out.push({ source: atom, members, max });
      } else if (members.length > 0 && seen.has(id)) {
        const prev = out.find((a) => a.members.join('') === id)!;
        prev.max = Math.max(prev.max, max);
      }
    }
    i = j;
  }
  return out;
}

/** The atom a match spends most of its length in (the largest maximum repetition, then the largest alphabet). */
function bodyAtom(atoms: RepeatedAtom[]): RepeatedAtom {
  const fallback: RepeatedAtom = { source: '[A-Za-z0-9]', members: [...'0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz'], max: Infinity };
  return [...atoms].sort((a, b) => b.max - a.max || b.members.length - a.members.length)[0] ?? fallback;
}

/** A representative member: a letter or digit when there is one (they are what tokens are made of). */
function representative(members: string[]): string {
  return members.find((m) => /[A-Za-z0-9]/.test(m)) ?? members.find((m) => m !== ' ') ?? members[0]!;
}

/** Printable form of one character for a shape description. */
function show(ch: string): string {
  return JSON.stringify(ch).slice(1, -1).replace(/'/g, "\\'");
}

function percentEncodeAll(text: string): string {
  let out = '';
  for (const ch of text) {
    const c = ch.charCodeAt(0);
    out += c < 0x80 ? '%' + c.toString(16).toUpperCase().padStart(2, '0') : encodeURIComponent(ch);
  }
  return out;
}

function base64Of(text: string, chars: number): string {
  // Encode enough text for `chars` base64 characters (4 per 3 bytes), then cut to length at a group.
  const raw = Buffer.from(repeatTo(text, Math.ceil((chars * 3) / 4) + 3)).toString('base64');
  return raw.slice(0, chars - (chars % 4));
}

function attack(target: string, shape: string, key: string, build: (chars: number) => string): Attack {
  return { target, shape, key, build };
}

const MAX_KEYWORDS = 3;
const MAX_ATOMS = 6;
const MAX_POSITIVES = 3;

/** The adversarial shapes for one detector, derived from its pattern, keywords and examples. */
export function detectorAttacks(d: DetectorSpec): Attack[] {
  const atoms = repeatedAtoms(d.pattern, d.flags).slice(0, MAX_ATOMS);
  const body = bodyAtom(atoms);
  const bodyChar = representative(body.members);
  const bodyCycle = body.members.join('');
  const out: Attack[] = [];
  const add = (a: Attack): void => {
    if (!out.some((x) => x.key === a.key)) out.push(a);
  };

  // Long runs of what the pattern repeats.
  for (const a of atoms) {
    const one = representative(a.members);
    add(attack(d.id, `run of ${a.source} (one char '${show(one)}')`, `run:${one}`, (n) => repeatTo(one, n)));
    if (a.members.length > 1) {
      const cycle = a.members.join('');
      add(attack(d.id, `run of ${a.source} (its ${a.members.length} chars in turn)`, `run:${cycle}`, (n) => repeatTo(cycle, n)));
    }
  }

  // Keywords: repeated, followed by the body alphabet with no terminator, alternated with '='.
  const keywords = [...new Set((d.keywords ?? []).map((k) => k))].slice(0, MAX_KEYWORDS);
  for (const k of keywords) {
    add(attack(d.id, `keyword '${show(k)}' repeated`, `rep:${k}`, (n) => repeatTo(k, n)));
    add(attack(d.id, `keyword '${show(k)}' + run of ${body.source} (no terminator)`, `kwrun:${k}:${bodyCycle}`, (n) => k + repeatTo(bodyCycle, n - k.length)));
    add(attack(d.id, `keyword '${show(k)}' + run of '${show(bodyChar)}' (no terminator)`, `kwrun:${k}:${bodyChar}`, (n) => k + repeatTo(bodyChar, n - k.length)));
    add(attack(d.id, `'${show(k)}=' repeated (alternation)`, `rep:${k}=`, (n) => repeatTo(`${k}=`, n)));
    add(attack(d.id, `'${show(k)}: "' repeated (assignment openers)`, `rep:${k}: "`, (n) => repeatTo(`${k}: "`, n)));
  }

  // Near-misses of the positive examples, glued by characters the pattern accepts.
  (d.examples?.positive ?? []).slice(0, MAX_POSITIVES).forEach((p, i) => {
    const truncated = p.slice(0, -1);
    const last = p.at(-1) ?? '';
    const other = body.members.find((m) => m !== last && m !== bodyChar) ?? (last === 'x' ? 'y' : 'x');
    const changed = truncated + other;
    add(attack(d.id, `positive example #${i} minus its last char, repeated, joined by '${show(bodyChar)}'`, `nm:${truncated}${bodyChar}`, (n) => repeatTo(truncated + bodyChar, n)));
    add(attack(d.id, `positive example #${i} minus its last char, repeated, joined by ' '`, `nm:${truncated} `, (n) => repeatTo(truncated + ' ', n)));
    add(attack(d.id, `positive example #${i} with its last char changed, repeated, joined by '${show(bodyChar)}'`, `nm:${changed}${bodyChar}`, (n) => repeatTo(changed + bodyChar, n)));
    if (i === 0) {
      // The same near-misses written the three ways the encoded scan decodes.
      const unit = truncated + ' ';
      const url = percentEncodeAll(unit);
      add(attack(d.id, `positive example #0 minus its last char, repeated, every char URL-encoded (one %XX run)`, `url:${url}`, (n) => repeatTo(url, n)));
      add(attack(d.id, `positive example #0 minus its last char, repeated, base64-encoded (one run)`, `b64:${unit}`, (n) => base64Of(unit, n)));
      const json = JSON.stringify(truncated).slice(1, -1) + '\\n';
      add(attack(d.id, `positive example #0 minus its last char, repeated, JSON-escaped and joined by '\\n' escapes`, `json:${json}`, (n) => repeatTo(json, n)));
    }
  });

  // Detectors without a literal anchor: groups of digits (or the pattern's alphabet) and separators.
  if ((d.keywords ?? []).length === 0 || d.id.startsWith('phone-')) {
    const separators = [...new Set([...d.pattern.replace(/\\[dDwWsSbB]/g, '')].filter((ch) => ' .-():/+'.includes(ch)))];
    const digitAtom = atoms.find((a) => a.members.includes('1')) ?? { members: [...'0123456789'] };
    const groupAlphabet = digitAtom.members.filter((m) => /[0-9A-Za-z]/.test(m)).join('');
    for (const sep of separators) {
      for (const g of [1, 2, 3, 4, 6]) {
        const group = repeatTo(groupAlphabet.replace(/^0/, '') || '1', g);
        add(attack(d.id, `groups of ${g} digits/alphabet chars separated by '${show(sep)}'`, `grp:${group}${sep}`, (n) => repeatTo(group + sep, n)));
      }
    }
    if (d.id === 'iban') {
      add(attack(d.id, `country code + check digits + groups of 4 separated by ' ' (never ends)`, 'iban:DE29 ', (n) => 'DE29 ' + repeatTo('AB12 ', n - 5)));
      add(attack(d.id, `'AB12' repeated (country code + check digits, glued)`, 'rep:AB12', (n) => repeatTo('AB12', n)));
    }
    if (d.id.startsWith('phone-')) {
      add(attack(d.id, `'+1 ' repeated`, 'rep:+1 ', (n) => repeatTo('+1 ', n)));
      add(attack(d.id, `'(415) ' repeated`, 'rep:(415) ', (n) => repeatTo('(415) ', n)));
    }
  }
  return out;
}

/** Shapes aimed at the encoded scan (URL, base64, JSON escapes), the walker and the truncation cut. */
export function sharedAttacks(): Attack[] {
  const url = (shape: string, key: string, build: (n: number) => string) => attack('encoded:url', shape, `u:${key}`, build);
  const b64 = (shape: string, key: string, build: (n: number) => string) => attack('encoded:base64', shape, `b:${key}`, build);
  const json = (shape: string, key: string, build: (n: number) => string) => attack('encoded:json', shape, `j:${key}`, build);
  const sep = (shape: string, key: string, build: (n: number) => string) => attack('separators', shape, `s:${key}`, build);
  const str = (shape: string, key: string, build: (n: number) => string) => attack('structure', shape, `t:${key}`, build);
  const dense = (shape: string, key: string, build: (n: number) => string) => attack('dense-findings', shape, `f:${key}`, build);
  const alphabet64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  return [
    url(`'%41' repeated (one URL-encoded run)`, '%41', (n) => repeatTo('%41', n)),
    url(`'%2541' repeated (double URL-encoded)`, '%2541', (n) => repeatTo('%2541', n)),
    url(`'%' repeated`, '%', (n) => repeatTo('%', n)),
    url(`'%4' repeated (escapes one digit short)`, '%4', (n) => repeatTo('%4', n)),
    url(`'%%41' repeated`, '%%41', (n) => repeatTo('%%41', n)),
    url(`run of 'a' then one bare '%'`, 'a*%', (n) => repeatTo('a', n - 1) + '%'),
    url(`one bare '%' then a run of 'a'`, '%a*', (n) => '%' + repeatTo('a', n - 1)),
    url(`'%41' then a run of 'a'`, '%41a*', (n) => '%41' + repeatTo('a', n - 3)),
    url(`'a%' repeated`, 'a%', (n) => repeatTo('a%', n)),
    url(`'+' run with one '%41' (form-encoded spaces)`, '+*%41', (n) => '%41' + repeatTo('+', n - 3)),
    url(`'%40' + run of 'a' (an '@' in an endless run)`, 'a%40a*', (n) => 'a%40' + repeatTo('a', n - 4)),
    b64(`run of 'A'`, 'A', (n) => repeatTo('A', n)),
    b64(`run of 'I' (passes the text hint)`, 'I', (n) => repeatTo('I', n)),
    b64(`run of the 64 base64 chars in turn`, 'alphabet', (n) => repeatTo(alphabet64, n)),
    b64(`base64 of a run of 'a' (one run that decodes to text)`, 'b64(a)', (n) => base64Of('a', n)),
    b64(`base64 of base64 of 'pass=' repeated (two levels deep)`, 'b64(b64(pass=))', (n) => base64Of(base64Of('pass=', Math.ceil((n * 3) / 4) + 8), n)),
    b64(`base64 of '%41' repeated (base64 then URL-encoded)`, 'b64(%41)', (n) => base64Of('%41', n)),
    b64(`15-char base64 runs (one short of the minimum) separated by ' '`, '15', (n) => repeatTo('IAAAIAAAIAAAIAA ', n)),
    b64(`16-char base64 runs that decode to text, separated by ' '`, '16', (n) => repeatTo(`${Buffer.from('hello, world').toString('base64')} `, n)),
    b64(`base64url of 'token=' repeated`, 'b64url(token=)', (n) => Buffer.from(repeatTo('token=', Math.ceil((n * 3) / 4))).toString('base64url').slice(0, n)),
    json(`run of '\\' (backslashes)`, '\\', (n) => repeatTo('\\', n)),
    json(`'\\n' repeated (newline escapes: backslash, n)`, '\\n', (n) => repeatTo('\\n', n)),
    json(`'\\"' repeated (quote escapes: backslash, quote)`, '\\"', (n) => repeatTo('\\"', n)),
    json(`'\\u0041' repeated (unicode escapes)`, '\\u0041', (n) => repeatTo('\\u0041', n)),
    json(`'\\u00' repeated (unicode escapes cut short)`, '\\u00', (n) => repeatTo('\\u00', n)),
    json(`'\\\\n' repeated (an escaped backslash, then n)`, '\\\\n', (n) => repeatTo('\\\\n', n)),
    sep(`'a=a=a=...'`, 'a=', (n) => repeatTo('a=', n)),
    sep(`run of '='`, '=', (n) => repeatTo('=', n)),
    sep(`run of ' ' (all separators)`, ' ', (n) => repeatTo(' ', n)),
    sep(`run of '\\n'`, '\n', (n) => repeatTo('\n', n)),
    sep(`run of ':'`, ':', (n) => repeatTo(':', n)),
    sep(`run of '"'`, '"', (n) => repeatTo('"', n)),
    sep(`run of '-'`, '-', (n) => repeatTo('-', n)),
    sep(`run of '.'`, '.', (n) => repeatTo('.', n)),
    sep(`run of '@'`, '@', (n) => repeatTo('@', n)),
    sep(`run of '/'`, '/', (n) => repeatTo('/', n)),
    sep(`' x' repeated (a separator every other char)`, ' x', (n) => repeatTo(' x', n)),
    // The shortest findings, as densely as possible: the cost of what runs once per finding (merging
    // overlaps, matching encoded findings to raw ones) shows only when there are tens of thousands of them.
    dense(`'a@b.co ' repeated (an email address every 7 chars)`, 'a@b.co ', (n) => repeatTo('a@b.co ', n)),
    dense(`'a%40b.co ' repeated (a URL-encoded email address every 9 chars)`, 'a%40b.co ', (n) => repeatTo('a%40b.co ', n)),
    dense(`'a@b.co a%40b.co ' repeated (raw and URL-encoded email addresses in turn)`, 'a@b.co a%40b.co ', (n) => repeatTo('a@b.co a%40b.co ', n)),
    dense(`'a@b.co\\n' repeated (email addresses between JSON newline escapes)`, 'a@b.co\\n', (n) => repeatTo('a@b.co\\n', n)),
    dense(`'10.1.2.3 ' repeated (an IPv4 address every 9 chars)`, '10.1.2.3 ', (n) => repeatTo('10.1.2.3 ', n)),
    dense(`'pwd=x1y2z3 ' repeated (a password assignment every 11 chars)`, 'pwd=x1y2z3 ', (n) => repeatTo('pwd=x1y2z3 ', n)),
    str(`'[' run then ']' run (deeply nested JSON in a string)`, '[]', (n) => repeatTo('[', Math.floor(n / 2)) + repeatTo(']', n - Math.floor(n / 2))),
    str(`'{"a":' repeated then '}' (unterminated nested JSON objects)`, '{"a":', (n) => '{' + repeatTo('"a":{', n - 2) + '}'),
    str(`'{"k":"' + run of 'a' + '"}' (a JSON string holding a long run)`, '{k:a*}', (n) => '{"k":"' + repeatTo('a', n - 8) + '"}'),
    str(`'["a",' repeated then ']' (a long JSON array in a string)`, '[a,]', (n) => '[' + repeatTo('"a",', n - 5) + '"a"]'),
  ];
}

/**
 * Realistic clean text of exactly `chars` characters: log lines from the seeded benchmark corpus with no
 * sensitive lines, joined by newlines. The baseline of the benchmark and the "clean 10 MB value" of the test.
 */
export function cleanText(chars: number, seed = 7): string {
  // At most about 1 MiB of distinct lines (generating them costs more than repeating them).
  const lines = corpus(Math.ceil(Math.min(chars, MB) / 80) + 16, seed, 0);
  return repeatTo(lines.join('\n') + '\n', chars);
}
