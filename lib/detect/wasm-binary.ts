/**
 * Just enough of the WebAssembly binary format (core specification 1.0) to write the small modules of
 * wasm-pass.ts and wasm-runs.ts from TypeScript: no toolchain, no install script, nothing fetched. Only
 * i32 code over one imported memory.
 */

/**
 * The value type i32.
 *
 * @example vec([[3, I32]]) // three i32 locals
 */
export const I32 = 0x7f;
/**
 * The empty block type.
 *
 * @example [op.block, VOID, ...instructions, op.end]
 */
export const VOID = 0x40;

/**
 * The opcodes used.
 *
 * @example [op.localGet, 0, op.i32Const, ...sleb(1), op.i32Add] // local 0 + 1
 */
export const op = {
  block: 0x02, loop: 0x03, if: 0x04, end: 0x0b, br: 0x0c, brIf: 0x0d, return: 0x0f,
  localGet: 0x20, localSet: 0x21, localTee: 0x22,
  i32Load: 0x28, i32Load8u: 0x2d, i32Load16u: 0x2f, i32Store: 0x36,
  i32Const: 0x41, i32Eqz: 0x45, i32Eq: 0x46, i32Ne: 0x47, i32LtS: 0x48, i32LtU: 0x49, i32GtS: 0x4a, i32GeU: 0x4f,
  i32Add: 0x6a, i32Sub: 0x6b, i32And: 0x71, i32Or: 0x72, i32Shl: 0x74,
} as const;

/**
 * Unsigned LEB128.
 *
 * @example uleb(624485) // [0xe5, 0x8e, 0x26]
 */
export function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let byte = n & 0x7f;
    n >>>= 7;
    if (n !== 0) byte |= 0x80;
    out.push(byte);
  } while (n !== 0);
  return out;
}

/**
 * Signed LEB128 (of an i32).
 *
 * @example sleb(-1) // [0x7f]
 */
export function sleb(n: number): number[] {
  n |= 0;
  const out: number[] = [];
  for (;;) {
    const byte = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (byte & 0x40) === 0) || (n === -1 && (byte & 0x40) !== 0)) {
      out.push(byte);
      return out;
    }
    out.push(byte | 0x80);
  }
}

/**
 * A module of one function of i32 parameters returning an i32, exported as `exportName`, over the memory
 * it imports as env.memory (at least `pages` of 64 KiB). `body` is the function's code: its locals
 * declaration, then its instructions, then `end`.
 *
 * @example new WebAssembly.Module(moduleOf('run', 2, 1, [...vec([]), op.localGet, 0, op.end]))
 */
export function moduleOf(exportName: string, params: number, pages: number, body: number[]): Uint8Array {
  const bytes = [
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, vec([[0x60, ...vec(Array.from({ length: params }, () => [I32])), ...vec([[I32]])]])),
    ...section(2, vec([[...name('env'), ...name('memory'), 0x02, 0x00, ...uleb(pages)]])),
    ...section(3, vec([[0]])),
    ...section(7, vec([[...name(exportName), 0x00, 0]])),
    ...section(10, vec([[...uleb(body.length), ...body]])),
  ];
  return Uint8Array.from(bytes);
}

/**
 * A vector: its length, then its items.
 *
 * @example vec([[3, I32]]) // one local declaration: three i32 locals
 */
export function vec(items: number[][]): number[] {
  return [...uleb(items.length), ...items.flat()];
}

/**
 * A memory operand: alignment (log2 of bytes) and offset.
 *
 * @example [op.i32Load16u, ...memarg(1024, 1)]
 */
export function memarg(offset: number, align: number): number[] {
  return [...uleb(align), ...uleb(offset)];
}

function name(s: string): number[] {
  return [...uleb(s.length), ...Buffer.from(s, 'latin1')];
}

function section(id: number, body: number[]): number[] {
  return [id, ...uleb(body.length), ...body];
}

/**
 * What the modules use of the WebAssembly global (the project's TypeScript libs do not declare it).
 *
 * @example const memory = new webAssembly()!.Memory({ initial: 1 });
 */
export interface WebAssemblyApi {
  Memory: new (descriptor: { initial: number }) => { buffer: ArrayBuffer };
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
}

/**
 * The WebAssembly global, when the runtime has one.
 *
 * @example const api = webAssembly(); if (api === undefined) useJavaScript();
 */
export function webAssembly(): WebAssemblyApi | undefined {
  return (globalThis as { WebAssembly?: WebAssemblyApi }).WebAssembly;
}
