/**
 * The Sentry door with the real @sentry/node: `Sentry.init` with a DSN pointing at a real HTTP server on
 * 127.0.0.1, the guard's callbacks set, an exception, a message, a transaction and streamed spans
 * captured; what is checked is the envelope the server received (gzip or plain), field by field: every
 * planted secret gone, innocent content kept. The SDK's default integrations are off (no
 * instrumentation of this process); the client is closed after each session.
 */
import * as Sentry from '@sentry/node';
import { assert } from 'chai';
import { guardSentry, guardSentryBreadcrumb, guardSentryEvent } from '../../lib/sentry/index.ts';
import { assertClean, AWS_KEY, CARD, EMAIL, GHP } from '../helpers/door-secrets.ts';
import { startSentryServer, type SentryServer } from './server.ts';

const SESSION_COOKIE = 'sess_' + '9f8e7d6c5b4a39281706f5e4d3c2b1a0';

/** The one item of a kind the server received (a test fails here if there is none). */
function first<T>(list: T[], what: string): T {
  assert.isAbove(list.length, 0, `no ${what} arrived`);
  return list[0]!;
}

/** One client from init to close, the scopes' breadcrumbs and user cleared before and after. */
async function session(server: SentryServer, options: Sentry.NodeOptions, run: () => void | Promise<void>, connect?: (client: Sentry.NodeClient | undefined) => void): Promise<void> {
  // Breadcrumbs and the user of an earlier session stay on the scopes: each session starts without them
  // (tags and extras are set in `withScope` only). `setUser(null)` would leave a user whose fields are all
  // set to undefined, hiding the user a later scope sets.
  const reset = () => {
    for (const scope of [Sentry.getGlobalScope(), Sentry.getIsolationScope(), Sentry.getCurrentScope()]) scope.clearBreadcrumbs().setUser({});
  };
  reset();
  const client = Sentry.init({ dsn: server.dsn, defaultIntegrations: false, enableRuntimeChannelInjection: false, ...options });
  connect?.(client);
  try {
    await run();
    assert.isTrue(await Sentry.flush(5000), 'the SDK flushed');
  } finally {
    await Sentry.close(2000);
    reset();
  }
}

/** An error as the SDK's context-lines and local-variables integrations would leave it, and a request as its HTTP integration would. */
function enrich(event: Sentry.Event): Sentry.Event {
  const frames = event.exception?.values?.[0]?.stacktrace?.frames ?? [];
  frames.push(
    { filename: '/home/alice/.npm/_npx/deploy/cli.js', abs_path: '/home/alice/.npm/_npx/deploy/cli.js', function: 'deploy', lineno: 7, colno: 3, in_app: false },
    {
      filename: `${process.cwd()}/lib/payments.js`,
      abs_path: `${process.cwd()}/lib/payments.js`,
      function: 'charge',
      module: 'payments',
      lineno: 42,
      colno: 11,
      in_app: true,
      pre_context: ['async function charge(order) {', `  const token = '${GHP}';`],
      context_line: `  throw new PaymentError(\`payment failed for \${order.email}\`); // ${EMAIL}`,
      post_context: ['}'],
      vars: { order: { id: 'order-1001', email: EMAIL, card: CARD }, token: GHP, amount: 12 },
    },
  );
  return {
    ...event,
    request: {
      url: `https://shop.example.test/checkout?token=${GHP}&step=2`,
      method: 'POST',
      query_string: `token=${GHP}&step=2`,
      headers: { authorization: `Bearer ${GHP}`, 'x-customer-email': EMAIL, 'user-agent': 'curl/8.4.0' },
      cookies: { session: SESSION_COOKIE, theme: 'dark' },
      data: JSON.stringify({ card: CARD, amount: 12, coupon: 'SPRING' }),
    },
  };
}

class PaymentError extends Error {
  override name = 'PaymentError';
}

describe('sentry: the door with the real @sentry/node, checked at the receiving server', function () {
  this.timeout(30_000);
  let server: SentryServer;
  before(async () => {
    server = await startSentryServer();
  });
  after(() => server.close());
  beforeEach(() => {
    server.envelopes.length = 0;
    server.status = 200;
  });

  it('error events: exception, frames, breadcrumbs, request, user, extra, contexts, tags; innocent content kept', async () => {
    const guard = guardSentry({ policy: 'builtin:default' });
    await session(server, { ...guard.options }, () => {
      Sentry.withScope((scope) => {
        scope.setUser({ id: 'u-1001', email: EMAIL, ip_address: '203.0.113.9', username: 'alice-1001' });
        scope.setTags({ customer: EMAIL, region: 'eu-west-1' });
        scope.setExtras({ payment: { card: CARD, note: 'first order' }, aws: AWS_KEY, api_key: 'kf83jf02ndk3lsp2' });
        scope.setContext('deploy', { token: GHP, version: '1.2.3' });
        scope.addBreadcrumb({ category: 'http', message: `GET /orders?token=${GHP}`, data: { url: `https://api.example.test/orders?token=${GHP}&page=2`, status_code: 200 } });
        scope.addBreadcrumb({ category: 'console', message: `charging ${CARD}` });
        scope.addEventProcessor(enrich);
        Sentry.captureException(new PaymentError(`payment failed for ${EMAIL} with ${GHP}`), { mechanism: { type: 'generic', handled: true, data: { token: GHP, attempt: 2 } } } as never);
      });
    }, (client) => guard.connect(client));

    const { envelope, item } = first(server.items('event'), 'event');
    assert.include(['gzip', 'plain'], envelope.encoding);
    assert.match(envelope.path, /^\/api\/4242\/envelope\//);
    assertClean(envelope.raw, 'the envelope');
    const event = item.payload as Sentry.Event;

    const exception = event.exception!.values![0]!;
    assertClean(JSON.stringify([exception.type, exception.value]), 'exception type and value');
    assert.equal(exception.type, 'PaymentError');
    assert.match(String(exception.value), /^payment failed for \*+\.com with \[REDACTED\]$/);
    const frames = exception.stacktrace!.frames!;
    assertClean(JSON.stringify(frames), 'stack frames');
    const charge = frames.find((f) => f.function === 'charge')!;
    assert.equal(charge.filename, 'lib/payments.js', 'project paths relative, as the exceptions rules make them');
    assert.equal(charge.abs_path, 'lib/payments.js');
    assert.deepEqual([charge.lineno, charge.colno, charge.in_app, charge.module], [42, 11, true, 'payments']);
    assert.deepEqual(charge.pre_context, ['async function charge(order) {', "  const token = '[REDACTED]';"]);
    assert.match(String(charge.context_line), /^ {2}throw new PaymentError\(`payment failed for \$\{order\.email\}`\); \/\/ \*+\.com$/);
    assert.deepEqual(charge.vars, { order: { id: 'order-1001', email: '*******************.com', card: '***************1111' }, amount: 12 }, 'vars under the parameters rules');
    const cli = frames.find((f) => f.function === 'deploy')!;
    assert.equal(cli.abs_path, '~/.npm/_npx/deploy/cli.js', 'home directories hidden');
    assert.isFalse(JSON.stringify(frames).includes(`${process.cwd()}/`), 'no absolute project path');
    assert.deepEqual((exception.mechanism as { data?: unknown }).data, { attempt: 2 });

    assertClean(JSON.stringify(event.breadcrumbs), 'breadcrumbs');
    assert.deepEqual(event.breadcrumbs!.map((b) => [b.category, b.message]), [
      ['http', 'GET /orders?token=[REDACTED]'],
      ['console', 'charging ***************1111'],
    ]);
    assert.deepEqual(event.breadcrumbs![0]!.data, { url: 'https://api.example.test/orders?token=[REDACTED]&page=2', status_code: 200 });

    const request = event.request!;
    assertClean(JSON.stringify(request), 'request');
    assert.isFalse(JSON.stringify(request).includes(SESSION_COOKIE), 'session cookie leaked in request');
    assert.equal(request.url, 'https://shop.example.test/checkout?token=[REDACTED]&step=2');
    assert.equal(request.query_string, 'token=[REDACTED]&step=2');
    assert.equal(request.method, 'POST');
    assert.deepEqual(request.headers, { 'x-customer-email': '*******************.com', 'user-agent': 'curl/8.4.0' });
    assert.deepEqual(request.cookies, {}, 'cookies: a secret-named key, every value removed');
    assert.deepEqual(JSON.parse(String(request.data)), { card: '***************1111', amount: 12, coupon: 'SPRING' });

    assertClean(JSON.stringify([event.user, event.extra, event.contexts, event.tags]), 'user, extra, contexts, tags');
    assert.deepEqual(event.user, { id: 'u-1001', email: '*******************.com', ip_address: '*********.9', username: 'alice-1001' });
    // `aws` and `api_key` name what they hold: both values go, with their keys.
    assert.deepEqual(event.extra, { payment: { card: '***************1111', note: 'first order' } });
    assert.deepEqual(event.contexts!.deploy, { version: '1.2.3' });
    assert.equal(event.contexts!.runtime!.name, 'node');
    assert.deepEqual(event.tags, { customer: '*******************.com', region: 'eu-west-1' });
    assert.equal(event.level, 'error');
    assert.equal(event.event_id, envelope.header.event_id);
  });

  it('message events: the message scrubbed; a drop rule that matches it drops the event, exceptions are never dropped', async () => {
    const guard = guardSentryEvent({ policy: { name: 'drops', version: 1, extends: ['builtin:default'], channels: { logs: { drop: ['^GET /health'] } } } });
    await session(server, { beforeSend: guard }, () => {
      Sentry.captureMessage(`order 1001 paid by ${EMAIL} with ${CARD}`);
      Sentry.captureMessage('GET /health 200');
      Sentry.captureException(new Error('GET /health failed'));
    });
    const events = server.items('event').map((e) => e.item.payload as Sentry.Event);
    assertClean(JSON.stringify(server.envelopes.map((e) => e.raw)), 'the envelopes');
    assert.lengthOf(events, 2);
    assert.match(String(events[0]!.message), /^order 1001 paid by \*+\.com with \*+1111$/);
    assert.equal(events[1]!.exception!.values![0]!.value, 'GET /health failed');
    assert.deepEqual(guard.dropped(), { '^GET /health': 1 });
  });

  it('beforeBreadcrumb: message and data scrubbed when recorded; a drop rule removes the breadcrumb', async () => {
    const crumbs = guardSentryBreadcrumb({ policy: { name: 'drops', version: 1, extends: ['builtin:default'], channels: { logs: { drop: ['^poll '] } } } });
    await session(server, { beforeBreadcrumb: crumbs }, () => {
      Sentry.addBreadcrumb({ category: 'auth', message: `login ${EMAIL}`, data: { token: GHP, method: 'oidc' } });
      Sentry.addBreadcrumb({ category: 'poll', message: 'poll queue empty' });
      Sentry.captureMessage('checkout failed');
    });
    const event = server.items('event')[0]!.item.payload as Sentry.Event;
    assertClean(JSON.stringify(event.breadcrumbs), 'breadcrumbs');
    assert.deepEqual(event.breadcrumbs!.map((b) => [b.category, b.message, b.data]), [['auth', 'login *******************.com', { method: 'oidc' }]]);
    assert.deepEqual(crumbs.dropped(), { '^poll ': 1 });
  });

  it('transactions (traceLifecycle: static): name, spans, their data, and the sampling context in the envelope header', async () => {
    const guard = guardSentry({ policy: 'builtin:default', traceLifecycle: 'static' });
    await session(server, { ...guard.options, tracesSampleRate: 1, traceLifecycle: 'static' }, () => {
      Sentry.startSpan({ name: `GET /reset?token=${GHP}`, op: 'http.server', attributes: { 'url.full': `https://shop.example.test/reset?token=${GHP}&lang=en`, 'http.request.method': 'GET' } }, () => {
        Sentry.startSpan({ name: `SELECT * FROM users WHERE email = '${EMAIL}'`, op: 'db', attributes: { 'db.statement': `SELECT * FROM users WHERE email = '${EMAIL}'`, 'db.system': 'postgresql', 'db.password': 'hunter2-but-longer' } }, () => {});
      });
    }, (client) => guard.connect(client));
    const { envelope, item } = first(server.items('transaction'), 'transaction');
    assertClean(envelope.raw, 'the transaction envelope, its header included');
    const event = item.payload as Sentry.Event;
    assert.equal(event.transaction, 'GET /reset?token=[REDACTED]');
    assert.equal((envelope.header.trace as { transaction?: string }).transaction, 'GET /reset?token=[REDACTED]', 'the sampling context in the envelope header');
    const span = event.spans![0]!;
    assert.match(String(span.description), /^SELECT \* FROM users WHERE email = '\*+\.com'$/);
    assert.include(span.data, { 'db.system': 'postgresql' });
    assert.notProperty(span.data, 'db.password');
    assert.equal(span.op, 'db');
    assert.equal((event.contexts!.trace!.data as Record<string, unknown>)['url.full'], 'https://shop.example.test/reset?token=[REDACTED]&lang=en');
  });

  it('streamed spans (the default lifecycle of @sentry/node 11): names, attributes and the envelope header', async () => {
    const guard = guardSentry({ policy: 'builtin:default' });
    await session(server, { ...guard.options, tracesSampleRate: 1 }, () => {
      Sentry.withScope((scope) => {
        scope.setUser({ email: EMAIL, id: 'u-1001' });
        Sentry.startSpan({ name: `GET /reset?token=${GHP}`, attributes: { 'url.full': `https://shop.example.test/reset?token=${GHP}`, 'app.card': CARD } }, () => {
          Sentry.startSpan({ name: 'lookup', attributes: { 'db.statement': `SELECT 1 FROM cards WHERE number = '${CARD}'`, 'db.rows': 1 } }, () => {});
        });
      });
    }, (client) => guard.connect(client));
    const spans = server.items('span');
    assert.isAbove(spans.length, 0, 'span envelopes arrived');
    for (const { envelope } of spans) assertClean(envelope.raw, 'a span envelope, its header included');
    const items = spans.flatMap((s) => (s.item.payload as { items: { name: string; attributes: Record<string, { value: unknown }> }[] }).items);
    const root = items.find((s) => s.name.startsWith('GET'))!;
    assert.equal(root.name, 'GET /reset?token=[REDACTED]');
    assert.equal(root.attributes['url.full']!.value, 'https://shop.example.test/reset?token=[REDACTED]');
    assert.equal(root.attributes['user.id']!.value, 'u-1001');
    const lookup = items.find((s) => s.name === 'lookup')!;
    assert.equal(lookup.attributes['db.rows']!.value, 1);
    assert.equal(lookup.attributes['sentry.segment.name']!.value, 'GET /reset?token=[REDACTED]');
  });

  it('Sentry logs (Sentry.logger): message and attributes scrubbed, below the policy level not sent', async () => {
    const guard = guardSentry({ policy: 'builtin:default' });
    await session(server, { ...guard.options }, () => {
      Sentry.logger.info(`refund to ${CARD} for ${EMAIL}`, { token: GHP, order: 'order-1001' });
      Sentry.logger.info(Sentry.logger.fmt`key ${AWS_KEY} rotated`);
      Sentry.logger.debug(`debug ${EMAIL}`);
    });
    const logs = server.items('log').flatMap((l) => (l.item.payload as { items: { body: string; level: string; attributes: Record<string, { value: unknown }> }[] }).items);
    for (const { envelope } of server.items('log')) assertClean(envelope.raw, 'a log envelope');
    assert.deepEqual(logs.map((l) => l.level), ['info', 'info']);
    assert.match(logs[0]!.body, /^refund to \*+1111 for \*+\.com$/);
    assert.equal(logs[0]!.attributes.order!.value, 'order-1001');
    assert.notProperty(logs[0]!.attributes, 'token');
    assert.equal(logs[1]!.body, 'key [REDACTED] rotated');
  });

  it('a large event goes out gzip-compressed, and is checked all the same', async () => {
    const guard = guardSentryEvent();
    await session(server, { beforeSend: guard }, () => {
      Sentry.withScope((scope) => {
        scope.setExtra('report', `${'quarterly figures, all innocent. '.repeat(1500)} contact ${EMAIL}`);
        Sentry.captureMessage(`report for ${EMAIL}`);
      });
    });
    const { envelope, item } = first(server.items('event'), 'event');
    assert.equal(envelope.encoding, 'gzip');
    assertClean(envelope.raw, 'the gzip envelope');
    assert.include(String((item.payload as Sentry.Event).extra!.report), 'quarterly figures, all innocent.');
  });

  it("returns a new event and never changes the caller's", () => {
    const guard = guardSentryEvent();
    const event = {
      event_id: 'e4f1c2a3b4c5d6e7f8091a2b3c4d5e6f',
      message: `hello ${EMAIL}`,
      exception: { values: [{ type: 'Error', value: `boom ${GHP}`, stacktrace: { frames: [{ filename: `${process.cwd()}/a.js`, vars: { token: GHP } }] } }] },
      extra: { card: CARD },
      breadcrumbs: [{ message: `hi ${EMAIL}`, data: { token: GHP } }],
    };
    const before = structuredClone(event);
    const out = guard(event)!;
    assert.deepEqual(event, before);
    assert.notStrictEqual(out, event);
    assertClean(JSON.stringify(out), 'the returned event');
    assert.equal(out.event_id, event.event_id);
  });

  it('follows the policy: type-only exceptions, no stacks, frame limits', async () => {
    const typeOnly = guardSentryEvent({ policy: { name: 't', version: 1, extends: ['builtin:default'], channels: { exceptions: { message: 'type-only', stack: { ship: false } } } } });
    const out = typeOnly({ exception: { values: [{ type: 'LookupError', value: `no customer ${EMAIL}`, stacktrace: { frames: [{ filename: 'a.js' }] } }] } })!;
    assert.deepEqual(out.exception as unknown, { values: [{ type: 'LookupError' }] });
    const frames = guardSentryEvent({ policy: { name: 'f', version: 1, extends: ['builtin:default'], channels: { exceptions: { stack: { frames: 2 } } } } });
    const many = { exception: { values: [{ type: 'Error', value: 'x', stacktrace: { frames: ['outer', 'middle', 'inner', 'innermost'].map((f) => ({ function: f })) } }] } };
    assert.deepEqual(frames(many)!.exception.values[0]!.stacktrace!.frames.map((f) => f.function), ['inner', 'innermost'], 'the innermost frames, which Sentry lists last');
  });

  it('fails closed: an event its code cannot read goes out as a placeholder error, a breadcrumb is not kept', () => {
    const errors: unknown[] = [];
    const guard = guardSentryEvent({ onError: (e) => errors.push(e) });
    const event = { event_id: 'abc', level: 'error', get extra(): never { throw new Error('unreadable'); }, message: `boom ${GHP}` };
    const out = guard(event) as unknown as Record<string, unknown>;
    assert.deepEqual(out, { message: '[blocked: policy-error]', event_id: 'abc', level: 'error' });
    assert.isNull(guard({ type: 'transaction', get spans(): never { throw new Error('unreadable'); } }));
    assert.lengthOf(errors, 2);
    const crumbs = guardSentryBreadcrumb();
    assert.isNull(crumbs({ get message(): never { throw new Error('unreadable'); } }));
  });
});
