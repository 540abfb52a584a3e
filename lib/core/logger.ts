/**
 * The logger a flow and its tasks get (`ctx.logger`): winston's levels and call shapes, without winston,
 * so that the execution core needs no logging library. Each record goes to the local sinks whole (the
 * console by default, or any winston transport: they are called as winston calls them) and to the run's
 * log shipper, which hands it to the gate (scrubbed there) unless it says `ship: false`.
 */
import { inspect } from 'node:util';

/**
 * The levels, most severe first (winston's npm levels).
 *
 * @example LOG_LEVELS.indexOf('warn') < LOG_LEVELS.indexOf('info') // true
 */
export const LOG_LEVELS = ['error', 'warn', 'info', 'http', 'verbose', 'debug', 'silly'] as const;
export type LogLevelName = (typeof LOG_LEVELS)[number];

const SEVERITY: Readonly<Record<string, number>> = Object.fromEntries(LOG_LEVELS.map((l, i) => [l, i]));
const LEVEL = Symbol.for('level');
const MESSAGE = Symbol.for('message');

/** A record as winston transports take it: `level`, `message`, the metadata, and the formatted line under Symbol.for('message'). */
export type LogInfo = Record<string | symbol, unknown> & { level: string; message: unknown };

/**
 * Where local records go: a winston transport (`new winston.transports.File({...})`) or anything with its
 * `log(info, next)`, an optional `level`, and an optional winston `format`.
 */
export interface LocalLogSink {
  log?(info: LogInfo, next: () => void): unknown;
  level?: string;
  /** A winston transport made with `silent: true` gets nothing. */
  silent?: boolean;
  format?: { transform(info: LogInfo, options?: unknown): LogInfo | boolean; options?: unknown };
}

/**
 * A task's logger: `logger.info('text', { meta })`, `logger.log('warn', 'text')`, `logger.log({ level, message, ... })`.
 *
 * @example ctx.logger.info(`pulling rows for ${input.day}`, { rows: 120 });
 */
export interface TaskLogger {
  error(message: unknown, meta?: Record<string, unknown>): void;
  warn(message: unknown, meta?: Record<string, unknown>): void;
  info(message: unknown, meta?: Record<string, unknown>): void;
  http(message: unknown, meta?: Record<string, unknown>): void;
  verbose(message: unknown, meta?: Record<string, unknown>): void;
  debug(message: unknown, meta?: Record<string, unknown>): void;
  silly(message: unknown, meta?: Record<string, unknown>): void;
  log(level: string | LogInfo, message?: unknown, meta?: Record<string, unknown>): void;
  /** A logger whose records also carry `meta` (a task's records carry its run id). */
  child(meta: Record<string | symbol, unknown>): TaskLogger;
}

/**
 * The console sink used when a run names none: one JSON line a record on stderr, from `info` up.
 *
 * @example runFlow(flow, params, { gate, localTransports: [consoleSink('debug')] });
 */
export function consoleSink(level: LogLevelName = 'info'): LocalLogSink {
  return {
    level,
    log(info, next) {
      process.stderr.write(String(info[MESSAGE]) + '\n');
      next();
    },
  };
}

/**
 * A run's logger: every record to each sink at or above its level, and to `ship` (the run's shipper).
 *
 * @example const logger = createTaskLogger([consoleSink()], (info) => shipper.add(info));
 */
export function createTaskLogger(sinks: readonly LocalLogSink[], ship: (info: LogInfo) => void, bound: Record<string | symbol, unknown> = {}): TaskLogger {
  const emit = (info: LogInfo): void => {
    const level = String(info.level);
    info[LEVEL] = level;
    info[MESSAGE] = line(info);
    for (const sink of sinks) {
      if (sink.silent === true) continue;
      if (sink.level !== undefined && (SEVERITY[level] ?? 0) > (SEVERITY[sink.level] ?? LOG_LEVELS.length)) continue;
      const formatted = sink.format === undefined ? { ...info } : sink.format.transform({ ...info }, sink.format.options);
      if (formatted !== false && typeof formatted === 'object') sink.log?.(formatted, () => {});
    }
    ship(info);
  };
  const record = (level: string, message: unknown, meta?: Record<string, unknown>): LogInfo => {
    // winston's `logger.info({ message, ...meta })` form, and an Error as the message.
    if (message instanceof Error) return { ...bound, ...meta, level, message: message.message, stack: message.stack };
    if (typeof message === 'object' && message !== null && meta === undefined && 'message' in message) return { ...bound, ...(message as Record<string, unknown>), level } as LogInfo;
    return { ...bound, ...meta, level, message };
  };
  const at = (level: LogLevelName) => (message: unknown, meta?: Record<string, unknown>) => emit(record(level, message, meta));
  return {
    error: at('error'),
    warn: at('warn'),
    info: at('info'),
    http: at('http'),
    verbose: at('verbose'),
    debug: at('debug'),
    silly: at('silly'),
    log(level, message, meta) {
      emit(typeof level === 'object' ? ({ ...bound, ...level } as LogInfo) : record(level, message, meta));
    },
    child(meta) {
      return createTaskLogger(sinks, ship, { ...bound, ...meta });
    },
  };
}

/** The JSON line local sinks write (winston's default `json` format): level, message, then the metadata. */
function line(info: LogInfo): string {
  const { level, message, ...meta } = info;
  try {
    return JSON.stringify({ level, message, ...meta });
  } catch {
    return inspect({ level, message, ...meta }, { depth: 4, breakLength: Infinity, getters: false });
  }
}
