/**
 * The combined scan: finds every detector's matches in a string with as little work per clean string as
 * possible. Cost grows slowly with the number of detectors because
 *  1. detectors with keywords run only when one of their keywords occurs (one pass of a keyword automaton
 *     over the text, shared by all detectors), and
 *  2. detectors without keywords are grouped by a cheap character trigger (a digit, `:`), checked once.
 * Overlapping matches are merged so that no part of any match survives.
 */
import type { DetectorSpec, Match } from './types.ts';
import { KeywordIndex } from './keywords.ts';
import { VALIDATORS, shannonEntropy } from './validators.ts';

interface CompiledDetector {
  spec: DetectorSpec;
  regex: RegExp;
  /** Generic detectors lose to specific ones when their spans overlap. */
  generic: boolean;
  group: number | string | undefined;
  validate: ((value: string) => boolean) | undefined;
}

export interface Scanner {
  readonly detectors: readonly DetectorSpec[];
  /** Non-overlapping matches, sorted by start. */
  scan(text: string): Match[];
}

const DIGIT = /[0-9]/;

export interface ScannerOptions {
  /**
   * false: run every detector's regex on every text, one by one, with no keyword or character prefilter.
   * Same results, much slower: the baseline for benchmarks and the oracle for prefilter tests.
   */
  prefilter?: boolean;
}

export function compileScanner(detectors: readonly DetectorSpec[], options: ScannerOptions = {}): Scanner {
  const compiled: CompiledDetector[] = detectors.map(compileDetector);
  if (options.prefilter === false) {
    return {
      detectors,
      scan(text) {
        const found: { match: Match; generic: boolean }[] = [];
        for (const d of compiled) collect(d, text, found);
        return found.length === 0 ? [] : mergeOverlaps(found);
      },
    };
  }
  const keywordIndex = new KeywordIndex<CompiledDetector>();
  const unanchored: CompiledDetector[] = [];
  compiled.forEach((d) => {
    const keywords = d.spec.keywords ?? [];
    if (keywords.length === 0) unanchored.push(d);
    else for (const k of keywords) keywordIndex.add(k, d);
  });
  keywordIndex.build();
  const digitTriggered = unanchored.filter((d) => requiresDigit(d.spec.pattern));
  const alwaysRun = unanchored.filter((d) => !digitTriggered.includes(d));

  function scan(text: string): Match[] {
    const found: { match: Match; generic: boolean }[] = [];
    const run = (d: CompiledDetector): void => collect(d, text, found);
    for (const d of alwaysRun) run(d);
    if (digitTriggered.length > 0 && DIGIT.test(text)) for (const d of digitTriggered) run(d);
    const hits = keywordIndex.candidates(text);
    if (hits !== undefined) for (const d of hits) run(d);
    return found.length === 0 ? [] : mergeOverlaps(found);
  }

  return { detectors, scan };
}

function compileDetector(spec: DetectorSpec): CompiledDetector {
  // `d` (match indices) only where a group must be located: it costs on every match.
  const flags = 'g' + (spec.group !== undefined ? 'd' : '') + (spec.flags ?? '').replace(/[gyd]/g, '');
  const regex = new RegExp(spec.pattern, flags);
  return {
    spec,
    regex,
    generic: spec.tags.includes('generic'),
    group: spec.group,
    validate: spec.validate === undefined ? undefined : VALIDATORS[spec.validate],
  };
}

function collect(d: CompiledDetector, text: string, out: { match: Match; generic: boolean }[]): void {
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
    out.push({ match: { detector: spec.id, start, end: start + value.length }, generic: d.generic });
  }
}

/** Union of overlapping spans; the span is attributed to a specific detector over a generic one. */
function mergeOverlaps(found: { match: Match; generic: boolean }[]): Match[] {
  found.sort((a, b) => a.match.start - b.match.start || b.match.end - a.match.end);
  const merged: Match[] = [];
  let current = { ...found[0]!.match };
  let currentGeneric = found[0]!.generic;
  for (let i = 1; i < found.length; i++) {
    const { match, generic } = found[i]!;
    if (match.start < current.end) {
      if (match.end > current.end) current.end = match.end;
      if (currentGeneric && !generic) {
        current.detector = match.detector;
        currentGeneric = false;
      }
    } else {
      merged.push(current);
      current = { ...match };
      currentGeneric = generic;
    }
  }
  merged.push(current);
  return merged;
}

/**
 * True when every match of the pattern must contain a digit: conservative, it only says yes for patterns
 * that start with a digit class or a digit-led group, so a wrong "no" costs speed, never a miss.
 */
function requiresDigit(pattern: string): boolean {
  const body = pattern.replace(/^(?:\\b|\^|\(\?<[!=][^)]*\))+/, '');
  return /^(?:\\d|\[0-9\]|\[\\d|\(\?:\\d|\(\\d|\(\?:\[0-9|\(\?:\[\\d)/.test(body);
}
