/** Runs the real command-line entry points from the sources, as separate processes. */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const TSX = createRequire(import.meta.url).resolve('tsx');
/** Node flags that run TypeScript sources and resolve `egress-guard` imports to them. */
export const NODE_FLAGS = ['--conditions=egress-guard-source', '--import', TSX];

/**
 * The config home of every command the tests run (`run --ledger` makes its signing key there on first
 * use): never the tester's own ~/.config.
 */
export const TEST_CONFIG_HOME = mkdtempSync(join(tmpdir(), 'eg-test-config-'));
/** The public half of the signing key that `run --ledger` made under TEST_CONFIG_HOME (for `--verify --key`). */
export const TEST_SIGNING_PUBLIC_KEY = join(TEST_CONFIG_HOME, 'egress-guard', 'signing-key.jwk.pub.json');

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** The environment every command the tests run gets: this one's, with TEST_CONFIG_HOME, then `env`. */
function commandEnv(env: NodeJS.ProcessEnv | undefined): NodeJS.ProcessEnv {
  return { ...process.env, XDG_CONFIG_HOME: TEST_CONFIG_HOME, ...env };
}

export function run(command: string, args: string[], opts: { input?: string; env?: NodeJS.ProcessEnv; cwd?: string } = {}): Promise<RunResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(command, args, { cwd: opts.cwd ?? REPO, env: commandEnv(opts.env), stdio: 'pipe' });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolvePromise({ code: code ?? -1, stdout, stderr }));
    child.stdin.end(opts.input ?? '');
  });
}

/** Commands whose process is the point (they load a flow module, serve, or run a whole demo): spawned. */
const SPAWNED = new Set(['run', 'demo', 'cloud']);

/**
 * `egress-guard ARGS` as a user runs it: in this process through the same entry (runCommand, with the
 * environment, working directory and stdin a child would get), or as a child process for SPAWNED commands
 * and with `spawn: true`. In-process is what keeps the suite fast; exit codes and output are the same.
 */
export async function egressGuard(args: string[], opts: { input?: string; env?: NodeJS.ProcessEnv; cwd?: string; spawn?: boolean } = {}): Promise<RunResult> {
  if (opts.spawn === true || SPAWNED.has(args[0] ?? '')) return run(process.execPath, [...NODE_FLAGS, join(REPO, 'lib/cli/egress-guard.ts'), ...args], opts);
  const { inProcess } = await import('./in-process.ts');
  const { egressGuard: command } = await import('../../lib/cli/commands.ts');
  return inProcess(command, args, { env: commandEnv(opts.env), cwd: opts.cwd ?? REPO, ...(opts.input !== undefined && { input: opts.input }) });
}

/** A directory with `egress-guard` and `audit-report` shims that run the sources: put it first on PATH. */
export function shimDir(): string {
  const dir = join(REPO, '.doc-examples', 'bin');
  mkdirSync(dir, { recursive: true });
  for (const name of ['egress-guard', 'audit-report']) {
    const file = join(dir, name);
    writeFileSync(file, `#!/bin/sh\nexec "${process.execPath}" ${NODE_FLAGS.map((f) => `"${f}"`).join(' ')} "${join(REPO, 'lib/cli', name + '.ts')}" "$@"\n`);
    chmodSync(file, 0o755);
  }
  return dir;
}
