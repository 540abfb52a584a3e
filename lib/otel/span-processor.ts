/**
 * GuardSpanProcessor: egress-guard in front of any OpenTelemetry SpanProcessor (a SimpleSpanProcessor or
 * a BatchSpanProcessor and its exporter). When a span ends, the inner processor, and so the exporter,
 * gets a scrubbed view of it; the span itself, and every other processor's copy, stays as it was, so a
 * local console or file exporter keeps full detail. Spans that start are passed on as they are: enriching
 * processors keep working, and nothing is exported at start.
 */
import type { Context } from '@opentelemetry/api';
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { Engine } from '../policy/engine.ts';
import { awaitExport } from './acks.ts';
import type { DoorAudit } from '../integrations/audit.ts';
import { doorSetup, type DoorOptions } from '../integrations/options.ts';
import { guardSpan } from './span.ts';

/** What GuardSpanProcessor takes: the policy, the engine's options, and the ledger. */
export type GuardSpanProcessorOptions = DoorOptions;

/** W3C trace flags: the span was sampled, so exporting processors export it. */
const SAMPLED = 1;

/**
 * Wraps a SpanProcessor so that what it exports went through a policy (default `builtin:default`).
 *
 * With a `ledger`, each sampled span handed on is recorded (an intent, channel `parameters`, kind `span`,
 * run = trace id); wrap the exporter with `ackExports()` to record the ack when the exporter reports the
 * batch exported.
 *
 * @example
 * const provider = new BasicTracerProvider({
 *   spanProcessors: [new GuardSpanProcessor(new BatchSpanProcessor(new OTLPTraceExporter()), { policy: 'builtin:default' })],
 * });
 */
export class GuardSpanProcessor implements SpanProcessor {
  /** The compiled policy this processor applies. */
  readonly engine: Engine;
  private readonly audit: DoorAudit | undefined;
  private readonly onError: ((error: unknown) => void) | undefined;
  private closed = false;

  constructor(private readonly inner: SpanProcessor, options: GuardSpanProcessorOptions = {}) {
    ({ engine: this.engine, audit: this.audit } = doorSetup(options, 'otel'));
    this.onError = options.onError === undefined ? undefined : (err) => options.onError!(err, 'parameters');
  }

  onStart(span: Span, parentContext: Context): void {
    this.inner.onStart(span, parentContext);
  }

  onEnding(span: Span): void {
    this.inner.onEnding?.(span);
  }

  onEnd(span: ReadableSpan): void {
    const guarded = guardSpan(this.engine, span, this.onError);
    // The SDK's processors export sampled spans only, and nothing once shut down: only those leave.
    if (this.audit !== undefined && !this.closed && (span.spanContext().traceFlags & SAMPLED) === SAMPLED) {
      const context = span.spanContext();
      const receipt = this.audit.intent({ kind: 'span', channel: 'parameters', flowRunId: context.traceId, taskRunId: context.spanId, findings: guarded.findings, payload: guarded.payload });
      awaitExport(guarded.span, this.audit, receipt);
    }
    this.inner.onEnd(guarded.span);
  }

  async forceFlush(): Promise<void> {
    await this.inner.forceFlush();
    await this.audit?.settled();
  }

  async shutdown(): Promise<void> {
    this.closed = true;
    await this.inner.shutdown();
    await this.audit?.settled();
  }
}
