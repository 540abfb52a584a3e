/**
 * No leak through the OpenTelemetry door, by property (fast-check): spans with planted secrets in their
 * name, attributes (values, arrays, values under secret-named keys), events, recorded exceptions, status
 * message and link attributes; log records with planted secrets in string and structured bodies and
 * attributes. Each case goes through the real SDK into an in-memory exporter, and into a real ledger,
 * whose files are searched at the end. A failure names the detector and encoding, never the value.
 *
 * EGRESS_GUARD_DOOR_PROPERTY_RUNS sets the number of cases per property (default 150).
 */
import { SpanStatusCode } from '@opentelemetry/api';
import { SeverityNumber } from '@opentelemetry/api-logs';
import { InMemoryLogRecordExporter, LoggerProvider, SimpleLogRecordProcessor, type ReadableLogRecord } from '@opentelemetry/sdk-logs';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { assert } from 'chai';
import fc from 'fast-check';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ledger } from '../../lib/audit/ledger.ts';
import { GuardLogRecordProcessor, GuardSpanProcessor } from '../../lib/otel/index.ts';
import { engineFor } from '../../lib/policy/create.ts';
import { arbitraries, innocentOf, noLeak, pooledLeaks, params, type Planted } from '../helpers/door-plants.ts';

describe('otel: no planted secret leaves through the door, by property', function () {
  this.timeout(300_000);
  const engine = engineFor('builtin:default');
  const a = arbitraries(engine);
  const dir = mkdtempSync(join(tmpdir(), 'eg-otel-property-'));
  const ledger = Ledger.open({ dir });
  const spans = new InMemorySpanExporter();
  const tracer = new BasicTracerProvider({ spanProcessors: [new GuardSpanProcessor(new SimpleSpanProcessor(spans), { policy: engine, ledger })] }).getTracer('property');
  const records = new InMemoryLogRecordExporter();
  const logger = new LoggerProvider({ processors: [new GuardLogRecordProcessor(new SimpleLogRecordProcessor({ exporter: records }), { policy: engine, ledger })] }).getLogger('property');
  /** Every case's plants, for the search of the ledger's files at the end. */
  const all: Planted[] = [];
  /** Every case's innocent text, for the same. */
  const innocents: string[] = [];

  const spanContent = (s: ReadableSpan) => JSON.stringify({ name: s.name, attributes: s.attributes, events: s.events, links: s.links, status: s.status });
  const recordContent = (r: ReadableLogRecord) => JSON.stringify({ body: r.body, attributes: r.attributes, eventName: r.eventName });

  it('spans: name, attributes, events, exceptions, status and links', () => {
    fc.assert(
      fc.property(a.text, a.attributes, a.text, a.attributes, a.text, a.text, a.attributes, (name, attributes, eventName, eventAttributes, error, status, linkAttributes) => {
        const planted = [name, attributes, eventName, eventAttributes, error, status, linkAttributes].flatMap((c) => c.planted);
        spans.reset();
        const linked = tracer.startSpan('linked');
        linked.end();
        const span = tracer.startSpan(name.value, { attributes: attributes.value as never, links: [{ context: linked.spanContext(), attributes: linkAttributes.value as never }] });
        span.addEvent(eventName.value, eventAttributes.value as never);
        span.recordException(new Error(error.value));
        span.setStatus({ code: SpanStatusCode.ERROR, message: status.value });
        span.end();
        const out = spans.getFinishedSpans().find((s) => s.spanContext().spanId === span.spanContext().spanId);
        assert.isDefined(out, 'the span was exported');
        const innocent = innocentOf([name.value, attributes.value, eventName.value, eventAttributes.value, error.value, status.value, linkAttributes.value], planted);
        noLeak(spanContent(out!), planted, 'the span door', innocent);
        all.push(...planted);
        innocents.push(innocent);
      }),
      params(),
    );
  });

  it('log records: string and structured bodies, attributes', () => {
    fc.assert(
      fc.property(fc.oneof(a.text, a.tree), a.attributes, (body, attributes) => {
        const planted = [...body.planted, ...attributes.planted];
        records.reset();
        logger.emit({ severityNumber: SeverityNumber.WARN, body: body.value as never, attributes: attributes.value as never });
        const out = records.getFinishedLogRecords();
        assert.lengthOf(out, 1, 'the record was exported');
        const innocent = innocentOf([body.value, attributes.value], planted);
        noLeak(recordContent(out[0]!), planted, 'the log record door', innocent);
        all.push(...planted);
        innocents.push(innocent);
      }),
      params(),
    );
  });

  it('none of it reached the ledger (real files)', async () => {
    await ledger.close();
    const files = readdirSync(dir).map((f) => readFileSync(join(dir, f), 'utf8')).join('\n');
    assert.isAbove(files.length, 10_000);
    const leaked = pooledLeaks(files, all, innocents.join('\n'));
    assert.deepEqual(leaked, [], 'planted secrets found in the ledger');
  });
});
