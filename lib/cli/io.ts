/** What every command shares: exit codes, usage errors, and writing to stdout with backpressure. */
import { parseArgs, type ParseArgsConfig } from 'node:util';

export const EXIT_OK = 0;
/** The command's check failed (a leak, a failing policy test, tampering, a failed run). */
export const EXIT_CHECK_FAILED = 1;
/** Usage error or invalid input. */
export const EXIT_USAGE = 2;

/** An error the user can fix: printed as is (no stack), with the given exit code. */
export class UserError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = EXIT_USAGE,
  ) {
    super(message);
    this.name = 'UserError';
  }
}

/**
 * `--help` (or `-h`) given to a command: its usage goes to stdout and the command exits 0, before any of
 * its other arguments are looked at.
 *
 * @example throw new HelpRequested('egress-guard scrub [--policy P] [FILE]')
 */
export class HelpRequested extends Error {
  constructor(readonly usage: string) {
    super(usage);
    this.name = 'HelpRequested';
  }
}

export interface CommandIO {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  stdin: NodeJS.ReadableStream;
  env: NodeJS.ProcessEnv;
  cwd: string;
}

export function processIO(): CommandIO {
  return { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, env: process.env, cwd: process.cwd() };
}

/** node:util parseArgs, with its errors turned into usage errors that name the command. */
export function parseCommandArgs<T extends ParseArgsConfig['options']>(
  command: string,
  args: string[],
  options: T,
  usage: string,
): { values: Record<string, string | boolean | string[] | undefined>; positionals: string[] } {
  const end = args.indexOf('--');
  if ((end < 0 ? args : args.slice(0, end)).some((a) => a === '--help' || a === '-h')) throw new HelpRequested(`usage: ${usage}`);
  try {
    const { values, positionals } = parseArgs({ args, options, allowPositionals: true, strict: true });
    return { values: values as Record<string, string | boolean | string[] | undefined>, positionals };
  } catch (err) {
    throw new UserError(`${command}: ${(err as Error).message.replace(/\. To specify.*$/, '')}\nusage: ${usage}`);
  }
}

/** Writes a chunk, waiting when the stream asks for it (large pipelines). */
export function write(stream: NodeJS.WritableStream, text: string): Promise<void> | void {
  if (stream.write(text)) return;
  return new Promise((resolve) => stream.once('drain', () => resolve()));
}
