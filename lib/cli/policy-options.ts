/** `--policy` (or the policy found for the working directory), `--channel` and `--key`: shared by the commands that scrub. */
import { existsSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { createEngine, DEFAULT_POLICY } from '../policy/create.ts';
import type { Engine, EngineOptions } from '../policy/engine.ts';
import { CHANNELS, type Channel } from '../channels/registry.ts';
import { UserError, write, type CommandIO } from './io.ts';

/** The file a project keeps its policy in, found in the working directory or the nearest parent that has one. */
export const POLICY_FILE = '.egress-guard.yaml';

export function channelOption(value: unknown, command: string): Channel {
  if (typeof value !== 'string') throw new UserError(`${command}: --channel is required (one of ${CHANNELS.join(', ')})`);
  if (!(CHANNELS as readonly string[]).includes(value)) {
    throw new UserError(`${command}: unknown channel ${JSON.stringify(value)}; use one of ${CHANNELS.join(', ')}`);
  }
  return value as Channel;
}

/**
 * Which policy a command uses, and why: `--policy`, else `$EGRESS_GUARD_POLICY`, else `.egress-guard.yaml`
 * in the working directory or a parent, else `builtin:default`.
 *
 * @example discoverPolicy(undefined, io) // { ref: '/repo/.egress-guard.yaml', source: '.egress-guard.yaml found in /repo' }
 */
export function discoverPolicy(option: unknown, io: Pick<CommandIO, 'cwd' | 'env'>): { ref: string; source: string } {
  if (typeof option === 'string' && option !== '') return { ref: option, source: '--policy' };
  const fromEnv = io.env.EGRESS_GUARD_POLICY;
  if (fromEnv !== undefined && fromEnv !== '') return { ref: fromEnv, source: 'EGRESS_GUARD_POLICY' };
  for (let dir = resolve(io.cwd); ; dir = dirname(dir)) {
    const file = join(dir, POLICY_FILE);
    if (existsSync(file)) return { ref: file, source: `${POLICY_FILE} found in ${relative(io.cwd, dir) || '.'}` };
    if (dirname(dir) === dir) return { ref: DEFAULT_POLICY, source: `no --policy, EGRESS_GUARD_POLICY or ${POLICY_FILE}` };
  }
}

/** The engine of the discovered policy; says on stderr which policy that is, and why. */
export async function engineFromOptions(values: { policy?: unknown; key?: unknown }, io: CommandIO, extra: EngineOptions = {}): Promise<Engine> {
  const { ref, source } = discoverPolicy(values.policy, io);
  const options: Parameters<typeof createEngine>[1] = { cwd: io.cwd, env: io.env, projectRoot: io.cwd, ...extra };
  if (typeof values.key === 'string') options.locationKeyFile = resolve(io.cwd, values.key);
  const engine = await createEngine(ref, options);
  await write(io.stderr, `policy ${engine.identity.name} v${engine.identity.version} (${source})\n`);
  return engine;
}
