/**
 * The combined scan: finds every detector's matches in a string with as little work per clean string as
 * possible. Cost grows slowly with the number of detectors because one pass over the text (prefilter.ts)
 * tells which detectors can match at all:
 *  1. detectors with keywords run only when one of their keywords occurs, and
 *  2. detectors without keywords run only when their trigger (a cheap necessary condition) matched.
 * Overlapping matches are merged so that no part of any match survives.
 */
import type { DetectorSpec, Match } from './types.ts';
import { BUILTIN_KEY_NAMES, type KeyNameClassifier, type SecretFamily } from './key-names.ts';
import { KeywordIndex } from './keywords.ts';
import { compilePrefilter, type PrefilterResult } from './prefilter.ts';
import { VALIDATORS, shannonEntropy } from './validators.ts';

interface Found {
  match: Match;
  /** Attribution rank when spans overlap: secrets over PII, specific over generic. */
  rank: number;
  order: number;
  /**
   * For a specific detector with a `group`: the whole match (`postgres://user:pass@host`). The detector
   * understood that region, so other detectors' matches entirely inside it (an "email" `pass@host`) are
   * artifacts, and dropped; the sensitive group itself is still redacted by this detector.
   */
  claimStart: number;
  claimEnd: number;
}

interface CompiledDetector {
  spec: DetectorSpec;
  /** Position in the catalogue: breaks ties between detectors reporting the same span. */
  order: number;
  regex: RegExp;
  rank: number;
  generic: boolean;
  group: number | string | undefined;
  validate: ((value: string) => boolean) | undefined;
  /** For `keyGroup` detectors: whether the key name in the match is a secret of the detector's family. */
  secretKey: ((name: string) => boolean) | undefined;
  /** For `split` detectors (and not in the reference mode): the key regex, and the value regex tried where a key ends. */
  split: SplitRegexes | undefined;
}

/** The result for clean text, shared: most texts are clean, and an allocation each adds up. */
const NO_MATCHES: Match[] = Object.freeze([]) as unknown as Match[];

/** A compiled set of detectors: one pass over a text finds every match of every detector. */
export interface Scanner {
  readonly detectors: readonly DetectorSpec[];
  /**
   * Non-overlapping matches, sorted by start (do not modify the array: it may be shared). `hints`, when
   * given, learns what the same pass saw of encodings (a scanner that cannot tell leaves it as it is).
   */
  scan(text: string, hints?: ScanHints): Match[];
}

export interface ScanHints {
  /** No run of BASE64_MIN_RUN base64 characters starts before this index. */
  base64From: number;
}

export interface ScannerOptions {
  /**
   * false: run every detector's regex on every text, one by one, with no keyword or trigger prefilter.
   * Same results, much slower: the baseline for benchmarks and the oracle for prefilter tests.
   */
  prefilter?: boolean;
  /** Judges the key names of `keyGroup` detectors (default: the builtin vocabulary). */
  keyNames?: KeyNameClassifier;
  /**
   * false: the prefilter's pass stays in JavaScript (prefilter.ts moves a scanner in use to WebAssembly).
   * Same results: for benchmarks and tests that compare the two.
   */
  webAssembly?: boolean;
}

/**
 * Compiles detectors into one scanner: their keywords into one automaton that reads the text once (the
 * prefilter), their triggers into another, and each regex run only on texts that pass. Overlapping matches
 * are merged; the result is sorted by position.
 *
 * @example
 * const scanner = compileScanner(BUILTIN_DETECTORS.filter((d) => d.tags.includes('pii')));
 * scanner.scan('mail alice.smith@example.com'); // [{ detector: 'email-address', start: 5, end: 28 }]
 */
export function compileScanner(detectors: readonly DetectorSpec[], options: ScannerOptions = {}): Scanner {
  const keyNames = options.keyNames ?? BUILTIN_KEY_NAMES;
  // The reference mode runs each pattern whole: the oracle the split scan is tested against.
  const compiled: CompiledDetector[] = detectors.map((d, i) => compileDetector(d, i, keyNames, options.prefilter !== false));
  if (options.prefilter === false) {
    return {
      detectors,
      scan(text) {
        const found: Found[] = [];
        for (const d of compiled) collect(d, text, found);
        return found.length === 0 ? [] : mergeOverlaps(found);
      },
    };
  }
  const keywordIndex = new KeywordIndex<number>();
  const alwaysRun: CompiledDetector[] = [];
  const triggered = new Map<string, CompiledDetector[]>();
  for (const [i, d] of compiled.entries()) {
    const keywords = d.spec.keywords ?? [];
    if (keywords.length > 0) for (const k of keywords) keywordIndex.add(k, i);
    else if (d.spec.trigger !== undefined) triggered.set(d.spec.trigger, [...(triggered.get(d.spec.trigger) ?? []), d]);
    else alwaysRun.push(d);
  }
  keywordIndex.build();
  const triggerGroups = [...triggered.values()];
  const prefilter = compilePrefilter(keywordIndex, [...triggered.keys()], compiled.length, undefined, options.webAssembly === false ? Infinity : undefined);

  // Reused across calls: saves an allocation per text. A scan can be re-entered (a key-name classifier or
  // a validator that scans, a logger that logs while scrubbing): the inner one then gets scratch of its own.
  const found: Found[] = [];
  const hits: number[] = [];
  const pass: PrefilterResult = { fired: 0, base64From: 0 };
  let depth = 0;

  function scan(text: string, hints?: ScanHints): Match[] {
    if (compiled.length === 0) return NO_MATCHES;
    if (depth !== 0) return scanWith(text, hints, [], [], { fired: 0, base64From: 0 });
    depth = 1;
    try {
      if (found.length !== 0) found.length = 0;
      if (hits.length !== 0) hits.length = 0;
      return scanWith(text, hints, found, hits, pass);
    } finally {
      depth = 0;
    }
  }

  function scanWith(text: string, hints: ScanHints | undefined, found: Found[], hits: number[], pass: PrefilterResult): Match[] {
    for (const d of alwaysRun) collect(d, text, found);
    prefilter(text, hits, pass);
    if (hints !== undefined) hints.base64From = pass.base64From;
    const fired = pass.fired;
    for (let g = 0; fired >> g !== 0; g++) if ((fired >> g) & 1) for (const d of triggerGroups[g]!) collect(d, text, found);
    for (const i of hits) collect(compiled[i]!, text, found);
    return found.length === 0 ? NO_MATCHES : mergeOverlaps(found);
  }

  return { detectors, scan };
}

function compileDetector(spec: DetectorSpec, order: number, keyNames: KeyNameClassifier, splitScan: boolean): CompiledDetector {
  // `d` (match indices) only where a group must be located: it costs on every match.
  const flags = 'g' + (spec.group !== undefined ? 'd' : '') + (spec.flags ?? '').replace(/[gyd]/g, '');
  // A trigger runs in the trigger automaton, which knows no flags: under `i` or `u` it would miss what the
  // pattern finds, so the two cannot be combined (builtins only: policies cannot give triggers).
  if (spec.trigger !== undefined && /[iu]/.test(spec.flags ?? '')) throw new Error(`detector ${spec.id}: a trigger cannot be combined with the i or u flag`);
  const regex = new RegExp(spec.pattern, flags);
  return {
    spec,
    order,
    regex,
    generic: spec.tags.includes('generic'),
    rank: (spec.tags.includes('secret') ? 2 : 0) + (spec.tags.includes('generic') ? 0 : 1),
    group: spec.group,
    validate: spec.validate === undefined ? undefined : VALIDATORS[spec.validate],
    secretKey: spec.keyGroup === undefined ? undefined : secretKeyOf(keyNames, spec.keyFamily ?? 'token'),
    split: splitScan && spec.split !== undefined && spec.keyGroup !== undefined ? splitRegexes(spec.split, spec.keyGroup, (spec.flags ?? '').replace(/[gyd]/g, '')) : undefined,
  };
}

interface SplitRegexes {
  key: RegExp;
  value: RegExp;
  /** The key group's number in `key` when its name was taken out (see splitRegexes), else -1. */
  keyIndex: number;
}

/**
 * A split detector's regexes. The key regex runs at every key of a line (most lines assign to keys that
 * name no secret), and a named group costs a `groups` object on each match: when `keyGroup` is its only
 * named group and nothing refers to it by name, it becomes a numbered group (about a fifth less time a key).
 */
function splitRegexes(split: { key: string; value: string }, keyGroup: string, flags: string): SplitRegexes {
  const value = new RegExp(split.value, 'yd' + flags);
  const numbered = flags.includes('v') ? undefined : numberedGroup(split.key, keyGroup);
  if (numbered !== undefined) return { key: new RegExp(numbered.source, 'g' + flags), value, keyIndex: numbered.index };
  return { key: new RegExp(split.key, 'g' + flags), value, keyIndex: -1 };
}

/**
 * `source` with the named group `name` made a numbered one, and its number; undefined when the source has
 * other named groups, refers to a group by name, or does not have this one.
 *
 * @example numberedGroup('(a)(?<key>\\w+)=', 'key') // { source: '(a)(\\w+)=', index: 2 }
 */
export function numberedGroup(source: string, name: string): { source: string; index: number } | undefined {
  if (source.includes('\\k<')) return undefined;
  let index = 0;
  let at = -1;
  let groupIndex = -1;
  let inClass = false;
  for (let i = 0; i < source.length; i++) {
    const c = source[i];
    if (c === '\\') {
      i++;
      continue;
    }
    if (inClass) {
      if (c === ']') inClass = false;
      continue;
    }
    if (c === '[') inClass = true;
    else if (c === '(') {
      if (source[i + 1] !== '?') index++;
      else if (source[i + 2] === '<' && source[i + 3] !== '=' && source[i + 3] !== '!') {
        index++;
        if (at >= 0 || !source.startsWith(`(?<${name}>`, i)) return undefined; // another named group
        at = i;
        groupIndex = index;
      }
    }
  }
  if (at < 0) return undefined;
  return { source: source.slice(0, at + 1) + source.slice(at + name.length + 4), index: groupIndex };
}

/** Verdicts per key name, kept (up to KEY_VERDICTS names): logs repeat the same few keys on every line. */
const KEY_VERDICTS = 4096;

function secretKeyOf(keyNames: KeyNameClassifier, family: SecretFamily): (name: string) => boolean {
  const known = new Map<string, boolean>();
  return (name) => {
    let secret = known.get(name);
    if (secret === undefined) {
      const verdict = keyNames.classify(name);
      secret = verdict.kind === 'secret' && verdict.family === family;
      if (known.size >= KEY_VERDICTS) known.clear();
      known.set(name, secret);
    }
    return secret;
  };
}

function collect(d: CompiledDetector, text: string, out: Found[]): void {
  if (d.split !== undefined) {
    collectAssignments(d, d.split, text, out);
    return;
  }
  const { regex, spec } = d;
  regex.lastIndex = 0;
  for (let m = regex.exec(text); m !== null; m = regex.exec(text)) {
    if (m[0].length === 0) {
      regex.lastIndex++;
      continue;
    }
    let start = m.index;
    let value = m[0];
    if (d.group !== undefined) {
      const span = typeof d.group === 'number' ? m.indices?.[d.group] : m.indices?.groups?.[d.group];
      if (span === undefined || span[1] === span[0]) continue;
      start = span[0];
      value = text.slice(span[0], span[1]);
    }
    // A value may hold an assignment of its own (`"note": "API_KEY=..."`, `password: db_password: x`):
    // the next match is looked for from the value on, whatever this one turns out to be.
    const resume = d.secretKey !== undefined ? start : regex.lastIndex;
    // The classifier and the validator may scan with this scanner themselves (re-entered): set lastIndex
    // again after them.
    if (d.secretKey !== undefined && !d.secretKey(m.groups?.[d.spec.keyGroup!] ?? '')) {
      regex.lastIndex = resume;
      continue;
    }
    if (d.validate !== undefined && !d.validate(value)) {
      regex.lastIndex = resume;
      continue;
    }
    regex.lastIndex = resume;
    if (spec.entropy !== undefined && shannonEntropy(value) < spec.entropy) continue;
    const claims = d.group !== undefined && !d.generic;
    out.push({
      match: { detector: spec.id, start, end: start + value.length },
      rank: d.rank,
      order: d.order,
      claimStart: claims ? m.index : start,
      claimEnd: claims ? m.index + m[0].length : start,
    });
  }
}

/**
 * A `split` detector's matches: each key and operator the key regex finds, judged by the classifier, and
 * only for a secret-named key the value regex, anchored where the operator ends. The same matches as the
 * whole pattern (no match can start between a key and its operator; after a value or a key that names no
 * secret, the search goes on from where the value would start, as for the whole pattern).
 */
function collectAssignments(d: CompiledDetector, split: SplitRegexes, text: string, out: Found[]): void {
  const { key, value, keyIndex } = split;
  key.lastIndex = 0;
  for (let k = key.exec(text); k !== null; k = key.exec(text)) {
    const operatorEnd = key.lastIndex;
    const secret = d.secretKey!((keyIndex >= 0 ? k[keyIndex] : k.groups?.[d.spec.keyGroup!]) ?? '');
    key.lastIndex = operatorEnd; // the classifier may have re-entered the scan
    if (!secret) continue;
    value.lastIndex = operatorEnd;
    const v = value.exec(text);
    if (v === null) continue;
    const span = typeof d.group === 'number' ? v.indices?.[d.group] : v.indices?.groups?.[d.group ?? ''];
    if (span === undefined || span[1] === span[0]) continue;
    const [start, end] = span;
    // A value may hold an assignment of its own: the search goes on from the value.
    key.lastIndex = start;
    const found = text.slice(start, end);
    if (d.validate !== undefined && !d.validate(found)) {
      key.lastIndex = start;
      continue;
    }
    key.lastIndex = start;
    if (d.spec.entropy !== undefined && shannonEntropy(found) < d.spec.entropy) continue;
    const claims = !d.generic; // as collect(): a specific detector claims its whole match
    out.push({ match: { detector: d.spec.id, start, end }, rank: d.rank, order: d.order, claimStart: claims ? k.index : start, claimEnd: claims ? v.index + v[0].length : start });
  }
}

/**
 * Non-overlapping spans covering every match: matches inside another detector's claimed region are
 * dropped, the rest overlapping are united (no part of any match survives) and attributed to the
 * highest-ranked detector among them, ties to the catalogue order.
 */
function mergeOverlaps(found: Found[]): Match[] {
  const kept = found.length === 1 ? found : withoutClaimed(found);
  kept.sort((a, b) => a.match.start - b.match.start || b.match.end - a.match.end || a.order - b.order);
  const merged: Match[] = [];
  let current = { ...kept[0]!.match };
  let best = kept[0]!;
  for (let i = 1; i < kept.length; i++) {
    const f = kept[i]!;
    if (f.match.start < current.end) {
      if (f.match.end > current.end) current.end = f.match.end;
      if (f.rank > best.rank || (f.rank === best.rank && f.order < best.order)) {
        best = f;
        current.detector = f.match.detector;
      }
    } else {
      merged.push(current);
      current = { ...f.match };
      best = f;
    }
  }
  merged.push(current);
  return merged;
}

/**
 * The matches no other detector's wider claim contains. Claims sorted by start, each match looks back
 * only over the claims that start within the longest claim's length of it: not every pair (a value dense
 * with findings made that quadratic).
 */
function withoutClaimed(found: Found[]): Found[] {
  const claims = found.filter((c) => c.claimEnd > c.claimStart).sort((a, b) => a.claimStart - b.claimStart);
  if (claims.length === 0) return found;
  let maxLen = 0;
  for (const c of claims) maxLen = Math.max(maxLen, c.claimEnd - c.claimStart);
  return found.filter((f) => {
    // The first claim that starts after the match.
    let lo = 0;
    let hi = claims.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (claims[mid]!.claimStart <= f.match.start) lo = mid + 1;
      else hi = mid;
    }
    for (let i = lo - 1; i >= 0 && claims[i]!.claimStart >= f.match.start - maxLen; i--) {
      const c = claims[i]!;
      // Only a strictly wider claim removes a match: two detectors whose claims each hold the other's
      // match (the same password seen by two URL shapes) must not remove each other.
      const own = Math.max(f.match.end - f.match.start, f.claimEnd - f.claimStart);
      // A claim speaks for its own finding only: a match it holds that lies apart from that finding (another
      // command's password in a line the claim runs across) is another secret, and stays.
      const apart = f.match.end <= c.match.start || f.match.start >= c.match.end;
      if (c !== f && c.match.detector !== f.match.detector && f.match.end <= c.claimEnd && c.claimEnd - c.claimStart > own && !apart) return false;
    }
    return true;
  });
}
