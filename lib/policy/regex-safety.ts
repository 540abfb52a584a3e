/**
 * Regexes in policies are untrusted code (DESIGN.md principle 6). Each one must compile and be proven free
 * of catastrophic backtracking by recheck's automaton checker, which is exact: its verdict is a function of
 * the pattern, never of luck or of the machine's load. What it cannot prove is refused:
 *
 * - back-references, and look-arounds other than a one-character look-behind that starts the pattern or a
 *   one-character look-ahead that ends it (which are rewritten into what the automaton takes, see
 *   oneCharLookAround): the automaton cannot model them, and recheck's fuzzer, the only alternative, is a
 *   random search that misses real attacks (`(.+)+\1`: 40 s on 28 characters) and crashes on others
 *   (`^(\1a|b)+$`: a stack overflow that never returns);
 * - the automaton unrolls bounded repetitions, and so misses the ambiguity inside a bounded repeated group
 *   (it calls any pattern without `*` or `+` safe, yet `(?:a{1,10}){1,10}b` runs for seconds on 30
 *   characters): those bounds are lifted for the check. Exponential backtracking there is refused (bounds
 *   only delay it), polynomial backtracking when the bounds allow over STEPS_PER_CHAR_LIMIT steps per
 *   input character;
 * - a check that times out, crashes or outlives the load's budget.
 *
 * recheck runs in a child process that is killed at a hard deadline, with its output captured: a crash or
 * a stack overflow in the checker is a refusal, never a hang or pages of stack trace on the terminal.
 */
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import type { Parameters as RecheckParameters } from 'recheck';

export type RegexVerdict =
  | { safe: true; checkedBy: 'recheck' }
  | {
      safe: false;
      check: 'syntax' | 'recheck';
      reason: string;
      /** Refused because it could not be proven safe (a construct recheck cannot analyse, a time-out, a crash), not for an attack found. */
      unproven?: true;
    };

/** A regex to check: its source (no delimiters) and flags. */
export interface RegexToCheck {
  pattern: string;
  flags?: string;
}

/** recheck's time limit for one analysis (most take milliseconds); a pattern that needs more is refused. */
const CHECK_TIMEOUT_MS = 15_000;
/** How long the child may go without an answer past that (the checker crashed inside) before it gives up. */
const CHECK_GRACE_MS = 5_000;
/** All regex checks of one load, so that `policy lint` finishes within a minute whatever the policy holds. */
export const REGEX_CHECK_BUDGET_MS = 40_000;
/**
 * Backtracking steps per input character accepted from polynomial backtracking within bounded repetitions.
 * 64 KiB of input at 1024 steps per character is well under a second of matching.
 */
const STEPS_PER_CHAR_LIMIT = 1024;
/**
 * Paths through a pattern without cycles accepted without analysis. A path is a way to match: the work at
 * each position is at most the paths an input keeps alive, far fewer than all of them.
 */
const PATHS_LIMIT = 4096;

const AUTOMATON: RecheckParameters = { checker: 'automaton', timeout: CHECK_TIMEOUT_MS };
const NOT_CHECKED = 'not checked';
const cache = new Map<string, RegexVerdict>();

export async function checkRegexSafety(pattern: string, flags = ''): Promise<RegexVerdict> {
  return checkRegexSafetySync(pattern, flags);
}

/** Synchronous, so that policies can be loaded where no await is possible. */
export function checkRegexSafetySync(pattern: string, flags = ''): RegexVerdict {
  return checkRegexesSync([{ pattern, flags }])[0]!;
}

/**
 * Checks several regexes at once: the ones not decided yet in this process share one child process (its
 * start-up, about 0.2 s, is most of the cost of a check). Verdicts are kept for the process's life.
 *
 * @param budgetMs the time all the checks may take together; the ones it leaves unchecked are refused.
 * @example
 * const [drop, detector] = checkRegexesSync([{ pattern: '(.+)+\\1' }, { pattern: 'ACCT-\\d{8}', flags: 'i' }]);
 * // drop: { safe: false, check: 'recheck', reason: 'back-reference \\1 at character 6: ...' }
 * // detector: { safe: true, checkedBy: 'recheck' }
 */
export function checkRegexesSync(regexes: readonly RegexToCheck[], budgetMs = REGEX_CHECK_BUDGET_MS): RegexVerdict[] {
  const verdicts = new Map<string, RegexVerdict>();
  const pending = new Map<string, Pending>();
  for (const { pattern, flags = '' } of regexes) {
    const key = `${flags}/${pattern}`;
    if (verdicts.has(key) || pending.has(key)) continue;
    const known = cache.get(key) ?? precheck(pattern, flags);
    if ('safe' in known) verdicts.set(key, known);
    else pending.set(key, known);
  }
  const jobs = [...pending.values()].map((p) => ({ source: p.rewritten, flags: p.flags, params: AUTOMATON, limitMs: CHECK_TIMEOUT_MS + CHECK_GRACE_MS }));
  const outcomes = recheckIsolatedSync(jobs, budgetMs);
  [...pending].forEach(([key, p], i) => verdicts.set(key, verdictOf(outcomes[i]!, p)));
  // A budget that ran out says nothing about the pattern: it is checked again next time.
  for (const [key, v] of verdicts) if (v.safe || !v.reason.startsWith(NOT_CHECKED)) cache.set(key, v);
  return regexes.map(({ pattern, flags = '' }) => verdicts.get(`${flags}/${pattern}`)!);
}

/** A pattern that compiles and has nothing recheck cannot analyse: what recheck gets. */
interface Pending {
  flags: string;
  rewritten: string;
  lifts: Lift[];
  /** Where the repetitions unbounded as written are, in the rewritten pattern. */
  unbounded: (readonly [number, number])[];
}

function precheck(pattern: string, flags: string): RegexVerdict | Pending {
  try {
    new RegExp(pattern, flags);
  } catch (err) {
    return { safe: false, check: 'syntax', reason: (err as Error).message.replace(/^Invalid regular expression: /, '') };
  }
  const shape = scanPattern(pattern, flags);
  if ('what' in shape) return { safe: false, check: 'recheck', reason: `${shape.what} ${shape.text} at character ${shape.at + 1}: ${shape.why}`, unproven: true };
  if ('paths' in shape) {
    if (shape.paths <= PATHS_LIMIT) return { safe: true, checkedBy: 'recheck' };
    return {
      safe: false,
      check: 'recheck',
      reason: `backtracking through up to ${shape.paths} combinations of alternatives at each position (at most ${PATHS_LIMIT} are accepted); remove the overlapping alternatives`,
    };
  }
  return { flags, ...shape };
}

function verdictOf(r: RecheckOutcome, p: Pending): RegexVerdict {
  const refuse = (reason: string): RegexVerdict => ({ safe: false, check: 'recheck', reason });
  const unproven = (reason: string): RegexVerdict => ({ safe: false, check: 'recheck', reason, unproven: true });
  switch (r.status) {
    case 'safe':
      return { safe: true, checkedBy: 'recheck' };
    case 'vulnerable': {
      const c = r.complexity;
      // Where the attack makes the matcher work. Nowhere in a repetition unbounded as written, so only in
      // lifted ones: the bounds cap the work. Exponential work is refused all the same (each extra
      // repetition multiplies it); polynomial work of degree d costs at most reach^(d-1) steps per input
      // character, accepted up to STEPS_PER_CHAR_LIMIT.
      const heat = r.hotspot.filter((h) => h.temperature === 'heat');
      const overlaps = (h: { start: number; end: number }, from: number, to: number) => h.start < to && h.end > from;
      const holding = p.lifts.filter((l) => heat.some((h) => overlaps(h, l.start, l.end)));
      const bounded = holding.length > 0 && !heat.some((h) => p.unbounded.some(([from, to]) => overlaps(h, from, to)));
      if (bounded && c.type === 'exponential') {
        return refuse('exponential backtracking inside a bounded repetition: each extra repetition multiplies the work; remove the ambiguity (a bound only delays it)');
      }
      if (bounded && c.type === 'polynomial') {
        // Degree d: d - 1 repetitions pumped together, each with at most reach + 1 choices.
        const steps = holding
          .map((l) => l.reach + 1)
          .sort((x, y) => y - x)
          .slice(0, c.degree - 1)
          .reduce((x, y) => x * y, 1);
        if (steps <= STEPS_PER_CHAR_LIMIT) return { safe: true, checkedBy: 'recheck' };
        return refuse(
          `polynomial (degree ${c.degree}) backtracking within bounded repetitions: up to about ${steps} steps per input character ` +
            `(at most ${STEPS_PER_CHAR_LIMIT} are accepted); lower the bounds or remove the ambiguity`,
        );
      }
      const kind = c.type === 'polynomial' ? `polynomial (degree ${c.degree})` : 'exponential';
      const hint = c.type === 'polynomial' ? 'bound the repetition (e.g. {1,64}) or remove the ambiguity' : 'remove the ambiguity (a bound only delays it)';
      return refuse(`${kind} backtracking: an input of about ${r.attackLength} characters makes it run for seconds; ${hint}`);
    }
    case 'unknown':
      return r.error.kind === 'timeout'
        ? unproven(`recheck could not finish its analysis within ${CHECK_TIMEOUT_MS / 1000} s; simplify the pattern (fewer or shorter bounded repetitions)`)
        : unproven(`recheck cannot analyse it (${r.error.kind}${r.error.message === undefined ? '' : `: ${r.error.message}`}); rewrite the pattern without that feature`);
    case 'crashed':
      return unproven(`recheck crashed on it (${r.detail}); simplify the pattern (less nesting, fewer repetitions)`);
    case 'out-of-time':
      return unproven(`${NOT_CHECKED}: the regex checks of this policy ran out of time (${REGEX_CHECK_BUDGET_MS / 1000} s in all); simplify or remove some patterns`);
  }
}

// ---------------------------------------------------------------------------------------------------------
// The pattern's shape: what recheck cannot analyse, and what it gets instead

/** Why recheck cannot analyse a pattern: the first back-reference or look-around it cannot take. */
interface Unsupported {
  what: string;
  text: string;
  /** 0-based index into the source. */
  at: number;
  why: string;
}

/** A lifted repetition in the rewritten pattern: from its atom to its quantifier. */
interface Lift {
  start: number;
  end: number;
  /** The longest input it could match as written: its bound times its atom's longest match. */
  reach: number;
}

/** A piece of the source replaced in the pattern recheck gets. */
interface Edit {
  start: number;
  end: number;
  text: string;
  /** For a lifted bound: where its atom starts, and the lift's reach. */
  lift?: { atom: number; reach: number };
}

/** Escapes and character classes: what hides parentheses that are not groups. */
const ESCAPES_AND_CLASSES = /\\[\s\S]|\[(?:\\[\s\S]|[^\]\\])*\]/g;
// Sticky: each matches exactly at the scan's position.
const DIGITS = /[1-9]\d*/y;
const NAMED_REFERENCE = /\\k(?:<[^>]*>)?/y;
const LOOK_AROUND = /\(\?(<?)[=!]/y;
const GROUP_HEAD = /\((?:\?:|\?<[^>]*>)?/y;
const COUNTED = /\{(\d+)(?:(,)(\d*))?\}/y;
/** One character: a class, a character escape or class escape, a literal or `.` (no assertion, no group). */
const ONE_CHAR =
  /^(?:\[(?:\\[\s\S]|[^\]\\])*\]|\\(?:[dDwWsS]|[pP]\{[^}]*\}|x[0-9A-Fa-f]{2}|u[0-9A-Fa-f]{4}|u\{[0-9A-Fa-f]+\}|c[A-Za-z]|0(?!\d)|[^bBkpPxuc\d])|[^\\^$.|?*+()[\]{}]|\.)$/;
const EDGE_RULE =
  'freedom from catastrophic backtracking can be proven for a look-around only when it tests one character and starts the ' +
  'pattern (a look-behind, such as (?<![A-Za-z0-9])) or ends it (a look-ahead, such as (?![A-Za-z0-9])); rewrite the pattern ' +
  '(a detector can match the context and keep only the sensitive part with group:)';
const NO_BACK_REFERENCES = 'freedom from catastrophic backtracking cannot be proven for back-references; rewrite the pattern without it';

function matchAt(re: RegExp, source: string, at: number): RegExpExecArray | null {
  re.lastIndex = at;
  return re.exec(source);
}

/** A group being scanned (the pattern itself at the bottom). */
interface Frame {
  at: number;
  look?: string;
  /** The longest match of its alternatives so far, and of the current one. */
  longest: number;
  current: number;
  /** The paths through its alternatives so far, through the current one, and through it before its last atom. */
  paths: number;
  currentPaths: number;
  before: number;
  /** Where its current alternative starts; whether the group starts the pattern (nothing can come before it). */
  alternativeStart: number;
  atStart: boolean;
  /** Set when it closes: whether it ends the pattern (nothing can come after it), and whether it is repeated. */
  atEnd?: boolean;
  quantified?: boolean;
}

/** What a quantifier repeats: a character, class or escape, or a group; its longest match; its paths. */
interface Atom {
  start: number;
  group?: Frame;
  length: number;
  paths: number;
}

/** A look-around that tests one character, rewritten if it turns out to be at an edge of the pattern. */
interface LookAround {
  head: string;
  at: number;
  edit: Edit;
  /** At the start of its group's alternative (a look-behind), or at its end (a look-ahead). */
  atEdge: boolean;
  /** Its own group, which must not be repeated. */
  self: Frame;
  /** The groups around it, which must all start (or end) the pattern, unrepeated. */
  around: Frame[];
}

/**
 * Scans a pattern that compiles (its syntax needs no checking here), as JavaScript parses it: the first
 * construct recheck cannot analyse, or the pattern rewritten for it (edge look-arounds rewritten, bounds
 * lifted) with where the lifted and the unbounded repetitions are.
 */
function scanPattern(source: string, flags: string): Unsupported | { paths: number } | Omit<Pending, 'flags'> {
  const unicode = flags.includes('u');
  const bare = source.replace(ESCAPES_AND_CLASSES, '');
  const captures = (bare.match(/\((?!\?)|\(\?<(?![=!])/g) ?? []).length;
  const named = /\(\?<(?![=!])/.test(bare);
  const looks: LookAround[] = [];
  const lifts: Edit[] = [];
  /** The repetitions that are unbounded as written ([start, end) of each, quantifier included). */
  const unbounded: [number, number][] = [];
  const frame = (at: number, head: string, parent?: Frame): Frame => ({
    at,
    ...(/^\(\?<?[=!]$/.test(head) && { look: head }),
    longest: 0,
    current: 0,
    paths: 0,
    currentPaths: 1,
    before: 1,
    alternativeStart: at + head.length,
    atStart: parent === undefined || (parent.atStart && parent.alternativeStart === at),
  });
  const open: Frame[] = [frame(0, '')];
  const endsHere = (at: number) => at === source.length || source[at] === '|' || source[at] === ')';
  let atom: Atom | undefined;
  const add = (a: Atom) => {
    const f = open.at(-1)!;
    atom = a;
    f.current += a.length;
    f.before = f.currentPaths;
    f.currentPaths *= a.paths;
  };
  let i = 0;
  while (i < source.length) {
    const c = source[i]!;
    const top = open.at(-1)!;
    if (c === '\\') {
      const next = source[i + 1] ?? '';
      const digits = matchAt(DIGITS, source, i + 1)?.[0];
      // Annex B: without the u flag, \N beyond the number of groups is an octal or identity escape.
      if (digits !== undefined && (unicode || Number(digits) <= captures)) return { what: 'back-reference', text: `\\${digits}`, at: i, why: NO_BACK_REFERENCES };
      if (next === 'k' && (unicode || named)) return { what: 'named back-reference', text: matchAt(NAMED_REFERENCE, source, i)![0], at: i, why: NO_BACK_REFERENCES };
      let end = i + 2;
      if (unicode && /[upP]/.test(next) && source[end] === '{') end = Math.max(end, source.indexOf('}', end) + 1);
      add({ start: i, length: 1, paths: 1 });
      i = end;
    } else if (c === '[') {
      let j = i + 1;
      while (j < source.length && source[j] !== ']') j += source[j] === '\\' ? 2 : 1;
      add({ start: i, length: 1, paths: 1 });
      i = j + 1;
    } else if (c === '(') {
      const head = (matchAt(LOOK_AROUND, source, i) ?? matchAt(GROUP_HEAD, source, i))![0];
      open.push(frame(i, head, top));
      atom = undefined;
      i += head.length;
    } else if (c === ')') {
      const group = open.pop()!;
      group.atEnd = endsHere(i + 1);
      if (group.look !== undefined) {
        const edit = oneCharLookAround(source, group.at, group.look, i, flags);
        if (typeof edit === 'string') return { what: lookName(group.look), text: group.look, at: group.at, why: edit };
        const behind = group.look.startsWith('(?<');
        looks.push({ head: group.look, at: group.at, edit, atEdge: behind ? group.atStart : group.atEnd, self: group, around: open.slice(1) });
      }
      const look = group.look !== undefined; // a look-around matches nothing, and at most once
      add({ start: group.at, group, length: look ? 0 : Math.max(group.longest, group.current), paths: look ? 1 : group.paths + group.currentPaths });
      i++;
    } else if (atom !== undefined && (c === '*' || c === '+' || c === '?' || (c === '{' && matchAt(COUNTED, source, i) !== null))) {
      const counted = c === '{' ? matchAt(COUNTED, source, i) : null;
      const end = i + (counted?.[0].length ?? 1);
      const min = counted !== null ? Number(counted[1]) : c === '+' ? 1 : 0;
      const max = counted === null ? (c === '?' ? 1 : Infinity) : counted[2] === undefined ? min : counted[3] === '' ? Infinity : Number(counted[3]);
      top.current += atom.length === 0 ? 0 : atom.length * (max - 1); // the atom itself is counted already
      top.currentPaths = top.before * choices(atom.paths, min, max);
      if (atom.group !== undefined) atom.group.quantified = true;
      if (max === Infinity) unbounded.push([atom.start, end]);
      // The automaton unrolls a bounded repetition into copies: no cycle, so no ambiguity it can see (it
      // calls a pattern without cycles safe at once). Lift the bound (`{0,n}` and `?` -> `*`, `{m,n}` ->
      // `+`) wherever it leaves a choice: a group's, or a variable-length run's (a fixed length is no
      // choice, and lifting it would add ambiguity).
      if (max < Infinity && max > 0 && (atom.group !== undefined ? max > 1 || min === 0 : min < max)) {
        lifts.push({ start: i, end, text: min === 0 ? '*' : '+', lift: { atom: atom.start, reach: atom.length * max } });
      }
      atom = undefined;
      i = end + (source[end] === '?' ? 1 : 0);
    } else if (c === '|') {
      top.longest = Math.max(top.longest, top.current);
      top.current = 0;
      top.paths += top.currentPaths;
      top.currentPaths = 1;
      top.alternativeStart = i + 1;
      atom = undefined;
      i++;
    } else {
      // An anchor is nothing to repeat; a brace that is no quantifier is a literal (Annex B).
      if (c === '^' || c === '$') atom = undefined;
      else add({ start: i, length: 1, paths: 1 });
      i++;
    }
  }
  const edits: Edit[] = [];
  for (const l of looks) {
    const behind = l.head.startsWith('(?<');
    const edge = l.atEdge && !l.self.quantified && l.around.every((f) => f.look === undefined && !f.quantified && (behind ? f.atStart : f.atEnd));
    if (!edge) return { what: lookName(l.head), text: l.head, at: l.at, why: `it is not at the ${behind ? 'start' : 'end'} of the pattern; ${EDGE_RULE}` };
    edits.push(l.edit);
  }
  // Without a cycle the work at each position is at most the number of paths through the pattern: few
  // enough, and the pattern is safe as it stands; too many, and the lifted bounds show recheck why.
  const paths = open[0]!.paths + open[0]!.currentPaths;
  if (unbounded.length === 0 && paths <= PATHS_LIMIT) return { paths };
  if (unbounded.length === 0 && lifts.length === 0) return { paths };
  edits.push(...lifts);
  edits.sort((x, y) => x.start - y.start);
  // Where a source position lands in the rewrite: shifted by the edits wholly before it.
  const shifted = (at: number) => at + edits.filter((e) => e.end <= at).reduce((n, e) => n + e.text.length - (e.end - e.start), 0);
  let rewritten = '';
  let from = 0;
  for (const e of edits) {
    rewritten += source.slice(from, e.start) + e.text;
    from = e.end;
  }
  return {
    rewritten: rewritten + source.slice(from),
    lifts: edits.flatMap((e) => (e.lift === undefined ? [] : [{ start: shifted(e.lift.atom), end: shifted(e.start) + e.text.length, reach: e.lift.reach }])),
    unbounded: unbounded.map(([x, y]) => [shifted(x), shifted(y)] as const),
  };
}

/** The ways `{min,max}` repetitions of something that matches in `paths` ways can match. */
function choices(paths: number, min: number, max: number): number {
  if (max === Infinity) return Infinity;
  let sum = 0;
  for (let k = min, power = paths ** min; k <= max && sum < Infinity; k++, power *= paths) sum += power;
  return sum;
}

function lookName(head: string): string {
  return head.startsWith('(?<') ? 'look-behind' : 'look-ahead';
}

/**
 * A one-character look-around rewritten into what recheck's automaton takes, or why it cannot be. At the
 * start of the pattern, a look-behind becomes that character consumed (`(?<![a-z])x` -> `(?:^|[^a-z])x`);
 * at the end, a look-ahead likewise (`x(?![a-z])` -> `x(?:[^a-z]|$)`). Every path of the original is tried
 * in the rewrite, in the same order, and stops or goes on at the same point, so the rewrite backtracks at
 * least as much (scanPattern applies it only there). Anywhere else, or over more than one character, a
 * look-around can cut matching short where its removal would not, which is what hides catastrophic
 * backtracking.
 */
function oneCharLookAround(source: string, start: number, head: string, close: number, flags: string): Edit | string {
  const behind = head.startsWith('(?<');
  const negative = head.endsWith('!');
  const body = source.slice(start + head.length, close);
  const anchor = behind ? '^' : '$';
  const [char, withAnchor] = body.startsWith(`${anchor}|`) ? [body.slice(2), true] : body.endsWith(`|${anchor}`) ? [body.slice(0, -2), true] : [body, false];
  if (!ONE_CHAR.test(char)) return `it tests more than one character; ${EDGE_RULE}`;
  const other = negative ? negate(char, flags) : char;
  // (?<!C) passes at the start of input or after a character not in C; (?<!^|C) only after one not in C.
  const text = negative === withAnchor ? other : behind ? `(?:^|${other})` : `(?:${other}|$)`;
  return { start, end: close + 1, text: text.startsWith('(') ? text : `(?:${text})` };
}

/** The one-character atom matching exactly the characters `atom` does not. */
function negate(atom: string, flags: string): string {
  if (atom.startsWith('[^')) return `[${atom.slice(2)}`;
  if (atom.startsWith('[')) return `[^${atom.slice(1)}`;
  if (/^\\[dDwWsSpP]/.test(atom)) return `\\${atom[1] === atom[1]!.toLowerCase() ? atom[1]!.toUpperCase() : atom[1]!.toLowerCase()}${atom.slice(2)}`;
  if (atom === '.') return flags.includes('s') ? '[^\\s\\S]' : '[\\n\\r\\u2028\\u2029]';
  return `[^${atom}]`;
}

// ---------------------------------------------------------------------------------------------------------
// recheck, isolated

/** One analysis for {@link recheckIsolatedSync}. */
export interface RecheckJob {
  source: string;
  flags: string;
  /** recheck's parameters; give `timeout` (recheck's default is 10 s), null for none. */
  params: RecheckParameters;
  /** How long the child waits for this answer before it gives up on the checker (a crash inside it). */
  limitMs: number;
}

/** What recheck answered (only what the checks need), or why it did not. */
export type RecheckOutcome =
  | { status: 'safe' }
  | {
      status: 'vulnerable';
      complexity: { type: 'exponential' } | { type: 'polynomial'; degree: number };
      /** Length of recheck's attack string. */
      attackLength: number;
      /** Where in the source the attack makes the matcher work (`heat`: the most). */
      hotspot: { start: number; end: number; temperature: 'heat' | 'normal' }[];
    }
  | { status: 'unknown'; error: { kind: string; message?: string } }
  /** The checker died or stopped answering; `detail` is its error, in one line. */
  | { status: 'crashed'; detail: string }
  /** Not run: the budget ran out first. */
  | { status: 'out-of-time' };

const RECHECK = createRequire(import.meta.url).resolve('recheck');
/**
 * The child: runs the jobs (JSON on stdin) one by one with recheck's own back-end choice (its native
 * binary when installed, which is much faster than its JavaScript build), one JSON line per answer, each
 * written as soon as it is known. Exit code 3: the checker stopped answering.
 */
const CHILD = `
const { readFileSync, writeSync } = require('node:fs');
const { check } = require(process.argv[1]);
(async () => {
  for (const job of JSON.parse(readFileSync(0, 'utf8'))) {
    const stuck = setTimeout(() => process.exit(3), job.limitMs);
    const r = await check(job.source, job.flags, job.params);
    clearTimeout(stuck);
    const out = { status: r.status, complexity: r.complexity, attackLength: r.attack && r.attack.string.length, hotspot: r.hotspot, error: r.error };
    writeSync(1, JSON.stringify(out) + '\\n');
  }
  process.exit(0);
})().catch((err) => { writeSync(2, String((err && err.stack) || err)); process.exit(4); });
`;
/** Enough for every answer line; a child that writes more (a checker spewing) is killed: a crash. */
const MAX_OUTPUT = 8 * 1024 * 1024;

/**
 * Runs recheck on each job in a child process killed at the budget's end, with stdout and stderr captured:
 * nothing recheck does (a stack overflow in its native binary, a hang, megabytes of trace) reaches the
 * terminal or outlives the budget. A job that crashes the checker is reported and the next ones go on in a
 * new child. Synchronous (`spawnSync`), for the policy loader.
 *
 * @param budgetMs the time all the jobs may take; the ones not done by then are `out-of-time`.
 * @example
 * const [r] = recheckIsolatedSync([{ source: '^(a+)+$', flags: '', params: { checker: 'automaton', timeout: 10_000 }, limitMs: 15_000 }], 60_000);
 * // r: { status: 'vulnerable', complexity: { type: 'exponential', ... }, attackLength: 19, hotspot: [...] }
 */
export function recheckIsolatedSync(jobs: readonly RecheckJob[], budgetMs: number): RecheckOutcome[] {
  const out: RecheckOutcome[] = [];
  const deadline = Date.now() + budgetMs;
  while (out.length < jobs.length && deadline - Date.now() > 0) {
    const env = { ...process.env };
    delete env.NODE_OPTIONS; // a loader or debugger for the parent (tsx, --inspect) has no business in the child
    const r = spawnSync(process.execPath, ['-e', CHILD, RECHECK], {
      input: JSON.stringify(jobs.slice(out.length)),
      encoding: 'utf8',
      env,
      timeout: deadline - Date.now(),
      killSignal: 'SIGKILL',
      maxBuffer: MAX_OUTPUT,
      windowsHide: true,
    });
    // Whole lines only: output cut at maxBuffer can end in part of one.
    for (const line of (r.stdout ?? '').split('\n').slice(0, -1)) out.push(JSON.parse(line) as RecheckOutcome);
    const code = (r.error as NodeJS.ErrnoException | undefined)?.code;
    if (out.length === jobs.length || code === 'ETIMEDOUT') break;
    // The job in progress killed the child or stopped it answering: it is refused, the others go on.
    const silent = r.status === 3 ? `no answer within ${jobs[out.length]!.limitMs / 1000} s` : r.signal !== null ? `killed by ${r.signal}` : `exit code ${r.status}`;
    const detail = code === 'ENOBUFS' ? `over ${MAX_OUTPUT / 1024 / 1024} MiB of output` : (errorName(r.stderr ?? '') ?? code ?? silent);
    out.push({ status: 'crashed', detail });
  }
  while (out.length < jobs.length) out.push({ status: 'out-of-time' });
  return out;
}

/** The error a crashed checker printed (`java.lang.StackOverflowError`, `RangeError: ...`), never its trace. */
function errorName(stderr: string): string | undefined {
  for (const line of stderr.slice(0, 64 * 1024).split('\n')) {
    const js = /^(\w*Error)(?: \[\w*\])?: (.{1,200})/.exec(line.trim());
    if (js !== null) return `${js[1]}: ${js[2]}`;
    const java = line.split(/\s+/).find((w) => /^[\w$]+(?:\.[\w$]+)+(?:Error|Exception)$/.test(w));
    if (java !== undefined) return java;
  }
  return undefined;
}
