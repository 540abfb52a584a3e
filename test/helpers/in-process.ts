/**
 * Runs a command function in this process, as its entry point would (lib/cli/main.ts runCommand: user
 * errors exit 2, anything else is an internal error, exit 70), with stdout and stderr captured. Much
 * faster than a child process, so property tests can run the real command hundreds of times.
 */
import { Readable, Writable } from 'node:stream';
import { auditReport } from '../../lib/cli/audit-report-command.ts';
import { runCommand, type Command } from '../../lib/cli/main.ts';

export interface Captured {
  code: number;
  stdout: string;
  stderr: string;
}

class Capture extends Writable {
  text = '';
  override _write(chunk: Buffer | string, _encoding: BufferEncoding, callback: () => void): void {
    this.text += String(chunk);
    callback();
  }
}

export async function inProcess(command: Command, args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv; input?: string } = {}): Promise<Captured> {
  const stdout = new Capture();
  const stderr = new Capture();
  const stdin = Readable.from(opts.input === undefined ? [] : [opts.input]);
  const code = await runCommand(command, args, { stdout, stderr, stdin, env: opts.env ?? {}, cwd: opts.cwd ?? process.cwd() });
  return { code, stdout: stdout.text, stderr: stderr.text };
}

/** `audit-report ARGS`, in this process. */
export function auditReportInProcess(args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<Captured> {
  return inProcess(auditReport, args, opts);
}
