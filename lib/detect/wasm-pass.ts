/**
 * The prefilter's pass (prefilter.ts) as WebAssembly, emitted here byte by byte: no toolchain, no install
 * script, nothing fetched. The text is copied into the module's memory (TextEncoder.encodeInto: some
 * 0.07 µs for a 140-character line) and the keyword and trigger automata are stepped there, a table lookup
 * each a byte (by character class: small tables, which stay in the caches). Only ASCII text takes this
 * path (a UTF-8 byte is then a UTF-16 code unit, and offsets agree); the rest, and text longer than the
 * buffer, takes the JavaScript loop.
 *
 * The trigger automaton is lazy (trigger-dfa.ts): its tables live in this memory, and where the loop
 * meets a transition not built yet it returns to JavaScript, which builds it and calls again from there.
 * Measured (bench/stages.bench.ts, same run): the pass over the real-world mix costs about 0.65 µs a line
 * against 1.05 for the JavaScript loop; the loop itself is bound by the chain of dependent table loads
 * (some 3 ns a byte), not by the language.
 */
import { I32, memarg, moduleOf, op, sleb, vec, VOID, webAssembly } from './wasm-binary.ts';

/**
 * Bytes of text the memory holds; longer texts take the JavaScript loop.
 *
 * @example if (text.length > WASM_TEXT_MAX) javascriptPass(text);
 */
export const WASM_TEXT_MAX = 1 << 16;

/** Where things are in the memory, in bytes. */
interface Layout {
  text: number;
  /** One keyword state per byte read at most: the states with outputs, in order. */
  out: number;
  /** Where the loop leaves its state (REG_*). */
  registers: number;
  keywordClass: number;
  triggerClass: number;
  accepts: number;
  triggerTable: number;
  keywordTable: number;
  bytes: number;
}

/**
 * The constants the loop is compiled with.
 *
 * @example { keywordStates: 1102, keywordStride: 64, triggerStates: MAX_STATES + 1, triggerStride: 32, firstOutput: 846, base64Bit: 1 << 12, unknown: UNKNOWN_TRANSITION }
 */
export interface WasmPassShape {
  keywordStates: number;
  /** A row of the keyword automaton's table compressed by class: a power of two, at least its classes. */
  keywordStride: number;
  /** The trigger automaton's states at most, and a row of its byClass table (a power of two). */
  triggerStates: number;
  triggerStride: number;
  /** Keyword states from this one on have outputs. */
  firstOutput: number;
  /** accepts[] bit of the base64 run. */
  base64Bit: number;
  /** A trigger transition not built yet (trigger-dfa.ts UNKNOWN_TRANSITION). */
  unknown: number;
}

/**
 * A compiled pass and its memory: views of the tables to fill, and `run`. Both automata are stepped by
 * character class (a 128-byte map each, then a row of as many entries as classes): the tables are then a
 * fraction of the ASCII ones, and stay in the processor's caches, which is what the loop's speed is made of.
 *
 * @example
 * const pass = createWasmPass(shape)!;
 * pass.keywordTable.set(compressed); // then the trigger automaton's accepts and byClass go in pass.accepts, pass.triggerTable
 */
export interface WasmPass {
  readonly text: Uint8Array;
  readonly out: Int32Array;
  readonly registers: Int32Array;
  readonly keywordClass: Uint8Array;
  readonly triggerClass: Uint8Array;
  readonly keywordTable: Uint16Array;
  /** The trigger automaton's byClass table. */
  readonly triggerTable: Uint16Array;
  readonly accepts: Int32Array;
  /**
   * Steps both automata over text[from, length): returns 0 at the end, 1 where a trigger transition is not
   * built (REG_POSITION says where; the keyword automaton has read that character, the trigger one not).
   * The registers hold the state either way.
   */
  run(from: number, length: number, keyword: number, trigger: number, fired: number, base64End: number, outputs: number): number;
}

/**
 * Register slots (Int32 indexes of WasmPass.registers): where the loop stopped, the keyword state, the
 * trigger state (before the character at REG_POSITION when the loop stopped at an unbuilt transition,
 * after the text when it ended), the triggers fired, where the first base64 run was complete, and how
 * many keyword states with outputs it wrote to `out`.
 *
 * @example const at = pass.registers[REG_POSITION]!;
 */
export const REG_POSITION = 0;
/** @example const keyword = pass.registers[REG_KEYWORD]!; */
export const REG_KEYWORD = 1;
/** @example const trigger = pass.registers[REG_TRIGGER]!; */
export const REG_TRIGGER = 2;
/** @example const fired = pass.registers[REG_FIRED]!; */
export const REG_FIRED = 3;
/** @example const base64End = pass.registers[REG_BASE64_END]!; // -1: none */
export const REG_BASE64_END = 4;
/** @example for (let j = 0; j < pass.registers[REG_OUTPUTS]!; j++) seen(pass.out[j]!); */
export const REG_OUTPUTS = 5;

function layoutOf(shape: WasmPassShape): Layout {
  const text = 0;
  const out = text + WASM_TEXT_MAX;
  const registers = out + WASM_TEXT_MAX * 4;
  const keywordClass = registers + 64;
  const triggerClass = keywordClass + 128;
  const accepts = triggerClass + 128;
  const triggerTable = accepts + shape.triggerStates * 4;
  const keywordTable = triggerTable + shape.triggerStates * shape.triggerStride * 2;
  return { text, out, registers, keywordClass, triggerClass, accepts, triggerTable, keywordTable, bytes: keywordTable + shape.keywordStates * shape.keywordStride * 2 };
}

/**
 * A pass over its own memory, or undefined where WebAssembly is not available (the caller keeps its
 * JavaScript loop).
 *
 * @example const pass = createWasmPass(shape); if (pass === undefined) useTheJavaScriptLoop();
 */
export function createWasmPass(shape: WasmPassShape): WasmPass | undefined {
  if (!isPowerOfTwo(shape.keywordStride) || !isPowerOfTwo(shape.triggerStride)) throw new RangeError('strides must be powers of two');
  const api = webAssembly();
  if (api === undefined) return undefined;
  const layout = layoutOf(shape);
  const memory = new api.Memory({ initial: Math.ceil(layout.bytes / 65536) });
  const instance = new api.Instance(new api.Module(passModule(shape, layout)), { env: { memory } });
  const buffer = memory.buffer;
  return {
    text: new Uint8Array(buffer, layout.text, WASM_TEXT_MAX),
    out: new Int32Array(buffer, layout.out, WASM_TEXT_MAX),
    registers: new Int32Array(buffer, layout.registers, 16),
    keywordClass: new Uint8Array(buffer, layout.keywordClass, 128),
    triggerClass: new Uint8Array(buffer, layout.triggerClass, 128),
    accepts: new Int32Array(buffer, layout.accepts, shape.triggerStates),
    triggerTable: new Uint16Array(buffer, layout.triggerTable, shape.triggerStates * shape.triggerStride),
    keywordTable: new Uint16Array(buffer, layout.keywordTable, shape.keywordStates * shape.keywordStride),
    run: instance.exports.run as WasmPass['run'],
  };
}

/**
 * The smallest power of two at least `n` (a row stride).
 *
 * @example strideFor(29) // 32
 */
export function strideFor(n: number): number {
  let stride = 1;
  while (stride < n) stride *= 2;
  return stride;
}

function isPowerOfTwo(n: number): boolean {
  return n >= 1 && (n & (n - 1)) === 0;
}

// ---------------------------------------------------------------------------------------------------------
// The module

/** The module: imports env.memory, exports run (see WasmPass.run). */
function passModule(shape: WasmPassShape, layout: Layout): Uint8Array {
  // Locals: the seven parameters, then c, accepted, next trigger.
  const [from, length, keyword, trigger, fired, base64End, outputs, c, accepted, next] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
  const get = (l: number) => [op.localGet, l];
  const set = (l: number) => [op.localSet, l];
  const konst = (n: number) => [op.i32Const, ...sleb(n | 0)];
  const mem = memarg;
  const saveRegister = (slot: number, value: number[]) => [...konst(0), ...value, op.i32Store, ...mem(layout.registers + slot * 4, 2)];
  const body = [
    ...vec([[3, I32]]), // c, accepted, next trigger
    op.block, VOID,
    op.loop, VOID,
    // while (from < length)
    ...get(from), ...get(length), op.i32GeU, op.brIf, 1,
    // c = text[from]
    ...get(from), op.i32Load8u, ...mem(layout.text, 0), ...set(c),
    // keyword = keywordTable[keyword * keywordStride + keywordClass[c]]: a shift, short on the chain of loads
    ...get(keyword), ...konst(Math.log2(shape.keywordStride)), op.i32Shl, ...get(c), op.i32Load8u, ...mem(layout.keywordClass, 0), op.i32Add,
    ...konst(1), op.i32Shl, op.i32Load16u, ...mem(layout.keywordTable, 1), ...set(keyword),
    // if (keyword >= firstOutput) out[outputs++] = keyword
    ...get(keyword), ...konst(shape.firstOutput), op.i32GeU, op.if, VOID,
    ...get(outputs), ...konst(2), op.i32Shl, ...get(keyword), op.i32Store, ...mem(layout.out, 2),
    ...get(outputs), ...konst(1), op.i32Add, ...set(outputs),
    op.end,
    // next = triggerTable[trigger * triggerStride + triggerClass[c]]
    ...get(trigger), ...konst(Math.log2(shape.triggerStride)), op.i32Shl, ...get(c), op.i32Load8u, ...mem(layout.triggerClass, 0), op.i32Add,
    ...konst(1), op.i32Shl, op.i32Load16u, ...mem(layout.triggerTable, 1), op.localTee, next,
    // not built yet: leave the state in the registers, JavaScript builds the transition
    ...konst(shape.unknown), op.i32Eq, op.if, VOID,
    ...saveRegister(REG_POSITION, get(from)), ...saveRegister(REG_KEYWORD, get(keyword)), ...saveRegister(REG_TRIGGER, get(trigger)),
    ...saveRegister(REG_FIRED, get(fired)), ...saveRegister(REG_BASE64_END, get(base64End)), ...saveRegister(REG_OUTPUTS, get(outputs)),
    ...konst(1), op.return,
    op.end,
    ...get(next), ...set(trigger),
    // accepted = accepts[trigger]
    ...get(trigger), ...konst(2), op.i32Shl, op.i32Load, ...mem(layout.accepts, 2), op.localTee, accepted,
    op.if, VOID,
    ...get(fired), ...get(accepted), op.i32Or, ...set(fired),
    // the first base64 run: where it was seen complete
    ...get(accepted), ...konst(shape.base64Bit), op.i32And, op.if, VOID,
    ...get(base64End), ...konst(0), op.i32LtS, op.if, VOID, ...get(from), ...set(base64End), op.end,
    op.end,
    op.end,
    // from++
    ...get(from), ...konst(1), op.i32Add, ...set(from),
    op.br, 0,
    op.end,
    op.end,
    ...saveRegister(REG_POSITION, get(from)), ...saveRegister(REG_KEYWORD, get(keyword)), ...saveRegister(REG_TRIGGER, get(trigger)),
    ...saveRegister(REG_FIRED, get(fired)), ...saveRegister(REG_BASE64_END, get(base64End)), ...saveRegister(REG_OUTPUTS, get(outputs)),
    ...konst(0),
    op.end,
  ];
  return moduleOf('run', 7, Math.ceil(layout.bytes / 65536), body);
}
