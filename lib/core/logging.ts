/**
 * `ctx.logger`: one winston logger per flow run (task runs get a child of it, whose records carry the task
 * run id). Every record goes, unchanged, to the local transports; a copy of every record not marked
 * `{ ship: false }` is collected for the gate, which scrubs it (logs channel) before anything leaves.
 * Records are shipped in batches of `records` or every `ms` milliseconds, whichever comes first, and the
 * rest when the run ends.
 */
import TransportStream from 'winston-transport';
import winston from 'winston';
import type { Gate, RawLogRecord } from '../egress/gate-api.ts';

export interface LogBatchOptions {
  /** Records per batch (default 100). */
  records?: number;
  /** Longest time a record waits for its batch, in ms (default 1000). */
  ms?: number;
}

/** Marks a task run's records; a symbol, so local formats never print it. */
const TASK_RUN = Symbol('egress-guard.taskRunId');

/** Batches records for the gate. */
export class LogShipper {
  private batch: RawLogRecord[] = [];
  private timer: NodeJS.Timeout | undefined;
  private readonly size: number;
  private readonly ms: number;

  constructor(
    private readonly gate: Gate,
    private readonly flowRunId: string,
    options: LogBatchOptions = {},
  ) {
    this.size = Math.max(1, Math.floor(options.records ?? 100));
    this.ms = Math.max(0, options.ms ?? 1000);
  }

  add(record: RawLogRecord): void {
    this.batch.push(record);
    if (this.batch.length >= this.size) this.flush();
    else if (this.timer === undefined) {
      this.timer = setTimeout(() => this.flush(), this.ms);
      this.timer.unref();
    }
  }

  flush(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.batch.length === 0) return;
    const records = this.batch;
    this.batch = [];
    this.gate.submit({ kind: 'logs', flowRunId: this.flowRunId, records });
  }
}

/**
 * The user's transports are long-lived (one may serve many runs), and winston closes a transport when the
 * first logger it was piped from lets it go. So each one is attached once, to its own long-lived logger
 * (level info, winston's default, for transports without a level of their own), and every run logger
 * forwards its records there.
 */
const sinks = new WeakMap<winston.transport, winston.Logger>();

function sinkFor(transport: winston.transport): winston.Logger {
  let sink = sinks.get(transport);
  if (sink === undefined) {
    sink = winston.createLogger({ level: 'info', format: winston.format((info) => info)(), transports: [transport], exitOnError: false });
    sinks.set(transport, sink);
  }
  return sink;
}

class ForwardTransport extends TransportStream {
  constructor(private readonly targets: winston.Logger[]) {
    super({ level: 'silly' });
  }

  override log(info: unknown, next: () => void): void {
    for (const target of this.targets) target.write(info);
    next();
  }
}

export function defaultLocalTransports(): winston.transport[] {
  return [new winston.transports.Console({ level: 'info', stderrLevels: Object.keys(winston.config.npm.levels) })];
}

export interface RunLogger {
  /** The flow run's logger. */
  logger: winston.Logger;
  /** A task run's logger: a child of the flow run's, its records carry the task run id. */
  forTask(taskRunId: string): winston.Logger;
  /** Waits until every record logged so far went through (bounded) and ships the rest. */
  close(): Promise<void>;
}

export function createRunLogger(opts: { gate: Gate; flowRunId: string; local: winston.transport[]; batch?: LogBatchOptions; now: () => Date }): RunLogger {
  const shipper = new LogShipper(opts.gate, opts.flowRunId, opts.batch);
  // The capture runs in the logger's own format, before any transport, so every record is seen exactly once
  // and untouched by the transports' formats (colorize mutates the level, for example).
  const capture = winston.format((info) => {
    const record = info as Record<string, unknown> & { [TASK_RUN]?: string };
    if (record.ship !== false) {
      const { level, message, [TASK_RUN]: taskRunId } = record;
      // String keys only: winston's own symbols (level, splat, message) are not the user's metadata.
      const meta: Record<string, unknown> = {};
      for (const key of Object.keys(record)) if (key !== 'level' && key !== 'message' && key !== 'ship') meta[key] = record[key];
      shipper.add({
        flowRunId: opts.flowRunId,
        ...(taskRunId !== undefined && { taskRunId }),
        level: String(level),
        time: opts.now().toISOString(),
        message: typeof message === 'string' ? message : (JSON.stringify(message) ?? ''),
        ...(Object.keys(meta).length > 0 && { meta }),
      });
    }
    return info;
  });
  const logger = winston.createLogger({
    level: 'silly',
    format: winston.format.combine(capture(), winston.format.json()),
    transports: [new ForwardTransport(opts.local.map(sinkFor))],
    exitOnError: false,
  });
  return {
    logger,
    forTask: (taskRunId) => logger.child({ [TASK_RUN]: taskRunId }),
    async close() {
      const deadline = Date.now() + 2000;
      while ((logger.writableLength > 0 || logger.readableLength > 0) && Date.now() < deadline) {
        await new Promise((r) => setImmediate(r));
      }
      shipper.flush();
    },
  };
}

let plain: winston.Logger | undefined;

/** The logger of a task called outside a flow run: console on stderr, nothing shipped. */
export function localLogger(): winston.Logger {
  return (plain ??= winston.createLogger({ level: 'info', transports: defaultLocalTransports() }));
}
