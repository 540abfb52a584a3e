/**
 * Regexes in policies are untrusted code (docs/architecture.md#rules, rule 6). Each one must compile and be proven free
 * of catastrophic backtracking by recheck's automaton checker, which is exact: its verdict is a function of
 * the pattern, never of luck or of the machine's load. What it cannot prove is refused:
 *
 * - back-references, and look-arounds other than a one-character look-behind that starts the pattern or a
 *   one-character look-ahead that ends it (which are rewritten into what the automaton takes, see
 *   oneCharLookAround): the automaton cannot model them, and recheck's fuzzer, the only alternative, is a
 *   random search that misses real attacks (`(.+)+\1`: 40 s on 28 characters) and crashes on others
 *   (`^(\1a|b)+$`: a stack overflow that never returns);
 * - bounded repetitions: the automaton unrolls them into copies, sees no loop, and calls the pattern safe
 *   (`(?:a{1,10}){1,10}b` passes it, yet runs for seconds on 30 characters). A pattern without loops is
 *   accepted when the ways it can split one input cost at most STEPS_PER_CHAR_LIMIT steps (sequenceCost);
 *   otherwise, and in a pattern with loops, the bounds of repeated groups and of runs are lifted for the
 *   analysis. Exponential backtracking is then refused (a bound only delays it), polynomial backtracking
 *   when the bounds allow more than STEPS_PER_CHAR_LIMIT steps per input character;
 * - a check that times out, crashes or outlives the load's budget.
 *
 * recheck runs in a child process that is killed at a hard deadline, with its output captured: a crash or
 * a stack overflow in the checker is a refusal, never a hang or pages of stack trace on the terminal.
 */
import { spawn, spawnSync } from 'node:child_process';
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
 * Backtracking steps per input character accepted where bounds cap the work: at that rate, 64 KiB of input
 * takes about a quarter of a second to match (measured: `\s{0,31}\s{0,31}x` on spaces).
 */
const STEPS_PER_CHAR_LIMIT = 1024;

const AUTOMATON: RecheckParameters = { checker: 'automaton', timeout: CHECK_TIMEOUT_MS };
const NOT_CHECKED = 'not checked';
const cache = new Map<string, RegexVerdict>();

/**
 * One regex's verdict, without blocking: recheck runs in a child process the event loop waits on.
 *
 * @example (await checkRegexSafety('(a+)+$')).safe // false
 */
export async function checkRegexSafety(pattern: string, flags = ''): Promise<RegexVerdict> {
  return (await checkRegexes([{ pattern, flags }]))[0]!;
}

/**
 * The same, synchronously (blocking for as long as recheck takes), for loads that cannot await.
 *
 * @example checkRegexSafetySync('ACCT-\\d{8}').safe // true
 */
export function checkRegexSafetySync(pattern: string, flags = ''): RegexVerdict {
  return checkRegexesSync([{ pattern, flags }])[0]!;
}

/**
 * Checks several regexes at once: the ones not decided yet in this process share one child process (its
 * start-up, about 0.2 s, is most of the cost of a check). Verdicts are kept for the process's life. The
 * event loop runs meanwhile.
 *
 * @param budgetMs the time all the checks may take together; the ones it leaves unchecked are refused.
 * @example
 * const [drop, detector] = await checkRegexes([{ pattern: '(.+)+\\1' }, { pattern: 'ACCT-\\d{8}', flags: 'i' }]);
 * // drop: { safe: false, check: 'recheck', reason: 'back-reference \\1 at character 6: ...' }
 * // detector: { safe: true, checkedBy: 'recheck' }
 */
export async function checkRegexes(regexes: readonly RegexToCheck[], budgetMs = REGEX_CHECK_BUDGET_MS): Promise<RegexVerdict[]> {
  const plan = planChecks(regexes);
  return settle(regexes, plan, await recheckIsolated(plan.jobs, budgetMs));
}

/**
 * checkRegexes, synchronously: blocks until recheck has answered or the budget is spent.
 *
 * @example checkRegexesSync([{ pattern: '(a|a)*$' }])[0].safe // false
 */
export function checkRegexesSync(regexes: readonly RegexToCheck[], budgetMs = REGEX_CHECK_BUDGET_MS): RegexVerdict[] {
  const plan = planChecks(regexes);
  return settle(regexes, plan, recheckIsolatedSync(plan.jobs, budgetMs));
}

interface CheckPlan {
  verdicts: Map<string, RegexVerdict>;
  pending: Map<string, Pending>;
  jobs: RecheckJob[];
}

const keyOf = (pattern: string, flags: string) => `${flags}/${pattern}`;

/** What is decided already (cached, or by the pattern's shape), and the jobs recheck gets for the rest. */
function planChecks(regexes: readonly RegexToCheck[]): CheckPlan {
  const verdicts = new Map<string, RegexVerdict>();
  const pending = new Map<string, Pending>();
  for (const { pattern, flags = '' } of regexes) {
    const key = keyOf(pattern, flags);
    if (verdicts.has(key) || pending.has(key)) continue;
    const known = cache.get(key) ?? precheck(pattern, flags);
    if ('safe' in known) verdicts.set(key, known);
    else pending.set(key, known);
  }
  const jobs = [...pending.values()].map((p) => ({ source: p.rewritten, flags: p.flags, params: AUTOMATON, limitMs: CHECK_TIMEOUT_MS + CHECK_GRACE_MS }));
  return { verdicts, pending, jobs };
}

function settle(regexes: readonly RegexToCheck[], { verdicts, pending }: CheckPlan, outcomes: RecheckOutcome[]): RegexVerdict[] {
  [...pending].forEach(([key, p], i) => verdicts.set(key, verdictOf(outcomes[i]!, p)));
  // A budget that ran out says nothing about the pattern: it is checked again next time.
  for (const [key, v] of verdicts) if (v.safe || !v.reason.startsWith(NOT_CHECKED)) cache.set(key, v);
  return regexes.map(({ pattern, flags = '' }) => verdicts.get(keyOf(pattern, flags))!);
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
  if ('work' in shape) {
    if (shape.work <= STEPS_PER_CHAR_LIMIT) return { safe: true, checkedBy: 'recheck' };
    return {
      safe: false,
      check: 'recheck',
      reason: `backtracking through up to ${shape.work} steps at each position of the input (at most ${STEPS_PER_CHAR_LIMIT} are accepted); remove the overlapping alternatives`,
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
      // repetition multiplies it); polynomial work is accepted up to STEPS_PER_CHAR_LIMIT steps per input
      // character.
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

/**
 * One item of a sequence, for the cost of a pattern without cycles: the characters it can match, in how
 * many ways (of different lengths, or different alternatives), whether it can match nothing, and the
 * steps one attempt at it takes.
 */
interface Item {
  set: Uint32Array;
  ways: number;
  empty: boolean;
  work: number;
}

/** A group being scanned (the pattern itself at the bottom). */
interface Frame {
  at: number;
  look?: string;
  /** The longest match of its alternatives so far, and of the current one. */
  longest: number;
  current: number;
  /** The cost of its finished alternatives, the items of the current one, and all the characters it can match. */
  done: Cost[];
  items: Item[];
  chars: Uint32Array;
  /** Where its current alternative starts; whether the group starts the pattern (nothing can come before it). */
  alternativeStart: number;
  atStart: boolean;
  /** Set when it closes: whether it ends the pattern (nothing can come after it), and whether it is repeated. */
  atEnd?: boolean;
  quantified?: boolean;
}

/** The steps of one attempt at a sequence or group, the ways it can end at one same position, and the characters it can start with. */
interface Cost {
  work: number;
  ways: number;
  first: Uint32Array;
  /** Whether it can match nothing. */
  empty: boolean;
}

/** What a quantifier repeats: a character, class or escape, or a group; its longest match; its item. */
interface Atom {
  start: number;
  group?: Frame;
  length: number;
  item: Item;
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

/** Escapes and character classes: what hides parentheses that are not groups. */
const ESCAPES_AND_CLASSES = /\\[\s\S]|\[(?:\\[\s\S]|[^\]\\])*\]/g;
// Sticky: each matches exactly at the scan's position.
const DIGITS = /[1-9]\d*/y;
const NAMED_REFERENCE = /\\k(?:<[^>]*>)?/y;
const LOOK_AROUND = /\(\?<?[=!]/y;
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

/**
 * Scans a pattern that compiles (its syntax needs no checking here), as JavaScript parses it: the first
 * construct recheck cannot analyse; or, for a pattern without cycles, the cost of matching it at one
 * position; or the pattern rewritten for recheck (edge look-arounds rewritten, bounds lifted) with where
 * the lifted and the unbounded repetitions are.
 */
function scanPattern(source: string, flags: string): Unsupported | { work: number } | Omit<Pending, 'flags'> {
  const unicode = flags.includes('u');
  const bare = source.replace(ESCAPES_AND_CLASSES, '');
  const captures = (bare.match(/\((?!\?)|\(\?<(?![=!])/g) ?? []).length;
  const named = /\(\?<(?![=!])/.test(bare);
  const looks: LookAround[] = [];
  const lifts: Edit[] = [];
  /** `?`: lifted only in a pattern without cycles (elsewhere, `x?` next to a loop would become ambiguity). */
  const optionals: Edit[] = [];
  let groupLifted = false;
  /** The repetitions that are unbounded as written ([start, end) of each, quantifier included). */
  const unbounded: [number, number][] = [];
  const frame = (at: number, head: string, parent?: Frame): Frame => ({
    at,
    ...(/^\(\?<?[=!]$/.test(head) && { look: head }),
    longest: 0,
    current: 0,
    done: [],
    items: [],
    chars: new Uint32Array(SET_WORDS),
    alternativeStart: at + head.length,
    atStart: parent === undefined || (parent.atStart && parent.alternativeStart === at),
  });
  const open: Frame[] = [frame(0, '')];
  const endsHere = (at: number) => at === source.length || source[at] === '|' || source[at] === ')';
  let atom: Atom | undefined;
  const add = (a: Atom) => {
    const top = open.at(-1)!;
    atom = a;
    top.current += a.length;
    top.items.push(a.item);
    union(top.chars, a.item.set);
  };
  const char = (start: number, end: number) => add({ start, length: 1, item: { set: charSet(source.slice(start, end), flags), ways: 1, empty: false, work: 1 } });
  const assertion = () => {
    open.at(-1)!.items.push({ set: new Uint32Array(SET_WORDS), ways: 1, empty: true, work: 1 });
    atom = undefined;
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
      if (next === 'b' || next === 'B') assertion();
      else char(i, end);
      i = end;
    } else if (c === '[') {
      let j = i + 1;
      while (j < source.length && source[j] !== ']') j += source[j] === '\\' ? 2 : 1;
      char(i, j + 1);
      i = j + 1;
    } else if (c === '(') {
      const head = (matchAt(LOOK_AROUND, source, i) ?? matchAt(GROUP_HEAD, source, i))![0];
      open.push(frame(i, head, top));
      atom = undefined;
      i += head.length;
    } else if (c === ')') {
      const group = open.pop()!;
      group.atEnd = endsHere(i + 1);
      const cost = total(group);
      if (group.look !== undefined) {
        const edit = oneCharLookAround(source, group.at, group.look, i, flags);
        if (typeof edit === 'string') return { what: lookName(group.look), text: group.look, at: group.at, why: edit };
        const behind = group.look.startsWith('(?<');
        looks.push({ head: group.look, at: group.at, edit, atEdge: behind ? group.atStart : group.atEnd, self: group, around: open.slice(1) });
      }
      // A look-around matches nothing, once.
      const look = group.look !== undefined;
      const length = look ? 0 : Math.max(group.longest, group.current);
      add({ start: group.at, group, length, item: look ? { set: new Uint32Array(SET_WORDS), ways: 1, empty: true, work: cost.work } : { set: group.chars, ways: cost.ways, empty: cost.empty, work: cost.work } });
      i++;
    } else if (atom !== undefined && (c === '*' || c === '+' || c === '?' || (c === '{' && matchAt(COUNTED, source, i) !== null))) {
      const counted = c === '{' ? matchAt(COUNTED, source, i) : null;
      const end = i + (counted?.[0].length ?? 1);
      const min = counted !== null ? Number(counted[1]) : c === '+' ? 1 : 0;
      const max = counted === null ? (c === '?' ? 1 : Infinity) : counted[2] === undefined ? min : counted[3] === '' ? Infinity : Number(counted[3]);
      top.current += atom.length === 0 ? 0 : atom.length * (max - 1); // the atom itself is counted already
      if (atom.group !== undefined) atom.group.quantified = true;
      if (max === Infinity) unbounded.push([atom.start, end]);
      // Repeated: the lengths it can take, each a way; a repeated group's ways multiply (and it is lifted).
      const it = atom.item;
      it.ways = max === Infinity ? Infinity : atom.group === undefined ? max - min + 1 : choices(it.ways, min, max);
      it.work *= max === Infinity ? Infinity : Math.max(1, max);
      it.empty ||= min === 0;
      // The automaton unrolls a bounded repetition into copies: no cycle, so no ambiguity it can see (it
      // calls a pattern without cycles safe at once). Lift the bound (`{0,n}` -> `*`, `{m,n}` -> `+`)
      // of a group's, and of a variable-length run's (a fixed length is no choice, and lifting it would
      // add ambiguity).
      const lift = { start: i, end, text: min === 0 ? '*' : '+', lift: { atom: atom.start, reach: atom.length * max } };
      if (max === 1 && min === 0) optionals.push(lift);
      else if (max < Infinity && (atom.group !== undefined ? max > 1 : min < max)) lifts.push(lift);
      groupLifted ||= atom.group !== undefined && max > 1;
      atom = undefined;
      i = end + (source[end] === '?' ? 1 : 0);
    } else if (c === '|') {
      top.done.push(sequenceCost(top.items));
      top.items = [];
      top.longest = Math.max(top.longest, top.current);
      top.current = 0;
      top.alternativeStart = i + 1;
      atom = undefined;
      i++;
    } else if (c === '^' || c === '$') {
      assertion();
      i++;
    } else {
      char(i, i + 1); // a brace that is no quantifier is a literal (Annex B)
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
  // No cycle, and no repeated group: the work at a position is the pattern's cost, however it is
  // matched; cheap enough, nothing more to check. Too dear: every bound is lifted, so that recheck shows
  // where the work goes and how it grows.
  if (unbounded.length === 0 && !groupLifted) {
    const cost = total(open[0]!);
    if (cost.work <= STEPS_PER_CHAR_LIMIT || lifts.length + optionals.length === 0) return { work: cost.work };
    edits.push(...optionals);
  }
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

/** The ways `{min,max}` repetitions of something that matches in `ways` ways can match. */
function choices(ways: number, min: number, max: number): number {
  let sum = 0;
  for (let k = min, power = ways ** min; k <= max && sum < Infinity; k++, power *= ways) sum += power;
  return sum;
}

/**
 * The cost of a group's alternatives: each is tried, and those that can start with one same character can
 * all match there.
 */
function total(f: Frame): Cost {
  const alternatives = [...f.done, sequenceCost(f.items)];
  const first = new Uint32Array(SET_WORDS);
  for (const a of alternatives) union(first, a.first);
  return {
    work: alternatives.reduce((n, a) => n + a.work, 0),
    ways: Math.max(...alternatives.map((a) => alternatives.filter((b) => overlaps(a.first, b.first)).reduce((n, b) => n + b.ways, 0))),
    first,
    empty: alternatives.some((a) => a.empty),
  };
}

/**
 * The cost of a sequence without cycles. Items that can match the same characters, side by side (or with
 * only items that can match nothing between them), can split one input in many ways, and every way is
 * tried: their ways multiply. A required item that matches none of the characters of those before it
 * ends that: it can only start where they all stop, so they reach it in the ways they can split one
 * input, and what follows is tried once for each.
 */
function sequenceCost(items: readonly Item[]): Cost {
  let before = 1; // the ways the sequence so far reaches where the current stretch starts
  let stretch: Item[] = [];
  let ways = 1; // ... and where the stretch reaches now, in one same position
  let work = 0;
  const first = new Uint32Array(SET_WORDS);
  let started = false;
  for (const it of items) {
    if (!started) union(first, it.set);
    started ||= !it.empty;
    const touching = stretch.filter((s) => overlaps(s.set, it.set));
    if (touching.length === 0 && !it.empty) {
      before *= ways;
      stretch = [];
      ways = 1;
    }
    // Each way the overlapping items before it can stop is a place it is tried from. If it has ways too,
    // theirs and its combine into one same end: that is what multiplies (one item's lengths, or a
    // fixed-length item after them, end at as many different positions).
    const from = touching.reduce((n, s) => n * s.ways, 1);
    work += before * from * it.work;
    if (from > 1 && it.ways > 1) ways = Math.max(ways, from * it.ways);
    stretch.push(it);
  }
  return { work, ways: before * ways, first, empty: !started };
}

const SET_WORDS = 2048;
/** Every UTF-16 code unit but the surrogates, once: an atom's matches in it are the characters it matches. */
let everyUnit: string | undefined;
const charSets = new Map<string, Uint32Array>();

/**
 * The characters of the Basic Multilingual Plane an atom (one character, class or escape) matches, as a
 * bit set. Found by matching the atom against all of them at once: exact, and about a millisecond.
 */
function charSet(atom: string, flags: string): Uint32Array {
  const key = `${flags}/${atom}`;
  let set = charSets.get(key);
  if (set === undefined) {
    everyUnit ??= Array.from({ length: 0xf800 }, (_, k) => String.fromCharCode(k < 0xd800 ? k : k + 0x800)).join('');
    set = new Uint32Array(SET_WORDS);
    for (const m of everyUnit.matchAll(new RegExp(atom, `${flags}g`))) {
      const unit = m.index < 0xd800 ? m.index : m.index + 0x800;
      set[unit >> 5]! |= 1 << (unit & 31);
    }
    charSets.set(key, set);
  }
  return set;
}

function union(into: Uint32Array, set: Uint32Array): void {
  for (let w = 0; w < SET_WORDS; w++) into[w]! |= set[w]!;
}

function overlaps(a: Uint32Array, b: Uint32Array): boolean {
  for (let w = 0; w < SET_WORDS; w++) if ((a[w]! & b[w]!) !== 0) return true;
  return false;
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
    const r = spawnSync(process.execPath, ['-e', CHILD, RECHECK], {
      input: JSON.stringify(jobs.slice(out.length)),
      encoding: 'utf8',
      env: childEnv(),
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

/**
 * recheckIsolatedSync without blocking: the same child, limits and outcomes, awaited.
 *
 * @example const [r] = await recheckIsolated([{ source: '^a+$', flags: '', params: { checker: 'automaton', timeout: 10_000 }, limitMs: 15_000 }], 60_000);
 */
export async function recheckIsolated(jobs: readonly RecheckJob[], budgetMs: number): Promise<RecheckOutcome[]> {
  const out: RecheckOutcome[] = [];
  const deadline = Date.now() + budgetMs;
  while (out.length < jobs.length && deadline - Date.now() > 0) {
    const r = await runChild(JSON.stringify(jobs.slice(out.length)), deadline - Date.now());
    for (const line of r.stdout.split('\n').slice(0, -1)) out.push(JSON.parse(line) as RecheckOutcome);
    if (out.length === jobs.length || r.timedOut) break;
    const silent = r.status === 3 ? `no answer within ${jobs[out.length]!.limitMs / 1000} s` : r.signal !== null ? `killed by ${r.signal}` : `exit code ${r.status}`;
    const detail = r.overflow ? `over ${MAX_OUTPUT / 1024 / 1024} MiB of output` : (errorName(r.stderr) ?? silent);
    out.push({ status: 'crashed', detail });
  }
  while (out.length < jobs.length) out.push({ status: 'out-of-time' });
  return out;
}

interface ChildResult {
  stdout: string;
  stderr: string;
  status: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  overflow: boolean;
}

/** The checker child, as recheckIsolatedSync runs it: killed at the deadline or past MAX_OUTPUT (its last line may be cut: callers keep whole lines). */
function runChild(input: string, timeoutMs: number): Promise<ChildResult> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['-e', CHILD, RECHECK], { env: childEnv(), windowsHide: true });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    let overflow = false;
    const kill = () => child.kill('SIGKILL');
    const timer = setTimeout(() => {
      timedOut = true;
      kill();
    }, timeoutMs);
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      if (overflow) return;
      stdout += d;
      if (stdout.length > MAX_OUTPUT) {
        overflow = true;
        kill();
      }
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      if (stderr.length < MAX_OUTPUT) stderr += d;
    });
    child.stdin.on('error', () => {}); // a child that dies before reading its input
    child.stdin.end(input);
    child.on('close', (status, signal) => {
      clearTimeout(timer);
      resolve({ stdout, stderr, status, signal, timedOut, overflow });
    });
  });
}

/** The child's environment: a loader or debugger for the parent (tsx, --inspect) has no business in it. */
function childEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env.NODE_OPTIONS;
  return env;
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
