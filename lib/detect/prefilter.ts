/**
 * The scanner's prefilter: which detectors can match a text at all, found in one pass over it. The keyword
 * automaton (keywords.ts) and the trigger automaton (trigger-dfa.ts) are stepped together, one table lookup
 * each per character: about the cost of the keyword pass alone, where the triggers used to cost an
 * alternation regex pass of their own on top. A prefilter in use moves the pass to WebAssembly
 * (wasm-pass.ts) for ASCII text: 0.65 µs a real-world line against 1.05 in JavaScript (bench/stages.bench.ts).
 */
import { foldedToAscii, type KeywordIndex } from './keywords.ts';
import { MAX_STATES, TRIGGER_LEAD, TriggerAutomaton, TriggerSyntaxError, UNBUILT, UNKNOWN_TRANSITION } from './trigger-dfa.ts';
import { createWasmPass, strideFor, REG_BASE64_END, REG_FIRED, REG_KEYWORD, REG_OUTPUTS, REG_POSITION, REG_TRIGGER, WASM_TEXT_MAX, type WasmPass } from './wasm-pass.ts';

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

/**
 * Texts a prefilter reads with the JavaScript loop before it moves to WebAssembly (wasm-pass.ts): the move
 * costs a memory of some 1.1 MB (the trigger automaton's tables by class, the keyword table, the buffers)
 * and a millisecond, worth it for a scanner in use, not for one made for a few texts (a test, a check).
 *
 * @example compilePrefilter(index, triggers, detectorCount, MAX_STATES, WASM_AFTER) // the default
 */
export const WASM_AFTER = 16;

/**
 * The pass for a built keyword index and trigger sources. `maxStates`: the trigger DFA's cache size (for
 * tests of it starting over); `wasmAfter`: texts read before the pass moves to WebAssembly (0: at once,
 * Infinity: never; for tests that hold the two to the same answers).
 *
 * @example
 * const pass = compilePrefilter(index, ['\\d{3}-\\d{4}'], detectorCount);
 * const hits: number[] = [];
 * const out = { fired: 0, base64From: 0 };
 * pass('call 555-0100', hits, out); // out.fired === 1
 */
export function compilePrefilter(keywords: KeywordIndex<number>, triggers: readonly string[], values: number, maxStates = MAX_STATES, wasmAfter = WASM_AFTER): Prefilter {
  let automaton: TriggerAutomaton | undefined;
  let regexTriggers: TriggerSet | undefined;
  // The base64 run is one more trigger, the last: free in the DFA, and where the encoded scan starts.
  const triggerSources = [...triggers, BASE64_RUN];
  const base64Bit = 1 << triggers.length;
  if (triggers.length < 30) {
    try {
      automaton = TriggerAutomaton.compile(triggerSources, maxStates);
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

  function javascriptPass(text: string, hits: number[], out: PrefilterResult): void {
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
  }

  /**
   * The same pass in WebAssembly, for ASCII text that fits its buffer (else false: not done). `own`: the
   * trigger automaton whose tables are in the module's memory (its states are not the shared one's).
   */
  function wasmPass(wasm: WasmPass, own: TriggerAutomaton, text: string, hits: number[], out: PrefilterResult): boolean {
    const n = text.length;
    if (n > WASM_TEXT_MAX) return false;
    const copied = encoder.encodeInto(text, wasm.text);
    // A non-ASCII character takes two bytes or more: then UTF-8 offsets are not UTF-16 ones.
    if (copied.written !== n || copied.read !== n) return false;
    const registers = wasm.registers;
    let status = wasm.run(0, n, 0, own.start(), 0, -1, 0);
    while (status !== 0) {
      // A transition not built yet: build it here, take in what its state accepts, go on after it.
      const at = registers[REG_POSITION]!;
      const trigger = own.next(registers[REG_TRIGGER]!, wasm.text[at]!);
      const accepted = own.accepts[trigger]!;
      let base64End = registers[REG_BASE64_END]!;
      if ((accepted & base64Bit) !== 0 && base64End < 0) base64End = at;
      status = wasm.run(at + 1, n, registers[REG_KEYWORD]!, trigger, registers[REG_FIRED]! | accepted, base64End, registers[REG_OUTPUTS]!);
    }
    const ended = wasm.out;
    for (let j = 0, count = registers[REG_OUTPUTS]!; j < count; j++) {
      for (const v of outputs[ended[j]!]!) {
        if (seen[v] !== generation) {
          seen[v] = generation;
          hits.push(v);
        }
      }
    }
    const base64End = registers[REG_BASE64_END]!;
    out.fired = registers[REG_FIRED]! & ~base64Bit;
    out.base64From = base64End < 0 ? n : base64End + 1 - BASE64_MIN_RUN;
    return true;
  }

  // WebAssembly only with the trigger DFA, and a keyword table of 16 bits.
  let wasm: WasmPass | undefined;
  let wasmAutomaton: TriggerAutomaton | undefined;
  let untilWasm = automaton !== undefined && keywordTable instanceof Uint16Array ? wasmAfter : Infinity;

  /**
   * The move: a memory of its own, the keyword table compressed by class into it, and a trigger automaton
   * of its own whose tables (by class only) are in it. The JavaScript loop keeps the shared automaton, for
   * the texts the module does not take.
   */
  function moveToWasm(): void {
    untilWasm = Infinity; // once, whatever happens
    const keywordStates = keywordTable.length / 128;
    const { classOf, classes } = columnClasses(keywordTable, keywordStates);
    const keywordStride = strideFor(classes.length);
    let pass: WasmPass | undefined;
    const own = TriggerAutomaton.unshared(triggerSources, maxStates, ({ classCount }) => {
      const triggerStride = strideFor(classCount);
      pass = createWasmPass({ keywordStates, keywordStride, triggerStates: maxStates + 1, triggerStride, firstOutput, base64Bit, unknown: UNKNOWN_TRANSITION });
      // Without WebAssembly, small tables that are not used.
      return pass === undefined ? { accepts: new Int32Array(maxStates + 1) } : { accepts: pass.accepts, byClass: pass.triggerTable, byClassStride: triggerStride };
    });
    if (pass === undefined) return;
    pass.keywordClass.set(classOf);
    for (let state = 0; state < keywordStates; state++) {
      for (let k = 0; k < classes.length; k++) pass.keywordTable[state * keywordStride + k] = keywordTable[(state << 7) | classes[k]!]!;
    }
    pass.triggerClass.set(own.asciiClass);
    wasm = pass;
    wasmAutomaton = own;
  }

  return (text, hits, out) => {
    if (++generation === 0xffffffff) {
      seen.fill(0);
      generation = 1;
    }
    if (wasm === undefined && untilWasm !== Infinity && untilWasm-- <= 0) {
      try {
        moveToWasm();
      } catch {
        // No memory for the module (a process at its limits): the JavaScript loop does the same work.
        wasm = undefined;
      }
    }
    if (wasm === undefined || !wasmPass(wasm, wasmAutomaton!, text, hits, out)) javascriptPass(text, hits, out);
  };
}

const encoder = new TextEncoder();

/**
 * Classes of the ASCII characters that every state of a 128-column table treats alike: the class of each,
 * and a character of each class.
 */
function columnClasses(table: ArrayLike<number>, states: number): { classOf: Uint8Array; classes: number[] } {
  const classOf = new Uint8Array(128);
  const classes: number[] = [];
  const bySignature = new Map<string, number>();
  for (let c = 0; c < 128; c++) {
    const column: number[] = [];
    for (let state = 0; state < states; state++) column.push(table[(state << 7) | c]!);
    const signature = column.join(',');
    let k = bySignature.get(signature);
    if (k === undefined) {
      k = classes.length;
      classes.push(c);
      bySignature.set(signature, k);
    }
    classOf[c] = k;
  }
  return { classOf, classes };
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

