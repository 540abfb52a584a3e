/**
 * egress-guard for apps that log with winston: a format that applies a policy's logs-channel rules to each
 * record, and a transport wrapper that puts it in front of the transports that ship logs off the machine,
 * so local transports keep full detail. Records are copied, never modified.
 */
import { randomUUID } from 'node:crypto';
import TransportStream from 'winston-transport';
import { format, type Logform } from 'winston';
import { levelShipped, logsShipped } from '../channels/logs.ts';
import type { AuditHook } from '../egress/gate.ts';
import { canonicalJson, sha256Hex } from '../crypto/canonical.ts';
import { DEFAULT_POLICY, engineFor, type PolicyArgument } from '../policy/create.ts';
import type { Engine, EngineOptions } from '../policy/engine.ts';
import { DropCounter } from './drops.ts';
import { guardRecord, LEVEL, type Info } from './record.ts';

export { engineFor, type PolicyArgument } from '../policy/create.ts';
export { guardRecord, type GuardedRecord } from './record.ts';
export { DEFAULT_DROP_SUMMARY_MS, type DropSummary } from './drops.ts';

/** The options of `guardFormat` (and `guardTransport`): the engine's, plus where relative policies resolve and how often drop summaries go out. */
export interface GuardOptions extends EngineOptions {
  /** Relative policy files are resolved against this directory (default: the working directory). */
  cwd?: string;
  /**
   * How often a drop rule's summary record goes out (ms, default 60 000): the first record a rule drops
   * at a level is replaced by a summary, then one summary per interval counts the rest. 0: one summary per
   * dropped record; Infinity: none (the counts stay available from `dropped()`).
   */
  dropSummaryEvery?: number;
}

/** A winston format, plus the number of records each drop rule removed so far. */
export type GuardFormat = Logform.Format & { dropped(): Record<string, number> };


/**
 * A winston format applying a policy's logs-channel rules (default `builtin:default`) to every record:
 * scrubbed copies (the caller's objects are never modified), drop rules replaced by summaries. It does not
 * apply `ship` or `level`: put it in front of the transports that leave with `guardTransport` for that.
 *
 * @example
 * const guard = guardFormat({ name: 'app', version: 1, extends: ['builtin:default'], channels: { logs: { drop: ['^GET /health '] } } });
 * const logger = winston.createLogger({ format: winston.format.combine(winston.format.timestamp(), guard, winston.format.json()), transports });
 * guard.dropped(); // { '^GET /health ': 4 }
 */
export function guardFormat(policy: PolicyArgument = DEFAULT_POLICY, options: GuardOptions = {}): GuardFormat {
  return makeGuard(engineFor(policy, options), new DropCounter(options.dropSummaryEvery));
}

function makeGuard(engine: Engine, drops: DropCounter, onRecord?: (record: Info, findings: GuardedFindings) => void): GuardFormat {
  const guard = format((info) => {
    const out = guardRecord(info as Info, engine);
    if ('dropped' in out) {
      const summary = drops.drop(info as Info, out.dropped);
      if (summary === undefined) return false;
      onRecord?.(summary, []);
      return summary;
    }
    onRecord?.(out.record, out.findings);
    return out.record;
  })() as GuardFormat;
  guard.dropped = () => drops.totals();
  return guard;
}

/** Carries a record's ledger item id from the guard to the transport (formats copy symbol keys along). */
const ITEM_ID = Symbol('egress-guard ledger item');

type GuardedFindings = Extract<ReturnType<typeof guardRecord>, { record: unknown }>['findings'];

/** The options of `guardTransport`: the policy (or a compiled engine), the format's options, and the audit. */
export interface GuardTransportOptions extends GuardOptions {
  /** A policy file, `builtin:NAME`, a policy object or a compiled engine (default `builtin:default`). */
  policy?: PolicyArgument;
  /** A compiled engine to use instead of `policy`. */
  engine?: Engine;
  /** Records every record that leaves in this audit ledger (channel `logs`): intent, then ack. */
  ledger?: AuditHook;
  /** Where the transport sends to, for the ledger (a URL, a service name). */
  destination?: string;
}

/**
 * Wraps an outbound transport (HTTP, a log service) so that it receives scrubbed records only, and only
 * those the policy ships (its `ship` and minimum `level`, a record's own `ship: false`). The wrapped
 * transport's own level and format still apply, after the guard. On close, summaries of records dropped
 * since the last summary go out.
 *
 * @example
 * const shipped = guardTransport(new winston.transports.Http({ host: 'logs.example.com' }), { policy: 'builtin:default' });
 * const logger = winston.createLogger({ transports: [new winston.transports.File({ filename: 'app.log' }), shipped] });
 * // app.log keeps full detail; logs.example.com receives scrubbed records, only those the policy ships
 */
export function guardTransport(transport: TransportStream, options: GuardTransportOptions = {}): TransportStream {
  const engine = options.engine ?? engineFor(options.policy, options);
  const { ledger } = options;
  const drops = new DropCounter(options.dropSummaryEvery);
  const record = (out: Info, findings: GuardedFindings) => {
    if (ledger === undefined) return;
    const payload = { ...out } as Record<string, unknown>;
    const json = canonicalJson(payload);
    const itemId = randomUUID();
    void Promise.resolve(ledger.intent({
      itemId,
      kind: 'logs',
      channel: 'logs',
      flowRunId: 'winston',
      time: new Date().toISOString(),
      policy: engine.identity,
      ...(options.destination !== undefined && { destination: options.destination }),
      findings,
      payloadSha256: sha256Hex(json),
      bytes: Buffer.byteLength(json),
      payload,
    })).catch(auditFailed);
    out[ITEM_ID] = itemId;
  };
  const shipping = logsShipped(engine, process.env);
  const shipped = format((info) => shipping && info.ship !== false && levelShipped(String((info as Info)[LEVEL] ?? info.level), engine.logs.level) && info)();
  const guard = makeGuard(engine, drops, record);
  const inner = transport as TransportStream & { log?: (info: unknown, next: () => void) => void };
  const wrapper = new TransportStream({
    format: format.combine(shipped, guard, ...(inner.format !== undefined ? [inner.format] : [])),
    ...(inner.level !== undefined && { level: inner.level }),
    ...(inner.handleExceptions !== undefined && { handleExceptions: inner.handleExceptions }),
  });
  // A ledger that cannot be written (a full disk) must not crash the app that logs: the transport says so.
  function auditFailed(err: unknown): void {
    wrapper.emit('warn', err);
  }
  const deliver = (info: Info, next: () => void) => {
    const itemId = info[ITEM_ID];
    const done = () => {
      if (typeof itemId === 'string' && ledger !== undefined) void Promise.resolve(ledger.ack(itemId)).catch(auditFailed);
      next();
    };
    if (typeof inner.log === 'function') inner.log(info, done);
    else done();
  };
  Object.assign(wrapper, {
    log: deliver,
    close() {
      // What was dropped since the last summary still gets counted where the logs go.
      for (const summary of drops.flush()) {
        record(summary, []);
        const out = inner.format === undefined ? summary : inner.format.transform(summary, inner.format.options);
        if (typeof out === 'object') deliver(out as Info, () => {});
      }
      (inner as { close?: () => void }).close?.();
    },
  });
  return wrapper;
}
