/**
 * Runs a command function the way a terminal expects: user errors (bad input, bad policy, missing key)
 * print their message and exit 2 (or their own code); anything else is a bug and prints its stack.
 */
import { CryptoError } from '../crypto/errors.ts';
import { KeyReferenceError } from '../crypto/keys.ts';
import { PolicyCompileError, PolicyError } from '../policy/errors.ts';
import { EXIT_OK, EXIT_USAGE, HelpRequested, UserError, processIO, type CommandIO } from './io.ts';

export type Command = (args: string[], io: CommandIO) => Promise<number>;

export async function runCommand(command: Command, args: string[], io: CommandIO = processIO()): Promise<number> {
  try {
    return await command(args, io);
  } catch (err) {
    if (err instanceof HelpRequested) {
      io.stdout.write(err.usage + '\n');
      return EXIT_OK;
    }
    if (err instanceof UserError) {
      io.stderr.write(err.message + '\n');
      return err.exitCode;
    }
    if (err instanceof PolicyError || err instanceof PolicyCompileError || err instanceof KeyReferenceError || err instanceof CryptoError) {
      io.stderr.write(err.message + '\n');
      return EXIT_USAGE;
    }
    io.stderr.write(`internal error: ${(err as Error).stack ?? String(err)}\n`);
    return 70;
  }
}

/** Entry points call this: sets the exit code once stdout has drained. */
export function main(command: Command): void {
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(0); // the reader went away (e.g. `| head`)
  });
  void runCommand(command, process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
