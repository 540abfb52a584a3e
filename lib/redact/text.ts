/** Scrubbing of one string by value rules: detectors find spans, the rule for each detector acts on it. */
import type { Scanner } from '../detect/scanner.ts';
import type { CompiledAction } from './actions.ts';
import type { FindingSink } from './findings.ts';
import type { Match } from '../detect/types.ts';
import { scanAll } from './encoded.ts';

/** Returned for a whole-value `remove`: the caller drops the field (or withholds the text). */
export const REMOVE = Symbol('remove');

export interface CompiledValueRule {
  action: CompiledAction;
  scope: 'match' | 'value';
}

export interface CompiledValueRules {
  /** Scanner over exactly the detectors some rule acts on (allowed detectors are left out). */
  scanner: Scanner;
  ruleFor: ReadonlyMap<string, CompiledValueRule>;
  maxScanLength: number;
  /**
   * Short strings known to hold nothing under these rules (see scrubString); absent for rules made per
   * call that act on every string (the locations channel's).
   */
  clean?: CleanStrings;
}

/** The last separator in a string: whitespace, quotes, commas, semicolons, angle brackets. */
const LAST_BREAK = /[\s"',;<>][^\s"',;<>]*$/;

export function truncationMarker(cut: number): string {
  return `[truncated ${cut} chars]`;
}

/**
 * Short strings known to hold nothing under a set of rules (CompiledValueRules.clean). Records repeat the
 * same few keys and values (`GET`, `info`, a user agent) and the scan is deterministic, so each is scanned
 * once. Direct-mapped on length and three characters: a lookup hashes no string and an insert allocates
 * nothing, where a Set cost about a third of scrubbing a short string that is new (an id: one per
 * record). A string that takes another's slot only costs that one a rescan; ids that differ in their
 * digits share few slots, and leave the rest to the values that repeat.
 */
export class CleanStrings {
  private readonly slots: (string | undefined)[] = new Array<string | undefined>(CLEAN_SLOTS).fill(undefined);

  has(text: string): boolean {
    return this.slots[slotOf(text)] === text;
  }

  add(text: string): void {
    this.slots[slotOf(text)] = text;
  }
}

const CLEAN_MAX_LENGTH = 64;
const CLEAN_SLOTS = 4096;

function slotOf(text: string): number {
  const n = text.length;
  if (n === 0) return 0;
  let h = Math.imul(n ^ text.charCodeAt(0), 0x9e3779b1);
  h = Math.imul(h ^ text.charCodeAt(n >> 1), 0x85ebca6b);
  h = Math.imul(h ^ text.charCodeAt(n - 1), 0xc2b2ae35);
  return (h ^ (h >>> 16)) & (CLEAN_SLOTS - 1);
}

/** `path` names where the text was, for findings; a function when building the name costs (called only on a finding). */
export function scrubString(
  text: string,
  rules: CompiledValueRules,
  path: string | (() => string),
  sink: FindingSink,
): string | typeof REMOVE {
  // No rule acts on any detector: nothing to find, raw or encoded (a path-only policy).
  if (rules.ruleFor.size === 0 && text.length <= rules.maxScanLength) return text;
  const clean = rules.clean;
  if (clean !== undefined && text.length <= CLEAN_MAX_LENGTH) {
    if (clean.has(text)) return text;
    const out = scrubStringUncached(text, rules, path, sink);
    if (out === text) clean.add(text);
    return out;
  }
  return scrubStringUncached(text, rules, path, sink);
}

function scrubStringUncached(
  text: string,
  rules: CompiledValueRules,
  path: string | (() => string),
  sink: FindingSink,
): string | typeof REMOVE {
  let scanned = text;
  let tail = '';
  if (text.length > rules.maxScanLength) {
    // Fail closed: what is not scanned does not go out, nor does the word the cut falls in (it could
    // be the first half of a secret that no detector recognises any more).
    scanned = text.slice(0, rules.maxScanLength);
    const lastBreak = scanned.search(LAST_BREAK);
    scanned = lastBreak < 0 ? '' : scanned.slice(0, lastBreak + 1);
    tail = truncationMarker(text.length - scanned.length);
    sink.add('limit:max_scan_length', pathOf(path), 'truncate');
  }
  // Raw, disguised and encoded findings (encoded.ts); text without any is returned as it came.
  const matches = united(scanAll(scanned, rules.scanner));
  if (matches.length === 0) return tail === '' ? text : scanned + tail;
  let out = '';
  let last = 0;
  for (const m of matches) {
    const rule = rules.ruleFor.get(m.detector)!;
    if (rule.scope === 'value') {
      sink.add(m.detector, pathOf(path), rule.action.name);
      // What was scanned: an action that keeps part of its input (mask) must not see the unscanned tail.
      return rule.action.name === 'remove' ? REMOVE : rule.action.apply(scanned, m.detector) + tail;
    }
    out += scanned.slice(last, m.start) + rule.action.apply(scanned.slice(m.start, m.end), m.detector);
    last = m.end;
    sink.add(m.detector, pathOf(path), rule.action.name);
  }
  return out + scanned.slice(last) + tail;
}

function pathOf(path: string | (() => string)): string {
  return typeof path === 'string' ? path : path();
}

/**
 * Spans sorted by start with the overlapping ones united: the union covers every match (a span that
 * sticks out of another is not cut short), named after the first of them (the raw match, on a tie).
 */
function united(matches: Match[]): Match[] {
  let i = 1;
  while (i < matches.length && matches[i]!.start >= matches[i - 1]!.end) i++;
  if (i >= matches.length) return matches; // the common case: no overlap, nothing to copy
  const out = matches.slice(0, i);
  let current = { ...out.pop()! };
  for (; i < matches.length; i++) {
    const m = matches[i]!;
    if (m.start < current.end) {
      current.end = Math.max(current.end, m.end);
    } else {
      out.push(current);
      current = { ...m };
    }
  }
  out.push(current);
  return out;
}
