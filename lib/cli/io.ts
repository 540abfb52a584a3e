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

/** An option table for parseCommandArgs: node:util parseArgs' own. */
export type OptionTable = NonNullable<ParseArgsConfig['options']>;

/** The values parseArgs gives for an option table: a string, a boolean or their lists, each possibly absent. */
export type OptionValues<T extends OptionTable> = {
  -readonly [K in keyof T]?: T[K] extends { type: 'boolean' }
    ? T[K] extends { multiple: true } ? boolean[] : boolean
    : T[K] extends { multiple: true } ? string[] : string;
};

/**
 * node:util parseArgs, with its errors turned into usage errors that name the command, and the values typed
 * by the option table (no casts in the commands).
 *
 * @example
 * const { values, positionals } = parseCommandArgs('scrub', args, { policy: { type: 'string' } }, usage);
 * values.policy; // string | undefined
 */
export function parseCommandArgs<T extends OptionTable>(
  command: string,
  args: string[],
  options: T,
  usage: string,
): { values: OptionValues<T>; positionals: string[] } {
  if (wantsHelp(args)) throw new HelpRequested(`usage: ${usage}`);
  try {
    const { values, positionals } = parseArgs({ args, options, allowPositionals: true, strict: true });
    return { values: values as OptionValues<T>, positionals };
  } catch (err) {
    throw new UserError(`${command}: ${(err as Error).message.replace(/\. To specify.*$/, '')}\nusage: ${usage}`);
  }
}

/**
 * `--help` or `-h` among a command's arguments, before any `--`.
 *
 * @example wantsHelp(['--channel', 'logs', '-h']) // true
 */
export function wantsHelp(args: readonly string[]): boolean {
  const end = args.indexOf('--');
  return (end < 0 ? args : args.slice(0, end)).some((a) => a === '--help' || a === '-h');
}

/** Writes a chunk, waiting when the stream asks for it (large pipelines). */
export function write(stream: NodeJS.WritableStream, text: string): Promise<void> | void {
  if (stream.write(text)) return;
  return new Promise((resolve) => stream.once('drain', () => resolve()));
}
