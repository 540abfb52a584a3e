/**
 * Case-insensitive multi-keyword search (Aho-Corasick compiled to a DFA over ASCII): one pass over the
 * text finds every keyword at once, so the prefilter costs the same for 5 keywords or 500.
 */
const ALPHABET = 128;

/**
 * The ASCII letter a non-ASCII character matches under a regex's `iu` flags (Unicode case folding reads
 * the Kelvin sign as `k` and the long s as `s`), or -1: keywords are ASCII, and must be found however a
 * detector's regex would read them.
 *
 * @example foldedToAscii(0x212a) // 0x6b, `k`
 */
export function foldedToAscii(c: number): number {
  return c === 0x212a ? 0x6b : c === 0x17f ? 0x73 : -1;
}

export class KeywordIndex<T> {
  private readonly keywords: { word: string; value: T }[] = [];
  /**
   * Full DFA: transitions[state * 128 + char]; 16 bits a state keeps the table small and cache-friendly.
   * Read by the scanner, which steps this automaton in the same loop as its trigger automaton.
   */
  transitions: Uint16Array | Int32Array = new Uint16Array(0);
  /** outputs[state]: the values of every keyword that ends in this state, through failure links too. */
  outputs: T[][] = [];
  /** States from this one on have outputs (see build). */
  firstOutput = 1;
  private built = false;

  add(keyword: string, value: T): void {
    if (this.built) throw new Error('KeywordIndex: add() after build()');
    const word = keyword.toLowerCase();
    if (word.length === 0 || !/^[\x00-\x7f]+$/.test(word)) {
      throw new Error(`keyword ${JSON.stringify(keyword)} must be non-empty ASCII`);
    }
    this.keywords.push({ word, value });
  }

  build(): void {
    // Trie first, then breadth-first failure links folded into a full transition table.
    const goto: Map<number, number>[] = [new Map()];
    const out: Set<T>[] = [new Set()];
    for (const { word, value } of this.keywords) {
      let state = 0;
      for (let i = 0; i < word.length; i++) {
        const c = word.charCodeAt(i);
        let next = goto[state]!.get(c);
        if (next === undefined) {
          next = goto.length;
          goto.push(new Map());
          out.push(new Set());
          goto[state]!.set(c, next);
        }
        state = next;
      }
      out[state]!.add(value);
    }
    const table = new Int32Array(goto.length * ALPHABET);
    const fail = new Int32Array(goto.length);
    const queue: number[] = [];
    for (let c = 0; c < ALPHABET; c++) {
      const next = goto[0]!.get(c) ?? 0;
      table[c] = next;
      if (next !== 0) queue.push(next);
    }
    for (let qi = 0; qi < queue.length; qi++) {
      const state = queue[qi]!;
      const viaFail = fail[state]! * ALPHABET;
      for (const v of out[fail[state]!]!) out[state]!.add(v);
      // The failure state is shallower, so its row is complete: start from it, then add this state's edges.
      table.copyWithin(state * ALPHABET, viaFail, viaFail + ALPHABET);
      for (const [c, next] of goto[state]!) {
        fail[next] = table[viaFail + c]!;
        table[state * ALPHABET + c] = next;
        queue.push(next);
      }
    }
    // Upper-case ASCII letters follow the lower-case transitions: case-insensitive for free.
    for (let s = 0; s < goto.length; s++) {
      for (let c = 65; c <= 90; c++) table[s * ALPHABET + c] = table[s * ALPHABET + c + 32]!;
    }
    // Renumber so that every state with an output comes last: the hot loop then tests `state >= firstOutput`
    // instead of loading a flag.
    const order = [...out.keys()].sort((a, b) => Number(out[a]!.size > 0) - Number(out[b]!.size > 0) || a - b);
    const newId = new Int32Array(goto.length);
    order.forEach((old, i) => (newId[old] = i));
    const renumbered = goto.length <= 0xffff ? new Uint16Array(table.length) : new Int32Array(table.length);
    for (let old = 0; old < goto.length; old++) {
      for (let c = 0; c < ALPHABET; c++) renumbered[newId[old]! * ALPHABET + c] = newId[table[old * ALPHABET + c]!]!;
    }
    this.transitions = renumbered;
    this.outputs = order.map((old) => [...out[old]!]);
    this.firstOutput = order.findIndex((old) => out[old]!.size > 0);
    if (this.firstOutput < 0) this.firstOutput = goto.length;
    this.built = true;
  }

  /**
   * The distinct values whose keyword occurs in the text, or undefined when none does (the reference loop:
   * the scanner runs the same automaton fused with its trigger automaton, prefilter.ts).
   */
  candidates(text: string): T[] | undefined {
    const table = this.transitions;
    const firstOutput = this.firstOutput;
    let state = 0;
    let found: Set<T> | undefined;
    for (let i = 0, n = text.length; i < n; i++) {
      const c = text.charCodeAt(i);
      const a = c < ALPHABET ? c : foldedToAscii(c);
      state = a < 0 ? 0 : table[(state << 7) | a]!;
      if (state >= firstOutput) {
        found ??= new Set();
        for (const v of this.outputs[state]!) found.add(v);
      }
    }
    return found === undefined ? undefined : [...found];
  }
}
