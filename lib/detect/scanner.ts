/**
 * The combined scan: finds every detector's matches in a string with as little work per clean string as
 * possible. Cost grows slowly with the number of detectors because
 *  1. detectors with keywords run only when one of their keywords occurs (one pass of a keyword automaton
 *     over the text, shared by all detectors), and
 *  2. detectors without keywords run only when their trigger (a cheap necessary condition) matched, all
 *     triggers being tried in one combined regex pass.
 * Overlapping matches are merged so that no part of any match survives.
 */
import type { DetectorSpec, Match } from './types.ts';
import { KeywordIndex } from './keywords.ts';
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
}

/** The result for clean text, shared: most texts are clean, and an allocation each adds up. */
const NO_MATCHES: Match[] = Object.freeze([]) as unknown as Match[];

export interface Scanner {
  readonly detectors: readonly DetectorSpec[];
  /** Non-overlapping matches, sorted by start (do not modify the array: it may be shared). */
  scan(text: string): Match[];
}

export interface ScannerOptions {
  /**
   * false: run every detector's regex on every text, one by one, with no keyword or trigger prefilter.
   * Same results, much slower: the baseline for benchmarks and the oracle for prefilter tests.
   */
  prefilter?: boolean;
}

export function compileScanner(detectors: readonly DetectorSpec[], options: ScannerOptions = {}): Scanner {
  const compiled: CompiledDetector[] = detectors.map((d, i) => compileDetector(d, i));
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
  const keywordIndex = new KeywordIndex<CompiledDetector>();
  const alwaysRun: CompiledDetector[] = [];
  const triggered = new Map<string, CompiledDetector[]>();
  for (const d of compiled) {
    const keywords = d.spec.keywords ?? [];
    if (keywords.length > 0) for (const k of keywords) keywordIndex.add(k, d);
    else if (d.spec.trigger !== undefined) triggered.set(d.spec.trigger, [...(triggered.get(d.spec.trigger) ?? []), d]);
    else alwaysRun.push(d);
  }
  keywordIndex.build();
  const triggerGroups = [...triggered.values()];
  const triggers = new TriggerSet([...triggered.keys()]);
  const hasKeywords = compiled.length > alwaysRun.length + triggerGroups.reduce((n, g) => n + g.length, 0);

  // Reused across calls (scan is synchronous and never re-entered): saves an allocation per text.
  const found: Found[] = [];

  function scan(text: string): Match[] {
    if (compiled.length === 0) return NO_MATCHES;
    if (found.length !== 0) found.length = 0;
    for (const d of alwaysRun) collect(d, text, found);
    if (triggerGroups.length > 0) {
      const fired = triggers.fired(text);
      for (let g = 0; fired >> g !== 0; g++) if ((fired >> g) & 1) for (const d of triggerGroups[g]!) collect(d, text, found);
    }
    if (hasKeywords) {
      const hits = keywordIndex.candidates(text);
      if (hits !== undefined) for (const d of hits) collect(d, text, found);
    }
    return found.length === 0 ? NO_MATCHES : mergeOverlaps(found);
  }

  return { detectors, scan };
}

/**
 * Finds which triggers occur in a text. An alternation reports only one alternative per position, so after
 * each hit it searches again, from that position, for the triggers not found yet (one compiled alternation
 * per remaining subset, made on first use). Clean text costs one pass; each trigger found costs one more.
 */
class TriggerSet {
  private readonly bySubset = new Map<number, RegExp>();
  private readonly all: number;
  /** Not global: `test` on a plain regex skips the lastIndex bookkeeping, measurably faster. */
  private readonly first: RegExp;

  constructor(private readonly sources: string[]) {
    if (sources.length > 30) throw new Error('at most 30 distinct detector triggers');
    this.all = sources.length === 30 ? 0x3fffffff : (1 << sources.length) - 1;
    this.first = new RegExp(this.regexFor(this.all).source);
  }

  /** Bit g set: trigger g occurs in the text. */
  fired(text: string): number {
    // The common case, clean text: one pass, nothing allocated.
    if (!this.first.test(text)) return 0;
    let remaining = this.all;
    let fired = 0;
    let from = 0;
    while (remaining !== 0) {
      const regex = this.regexFor(remaining);
      regex.lastIndex = from;
      const m = regex.exec(text);
      if (m === null) break;
      // Group k of this regex is the k-th remaining trigger.
      for (let g = 0, k = 1; g < this.sources.length; g++) {
        if (((remaining >> g) & 1) === 0) continue;
        if (m[k++] !== undefined) {
          fired |= 1 << g;
          remaining &= ~(1 << g);
        }
      }
      from = m.index; // no remaining trigger can occur before the leftmost hit
    }
    return fired;
  }

  private regexFor(subset: number): RegExp {
    let regex = this.bySubset.get(subset);
    if (regex === undefined) {
      const parts = this.sources.filter((_, g) => (subset >> g) & 1).map((t) => `(${t})`);
      regex = new RegExp(parts.join('|'), 'g');
      this.bySubset.set(subset, regex);
    }
    return regex;
  }
}

function compileDetector(spec: DetectorSpec, order: number): CompiledDetector {
  // `d` (match indices) only where a group must be located: it costs on every match.
  const flags = 'g' + (spec.group !== undefined ? 'd' : '') + (spec.flags ?? '').replace(/[gyd]/g, '');
  const regex = new RegExp(spec.pattern, flags);
  return {
    spec,
    order,
    regex,
    generic: spec.tags.includes('generic'),
    rank: (spec.tags.includes('secret') ? 2 : 0) + (spec.tags.includes('generic') ? 0 : 1),
    group: spec.group,
    validate: spec.validate === undefined ? undefined : VALIDATORS[spec.validate],
  };
}

function collect(d: CompiledDetector, text: string, out: Found[]): void {
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
    if (d.validate !== undefined && !d.validate(value)) continue;
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
      if (c !== f && c.match.detector !== f.match.detector && f.match.end <= c.claimEnd && c.claimEnd - c.claimStart > f.match.end - f.match.start) return false;
    }
    return true;
  });
}
