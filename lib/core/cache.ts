/**
 * The task cache: one small JSON file per (task name, cache key) under `<result dir>/.cache/`, named by
 * SHA-256 of the task name and key, holding the expiry, where the output (and inputs) were written through
 * the task's result, and the flow parameters of the run that made it. The output itself lives in the result.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from './results.ts';

export interface CacheEntry {
  taskName: string;
  /** Epoch ms after which the entry is stale. */
  expires: number;
  outputLocation: string;
  inputsLocation?: string;
  /** Flow parameters of the run that wrote the entry (they go out with a Cached state, parameters channel). */
  parameters: Record<string, unknown>;
}

export function cacheFile(dir: string, taskName: string, key: string): string {
  return join(dir, `${createHash('sha256').update(`${taskName}\u0000${key}`).digest('hex')}.json`);
}

/** The entry when it exists, parses and has not expired. */
export async function readCacheEntry(file: string, nowMs: number): Promise<CacheEntry | undefined> {
  let entry: Partial<CacheEntry>;
  try {
    entry = JSON.parse(await readFile(file, 'utf8')) as Partial<CacheEntry>;
  } catch {
    return undefined;
  }
  if (typeof entry.expires !== 'number' || entry.expires <= nowMs || typeof entry.outputLocation !== 'string') return undefined;
  return { parameters: {}, ...entry } as CacheEntry;
}

export async function writeCacheEntry(file: string, entry: CacheEntry): Promise<void> {
  await writeFileAtomic(file, JSON.stringify(entry));
}
