/**
 * Results: where task outputs (and, before a retry, a queue or a cache write, their inputs) are stored so a
 * failed run can be restarted. Each write returns the value's location; the runner reports it in the state
 * (`resultLocation`, `inputsLocation`), and the gate sends it out under the locations channel (encrypted by
 * default) or, for an InlineResult, under the parameters rules. Stored values are the real ones: local
 * stays whole, only the outbound copy is scrubbed.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rename, stat, unlink } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { checkTemplate, renderLocation, type TemplateContext } from './templating.ts';

/** Where relative result directories and locations are resolved (the runner's `cwd`; default process.cwd()). */
export interface IoContext {
  cwd?: string;
}

export interface WriteContext extends IoContext {
  /** Values for the location template. */
  template: TemplateContext;
  /** Appended to the rendered location, e.g. `.inputs.json` for a task's inputs. */
  suffix?: string;
}

export interface Result {
  /** The location template (LocalResult) or a description of where values go (`inline`). */
  readonly location: string;
  /** True when a location is the value itself (InlineResult): the gate then applies the parameters rules. */
  readonly inline?: boolean;
  /** Stores the value (JSON); resolves to its location. */
  write(value: unknown, ctx: WriteContext): Promise<string>;
  /** The value stored at a location `write` returned (in this run or an earlier one). */
  read(location: string, ctx?: IoContext): Promise<unknown>;
  exists(location: string, ctx?: IoContext): Promise<boolean>;
}

/** Suffix of the location a task's inputs are written to: `{location}.inputs.json`. */
export const INPUTS_SUFFIX = '.inputs.json';

export const DEFAULT_LOCATION = '{flow_name}/{flow_run_id}/{task_name}-{task_run_id}.json';

/** `undefined` has no JSON form: it is stored as `null`. */
export function toJson(value: unknown): string {
  return JSON.stringify(value) ?? 'null';
}

/**
 * JSON files under a directory: `join(dir, renderLocation(location))`. A relative `dir` is resolved against
 * the run's working directory. The location returned is `dir` joined with the rendered template, as given
 * (relative when `dir` is relative). Files are written atomically (temporary file, fsync, rename) with
 * mode 0600; reading or writing anything outside `dir` is refused.
 */
export class LocalResult implements Result {
  readonly dir: string;
  readonly location: string;

  constructor(options: { dir: string; location?: string }) {
    if (typeof options?.dir !== 'string' || options.dir === '') throw new TypeError('LocalResult: `dir` must be a non-empty directory path');
    this.dir = options.dir;
    this.location = options.location ?? DEFAULT_LOCATION;
    checkTemplate(this.location);
  }

  async write(value: unknown, ctx: WriteContext): Promise<string> {
    const location = join(this.dir, renderLocation(this.location, ctx.template) + (ctx.suffix ?? ''));
    await writeFileAtomic(this.inside(location, ctx), toJson(value));
    return location;
  }

  async read(location: string, ctx: IoContext = {}): Promise<unknown> {
    return JSON.parse(await readFile(this.inside(location, ctx), 'utf8')) as unknown;
  }

  async exists(location: string, ctx: IoContext = {}): Promise<boolean> {
    try {
      return (await stat(this.inside(location, ctx))).isFile();
    } catch {
      return false;
    }
  }

  /** The absolute directory, for a working directory. */
  root(ctx: IoContext = {}): string {
    return resolve(ctx.cwd ?? process.cwd(), this.dir);
  }

  /** The file of a location; refuses any that would leave the result directory. */
  private inside(location: string, ctx: IoContext): string {
    if (location.includes('\0')) throw new Error('LocalResult: a location must not contain NUL');
    const root = this.root(ctx);
    const path = resolve(ctx.cwd ?? process.cwd(), location);
    const rel = relative(root, path);
    if (rel === '' || rel.split(/[\\/]/)[0] === '..' || isAbsolute(rel)) {
      throw new Error(`LocalResult: location ${JSON.stringify(location)} is not inside the result directory ${JSON.stringify(this.dir)}`);
    }
    return path;
  }
}

/**
 * The JSON value is its own location: nothing is stored locally, and the value goes out in the state (the
 * runner marks it `inlineResult`, so the gate applies the parameters channel's rules to it). Use it only for
 * small values you would also accept as parameters.
 */
export class InlineResult implements Result {
  readonly location = 'inline';
  readonly inline = true;

  async write(value: unknown): Promise<string> {
    return toJson(value);
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

/** Writes a file so a reader sees the old content or the new, never a part: temporary file, fsync, rename. */
export async function writeFileAtomic(path: string, text: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const tmp = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    const fh = await open(tmp, 'wx', 0o600);
    try {
      await fh.writeFile(text, 'utf8');
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, path);
  } catch (err) {
    await unlink(tmp).catch(() => undefined);
    throw err;
  }
}
