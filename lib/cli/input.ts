/** Input records for the filter commands: one per line, from a file or standard input (`-` or none). */
import { createReadStream } from 'node:fs';
import { access } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import type { CommandIO } from './io.ts';
import { UserError } from './io.ts';

export async function inputLines(file: string | undefined, io: CommandIO): Promise<AsyncIterable<string>> {
  if (file === undefined || file === '-') return createInterface({ input: io.stdin, crlfDelay: Infinity });
  try {
    await access(file);
  } catch (err) {
    throw new UserError(`cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? 'error'}): give an existing file, or - for standard input`);
  }
  return createInterface({ input: createReadStream(file, { encoding: 'utf8' }), crlfDelay: Infinity });
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
