/**
 * Key-path selectors for structured values, modelled on pino's redact paths:
 * `a.b`, `a[0]`, `a["x-y"]`, `*` (any one key), `**` (any number of keys, including none), `a[*].b`,
 * and key globs: a `*` inside a key stands for any characters (`**.*pass*`, `headers.x-*-token`).
 * Keys are compared case-insensitively: `**.password` also selects `Password` and `PASSWORD`.
 */
export type PathSegment = string; // '*' | '**' | a lower-cased literal key | a lower-cased key glob

export const enum PathMatch {
  None = 0,
  /** The path is an ancestor of something the pattern selects. */
  Prefix = 1,
  Full = 2,
}

export class PathSyntaxError extends Error {}

export function parsePath(path: string): PathSegment[] {
  const segments: PathSegment[] = [];
  let i = 0;
  const fail = (what: string): never => {
    throw new PathSyntaxError(`invalid key path ${JSON.stringify(path)}: ${what} at character ${i + 1}`);
  };
  while (i < path.length) {
    const c = path[i];
    if (c === '[') {
      const close = path.indexOf(']', i);
      if (close < 0) fail('unclosed "["');
      let inner = path.slice(i + 1, close).trim();
      if (/^(["']).*\1$/.test(inner)) inner = inner.slice(1, -1);
      else if (inner !== '*' && !/^\d+$/.test(inner)) fail('expected a number, * or a quoted key inside [ ]');
      segments.push(inner === '*' ? '*' : inner.toLowerCase());
      i = close + 1;
      if (path[i] === '.') i++;
      continue;
    }
    let end = i;
    while (end < path.length && path[end] !== '.' && path[end] !== '[') end++;
    const key = path.slice(i, end);
    if (key.length === 0) fail('empty key');
    // A regex where a key belongs would select nothing, silently: refuse it (a quoted key may hold anything).
    if (/[()|?+^\\{}]/.test(key)) {
      fail(`key "${key}" looks like a regular expression; key paths take * globs (**.*pass*), or quote a literal key as ["${key}"]`);
    }
    segments.push(key === '*' || key === '**' ? key : key.toLowerCase());
    i = end;
    if (path[i] === '.') {
      i++;
      if (i === path.length) fail('trailing "."');
    }
  }
  if (segments.length === 0) fail('empty path');
  return segments;
}

/** Matches a concrete path (keys as they are; array indices as decimal strings) against a pattern. */
export function matchPath(pattern: readonly PathSegment[], path: readonly string[]): PathMatch {
  return matchFrom(pattern, 0, path.map((key) => key.toLowerCase()), 0);
}

/** `matchPath` for a path whose keys are already lower-cased (the walker keeps one). */
export function matchLoweredPath(pattern: readonly PathSegment[], lowered: readonly string[]): PathMatch {
  return matchFrom(pattern, 0, lowered, 0);
}

function matchFrom(pattern: readonly PathSegment[], si: number, path: readonly string[], pi: number): PathMatch {
  if (pi === path.length) {
    for (let k = si; k < pattern.length; k++) if (pattern[k] !== '**') return PathMatch.Prefix;
    return PathMatch.Full;
  }
  if (si === pattern.length) return PathMatch.None;
  const seg = pattern[si]!;
  if (seg === '**') {
    const skip = matchFrom(pattern, si + 1, path, pi);
    if (skip === PathMatch.Full) return skip;
    return Math.max(skip, matchFrom(pattern, si, path, pi + 1)) as PathMatch;
  }
  if (seg === '*' || seg === path[pi] || (isGlob(seg) && globMatches(seg, path[pi]!))) return matchFrom(pattern, si + 1, path, pi + 1);
  return PathMatch.None;
}

/** A key with a `*` inside (not the `*` and `**` segments). */
function isGlob(seg: PathSegment): boolean {
  return seg.length > 1 && seg !== '**' && seg.includes('*');
}

/**
 * Whether a key matches a glob (`*`: any run of characters): the two-pointer wildcard match, which only
 * ever returns to the last star, so it stays O(key × glob) where a regex of `.*`s can backtrack
 * exponentially on a long key.
 */
function globMatches(glob: string, key: string): boolean {
  let g = 0;
  let k = 0;
  let star = -1;
  let resume = 0;
  while (k < key.length) {
    if (g < glob.length && glob[g] !== '*' && glob[g] === key[k]) {
      g++;
      k++;
    } else if (g < glob.length && glob[g] === '*') {
      star = g++;
      resume = k;
    } else if (star >= 0) {
      g = star + 1;
      k = ++resume;
    } else return false;
  }
  while (glob[g] === '*') g++;
  return g === glob.length;
}

/**
 * The first of several patterns that fully selects a path, fast: most policies' field rules are
 * `**.name`, which select exactly the paths whose last key is `name`, so those are looked up by last key
 * and only the other patterns are matched in full. Called for every key of every logged record.
 */
export class FirstPathMatch<T> {
  private readonly byLastKey = new Map<string, number>();
  /** `length`: the only path length a pattern without `**` can select (-1: any). */
  private readonly general: { index: number; pattern: readonly PathSegment[]; length: number }[] = [];

  constructor(private readonly rules: readonly T[], patternOf: (rule: T) => readonly PathSegment[]) {
    rules.forEach((rule, index) => {
      const pattern = patternOf(rule);
      const last = pattern[1];
      if (pattern.length === 2 && pattern[0] === '**' && !last!.includes('*')) {
        if (!this.byLastKey.has(last!)) this.byLastKey.set(last!, index);
      } else this.general.push({ index, pattern, length: pattern.includes('**') ? -1 : pattern.length });
    });
  }

  /** The first rule (in the given order) whose pattern fully selects the lower-cased path. */
  first(lowered: readonly string[]): T | undefined {
    let best = lowered.length === 0 ? undefined : this.byLastKey.get(lowered[lowered.length - 1]!);
    for (const { index, pattern, length } of this.general) {
      if (best !== undefined && index > best) break;
      if (length >= 0 && length !== lowered.length) continue;
      if (matchFrom(pattern, 0, lowered, 0) === PathMatch.Full) {
        best = index;
        break;
      }
    }
    return best === undefined ? undefined : this.rules[best];
  }
}

/** Renders a concrete path for findings and messages: `a.b[0]["x y"]`. */
export function formatPath(path: readonly string[]): string {
  let out = '';
  for (const key of path) {
    if (/^\d+$/.test(key)) out += `[${key}]`;
    else if (/^[A-Za-z_$][\w$-]*$/.test(key)) out += out === '' ? key : `.${key}`;
    else out += `[${JSON.stringify(key)}]`;
  }
  return out === '' ? '$' : out;
}
