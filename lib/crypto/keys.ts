/**
 * Key references in policies: `env:NAME` (the variable holds the key) and `file:PATH` (`${VAR}`
 * expanded). Errors say which reference failed and what to do, never what a key contains.
 */
import { closeSync, constants, fstatSync, openSync, readSync, statSync, type Stats } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';

export class KeyReferenceError extends Error {
  override name = 'KeyReferenceError';
}

/** A key file holds one key (a hash key or a JWK set): anything bigger is not one. */
export const MAX_KEY_FILE_BYTES = 64 * 1024;

/** Why a file is not read: `code` is the errno code, or ENOTREG (not a regular file) or EFBIG (too large). */
export class FileReadError extends Error {
  override name = 'FileReadError';

  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Why `path` (symbolic links followed) is no regular file of at most `maxBytes`, or undefined when it is
 * one. Only looks: never opens the file (a FIFO would wait for a writer, /dev/zero never ends).
 *
 * @example
 * regularFileProblem('/dev/zero', 1024)?.message; // 'it is a character device, not a regular file'
 */
export function regularFileProblem(path: string, maxBytes: number): FileReadError | undefined {
  return problemOf(statSync(path), maxBytes);
}

function problemOf(st: Stats, maxBytes: number): FileReadError | undefined {
  if (!st.isFile()) {
    const kind = st.isDirectory()
      ? 'a directory'
      : st.isFIFO()
        ? 'a FIFO (named pipe)'
        : st.isSocket()
          ? 'a socket'
          : st.isCharacterDevice()
            ? 'a character device'
            : 'a block device';
    return new FileReadError(st.isDirectory() ? 'EISDIR' : 'ENOTREG', `it is ${kind}, not a regular file`);
  }
  return st.size > maxBytes ? tooLarge(maxBytes) : undefined;
}

function tooLarge(maxBytes: number): FileReadError {
  const limit = maxBytes % (1024 * 1024) === 0 ? `${maxBytes / 1024 / 1024} MiB` : `${maxBytes / 1024} KiB`;
  return new FileReadError('EFBIG', `it is larger than ${limit}, the limit for this file`);
}

/**
 * Reads a regular file of at most `maxBytes`: anything else (a FIFO, a device such as /dev/zero, a
 * directory, a socket) or anything longer throws a FileReadError before more than `maxBytes + 1` bytes are
 * read, so that a path in a policy can neither hang nor exhaust the process. Errors opening the file
 * (ENOENT, EACCES) are thrown as they come.
 *
 * @example
 * const text = readRegularFileSync('policy.yaml', 1024 * 1024).toString('utf8');
 * readRegularFileSync('/dev/zero', 1024); // throws FileReadError (ENOTREG): it is a character device, not a regular file
 */
export function readRegularFileSync(path: string, maxBytes: number): Buffer {
  const before = regularFileProblem(path, maxBytes);
  if (before !== undefined) throw before;
  // Non-blocking: should the path have become a FIFO since, opening it does not wait for a writer.
  const fd = openSync(path, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  try {
    const problem = problemOf(fstatSync(fd), maxBytes);
    if (problem !== undefined) throw problem;
    // Up to one byte more than allowed: a file that grew (or lies about its size, as /proc files do) is caught.
    const buf = Buffer.alloc(maxBytes + 1);
    let length = 0;
    while (length < buf.length) {
      const n = readSync(fd, buf, length, buf.length - length, null);
      if (n === 0) break;
      length += n;
    }
    if (length > maxBytes) throw tooLarge(maxBytes);
    return buf.subarray(0, length);
  } finally {
    closeSync(fd);
  }
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
      return Buffer.from(readRegularFileSync(path, MAX_KEY_FILE_BYTES).toString('utf8').trim(), 'utf8');
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? 'unreadable';
      const why = err instanceof FileReadError ? `: ${err.message}` : '';
      throw new KeyReferenceError(`${opts.purpose}: cannot read key file ${path} (${code}${why}); ${opts.hint}`);
    }
  }
  throw new KeyReferenceError(`${opts.purpose}: key reference must start with env: or file:`);
}
