/**
 * GuardSpanProcessor with the real SDK: a BasicTracerProvider whose spans go through the guard into a
 * SimpleSpanProcessor and an InMemorySpanExporter, beside an unguarded local processor. What the guarded
 * exporter holds is checked field by field for the planted secrets; what the local one holds, and the
 * span objects themselves, keep full detail.
 */
import { SpanStatusCode, type Attributes, type Context } from '@opentelemetry/api';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
  type ReadableSpan,
  type Span,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { assert } from 'chai';
import { GuardSpanProcessor, guardSpan } from '../../lib/otel/index.ts';
import { engineFor } from '../../lib/policy/create.ts';
import { BLOCKED_PLACEHOLDER } from '../../lib/policy/engine.ts';
import { assertClean, AWS_KEY, CARD, EMAIL, GHP } from '../helpers/door-secrets.ts';

function setup(options: ConstructorParameters<typeof GuardSpanProcessor>[1] = {}) {
  const exporter = new InMemorySpanExporter();
  const local = new InMemorySpanExporter();
  const guard = new GuardSpanProcessor(new SimpleSpanProcessor(exporter), options);
  const provider = new BasicTracerProvider({ spanProcessors: [guard, new SimpleSpanProcessor(local)] });
  return { exporter, local, guard, provider, tracer: provider.getTracer('egress-guard-test') };
}

/** Everything an exporter can read of a span that carries content. */
function contentOf(span: ReadableSpan): string {
  return JSON.stringify({ name: span.name, attributes: span.attributes, events: span.events, links: span.links, status: span.status });
}

describe('otel: GuardSpanProcessor with the real SDK', () => {
  it('scrubs the span name, attributes, events, exception, status and links; innocent content is kept', async () => {
    const { exporter, local, provider, tracer } = setup();
    const linked = tracer.startSpan('upstream');
    linked.end();
    const span = tracer.startSpan(`deploy with ${GHP}`, {
      links: [{ context: linked.spanContext(), attributes: { 'peer.note': `mailed ${EMAIL}`, 'peer.service': 'billing' } }],
      attributes: {
        'url.full': `https://api.example.test/v1/orders?token=${GHP}&page=2`,
        'http.url': `https://api.example.test/v1/orders?email=${encodeURIComponent(EMAIL)}`,
        'url.query': `api_key=${AWS_KEY}&sort=asc`,
        'db.statement': `SELECT * FROM payments WHERE email = '${EMAIL}' AND card = '${CARD}'`,
        'http.request.header.authorization': `Bearer ${GHP}`,
        'cloud.credentials': AWS_KEY,
        'customer.emails': [EMAIL, 'orders@shop.test'],
        'order.id': 'order-1001',
        'http.response.status_code': 200,
        'order.paid': true,
      },
    });
    span.addEvent(`notified ${EMAIL}`, { 'card.used': CARD, 'retry.count': 2 });
    span.recordException(new Error(`auth failed for ${GHP} (card ${CARD})`));
    span.setStatus({ code: SpanStatusCode.ERROR, message: `charge failed for ${EMAIL}` });
    span.end();
    await provider.forceFlush();

    const out = exporter.getFinishedSpans().find((s) => s.name.startsWith('deploy'))!;
    assertClean(out.name, 'span name');
    assertClean(JSON.stringify(out.attributes), 'span attributes');
    assertClean(JSON.stringify(out.events.map((e) => e.name)), 'event names');
    assertClean(JSON.stringify(out.events.map((e) => e.attributes)), 'event attributes');
    assertClean(String(out.status.message), 'status message');
    assertClean(JSON.stringify(out.links), 'link attributes');
    assertClean(contentOf(out), 'the exported span');

    assert.equal(out.name, 'deploy with [REDACTED]');
    assert.deepInclude(out.attributes, {
      'url.full': 'https://api.example.test/v1/orders?token=[REDACTED]&page=2',
      'url.query': 'api_key=[REDACTED]&sort=asc',
      'order.id': 'order-1001',
      'http.response.status_code': 200,
      'order.paid': true,
    });
    assert.match(String(out.attributes['db.statement']), /^SELECT \* FROM payments WHERE email = '\*+\.com' AND card = '\*+1111'$/);
    assert.notProperty(out.attributes, 'http.request.header.authorization', 'a secret-named attribute key loses its value');
    assert.notProperty(out.attributes, 'cloud.credentials');
    const emails = out.attributes['customer.emails'] as string[];
    assert.lengthOf(emails, 2, 'arrays are walked, element by element');
    assert.match(emails[0]!, /^\*+\.com$/);
    assert.deepEqual(out.events[0]!.attributes!['retry.count'], 2);
    assert.match(out.events[0]!.name, /^notified \*+\.com$/);

    const exception = out.events.find((e) => e.name === 'exception')!;
    assert.equal(exception.attributes!['exception.type'], 'Error');
    assert.equal(exception.attributes!['exception.message'], 'auth failed for [REDACTED] (card ***************1111)');
    const stack = String(exception.attributes!['exception.stacktrace']);
    assert.match(stack, /^Error: auth failed for \[REDACTED\] \(card \*+1111\)\n {4}at /);
    assert.isFalse(stack.includes(`${process.cwd()}/`), 'frame paths are relative to the project');
    assert.include(stack, 'test/otel/spans.test.ts', 'frames keep their relative path');

    assert.equal(out.status.code, SpanStatusCode.ERROR);
    assert.match(String(out.status.message), /^charge failed for \*+\.com$/);
    assert.equal(out.links[0]!.attributes!['peer.service'], 'billing');
    assert.equal(out.links[0]!.context.spanId, linked.spanContext().spanId);

    // Ids, times, kind, resource and scope are the span's own.
    const raw = local.getFinishedSpans().find((s) => s.name.startsWith('deploy'))!;
    assert.deepEqual(out.spanContext(), raw.spanContext());
    assert.deepEqual([out.startTime, out.endTime, out.duration, out.kind, out.ended], [raw.startTime, raw.endTime, raw.duration, raw.kind, raw.ended]);
    assert.strictEqual(out.resource, raw.resource);
    assert.strictEqual(out.instrumentationScope, raw.instrumentationScope);
  });

  it('never modifies the span: the local processor and the span object keep full detail', async () => {
    const { exporter, local, provider, tracer } = setup();
    const attributes: Attributes = { 'db.statement': `SELECT 1 -- ${EMAIL}`, token: GHP };
    const before = structuredClone(attributes);
    const span = tracer.startSpan(`job ${GHP}`, { attributes });
    span.addEvent('note', { email: EMAIL });
    span.end();
    await provider.forceFlush();
    assert.deepEqual(attributes, before, "the caller's attributes object");
    const raw = local.getFinishedSpans()[0]!;
    assert.strictEqual(raw, span as unknown as ReadableSpan, 'the local processor got the span itself');
    assert.equal(raw.name, `job ${GHP}`);
    assert.equal(raw.attributes.token, GHP);
    assert.equal(raw.events[0]!.attributes!.email, EMAIL);
    const out = exporter.getFinishedSpans()[0]!;
    assert.notStrictEqual(out, raw);
    assertClean(contentOf(out), 'the exported span');
    // A view delegates to the span for what it does not copy, and spreads like a span.
    assert.strictEqual(Object.getPrototypeOf(out), raw);
    assert.equal({ ...out }.name, 'job [REDACTED]');
  });

  it('passes start, ending, forceFlush and shutdown through to the inner processor', async () => {
    const calls: string[] = [];
    const inner: SpanProcessor = {
      onStart: (_span: Span, _ctx: Context) => void calls.push('start'),
      onEnding: () => void calls.push('ending'),
      onEnd: (span: ReadableSpan) => void calls.push(`end:${span.name}`),
      forceFlush: async () => void calls.push('flush'),
      shutdown: async () => void calls.push('shutdown'),
    };
    const provider = new BasicTracerProvider({ spanProcessors: [new GuardSpanProcessor(inner)] });
    provider.getTracer('t').startSpan(`s ${GHP}`).end();
    await provider.forceFlush();
    await provider.shutdown();
    assert.deepEqual(calls, ['start', 'ending', 'end:s [REDACTED]', 'flush', 'shutdown']);
  });

  it('follows the policy: type-only exceptions, no stacks, frame limits, removed paths', async () => {
    const policy = {
      name: 'otel-test',
      version: 1,
      extends: ['builtin:default'],
      channels: { exceptions: { message: 'type-only' as const, stack: { ship: false } } },
    };
    const { exporter, provider, tracer } = setup({ policy });
    const span = tracer.startSpan('work');
    span.recordException(Object.assign(new Error(`customer ${EMAIL} not found`), { name: 'LookupError' }));
    span.setStatus({ code: SpanStatusCode.ERROR, message: `customer ${EMAIL} not found` });
    span.end();
    await provider.forceFlush();
    const out = exporter.getFinishedSpans()[0]!;
    const exception = out.events[0]!.attributes!;
    assert.deepEqual(exception, { 'exception.type': 'LookupError' }, 'type-only: the message and the stack do not go');
    assert.deepEqual(out.status, { code: SpanStatusCode.ERROR }, 'type-only: the status message does not go either');

    const frames = setup({ policy: { name: 'frames', version: 1, extends: ['builtin:default'], channels: { exceptions: { stack: { frames: 1, paths: 'remove' } } } } });
    const s = frames.tracer.startSpan('work');
    const boom = new Error('boom');
    boom.stack = `Error: boom\n    at run (${process.cwd()}/lib/app.js:1:2)\n    at main (/home/alice/tools/cli.js:3:4)\n    at node:internal/main:5:6`;
    s.recordException(boom);
    s.end();
    await frames.provider.forceFlush();
    const stack = String(frames.exporter.getFinishedSpans()[0]!.events[0]!.attributes!['exception.stacktrace']);
    const lines = stack.split('\n');
    assert.equal(lines[0], 'Error: boom');
    assert.deepEqual(lines.slice(1), ['    at run (lib/app.js:1:2)', '    ... 2 more frames'], 'one frame, its path relative to the project');
  });

  it('takes a policy file, builtin:NAME, a policy object or an engine', () => {
    const engine = engineFor('builtin:strict');
    assert.strictEqual(new GuardSpanProcessor(new SimpleSpanProcessor(new InMemorySpanExporter()), { policy: engine }).engine, engine);
    assert.equal(new GuardSpanProcessor(new SimpleSpanProcessor(new InMemorySpanExporter())).engine.identity.name, 'default');
    assert.throws(() => new GuardSpanProcessor(new SimpleSpanProcessor(new InMemorySpanExporter()), { policy: '/nonexistent/policy.yaml' }), /cannot read policy file/);
  });

  it('fails closed: a span its code cannot read goes out as a placeholder with no content', () => {
    const engine = engineFor('builtin:default');
    const errors: unknown[] = [];
    const span = {
      name: `job ${GHP}`,
      get attributes(): Attributes {
        throw new Error('unreadable');
      },
      events: [],
      links: [],
      status: { code: 0 },
      spanContext: () => ({ traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', traceFlags: 1 }),
    } as unknown as ReadableSpan;
    const guarded = guardSpan(engine, span, (err) => errors.push(err));
    assert.equal(guarded.span.name, BLOCKED_PLACEHOLDER);
    assert.deepEqual(guarded.span.attributes, {});
    assert.deepEqual(guarded.findings.map((f) => f.detector), ['policy-error']);
    assert.lengthOf(errors, 1);
    assertClean(JSON.stringify(guarded.payload), 'the payload');
  });
});
