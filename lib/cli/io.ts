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
