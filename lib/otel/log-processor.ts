/**
 * GuardLogRecordProcessor: egress-guard in front of any OpenTelemetry LogRecordProcessor. It passes on
 * only what the policy ships (its logs `ship` and minimum `level`, EGRESS_GUARD_SHIP_LOGS), each record as
 * a scrubbed view; a record a drop rule removes is not passed on, and summaries count the dropped ones.
 * The record itself, and every other processor's copy, stays as it was.
 */
import type { Context } from '@opentelemetry/api';
import type { LogRecordProcessor } from '@opentelemetry/sdk-logs';
import { levelShipped, logsShipped } from '../channels/logs.ts';
import type { Engine } from '../policy/engine.ts';
import { awaitExport } from './acks.ts';
import type { DoorAudit } from '../integrations/audit.ts';
import { LogDrops } from './drop-summary.ts';
import { guardLogRecord, type ReadWriteLogRecord } from './log-record.ts';
import { doorSetup, type DoorOptions } from '../integrations/options.ts';
import { npmLevel } from '../integrations/severity.ts';

/** What GuardLogRecordProcessor takes: the policy, the engine's options, the ledger, and how drops are summarized. */
export interface GuardLogRecordProcessorOptions extends DoorOptions {
  /**
   * How often a drop rule's summary record goes out (ms, default 60 000): the first record a rule drops
   * at a severity is replaced by a summary, then one summary per interval counts the rest; a flush or
   * shutdown sends what is pending. 0: one summary per dropped record; Infinity: none (see `dropped()`).
   */
  dropSummaryEvery?: number;
  /** The environment read for EGRESS_GUARD_SHIP_LOGS (default: process.env). */
  env?: NodeJS.ProcessEnv;
}

type EnabledOptions = Parameters<NonNullable<LogRecordProcessor['enabled']>>[0];

/**
 * Wraps a LogRecordProcessor so that what it exports went through a policy's logs rules (default
 * `builtin:default`).
 *
 * With a `ledger`, each record handed on is recorded (an intent, channel `logs`, kind `logs`, run = trace
 * id or `otel`); wrap the exporter with `ackExports()` to record the ack when the exporter reports the
 * batch exported.
 *
 * @example
 * const provider = new LoggerProvider({
 *   processors: [new GuardLogRecordProcessor(new BatchLogRecordProcessor(new OTLPLogExporter()), { policy: 'policy.yaml' })],
 * });
 */
export class GuardLogRecordProcessor implements LogRecordProcessor {
  /** The compiled policy this processor applies. */
  readonly engine: Engine;
  private readonly audit: DoorAudit | undefined;
  private readonly drops: LogDrops;
  private readonly shipping: boolean;
  private readonly onError: ((error: unknown) => void) | undefined;
  private closed = false;

  constructor(private readonly inner: LogRecordProcessor, options: GuardLogRecordProcessorOptions = {}) {
    ({ engine: this.engine, audit: this.audit } = doorSetup(options, 'otel'));
    this.drops = new LogDrops(options.dropSummaryEvery);
    this.shipping = logsShipped(this.engine, options.env ?? process.env);
    this.onError = options.onError === undefined ? undefined : (err) => options.onError!(err, 'logs');
  }

  /** Records each drop rule removed so far. */
  dropped(): Record<string, number> {
    return this.drops.totals();
  }

  onEmit(logRecord: ReadWriteLogRecord, context?: Context): void {
    if (!this.ships(logRecord.severityNumber, logRecord.severityText)) return;
    const guarded = guardLogRecord(this.engine, logRecord, this.onError);
    if ('dropped' in guarded) {
      const summary = this.drops.drop(logRecord, guarded.dropped);
      if (summary !== undefined) this.handOn(summary, [], context);
      return;
    }
    this.handOn(guarded.record, guarded.findings, context, guarded.payload);
  }

  /** Not enabled for what the policy does not ship, so that loggers can skip building such records. */
  enabled(options: EnabledOptions): boolean {
    if (!this.ships(options.severityNumber, undefined)) return false;
    return this.inner.enabled?.(options) ?? true;
  }

  async forceFlush(): Promise<void> {
    this.sendSummaries();
    await this.inner.forceFlush();
    await this.audit?.settled();
  }

  async shutdown(): Promise<void> {
    this.sendSummaries();
    this.closed = true;
    await this.inner.shutdown();
    await this.audit?.settled();
  }

  private ships(severityNumber: number | undefined, severityText: string | undefined): boolean {
    return this.shipping && levelShipped(npmLevel(severityNumber, severityText), this.engine.logs.level);
  }

  /** What was dropped since the last summary still gets counted where the logs go. */
  private sendSummaries(): void {
    if (this.closed) return;
    for (const summary of this.drops.flush()) this.handOn(summary, []);
  }

  private handOn(record: ReadWriteLogRecord, findings: Parameters<DoorAudit['intent']>[0]['findings'], context?: Context, payload?: Record<string, unknown>): void {
    if (this.audit !== undefined && !this.closed) {
      const traceId = record.spanContext?.traceId;
      const receipt = this.audit.intent({
        kind: 'logs',
        channel: 'logs',
        flowRunId: traceId ?? 'otel',
        ...(record.spanContext?.spanId !== undefined && { taskRunId: record.spanContext.spanId }),
        findings,
        payload: payload ?? { time: record.hrTime, ...(record.severityText !== undefined && { severityText: record.severityText }), body: record.body ?? null, attributes: record.attributes },
      });
      awaitExport(record, this.audit, receipt);
    }
    this.inner.onEmit(record, context);
  }
}
