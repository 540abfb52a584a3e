/**
 * The inputs of `egress-guard scan`: files, directories read recursively (in name order, `.git` skipped,
 * symbolic links not followed, so a link loop cannot hang a scan) and standard input; binary files are
 * skipped and counted, since a detector finding in compressed bytes means nothing.
 */
import { createReadStream } from 'node:fs';
import { lstat, open, readdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { UserError, type CommandIO } from './io.ts';

/** One input to scan: its name as reported, and its lines. */
export interface ScanInput {
  name: string;
  lines(): AsyncIterable<string>;
}

const SNIFF_BYTES = 8192;
const SKIPPED_DIRS = new Set(['.git']);

/**
 * The inputs the arguments name, in order; `skipped` counts the binary files left out.
 *
 * @example for await (const input of scanInputs(['logs/'], io, skipped)) for await (const line of input.lines()) ...
 */
export async function* scanInputs(args: readonly string[], io: CommandIO, skipped: { binary: number }): AsyncGenerator<ScanInput> {
  for (const arg of args) {
    if (arg === '-') {
      yield { name: '-', lines: () => createInterface({ input: io.stdin, crlfDelay: Infinity }) };
      continue;
    }
    const path = resolve(io.cwd, arg);
    let stat;
    try {
      stat = await lstat(path);
    } catch (err) {
      throw new UserError(`scan: cannot read ${arg} (${(err as NodeJS.ErrnoException).code ?? 'error'}): name existing files or directories, or - for standard input`);
    }
    if (stat.isDirectory()) yield* walk(path, arg, skipped);
    else if (stat.isFile()) yield* file(path, arg, skipped);
  }
}

async function* walk(dir: string, shown: string, skipped: { binary: number }): AsyncGenerator<ScanInput> {
  const entries = (await readdir(dir, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    const path = join(dir, entry.name);
    const name = join(shown, entry.name);
    if (entry.isDirectory() && !SKIPPED_DIRS.has(entry.name)) yield* walk(path, name, skipped);
    else if (entry.isFile()) yield* file(path, name, skipped);
  }
}

async function* file(path: string, name: string, skipped: { binary: number }): AsyncGenerator<ScanInput> {
  if (await isBinary(path)) {
    skipped.binary++;
    return;
  }
  yield { name, lines: () => createInterface({ input: createReadStream(path, { encoding: 'utf8' }), crlfDelay: Infinity }) };
}

/** A NUL byte in the first 8 KiB: what git and grep take for binary. */
async function isBinary(path: string): Promise<boolean> {
  const handle = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(SNIFF_BYTES);
    const { bytesRead } = await handle.read(buffer, 0, SNIFF_BYTES, 0);
    return buffer.subarray(0, bytesRead).includes(0);
  } finally {
    await handle.close();
  }
}
