/**
 * The scanner's prefilter: which detectors can match a text at all, found in one pass over it. The keyword
 * automaton (keywords.ts) and the trigger automaton (trigger-dfa.ts) are stepped together, one table lookup
 * each per character: about the cost of the keyword pass alone, where the triggers used to cost an
 * alternation regex pass of their own on top.
 */
import { foldedToAscii, type KeywordIndex } from './keywords.ts';
import { TRIGGER_LEAD, TriggerAutomaton, TriggerSyntaxError, UNBUILT } from './trigger-dfa.ts';

export { TRIGGER_LEAD };

/**
 * Base64 or base64url of at least 12 bytes: at least this many characters of the alphabet in a row. The
 * encoded scan (redact/encoded.ts) decodes such runs; the pass tells it where the first one is.
 */
export const BASE64_MIN_RUN = 16;
/** The base64 and base64url alphabet. */
export const BASE64_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/_-';
export const BASE64_RUN = `[${BASE64_ALPHABET.replace(/[-/]/g, '\\$&')}]{${BASE64_MIN_RUN}}`;

export interface PrefilterResult {
  /** Bit g set: trigger g occurs in the text. */
  fired: number;
  /** No run of BASE64_MIN_RUN base64 characters starts before this index (text.length: there is none). */
  base64From: number;
}

/**
 * Runs the pass over `text`: pushes onto `hits` each keyword value (a detector index, at most once) whose
 * keyword occurs, and fills `out`.
 */
export type Prefilter = (text: string, hits: number[], out: PrefilterResult) => void;

/** `maxStates`: the trigger DFA's cache size (for tests of it starting over). */
export function compilePrefilter(keywords: KeywordIndex<number>, triggers: readonly string[], values: number, maxStates?: number): Prefilter {
  let automaton: TriggerAutomaton | undefined;
  let regexTriggers: TriggerSet | undefined;
  // The base64 run is one more trigger, the last: free in the DFA, and where the encoded scan starts.
  const base64Bit = 1 << triggers.length;
  if (triggers.length < 30) {
    try {
      automaton = TriggerAutomaton.compile([...triggers, BASE64_RUN], maxStates);
    } catch (err) {
      if (!(err instanceof TriggerSyntaxError)) throw err;
    }
  }
  // A trigger outside the DFA's regex subset (a custom catalogue's): the regexes, as a second pass.
  if (automaton === undefined && triggers.length > 0) regexTriggers = new TriggerSet(triggers);
  const keywordTable = keywords.transitions;
  const outputs = keywords.outputs;
  const firstOutput = keywords.firstOutput;
  // Without an automaton, a one-state table that never accepts.
  const triggerTable = automaton?.asciiTable ?? new Uint16Array(128);

  const accepts = automaton?.accepts ?? new Int32Array(1);
  // A value is pushed once per text: its entry holds the number of the last text that pushed it.
  const seen = new Uint32Array(values);
  let generation = 0;

  return (text, hits, out) => {
    if (++generation === 0xffffffff) {
      seen.fill(0);
      generation = 1;
    }
    let keyword = 0;
    let trigger = automaton === undefined ? 0 : automaton.start();
    let previous = 0;
    let fired = 0;
    let base64End = -1;
    for (let i = 0, n = text.length; i < n; i++) {
      const c = text.charCodeAt(i);
      if (c < 128) {
        keyword = keywordTable[(keyword << 7) | c]!;
        previous = trigger;
        trigger = triggerTable[(trigger << 7) | c]!;
      } else {
        const folded = foldedToAscii(c);
        keyword = folded < 0 ? 0 : keywordTable[(keyword << 7) | folded]!;
        trigger = automaton === undefined ? 0 : automaton.next(trigger, c);
      }
      if (keyword >= firstOutput) {
        for (const v of outputs[keyword]!) {
          if (seen[v] !== generation) {
            seen[v] = generation;
            hits.push(v);
          }
        }
      }
      let accepted = accepts[trigger]!;
      if (accepted !== 0) {
        if (accepted === UNBUILT) {
          // A transition not built yet (the DFA is built as texts reach it).
          trigger = automaton!.next(previous, c);
          accepted = accepts[trigger]!;
        }
        if ((accepted & base64Bit) !== 0 && base64End < 0) base64End = i;
        fired |= accepted;
      }
    }
    if (regexTriggers !== undefined) {
      // As read after TRIGGER_LEAD, and as written (for a trigger anchored with `^`).
      out.fired = regexTriggers.fired(TRIGGER_LEAD + text) | regexTriggers.fired(text);
      out.base64From = 0;
    } else {
      out.fired = fired & ~base64Bit;
      out.base64From = base64End < 0 ? text.length : base64End + 1 - BASE64_MIN_RUN;
    }
  };
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

  constructor(private readonly sources: readonly string[]) {
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

