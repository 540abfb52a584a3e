/**
 * The policy's minimum log level (named after winston's npm levels, as everywhere in the policy) against
 * pino's numeric levels, for the transport that ships records off the machine.
 */
import { levelShipped } from '../channels/logs.ts';
import type { LogLevel } from '../policy/types.ts';

/** pino's level labels and their numbers (trace 10 ... fatal 60). */
const PINO_LEVELS: Record<string, number> = { trace: 10, debug: 20, info: 30, warn: 40, error: 50, fatal: 60 };

/**
 * The lowest pino level each policy minimum ships. pino has no `http` or `verbose`: `http` ships what
 * `info` ships, and `verbose` ships the custom levels between debug and info but not debug itself.
 */
const MINIMUM: Record<LogLevel, number> = { error: 50, warn: 40, info: 30, http: 30, verbose: 21, debug: 20, silly: 10 };

/**
 * Whether a record at `level` (pino's number, or a label when `formatters.level` writes one) ships under
 * the policy's minimum. A label pino does not know (a custom level's name) is not filtered: its content is
 * still scrubbed.
 *
 * @example
 * pinoLevelShipped(20, 'info'); // false: debug stays local
 * pinoLevelShipped('warn', 'info'); // true
 */
export function pinoLevelShipped(level: unknown, minimum: LogLevel | undefined): boolean {
  if (minimum === undefined) return true;
  if (typeof level === 'number') return level >= MINIMUM[minimum];
  if (typeof level !== 'string') return true;
  const number = PINO_LEVELS[level];
  return number === undefined ? levelShipped(level, minimum) : number >= MINIMUM[minimum];
}
