/**
 * The runs the encoded scan (redact/encoded.ts) decodes, found in WebAssembly: each run of the base64
 * alphabet of at least RUN_MIN_LENGTH characters, and each run of hex digits of that length inside one.
 * The same runs, in the same order, as the encoded scan's JavaScript loop; for ASCII text that fits the
 * buffer (else undefined, and the caller keeps its loop). Most real-world lines hold such runs (digests,
 * UUIDs, ids) that then fail the cheap look at once: finding them was the encoded scan's main cost.
 */
import { I32, memarg, moduleOf, op, sleb, vec, VOID, webAssembly } from './wasm-binary.ts';

/**
 * Bytes of text the memory holds (longer texts: findRuns gives undefined).
 *
 * @example findRuns('a'.repeat(RUNS_TEXT_MAX + 1), 0, classes) // undefined
 */
export const RUNS_TEXT_MAX = 1 << 16;
/**
 * The shortest run reported (16: BASE64_MIN_RUN, and twice MIN_DECODED bytes of hex).
 *
 * @example findRuns('0123456789abcde', 0, classes) // []: 15 characters
 */
export const RUN_MIN_LENGTH = 16;
/**
 * The kind of a run of hex digits, in findRuns' triples.
 *
 * @example if (runs[r] === HEX_RUN) hexRunFinding(text, runs[r + 1]!, runs[r + 2]!);
 */
export const HEX_RUN = 1;
/**
 * The kind of a whole run of the base64 alphabet, in findRuns' triples.
 *
 * @example if (runs[r] === BASE64_RUN_KIND) base64Text(text.slice(runs[r + 1]!, runs[r + 2]!));
 */
export const BASE64_RUN_KIND = 2;

/**
 * By character code (the first 128 are read): 1 for a character of the base64 alphabet that is no hex
 * digit, 2 for a hex digit, 0 else.
 *
 * @example const classes = new Uint8Array(128); classes[0x61] = 2; classes[0x67] = 1; // 'a', 'g'
 */
export type RunClasses = Uint8Array;

interface Instance {
  text: Uint8Array;
  out: Int32Array;
  find: (from: number, length: number) => number;
}

const CLASSES = RUNS_TEXT_MAX;
const OUT = CLASSES + 128;
/** Each run is at least RUN_MIN_LENGTH characters, hex runs lie inside base64 ones: at most 2 per 16 bytes. */
const MAX_RUNS = RUNS_TEXT_MAX / 8;
const BYTES = OUT + MAX_RUNS * 12;

let instance: Instance | undefined | null;
const encoder = new TextEncoder();

/**
 * The runs of `text` from `from` on, as [kind, start, end] triples (end exclusive, before any `=`
 * padding), in the order the loop meets them: a run's hex runs, then the run. Undefined when the text is
 * not ASCII, is longer than RUNS_TEXT_MAX, or there is no WebAssembly. `classes` are read at the first
 * call only (the module is made once per process, for the encoded scan's classes).
 *
 * @example findRuns(`sha256:${digest64}`, 0, classes) // [1, 7, 71, 2, 7, 71]: the digest as hex, then as a run
 */
export function findRuns(text: string, from: number, classes: RunClasses): number[] | undefined {
  const n = text.length;
  if (n > RUNS_TEXT_MAX) return undefined;
  const wasm = instance ?? (instance === null ? undefined : create(classes));
  if (wasm === undefined) return undefined;
  const copied = encoder.encodeInto(text, wasm.text);
  if (copied.written !== n || copied.read !== n) return undefined;
  const count = wasm.find(from, n);
  // Copied out: the caller scans what the runs decode to, which may find runs again (and overwrite these).
  const runs: number[] = [];
  const out = wasm.out;
  for (let j = 0; j < count * 3; j++) runs.push(out[j]!);
  return runs;
}

/** The module, once per process (the classes are the encoded scan's, always the same). */
function create(classes: RunClasses): Instance | undefined {
  const api = webAssembly();
  if (api === undefined) {
    instance = null;
    return undefined;
  }
  try {
    const memory = new api.Memory({ initial: Math.ceil(BYTES / 65536) });
    const exports = new api.Instance(new api.Module(runsModule()), { env: { memory } }).exports;
    new Uint8Array(memory.buffer, CLASSES, 128).set(classes.subarray(0, 128));
    instance = { text: new Uint8Array(memory.buffer, 0, RUNS_TEXT_MAX), out: new Int32Array(memory.buffer, OUT, MAX_RUNS * 3), find: exports.find as Instance['find'] };
    return instance;
  } catch {
    // No memory for the module (a process at its limits): the caller's loop does the same work.
    instance = null;
    return undefined;
  }
}

/** find(from, length) -> number of runs; the loop of redact/encoded.ts encodedMatches, run for run. */
function runsModule(): Uint8Array {
  const [i, n, first, end, hexStart, c, count] = [0, 1, 2, 3, 4, 5, 6];
  const get = (l: number) => [op.localGet, l];
  const set = (l: number) => [op.localSet, l];
  const konst = (k: number) => [op.i32Const, ...sleb(k)];
  const classOf = (at: number) => [...get(at), op.i32Load8u, ...memarg(0, 0), op.i32Load8u, ...memarg(CLASSES, 0)];
  // out[count] = (kind, start, end); count++. The address, count * 12, as (count << 3) + (count << 2).
  const slot = [...get(count), ...konst(3), op.i32Shl, ...get(count), ...konst(2), op.i32Shl, op.i32Add];
  const emit = (kind: number, start: number, stop: number) => [
    ...slot, ...konst(kind), op.i32Store, ...memarg(OUT, 2),
    ...slot, ...get(start), op.i32Store, ...memarg(OUT + 4, 2),
    ...slot, ...get(stop), op.i32Store, ...memarg(OUT + 8, 2),
    ...get(count), ...konst(1), op.i32Add, ...set(count),
  ];
  // if (end - hexStart >= RUN_MIN_LENGTH) emit(HEX_RUN, hexStart, end)
  const hexRun = [...get(end), ...get(hexStart), op.i32Sub, ...konst(RUN_MIN_LENGTH - 1), op.i32GtS, op.if, VOID, ...emit(HEX_RUN, hexStart, end), op.end];
  const body = [
    ...vec([[5, I32]]), // first, end, hexStart, c, count
    op.block, VOID,
    op.loop, VOID,
    ...get(i), ...get(n), op.i32GeU, op.brIf, 1,
    ...classOf(i), op.localTee, first,
    op.i32Eqz, op.if, VOID, ...get(i), ...konst(1), op.i32Add, ...set(i), op.br, 1, op.end,
    // end = i + 1; hexStart = first === HEX ? i : end
    ...get(i), ...konst(1), op.i32Add, ...set(end),
    ...get(end), ...set(hexStart),
    ...get(first), ...konst(2), op.i32Eq, op.if, VOID, ...get(i), ...set(hexStart), op.end,
    op.block, VOID,
    op.loop, VOID,
    ...get(end), ...get(n), op.i32GeU, op.brIf, 1,
    ...classOf(end), op.localTee, c,
    op.i32Eqz, op.brIf, 1,
    ...get(c), ...konst(2), op.i32Ne, op.if, VOID,
    ...hexRun,
    ...get(end), ...konst(1), op.i32Add, ...set(hexStart),
    op.end,
    ...get(end), ...konst(1), op.i32Add, ...set(end),
    op.br, 0,
    op.end,
    op.end,
    ...hexRun,
    // if (end - i >= RUN_MIN_LENGTH) emit(BASE64_RUN_KIND, i, end)
    ...get(end), ...get(i), op.i32Sub, ...konst(RUN_MIN_LENGTH - 1), op.i32GtS, op.if, VOID, ...emit(BASE64_RUN_KIND, i, end), op.end,
    ...get(end), ...set(i),
    op.br, 0,
    op.end,
    op.end,
    ...get(count),
    op.end,
  ];
  return moduleOf('find', 2, Math.ceil(BYTES / 65536), body);
}
