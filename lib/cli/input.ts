/**
 * Input records for the filter commands: one per line, from a file or standard input (`-` or none), read in
 * chunks and handed on a chunk's lines at a time: a pipeline of millions of lines pays for a promise and a
 * write per chunk, not per line.
 */
import { createReadStream } from 'node:fs';
import { access } from 'node:fs/promises';
import type { CommandIO } from './io.ts';
import { UserError } from './io.ts';

/** Line ends as readline reads them: `\r\n`, `\n`, or a `\r` alone. */
const LINE_END = /\r\n|\n|\r/;

/**
 * The input's lines, a chunk's worth at a time (no line is split across batches; the last line may lack
 * its line end).
 *
 * @example for await (const lines of await inputLineBatches('app.log', io)) for (const line of lines) ...
 */
export async function inputLineBatches(file: string | undefined, io: CommandIO): Promise<AsyncIterable<string[]>> {
  if (file === undefined || file === '-') return lineBatches(io.stdin);
  try {
    await access(file);
  } catch (err) {
    throw new UserError(`cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? 'error'}): give an existing file, or - for standard input`);
  }
  return lineBatches(createReadStream(file));
}

/**
 * The input's lines one by one (inputLineBatches, flattened).
 *
 * @example for await (const line of await inputLines(undefined, io)) console.log(line);
 */
export async function inputLines(file: string | undefined, io: CommandIO): Promise<AsyncIterable<string>> {
  const batches = await inputLineBatches(file, io);
  return (async function* () {
    for await (const lines of batches) yield* lines;
  })();
}

async function* lineBatches(stream: NodeJS.ReadableStream): AsyncGenerator<string[]> {
  stream.setEncoding('utf8'); // a character split between chunks is decoded whole
  let carry = '';
  for await (const chunk of stream as AsyncIterable<string>) {
    let text = carry + chunk;
    // A `\r` at the end may be half of a `\r\n`: it waits for the next chunk.
    const held = text.endsWith('\r');
    if (held) text = text.slice(0, -1);
    const lines = text.split(LINE_END);
    carry = lines.pop()! + (held ? '\r' : '');
    if (lines.length > 0) yield lines;
  }
  if (carry !== '') yield [carry.endsWith('\r') ? carry.slice(0, -1) : carry];
}

/** A line that is a JSON object, array or string is a structured record; anything else is text. */
export function parseRecord(line: string): { structured: true; value: unknown } | { structured: false } {
  const first = line.trimStart()[0];
  if (first !== '{' && first !== '[' && first !== '"') return { structured: false };
  try {
    return { structured: true, value: JSON.parse(line) as unknown };
  } catch {
    return { structured: false };
  }
}
