/**
 * Detector triggers (DetectorSpec.trigger) compiled into one DFA, so that the scanner finds every trigger
 * that occurs in a text in the same single pass over it as the keyword automaton: one table lookup per
 * character, where an alternation of the trigger regexes tries each alternative at each position.
 *
 * Only the regex subset triggers are written in is compiled: literals, escaped punctuation, `\d \w \s` and
 * their negations, `\t \n \r`, classes with ranges and negation, groups, alternation, and the quantifiers
 * `? * + {n} {n,} {n,m}`. Anything else (anchors, lookaround, backreferences, `.`, a trigger that matches
 * the empty string) is refused with a TriggerSyntaxError, and the scanner keeps the regexes.
 *
 * The DFA is built lazily, a state and a transition at a time as texts reach them: the builtin triggers
 * have some 3,800 states, which cost about 135 ms to build eagerly at every process start, while 100,000
 * lines of the benchmark corpus reach 1,478. Past MAX_STATES the cache is emptied and rebuilt from where
 * the scan is.
 */

/** Input symbols: the 128 ASCII characters, then non-ASCII characters that `\s` matches, then all others. */
const NON_ASCII_SPACE = 128;
const NON_ASCII_OTHER = 129;
const SYMBOLS = 130;
/**
 * States kept at most (the tables are sized for them: 2 MiB); past this, the cache starts over. Logs dense
 * with numbers and hex reach about 2,800 over 200,000 lines (bench/corpus.ts realWorldCorpus): twice that
 * leaves room for what no corpus here has.
 */
export const MAX_STATES = 8192;
/**
 * A transition by class not built yet (in byClass).
 *
 * @example if (automaton.byClass[state * automaton.byClassStride + cls] === UNKNOWN_TRANSITION) automaton.next(state, c);
 */
export const UNKNOWN_TRANSITION = 0xffff;
const UNKNOWN = UNKNOWN_TRANSITION;
/**
 * accepts[] of the state that an ASCII transition not built yet leads to (the table's last row): the
 * scanner tests accepts[] at every character anyway, so finding out costs its hot loop nothing. It then
 * asks next() for the real state, from the state before.
 */
export const UNBUILT = -1 << 31;

/**
 * Where an automaton keeps the tables a hot loop reads: at least (maxStates + 1) * 128 entries of ASCII
 * transitions (or none), maxStates + 1 of accepts, and the transitions by class.
 *
 * @example const storage = { accepts: new Int32Array(MAX_STATES + 1), byClass: new Uint16Array(MAX_STATES * 32), byClassStride: 32 };
 */
export interface TriggerStorage {
  /** Absent: no ASCII table (an automaton stepped by class only, as the WebAssembly pass steps it). */
  asciiTable?: Uint16Array;
  accepts: Int32Array;
  /** At least maxStates * byClassStride entries. */
  byClass?: Uint16Array;
  /** The length of a row of byClass: classCount (the default), or more (a power of two, for a shift). */
  byClassStride?: number;
}

export class TriggerSyntaxError extends Error {
  override name = 'TriggerSyntaxError';
}

type CharSet = Uint8Array;

type Node =
  | { kind: 'set'; set: CharSet }
  | { kind: 'seq'; items: Node[] }
  | { kind: 'alt'; options: Node[] }
  | { kind: 'repeat'; node: Node; min: number; max: number };

/**
 * Automata by trigger set, the most recently compiled last: engines in one process share them, and a process
 * that compiles many policies (each with its own detectors disabled) keeps only the latest COMPILED_KEPT.
 */
const compiled = new Map<string, TriggerAutomaton>();
const COMPILED_KEPT = 16;

export class TriggerAutomaton {
  /**
   * The ASCII transitions at table[state * 128 + char], the keyword automaton's layout: the scanner steps
   * both in one loop with one lookup each (a class lookup first measurably slows it). One not built yet
   * leads to a state whose accepts[] is UNBUILT.
   */
  readonly asciiTable: Uint16Array;
  /** accepts[state]: bit g set when trigger g has just matched. */
  readonly accepts: Int32Array;
  /**
   * Transitions by character class, at byClass[state * byClassStride + class], UNKNOWN_TRANSITION until built
   * (the WebAssembly pass steps this table: a class lookup first, and rows a quarter of the ASCII table's).
   */
  readonly byClass: Uint16Array;
  /** A row of byClass: classCount entries or more (TriggerStorage.byClassStride). */
  readonly byClassStride: number;
  /** The unbuilt state: the tables' last row. */
  private readonly unbuilt: number;

  private constructor(
    private readonly builder: DfaBuilder,
    private readonly maxStates: number,
    storage?: TriggerStorage,
  ) {
    this.unbuilt = maxStates;
    this.asciiTable = storage === undefined ? new Uint16Array((maxStates + 1) * 128) : (storage.asciiTable ?? new Uint16Array(0));
    this.accepts = storage?.accepts ?? new Int32Array(maxStates + 1);
    this.byClassStride = Math.max(storage?.byClassStride ?? 0, builder.classCount);
    this.byClass = storage?.byClass ?? new Uint16Array(maxStates * this.byClassStride);
    if ((this.asciiTable.length !== 0 && this.asciiTable.length < (maxStates + 1) * 128) || this.accepts.length < maxStates + 1 || this.byClass.length < maxStates * this.byClassStride) {
      throw new RangeError('trigger automaton storage too small');
    }
    this.reset();
  }

  /**
   * At most 30 triggers (the result is a bit mask); throws TriggerSyntaxError outside the subset. Compiled
   * once per set of sources: every engine over the builtin catalogue shares one automaton. `maxStates` is
   * for tests of the cache starting over.
   */
  static compile(sources: readonly string[], maxStates = MAX_STATES): TriggerAutomaton {
    const key = `${maxStates}\u0000${sources.join('\u0000')}`;
    let automaton = compiled.get(key);
    if (automaton === undefined) {
      automaton = TriggerAutomaton.unshared(sources, maxStates);
      if (compiled.size >= COMPILED_KEPT) compiled.delete(compiled.keys().next().value!);
      compiled.set(key, automaton);
    } else {
      compiled.delete(key); // most recently used last
      compiled.set(key, automaton);
    }
    return automaton;
  }

  /**
   * An automaton of its own, not shared, its tables in what `storage` gives for its number of classes
   * (the WebAssembly pass reads accepts[] and byClass from its memory: wasm-pass.ts). Throws as compile() does.
   *
   * @example const own = TriggerAutomaton.unshared(['\\d{3}-\\d{4}']); own.fired('call 555-0100') // 1
   */
  static unshared(sources: readonly string[], maxStates = MAX_STATES, storage?: (shape: { classCount: number; maxStates: number }) => TriggerStorage): TriggerAutomaton {
    if (sources.length > 30) throw new TriggerSyntaxError('at most 30 distinct detector triggers');
    const nfa = new Nfa();
    const starts = sources.map((source, g) => {
      const node = new Parser(source).parse();
      if (nullable(node)) throw new TriggerSyntaxError(`trigger ${JSON.stringify(source)} matches the empty string`);
      return nfa.emit(node, nfa.accepting(g));
    });
    const builder = new DfaBuilder(nfa, starts);
    return new TriggerAutomaton(builder, maxStates, storage?.({ classCount: builder.classCount, maxStates }));
  }

  /** The number of character classes (a row of byClass). */
  get classCount(): number {
    return this.builder.classCount;
  }

  /** The class of each ASCII character. */
  get asciiClass(): Uint8Array {
    return this.builder.asciiClass;
  }

  /** The state after `state` reads the character `code` (builds the transition when it is not yet). */
  next(state: number, code: number): number {
    const builder = this.builder;
    const cls = code < 128 ? builder.asciiClass[code]! : isNonAsciiSpace(code) ? builder.nonAsciiSpaceClass : builder.nonAsciiOtherClass;
    const known = this.byClass[state * this.byClassStride + cls]!;
    if (known !== UNKNOWN) return known;
    const extra = builder.statesOf(state);
    let target = builder.targetFrom(extra, cls);
    let from = state;
    if (target.id < 0 && builder.size >= this.maxStates) {
      // Full: start over from the start state alone, then make room for the target. The old state is
      // gone, so this transition is not recorded.
      this.reset();
      target = builder.targetFrom(extra, cls);
      from = -1;
    }
    const next = target.id >= 0 ? target.id : builder.add(target);
    this.accepts[next] = target.accept;
    if (from >= 0) {
      this.byClass[from * this.byClassStride + cls] = next;
      if (this.asciiTable.length !== 0) for (const c of builder.asciiOfClass[cls]!) this.asciiTable[(from << 7) | c] = next;
    }
    return next;
  }

  private reset(): void {
    this.asciiTable.fill(this.unbuilt);
    this.byClass.fill(UNKNOWN);
    this.accepts.fill(0);
    this.accepts[this.unbuilt] = UNBUILT;
    this.builder.reset();
  }

  /** States built since the cache last started over (tests keep the builtin triggers well under MAX_STATES). */
  get builtStates(): number {
    return this.builder.size;
  }

  /** The state a text starts in: after TRIGGER_LEAD (asked each time: the cache of states may start over). */
  start(): number {
    return this.next(0, TRIGGER_LEAD.charCodeAt(0));
  }

  /** Bit g set: trigger g occurs in the text (the reference loop; the scanner runs its fused one). */
  fired(text: string): number {
    let state = this.start();
    let fired = 0;
    for (let i = 0; i < text.length; i++) {
      state = this.next(state, text.charCodeAt(i));
      fired |= this.accepts[state]!;
    }
    return fired;
  }
}

/**
 * What every text is read after: a space, so that a trigger may begin with the separator its detector's
 * look-behind wants (`[^\w.-]0[1-9]…`) and still fire on a text that starts with the match.
 */
export const TRIGGER_LEAD = ' ';

/** The non-ASCII code units `\s` matches (ECMAScript WhiteSpace and LineTerminator). */
export function isNonAsciiSpace(c: number): boolean {
  return c === 0xa0 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a) || c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000 || c === 0xfeff;
}

// ---------------------------------------------------------------------------------------------------------
// Parsing

function charSet(chars = ''): CharSet {
  const set = new Uint8Array(SYMBOLS);
  for (let i = 0; i < chars.length; i++) set[chars.charCodeAt(i)] = 1;
  return set;
}

function range(from: string, to: string): CharSet {
  const set = charSet();
  for (let c = from.charCodeAt(0); c <= to.charCodeAt(0); c++) set[c] = 1;
  return set;
}

function union(into: CharSet, from: CharSet): CharSet {
  for (let i = 0; i < SYMBOLS; i++) into[i]! |= from[i]!;
  return into;
}

function complement(set: CharSet): CharSet {
  return set.map((b) => 1 - b);
}

const DIGIT = range('0', '9');
const WORD = union(union(union(range('a', 'z'), range('A', 'Z')), DIGIT), charSet('_'));
const SPACE = (() => {
  const set = charSet(' \t\n\v\f\r');
  set[NON_ASCII_SPACE] = 1;
  return set;
})();

class Parser {
  private i = 0;

  constructor(private readonly source: string) {}

  parse(): Node {
    const node = this.alternation();
    if (this.i < this.source.length) this.fail(`unexpected ${JSON.stringify(this.source[this.i])}`);
    return node;
  }

  private fail(what: string): never {
    throw new TriggerSyntaxError(`trigger ${JSON.stringify(this.source)} at ${this.i}: ${what} (not in the trigger subset)`);
  }

  private peek(): string | undefined {
    return this.source[this.i];
  }

  private alternation(): Node {
    const options = [this.sequence()];
    while (this.peek() === '|') {
      this.i++;
      options.push(this.sequence());
    }
    return options.length === 1 ? options[0]! : { kind: 'alt', options };
  }

  private sequence(): Node {
    const items: Node[] = [];
    for (let c = this.peek(); c !== undefined && c !== '|' && c !== ')'; c = this.peek()) items.push(this.quantified(this.atom()));
    return { kind: 'seq', items };
  }

  private atom(): Node {
    const c = this.source[this.i++]!;
    if (c === '(') {
      if (this.source.startsWith('?:', this.i)) this.i += 2;
      else if (this.peek() === '?') this.fail('lookaround or named group');
      const inner = this.alternation();
      if (this.source[this.i++] !== ')') this.fail('unclosed group');
      return inner;
    }
    if (c === '[') return { kind: 'set', set: this.charClass() };
    if (c === '\\') return { kind: 'set', set: this.escape() };
    if ('.^$*+?{}]'.includes(c) || c.charCodeAt(0) >= 128) this.fail(JSON.stringify(c));
    return { kind: 'set', set: charSet(c) };
  }

  private escape(): CharSet {
    const c = this.source[this.i++];
    switch (c) {
      case 'd': return DIGIT.slice();
      case 'D': return complement(DIGIT);
      case 'w': return WORD.slice();
      case 'W': return complement(WORD);
      case 's': return SPACE.slice();
      case 'S': return complement(SPACE);
      case 't': return charSet('\t');
      case 'n': return charSet('\n');
      case 'r': return charSet('\r');
    }
    if (c === undefined || !/[\\^$.|?*+()[\]{}\/\-:=!,<>#@%&~'"`;_ ]/.test(c)) this.fail(`escape \\${c ?? ''}`);
    return charSet(c);
  }

  private charClass(): CharSet {
    const negated = this.peek() === '^';
    if (negated) this.i++;
    const set = charSet();
    for (;;) {
      const c = this.source[this.i++];
      if (c === undefined) this.fail('unclosed class');
      if (c === ']') break; // `[]` is empty and `[^]` is everything, as in JavaScript
      if (c === '\\') {
        const escaped = this.escape();
        union(set, escaped);
        continue;
      }
      if (c.charCodeAt(0) >= 128) this.fail('a non-ASCII character');
      if (this.peek() === '-' && this.source[this.i + 1] !== undefined && this.source[this.i + 1] !== ']') {
        const to = this.source[this.i + 1]!;
        if (to === '\\' || to.charCodeAt(0) < c.charCodeAt(0) || to.charCodeAt(0) >= 128) this.fail('a range');
        union(set, range(c, to));
        this.i += 2;
        continue;
      }
      set[c.charCodeAt(0)] = 1;
    }
    return negated ? complement(set) : set;
  }

  private quantified(node: Node): Node {
    for (;;) {
      const c = this.peek();
      let min: number;
      let max: number;
      if (c === '?') [min, max] = [0, 1];
      else if (c === '*') [min, max] = [0, Infinity];
      else if (c === '+') [min, max] = [1, Infinity];
      else if (c === '{') {
        const m = /^\{(\d+)(,(\d*))?\}/.exec(this.source.slice(this.i));
        if (m === null) this.fail('a malformed {n,m}');
        min = Number(m[1]);
        max = m[2] === undefined ? min : m[3] === '' ? Infinity : Number(m[3]);
        if (max < min || max > 64) this.fail('a repeat count');
        this.i += m[0].length - 1;
      } else return node;
      this.i++;
      if (this.peek() === '?') this.i++; // lazy: the same language, and a search only asks whether
      node = { kind: 'repeat', node, min, max };
    }
  }
}

function nullable(node: Node): boolean {
  switch (node.kind) {
    case 'set': return false;
    case 'seq': return node.items.every(nullable);
    case 'alt': return node.options.some(nullable);
    case 'repeat': return node.min === 0 || nullable(node.node);
  }
}

// ---------------------------------------------------------------------------------------------------------
// Thompson NFA, then subset construction

interface NfaState {
  /** Consumes one character of this set, to `to`. */
  set?: CharSet;
  to: number;
  /** Epsilon edges. */
  next: number[];
  /** Trigger bit when this is an accepting state. */
  accept: number;
}

class Nfa {
  readonly states: NfaState[] = [];

  private add(state: Partial<NfaState>): number {
    this.states.push({ to: -1, next: [], accept: 0, ...state });
    return this.states.length - 1;
  }

  accepting(trigger: number): number {
    return this.add({ accept: 1 << trigger });
  }

  /** A state that matches `node`, then continues at `then`. */
  emit(node: Node, then: number): number {
    switch (node.kind) {
      case 'set':
        return this.add({ set: node.set, to: then });
      case 'seq':
        return node.items.reduceRight((next, item) => this.emit(item, next), then);
      case 'alt':
        return this.add({ next: node.options.map((o) => this.emit(o, then)) });
      case 'repeat': {
        let cont = then;
        if (node.max === Infinity) {
          const loop = this.add({});
          this.states[loop]!.next = [this.emit(node.node, loop), then];
          cont = loop;
        } else {
          for (let k = node.min; k < node.max; k++) cont = this.add({ next: [this.emit(node.node, cont), cont] });
        }
        for (let k = 0; k < node.min; k++) cont = this.emit(node.node, cont);
        return cont;
      }
    }
  }

  /** The consuming states reachable from `from` by epsilon edges, and the triggers accepted on the way. */
  closure(from: Iterable<number>, into: Set<number>): number {
    let accept = 0;
    const stack = [...from];
    const seen = new Set<number>();
    while (stack.length > 0) {
      const s = stack.pop()!;
      if (seen.has(s)) continue;
      seen.add(s);
      const state = this.states[s]!;
      accept |= state.accept;
      if (state.set !== undefined) into.add(s);
      stack.push(...state.next);
    }
    return accept;
  }
}

interface Target {
  /** The state's number, or -1 when it is not in the cache yet. */
  id: number;
  /** The NFA states it holds beyond the start closure, sorted. */
  extra: Int32Array;
  accept: number;
  /** A hash of extra and accept: the bucket of ids it is looked up in. */
  hash: number;
}

/** Subset construction, one state at a time: what the automaton asks for when a transition is UNKNOWN. */
class DfaBuilder {
  readonly classCount: number;
  readonly asciiClass = new Uint8Array(128);
  readonly nonAsciiSpaceClass: number;
  readonly nonAsciiOtherClass: number;
  /** The ASCII characters of each class. */
  readonly asciiOfClass: number[][];
  /** A symbol of each class, to test NFA sets with. */
  private readonly representative: number[] = [];
  /** Each NFA state's epsilon closure: a DFA step is then the union of a few precomputed lists. */
  private readonly closures: { states: number[]; accept: number }[];
  /**
   * Every DFA state holds the start closure (the restart of an unanchored search): implicit, so that a
   * state is named by the few NFA states it holds beyond it.
   */
  private readonly startStates = new Set<number>();
  /** startStates as a flag by NFA state (the lookup of stateOf's inner loop). */
  private readonly inStart: Uint8Array;
  /** Where the start closure goes on each class: the same from every DFA state. */
  private readonly startTargets: number[][];
  private readonly mark: Int32Array;
  private stamp = 0;
  private states: Int32Array[] = [];
  private accepts: number[] = [];
  /**
   * State ids by a hash of their NFA states and accept (a bucket, compared element by element): a string
   * key joined from the states cost most of building a state, in a short process a tenth of its time.
   */
  private ids = new Map<number, number | number[]>();

  constructor(
    private readonly nfa: Nfa,
    starts: number[],
  ) {
    // Symbols that every set treats alike share a class.
    const sets = [...new Set(nfa.states.flatMap((s) => (s.set === undefined ? [] : [s.set])))];
    const classOfSymbol = new Uint8Array(SYMBOLS);
    const classBySignature = new Map<string, number>();
    for (let symbol = 0; symbol < SYMBOLS; symbol++) {
      const signature = sets.map((set) => set[symbol]).join('');
      let cls = classBySignature.get(signature);
      if (cls === undefined) {
        cls = this.representative.length;
        classBySignature.set(signature, cls);
        this.representative.push(symbol);
      }
      classOfSymbol[symbol] = cls;
    }
    this.classCount = this.representative.length;
    this.asciiClass.set(classOfSymbol.subarray(0, 128));
    this.nonAsciiSpaceClass = classOfSymbol[NON_ASCII_SPACE]!;
    this.nonAsciiOtherClass = classOfSymbol[NON_ASCII_OTHER]!;
    this.asciiOfClass = this.representative.map((_, cls) => [...Array(128).keys()].filter((c) => classOfSymbol[c] === cls));
    this.closures = nfa.states.map((_, s) => {
      const into = new Set<number>();
      const accept = nfa.closure([s], into);
      return { states: [...into], accept };
    });
    for (const t of starts) for (const s of this.closures[t]!.states) this.startStates.add(s);
    this.inStart = new Uint8Array(nfa.states.length);
    for (const s of this.startStates) this.inStart[s] = 1;
    this.startTargets = this.representative.map((symbol) => [...this.startStates].filter((s) => nfa.states[s]!.set![symbol] === 1).map((s) => nfa.states[s]!.to));
    this.mark = new Int32Array(nfa.states.length);
  }

  get size(): number {
    return this.states.length;
  }

  /** Back to the start state alone (state 0: the start closure, accepting nothing). */
  reset(): void {
    this.states = [];
    this.ids = new Map();
    this.accepts = [];
    this.add(this.stateOf([]));
  }

  statesOf(state: number): Int32Array {
    return this.states[state]!;
  }

  /** Where the DFA state holding `extra` (beyond the start closure) goes on class `cls`. */
  targetFrom(extra: Int32Array, cls: number): Target {
    const symbol = this.representative[cls]!;
    const targets = this.startTargets[cls]!.slice();
    for (const s of extra) if (this.nfa.states[s]!.set![symbol] === 1) targets.push(this.nfa.states[s]!.to);
    return this.stateOf(targets);
  }

  add(target: Target): number {
    const id = this.states.length;
    this.states.push(target.extra);
    this.accepts.push(target.accept);
    const bucket = this.ids.get(target.hash);
    if (bucket === undefined) this.ids.set(target.hash, id);
    else if (typeof bucket === 'number') this.ids.set(target.hash, [bucket, id]);
    else bucket.push(id);
    return id;
  }

  /** The DFA state reached from NFA `targets`, by the states it holds beyond the start closure. */
  private stateOf(targets: readonly number[]): Target {
    this.stamp++;
    const extra: number[] = [];
    let accept = 0;
    for (const t of targets) {
      accept |= this.closures[t]!.accept;
      for (const s of this.closures[t]!.states) {
        if (this.mark[s] !== this.stamp && this.inStart[s] === 0) {
          this.mark[s] = this.stamp;
          extra.push(s);
        }
      }
    }
    // Insertion sort: the sets are small, and TypedArray.prototype.sort costs more than the rest of this.
    const sorted = new Int32Array(extra.length);
    for (let i = 0; i < extra.length; i++) {
      const v = extra[i]!;
      let j = i;
      for (; j > 0 && sorted[j - 1]! > v; j--) sorted[j] = sorted[j - 1]!;
      sorted[j] = v;
    }
    let hash = Math.imul(accept ^ 0x9e3779b9, 0x85ebca6b) ^ sorted.length;
    for (let i = 0; i < sorted.length; i++) hash = Math.imul(hash ^ sorted[i]!, 0x01000193);
    const bucket = this.ids.get(hash);
    let id = -1;
    if (typeof bucket === 'number') id = this.same(bucket, sorted, accept) ? bucket : -1;
    else if (bucket !== undefined) for (const candidate of bucket) if (this.same(candidate, sorted, accept)) id = candidate;
    return { id, extra: sorted, accept, hash };
  }

  /** Whether state `id` holds exactly `extra` and accepts `accept`. */
  private same(id: number, extra: Int32Array, accept: number): boolean {
    const states = this.states[id]!;
    if (this.accepts[id] !== accept || states.length !== extra.length) return false;
    for (let i = 0; i < extra.length; i++) if (states[i] !== extra[i]) return false;
    return true;
  }
}
