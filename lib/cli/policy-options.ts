/** `--policy` and `--channel`, shared by the commands that scrub. */
import { createEngine, DEFAULT_POLICY } from '../policy/create.ts';
import type { Engine } from '../policy/engine.ts';
import { CHANNELS, type Channel } from '../policy/types.ts';
import { UserError, type CommandIO } from './io.ts';

export function channelOption(value: unknown, command: string): Channel {
  if (typeof value !== 'string') throw new UserError(`${command}: --channel is required (one of ${CHANNELS.join(', ')})`);
  if (!(CHANNELS as readonly string[]).includes(value)) {
    throw new UserError(`${command}: unknown channel ${JSON.stringify(value)}; use one of ${CHANNELS.join(', ')}`);
  }
  return value as Channel;
}

export async function engineFromOptions(values: Record<string, unknown>, io: CommandIO): Promise<Engine> {
  const ref = typeof values.policy === 'string' ? values.policy : DEFAULT_POLICY;
  const options: Parameters<typeof createEngine>[1] = { cwd: io.cwd, env: io.env, projectRoot: io.cwd };
  if (typeof values.key === 'string') options.locationKeyFile = values.key;
  return createEngine(ref, options);
}
