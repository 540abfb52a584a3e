/**
 * The OpenTelemetry door's audit: a real ledger, spans and log records through the real SDK. An intent
 * for each item handed on; an ack only when the exporter (wrapped by ackExports) reports the batch
 * exported; nothing for spans that are not sampled; no planted secret in the ledger's files.
 */
import { SeverityNumber } from '@opentelemetry/api-logs';
import { InMemoryLogRecordExporter, LoggerProvider, SimpleLogRecordProcessor } from '@opentelemetry/sdk-logs';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SamplingDecision,
  SimpleSpanProcessor,
  type ReadableSpan,
  type SpanExporter,
} from '@opentelemetry/sdk-trace-base';
import { assert } from 'chai';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ledger } from '../../lib/audit/ledger.ts';
import { readLedger } from '../../lib/audit/verify.ts';
import { ackExports, GuardLogRecordProcessor, GuardSpanProcessor } from '../../lib/otel/index.ts';
import { assertClean, EMAIL, GHP } from '../helpers/door-secrets.ts';

function openLedger(): { dir: string; ledger: Ledger } {
  const dir = mkdtempSync(join(tmpdir(), 'eg-otel-ledger-'));
  return { dir, ledger: Ledger.open({ dir }) };
}

function filesOf(dir: string): string {
  return readdirSync(dir).map((f) => readFileSync(join(dir, f), 'utf8')).join('\n');
}

describe('otel: the audit ledger', () => {
  it('spans: an intent for each sampled span, an ack when the exporter reports it exported', async () => {
    const { dir, ledger } = openLedger();
    const exporter = new InMemorySpanExporter();
    const guard = new GuardSpanProcessor(new SimpleSpanProcessor(ackExports(exporter)), { ledger, destination: 'https://otlp.example.test' });
    const provider = new BasicTracerProvider({ spanProcessors: [guard] });
    const span = provider.getTracer('t').startSpan(`deploy ${GHP}`, { attributes: { 'user.email': EMAIL } });
    span.end();
    await provider.forceFlush();
    await ledger.close();
    const { entries, problems } = readLedger(dir);
    assert.deepEqual(problems, []);
    const intents = entries.filter((e) => e.type === 'intent');
    assert.lengthOf(intents, 1);
    const data = intents[0]!.data as Record<string, unknown>;
    assert.include(data, { kind: 'span', channel: 'parameters', flowRunId: span.spanContext().traceId, taskRunId: span.spanContext().spanId, destination: 'https://otlp.example.test' });
    assert.deepEqual((data.findings as { detector: string; path: string }[]).map((f) => [f.detector, f.path]), [
      ['github-token', 'name'],
      ['email-address', 'attributes["user.email"]'],
    ]);
    assert.equal((data.payload as { name: string }).name, 'deploy [REDACTED]');
    assert.deepEqual(entries.filter((e) => e.type === 'ack').map((e) => e.data.itemId), [data.itemId]);
    assertClean(filesOf(dir), 'the ledger files');
    assert.equal(exporter.getFinishedSpans().length, 1, 'the wrapped exporter still exported');
  });

  it('spans: without ackExports, intents only; a failed export is never acked; unsampled spans are not recorded', async () => {
    const { dir, ledger } = openLedger();
    let fail = false;
    const memory = new InMemorySpanExporter();
    const flaky: SpanExporter = {
      export: (spans: ReadableSpan[], done) => (fail ? done({ code: 1, error: new Error('collector down') }) : memory.export(spans, done)),
      shutdown: () => memory.shutdown(),
    };
    let sampled = true;
    const provider = new BasicTracerProvider({
      sampler: { shouldSample: () => ({ decision: sampled ? SamplingDecision.RECORD_AND_SAMPLED : SamplingDecision.RECORD }), toString: () => 'test' },
      spanProcessors: [
        new GuardSpanProcessor(new SimpleSpanProcessor(ackExports(flaky)), { ledger }),
        new GuardSpanProcessor(new SimpleSpanProcessor(new InMemorySpanExporter()), { ledger }),
      ],
    });
    const tracer = provider.getTracer('t');
    tracer.startSpan('delivered').end(); // acked (first guard), unacked (second guard: no ackExports)
    fail = true;
    tracer.startSpan('lost').end(); // never acked
    sampled = false;
    tracer.startSpan('recorded only').end(); // not exported by the SDK's processors: not recorded
    await provider.forceFlush().catch(() => {});
    await ledger.close();
    const { entries } = readLedger(dir);
    const names = (type: string) => entries.filter((e) => e.type === type).map((e) => (e.data.payload as { name: string } | undefined)?.name ?? String(e.data.itemId));
    assert.deepEqual(names('intent'), ['delivered', 'delivered', 'lost', 'lost']);
    const intentsById = new Map(entries.filter((e) => e.type === 'intent').map((e) => [e.data.itemId, (e.data.payload as { name: string }).name]));
    assert.deepEqual(entries.filter((e) => e.type === 'ack').map((e) => intentsById.get(e.data.itemId)), ['delivered']);
  });

  it('log records: an intent for each record and each drop summary, acks from the exporter', async () => {
    const { dir, ledger } = openLedger();
    const exporter = new InMemoryLogRecordExporter();
    const guard = new GuardLogRecordProcessor(new SimpleLogRecordProcessor({ exporter: ackExports(exporter) }), {
      ledger,
      policy: { name: 'l', version: 1, extends: ['builtin:default'], channels: { logs: { drop: ['^healthcheck'] } } },
    });
    const provider = new LoggerProvider({ processors: [guard] });
    const logger = provider.getLogger('t');
    logger.emit({ severityNumber: SeverityNumber.INFO, body: `token ${GHP}` });
    logger.emit({ severityNumber: SeverityNumber.INFO, body: 'healthcheck ok' });
    logger.emit({ severityNumber: SeverityNumber.DEBUG, body: `debug ${EMAIL}` }); // not shipped: not recorded
    await provider.forceFlush();
    await ledger.close();
    const { entries, problems } = readLedger(dir);
    assert.deepEqual(problems, []);
    const intents = entries.filter((e) => e.type === 'intent');
    assert.deepEqual(intents.map((e) => [e.data.kind, e.data.channel, e.data.flowRunId, (e.data.payload as { body: string }).body]), [
      ['logs', 'logs', 'otel', 'token [REDACTED]'],
      ['logs', 'logs', 'otel', 'egress-guard: 1 record dropped by the rule "^healthcheck"'],
    ]);
    assert.lengthOf(entries.filter((e) => e.type === 'ack'), 2);
    assertClean(filesOf(dir), 'the ledger files');
  });

  it('a ledger that cannot be written does not stop the telemetry: onAuditError hears it', async () => {
    const errors: unknown[] = [];
    const exporter = new InMemorySpanExporter();
    const broken = { intent: () => Promise.reject(new Error('disk full')), ack: () => Promise.resolve() };
    const provider = new BasicTracerProvider({ spanProcessors: [new GuardSpanProcessor(new SimpleSpanProcessor(ackExports(exporter)), { ledger: broken, onAuditError: (e) => errors.push(e) })] });
    provider.getTracer('t').startSpan('work').end();
    await provider.forceFlush();
    assert.lengthOf(exporter.getFinishedSpans(), 1);
    assert.deepEqual(errors.map((e) => (e as Error).message), ['disk full']);
  });
});
