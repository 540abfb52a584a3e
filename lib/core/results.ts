/**
 * Where task outputs (and, before a retry or a queue, their inputs) are written, so a failed run can be
 * restarted. The location each write returns is reported to the control plane through the locations
 * channel (encrypted by default).
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { renderLocation, type TemplateContext } from './templating.ts';

/** Where a task's outputs (and inputs, before a retry) are written and read back; a location goes out on the locations channel. */
export interface Result {
  /** The location template (`{flow_name}/{task_name}.json`), or `inline` for a value that is its own location. */
  readonly location: string;
  /** Writes the value; returns its location. */
  write(value: unknown, ctx: TemplateContext, suffix?: string): Promise<string>;
  read(location: string): Promise<unknown>;
  exists(location: string): Promise<boolean>;
}

/**
 * JSON files under a directory, at a templated location (default
 * `{flow_name}/{flow_run_id}/{task_name}-{task_run_id}.json`); written atomically, mode 0600, and never
 * outside the directory.
 *
 * @example
 * const results = new LocalResult({ dir: '/data/results', location: '{flow_name}/{task_name}-{inputs.day}.json' });
 * const extract = task({ name: 'extract', checkpoint: true, result: results }, async (input: { day: string }) => rows(input.day));
 */
export class LocalResult implements Result {
  readonly dir: string;
  readonly location: string;

  constructor(options: { dir: string; location?: string }) {
    this.dir = options.dir;
    this.location = options.location ?? '{flow_name}/{flow_run_id}/{task_name}-{task_run_id}.json';
  }

  async write(value: unknown, ctx: TemplateContext, suffix = ''): Promise<string> {
    const location = join(this.dir, renderLocation(this.location, ctx) + suffix);
    const path = this.inside(location);
    mkdirSync(dirname(path), { recursive: true });
    // Atomic: a reader sees the old file or the new one, never half of one.
    const tmp = `${path}.${randomBytes(4).toString('hex')}.tmp`;
    writeFileSync(tmp, JSON.stringify(value), { mode: 0o600 });
    renameSync(tmp, path);
    return location;
  }

  async read(location: string): Promise<unknown> {
    return JSON.parse(readFileSync(this.inside(location), 'utf8')) as unknown;
  }

  async exists(location: string): Promise<boolean> {
    return existsSync(this.inside(location));
  }

  /** The file of a location, refusing any that would leave the result directory. */
  private inside(location: string): string {
    const root = resolve(this.dir);
    const path = resolve(location);
    const rel = relative(root, path);
    if (rel.startsWith('..') || isAbsolute(rel)) throw new Error(`location ${JSON.stringify(location)} is outside the result directory ${root}`);
    return path;
  }
}

/**
 * The JSON value is its own location (so it goes out under the parameters channel's rules): for small
 * outputs worth restarting from, with nothing written to disk.
 *
 * @example
 * const count = task({ name: 'count', checkpoint: true, result: new InlineResult() }, async () => 42);
 */
export class InlineResult implements Result {
  readonly location = 'inline';

  async write(value: unknown): Promise<string> {
    return JSON.stringify(value);
  }

  async read(location: string): Promise<unknown> {
    return JSON.parse(location) as unknown;
  }

  async exists(location: string): Promise<boolean> {
    try {
      JSON.parse(location);
      return true;
    } catch {
      return false;
    }
  }
}
