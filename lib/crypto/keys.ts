/**
 * Key references in policies: `env:NAME` (the variable holds the key) and `file:PATH` (`${VAR}`
 * expanded). Errors say which reference failed and what to do, never what a key contains.
 */
import { readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';

export class KeyReferenceError extends Error {
  override name = 'KeyReferenceError';
}

/** Expands `${VAR}` in a path; undefined when a variable is unset (the reference cannot be used yet). */
export function expandPath(path: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  let missing = false;
  const out = path.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (_, name: string) => {
    const v = env[name];
    if (v === undefined || v === '') missing = true;
    return v ?? '';
  });
  return missing ? undefined : out;
}

/** Reads the key a reference points at, as bytes (file contents and variables are trimmed). */
export function readKeyReference(ref: string, opts: { env?: NodeJS.ProcessEnv; baseDir?: string; purpose: string; hint: string }): Buffer {
  const env = opts.env ?? process.env;
  if (ref.startsWith('env:')) {
    const name = ref.slice(4);
    const value = env[name];
    if (value === undefined || value.trim() === '') {
      throw new KeyReferenceError(`${opts.purpose}: environment variable ${name} (from ${ref}) is not set; ${opts.hint}`);
    }
    return Buffer.from(value.trim(), 'utf8');
  }
  if (ref.startsWith('file:')) {
    const expanded = expandPath(ref.slice(5), env);
    if (expanded === undefined) {
      throw new KeyReferenceError(`${opts.purpose}: ${ref} names an environment variable that is not set; ${opts.hint}`);
    }
    const path = isAbsolute(expanded) ? expanded : resolve(opts.baseDir ?? process.cwd(), expanded);
    try {
      return Buffer.from(readFileSync(path, 'utf8').trim(), 'utf8');
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? 'unreadable';
      throw new KeyReferenceError(`${opts.purpose}: cannot read key file ${path} (${code}); ${opts.hint}`);
    }
  }
  throw new KeyReferenceError(`${opts.purpose}: key reference must start with env: or file:`);
}
