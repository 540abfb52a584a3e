/**
 * Detector triggers (DetectorSpec.trigger) compiled into one DFA, so that the scanner finds every trigger
 * that occurs in a text in the same single pass over it as the keyword automaton: one table lookup per
 * character, where an alternation of the trigger regexes tries each alternative at each position.
 *
 * Only the regex subset triggers are written in is compiled: literals, escaped punctuation, `\d \w \s` and
 * their negations, `\t \n \r`, classes with ranges and negation, groups, alternation, and the quantifiers
 * `? * + {n} {n,} {n,m}`. Anything else (anchors, lookaround, backreferences, `.`, a trigger that matches
 * the empty string) is refused with a TriggerSyntaxError, and the scanner keeps the regexes.
 */

/** Input symbols: the 128 ASCII characters, then non-ASCII characters that `\s` matches, then all others. */
const NON_ASCII_SPACE = 128;
const NON_ASCII_OTHER = 129;
const SYMBOLS = 130;
/** Past this many states, the DFA would cost more cache than the regexes cost time. */
const MAX_STATES = 8192;

export class TriggerSyntaxError extends Error {
  override name = 'TriggerSyntaxError';
}

type CharSet = Uint8Array;

type Node =
  | { kind: 'set'; set: CharSet }
  | { kind: 'seq'; items: Node[] }
  | { kind: 'alt'; options: Node[] }
  | { kind: 'repeat'; node: Node; min: number; max: number };

interface Tables {
  /** transitions[state * classCount + class]; state 0 is the start. */
  transitions: Uint16Array;
  classCount: number;
  /** The class of each ASCII character. */
  asciiClass: Uint8Array;
  nonAsciiSpaceClass: number;
  nonAsciiOtherClass: number;
  /** accepts[state]: bit g set when trigger g has just matched. */
  accepts: Int32Array;
}

const compiled = new Map<string, TriggerAutomaton>();

export class TriggerAutomaton {
  readonly transitions: Uint16Array;
  readonly classCount: number;
  readonly asciiClass: Uint8Array;
  readonly nonAsciiSpaceClass: number;
  readonly nonAsciiOtherClass: number;
  readonly accepts: Int32Array;

  private constructor(tables: Tables) {
    ({
      transitions: this.transitions,
      classCount: this.classCount,
      asciiClass: this.asciiClass,
      nonAsciiSpaceClass: this.nonAsciiSpaceClass,
      nonAsciiOtherClass: this.nonAsciiOtherClass,
      accepts: this.accepts,
    } = tables);
  }

  /**
   * At most 30 triggers (the result is a bit mask); throws TriggerSyntaxError outside the subset. Compiled
   * once per set of sources: every engine over the builtin catalogue shares one automaton.
   */
  static compile(sources: readonly string[]): TriggerAutomaton {
    const key = sources.join('\u0000');
    let automaton = compiled.get(key);
    if (automaton === undefined) compiled.set(key, (automaton = TriggerAutomaton.build(sources)));
    return automaton;
  }

  private static build(sources: readonly string[]): TriggerAutomaton {
    if (sources.length > 30) throw new TriggerSyntaxError('at most 30 distinct detector triggers');
    const nfa = new Nfa();
    const starts = sources.map((source, g) => {
      const node = new Parser(source).parse();
      if (nullable(node)) throw new TriggerSyntaxError(`trigger ${JSON.stringify(source)} matches the empty string`);
      return nfa.emit(node, nfa.accepting(g));
    });
    return new TriggerAutomaton(determinize(nfa, starts));
  }

  /** The state after `state` reads the character `code`. */
  step(state: number, code: number): number {
    const cls = code < 128 ? this.asciiClass[code]! : isNonAsciiSpace(code) ? this.nonAsciiSpaceClass : this.nonAsciiOtherClass;
    return this.transitions[state * this.classCount + cls]!;
  }

  /**
   * The ASCII transitions expanded to table[state * 128 + char], the keyword automaton's layout: the
   * scanner steps both in one loop with one lookup each (a class lookup first measurably slows it).
   */
  asciiTable(): Uint16Array {
    if (this.expanded !== undefined) return this.expanded;
    const states = this.accepts.length;
    const table = new Uint16Array(states * 128);
    for (let s = 0; s < states; s++) for (let c = 0; c < 128; c++) table[(s << 7) | c] = this.transitions[s * this.classCount + this.asciiClass[c]!]!;
    return (this.expanded = table);
  }

  private expanded: Uint16Array | undefined;

  /** Bit g set: trigger g occurs in the text (the reference loop; the scanner runs its fused one). */
  fired(text: string): number {
    let state = 0;
    let fired = 0;
    for (let i = 0; i < text.length; i++) {
      state = this.step(state, text.charCodeAt(i));
      fired |= this.accepts[state]!;
    }
    return fired;
  }
}

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

function determinize(nfa: Nfa, starts: number[]): Tables {
  // Symbols that every set treats alike share a class: the table is states × classes, not × 130.
  const sets = [...new Set(nfa.states.flatMap((s) => (s.set === undefined ? [] : [s.set])))];
  const signatureOf = (symbol: number) => sets.map((set) => set[symbol]).join('');
  const classOfSymbol = new Uint8Array(SYMBOLS);
  const representative: number[] = [];
  const classBySignature = new Map<string, number>();
  for (let symbol = 0; symbol < SYMBOLS; symbol++) {
    const signature = signatureOf(symbol);
    let cls = classBySignature.get(signature);
    if (cls === undefined) {
      cls = representative.length;
      classBySignature.set(signature, cls);
      representative.push(symbol);
    }
    classOfSymbol[symbol] = cls;
  }
  const classCount = representative.length;

  // Each NFA state's epsilon closure, once: a DFA step is then the union of a few precomputed lists.
  const closures = nfa.states.map((_, s) => {
    const into = new Set<number>();
    const accept = nfa.closure([s], into);
    return { states: [...into], accept };
  });
  // Every DFA state holds the start closure (the restart): implicit, so that a state is named by the
  // few states it holds beyond it (short keys, short sorts: compiling is a cost every process pays).
  const startStates = new Set<number>();
  let startAccept = 0;
  for (const t of starts) {
    startAccept |= closures[t]!.accept;
    for (const s of closures[t]!.states) startStates.add(s);
  }
  const mark = new Int32Array(nfa.states.length);
  let stamp = 0;
  /** The DFA state reached from NFA `targets`, by the states it holds beyond the start closure. */
  const stateOf = (targets: readonly number[]): { extra: Int32Array; accept: number; key: string } => {
    stamp++;
    const extra: number[] = [];
    let accept = startAccept;
    for (const t of targets) {
      accept |= closures[t]!.accept;
      for (const s of closures[t]!.states) {
        if (mark[s] !== stamp && !startStates.has(s)) {
          mark[s] = stamp;
          extra.push(s);
        }
      }
    }
    const sorted = Int32Array.from(extra).sort();
    return { extra: sorted, accept, key: `${sorted.join(',')}|${accept}` };
  };
  const start = stateOf([]);
  const dfaStates = [start.extra];
  const accepts = [0];
  const ids = new Map([[start.key, 0]]);
  const rows: number[][] = [];
  // Where the start closure goes on each class: the same from every DFA state.
  const startTargets = representative.map((symbol) => [...startStates].filter((s) => nfa.states[s]!.set![symbol] === 1).map((s) => nfa.states[s]!.to));
  for (let d = 0; d < dfaStates.length; d++) {
    const row: number[] = [];
    for (let cls = 0; cls < classCount; cls++) {
      const symbol = representative[cls]!;
      const targets = startTargets[cls]!.slice();
      for (const s of dfaStates[d]!) if (nfa.states[s]!.set![symbol] === 1) targets.push(nfa.states[s]!.to);
      const next = stateOf(targets);
      let id = ids.get(next.key);
      if (id === undefined) {
        id = dfaStates.length;
        if (id >= MAX_STATES) throw new TriggerSyntaxError(`the triggers need more than ${MAX_STATES} DFA states`);
        ids.set(next.key, id);
        dfaStates.push(next.extra);
        accepts.push(next.accept);
      }
      row.push(id);
    }
    rows.push(row);
  }
  return {
    transitions: Uint16Array.from(rows.flat()),
    classCount,
    asciiClass: classOfSymbol.slice(0, 128),
    nonAsciiSpaceClass: classOfSymbol[NON_ASCII_SPACE]!,
    nonAsciiOtherClass: classOfSymbol[NON_ASCII_OTHER]!,
    accepts: Int32Array.from(accepts),
  };
}
