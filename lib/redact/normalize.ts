/**
 * Text as a reader sees it, for the detectors: a secret can be disguised by characters that do not show
 * (zero-width, bidi and other format characters, soft hyphens), that a terminal consumes (ANSI escape
 * sequences), that a browser decodes (HTML entities), or that only look like ASCII (fullwidth and other
 * compatibility forms). normalize() undoes all four and keeps, for each character it yields, the span of
 * the original it came from: a finding maps back to a span that includes whatever was inserted inside the
 * token, so the whole disguised token is redacted.
 */
import type { Match } from '../detect/types.ts';

/**
 * A text rewritten from an original (normalised, or decoded), and where its characters come from.
 *
 * @example normalize('a&#64;b') // { text: 'a@b', changes: [{ start: 1, length: 1, from: 1, to: 6 }] }
 */
export interface MappedText {
  text: string;
  /** What changed, in order; between two changes the texts match character for character. */
  changes: Change[];
}

/**
 * Characters [start, start + length) of the text replace the original's [from, to) (length 0: removed).
 *
 * @example { start: 2, length: 0, from: 2, to: 3 } // in normalize('ab\u200bc'): the ZWSP at 2 is gone
 */
export interface Change {
  start: number;
  length: number;
  from: number;
  to: number;
}

/**
 * Whether normalize() can change `text`: only text with an ESC, an `&` or a non-ASCII character (its
 * UTF-8 length is then not its length) can. Three native scans: the cheapest way found to rule out clean
 * ASCII text, the common case; one regex for all three costs about twice as much.
 *
 * @example mayBeDisguised('GET /api/v1/orders 200') === false; mayBeDisguised('gh\u200bp_') === true
 */
export function mayBeDisguised(text: string): boolean {
  return text.includes('\x1b') || text.includes('&') || Buffer.byteLength(text) !== text.length;
}

/**
 * `text` as it reads: ANSI escape sequences (CSI `ESC [ … final`, 8-bit CSI U+009B, OSC `ESC ] … BEL or
 * ST`, and two-character escapes) removed, HTML entities decoded (numeric, and the common named ones),
 * then each character folded by NFKC, and Default_Ignorable_Code_Point characters (which include every
 * zero-width, bidi and invisible format character) removed. Undefined when nothing changes.
 *
 * @example
 * const n = normalize('id gh\u200bp_x')!; // n.text === 'id ghp_x'
 * toOriginal(n, { detector: 'd', start: 3, end: 8 }); // { detector: 'd', start: 3, end: 9 }: the ZWSP goes too
 */
export function normalize(text: string): MappedText | undefined {
  let out = '';
  const changes: Change[] = [];
  let copied = 0; // text[copied..] is not in `out` yet
  let oscTerminated = true; // false once an OSC found no terminator: no later one can (keeps this linear)
  CANDIDATE.lastIndex = 0;
  for (let m = CANDIDATE.exec(text); m !== null; m = CANDIDATE.exec(text)) {
    const at = m.index;
    const found = m[0];
    let end = at + found.length;
    let replacement: string;
    if (found === '\x1b' || found === '\x9b') {
      const osc = found === '\x1b' && text.charCodeAt(at + 1) === 0x5d;
      end = osc ? (oscTerminated ? oscEnd(text, at + 2) : -1) : escapeEnd(text, at);
      if (end < 0) {
        oscTerminated = !osc;
        end = at + 1; // unterminated or malformed: only the introducer goes, the rest is scanned as text
      }
      replacement = '';
    } else if (found === '&') {
      ENTITY.lastIndex = at;
      const entity = ENTITY.exec(text);
      const decoded = entity === null ? undefined : entityText(entity);
      if (entity === null || decoded === undefined) continue;
      end = at + entity[0].length;
      replacement = fold(decoded);
    } else {
      replacement = fold(found);
      if (replacement === found) continue; // a character that only changes case
    }
    out += text.slice(copied, at);
    changes.push({ start: out.length, length: replacement.length, from: at, to: end });
    out += replacement;
    copied = end;
    CANDIDATE.lastIndex = end;
  }
  return changes.length === 0 ? undefined : { text: out + text.slice(copied), changes };
}

/**
 * A match in a mapped text as a match in its original: from where its first character starts to where
 * its last one ends, so with whatever was removed in between, and nothing removed before or after it.
 *
 * @example toOriginal(normalize('a&#64;b')!, { detector: 'd', start: 0, end: 3 }) // { detector: 'd', start: 0, end: 7 }
 */
export function toOriginal(mapped: MappedText, match: Match): Match {
  const { changes } = mapped;
  return { detector: match.detector, start: sourceOf(changes, match.start, true), end: sourceOf(changes, match.end - 1, false) };
}

/** Where character i starts (or ends) in the original: from the last change at or before it. */
function sourceOf(changes: Change[], i: number, start: boolean): number {
  let lo = 0;
  let hi = changes.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (changes[mid]!.start <= i) lo = mid + 1;
    else hi = mid;
  }
  if (lo === 0) return start ? i : i + 1;
  const c = changes[lo - 1]!;
  if (i < c.start + c.length) return start ? c.from : c.to;
  const from = c.to + (i - c.start - c.length);
  return start ? from : from + 1;
}

/**
 * Where normalize() may change something: ESC, `&`, 8-bit CSI, and non-ASCII characters that change under
 * NFKC case folding, a superset of those that change under NFKC or are default-ignorable (checked over all
 * of Unicode by the tests). Case-only changes are filtered out afterwards; ASCII letters never qualify.
 */
const CANDIDATE = /[\x1b&\x9b]|(?=[^\0-\x7f])\p{Changes_When_NFKC_Casefolded}/gu;
const INVISIBLE = /\p{Default_Ignorable_Code_Point}/gu;

/** A character as it reads: its NFKC form, without the characters that do not show. */
function fold(char: string): string {
  return char.normalize('NFKC').replace(INVISIBLE, '');
}

/**
 * Where the CSI (ESC [ or U+009B), or other escape sequence (ESC, intermediate bytes, a final byte)
 * starting at `at` ends; -1 if it is malformed.
 */
function escapeEnd(text: string, at: number): number {
  let i = at + 1;
  if (text.charCodeAt(at) === 0x1b) {
    if (text.charCodeAt(i) !== 0x5b) {
      let c = text.charCodeAt(i);
      while (c >= 0x20 && c <= 0x2f) c = text.charCodeAt(++i);
      return c >= 0x30 && c <= 0x7e ? i + 1 : -1;
    }
    i++;
  }
  let c = text.charCodeAt(i);
  while (c >= 0x30 && c <= 0x3f) c = text.charCodeAt(++i); // parameter bytes
  while (c >= 0x20 && c <= 0x2f) c = text.charCodeAt(++i); // intermediate bytes
  return c >= 0x40 && c <= 0x7e ? i + 1 : -1;
}

const OSC_TERMINATOR = /\x07|\x1b\\|\x9c/g;

/** Where the OSC whose payload starts at `from` ends, after its BEL or ST; -1 if it has none. */
function oscEnd(text: string, from: number): number {
  OSC_TERMINATOR.lastIndex = from;
  const m = OSC_TERMINATOR.exec(text);
  return m === null ? -1 : m.index + m[0].length;
}

/** Numeric (`&#64;`, `&#x40;`, the `;` optional as browsers allow) or named (`&commat;`). */
const ENTITY = /&(?:#(?:(\d+)|[xX]([\dA-Fa-f]+));?|([A-Za-z]+);)/y;

/** The named entities decoded: HTML's basic ones, and the punctuation that tokens, URLs and emails use. */
const NAMED: Readonly<Record<string, string>> = {
  amp: '&', AMP: '&', lt: '<', LT: '<', gt: '>', GT: '>', quot: '"', QUOT: '"', apos: "'", nbsp: '\u00a0',
  commat: '@', period: '.', lowbar: '_', colon: ':', sol: '/', bsol: '\\', equals: '=', plus: '+', num: '#',
  percnt: '%', dollar: '$', excl: '!', quest: '?', comma: ',', semi: ';', ast: '*', lpar: '(', rpar: ')',
};

/** The character an ENTITY match stands for; undefined for a name not in NAMED, or a code a browser would not show. */
function entityText(entity: RegExpExecArray): string | undefined {
  const [, decimal, hex, name] = entity;
  if (name !== undefined) return Object.hasOwn(NAMED, name) ? NAMED[name] : undefined;
  const code = decimal !== undefined ? Number(decimal) : parseInt(hex!, 16);
  if (code === 0 || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) return undefined;
  return String.fromCodePoint(code);
}
