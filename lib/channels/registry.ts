/**
 * Every channel's definition, by name: what policy/load.ts checks, policy/merge.ts merges, policy/compile.ts
 * compiles and policy/engine.ts applies, each by going through this table.
 */
import type { ChannelDefinition } from './definition.ts';
import { EXCEPTIONS_CHANNEL } from './exceptions.ts';
import { LOCATIONS_CHANNEL } from './locations.ts';
import { LOGS_CHANNEL } from './logs.ts';
import { PARAMETERS_CHANNEL } from './parameters.ts';

/**
 * The channels, in the order a policy lists them.
 *
 * @example Object.keys(CHANNEL_DEFINITIONS) // ['parameters', 'logs', 'exceptions', 'locations']
 */
export const CHANNEL_DEFINITIONS = {
  parameters: PARAMETERS_CHANNEL,
  logs: LOGS_CHANNEL,
  exceptions: EXCEPTIONS_CHANNEL,
  locations: LOCATIONS_CHANNEL,
} as const;

/** The processors of a compiled policy, by channel, each with its channel's own extras (logs' `ship`, ...). */
export type ChannelProcessors = { [K in keyof typeof CHANNEL_DEFINITIONS]: ReturnType<(typeof CHANNEL_DEFINITIONS)[K]['compile']> };

/** One of CHANNELS: `parameters`, `logs`, `exceptions` or `locations`. */
export type Channel = keyof typeof CHANNEL_DEFINITIONS;

/**
 * The channels a job's outbound data goes through, each with its own rules in a policy.
 *
 * @example
 * for (const channel of CHANNELS) console.log(channel); // parameters, logs, exceptions, locations
 */
export const CHANNELS = Object.freeze(Object.keys(CHANNEL_DEFINITIONS) as Channel[]);

/** The policy section (`channels.<name>`) a channel reads. */
export type ChannelSection<K extends Channel> = (typeof CHANNEL_DEFINITIONS)[K] extends ChannelDefinition<infer S, infer _P> ? S : never;
