/**
 * examples/sentry-app over real HTTP: the service on 127.0.0.1, reporting to a stand-in for Sentry's
 * ingestion (a real HTTP server the DSN points at). With egress-guard's Sentry setup the envelopes that
 * arrive are scrubbed; with the app's original setup the same request leaks. The change is a handful of
 * lines. The SDK's default integrations stay off in the tests (they would instrument this process).
 */
import * as Sentry from '@sentry/node';
import { assert } from 'chai';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createApp } from '../../examples/sentry-app/app.ts';
import { initSentry as initGuarded } from '../../examples/sentry-app/sentry.ts';
import { initSentry as initOriginal } from '../../examples/sentry-app/sentry.before.ts';
import { assertClean, CARD, EMAIL, GHP, SECRETS } from '../helpers/door-secrets.ts';
import { startSentryServer } from '../sentry/server.ts';

async function listen(server: Server): Promise<number> {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return (server.address() as AddressInfo).port;
}

async function exercise(init: typeof initGuarded) {
  const sentry = await startSentryServer();
  init({ dsn: sentry.dsn, defaultIntegrations: false });
  const app = createApp();
  const base = `http://127.0.0.1:${await listen(app)}`;
  try {
    const res = await fetch(`${base}/checkout?ref=${GHP}&step=2`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${GHP}`, 'x-customer-email': EMAIL },
      body: JSON.stringify({ card: CARD, email: EMAIL, coupon: 'SPRING' }),
    });
    assert.equal(res.status, 402);
    assert.isTrue(await Sentry.flush(5000));
    return sentry.items('event').map(({ envelope, item }) => ({ raw: envelope.raw, event: item.payload as Sentry.Event }));
  } finally {
    app.close();
    await Sentry.close(2000);
    await sentry.close();
  }
}

describe('examples/sentry-app over HTTP', function () {
  this.timeout(30_000);

  it('with egress-guard: the envelope Sentry receives is scrubbed, innocent content kept', async () => {
    const events = await exercise(initGuarded);
    assert.lengthOf(events, 1);
    const { raw, event } = events[0]!;
    assertClean(raw, 'the envelope');
    const exception = event.exception!.values![0]!;
    assert.equal(exception.type, 'PaymentError');
    assert.match(String(exception.value), /^card \*+1111 declined for \*+\.com$/);
    assert.match(String(event.request!.url), /^http:\/\/127\.0\.0\.1:\d+\/checkout\?ref=\[REDACTED\]&step=2$/, 'a token under a key no list names');
    assert.equal(event.request!.query_string, 'ref=[REDACTED]&step=2');
    assert.notProperty(event.request!.headers, 'authorization');
    assert.equal(event.request!.headers!['user-agent'], 'node');
    assert.equal(event.request!.method, 'POST');
    assert.include(String(event.request!.data), 'SPRING');
    assert.equal(event.user!.id, 'customer-1001');
    assert.match(String(event.breadcrumbs![0]!.message), /^charging card \*+1111 for \*+\.com$/);
    const frames = exception.stacktrace!.frames!;
    assert.isTrue(frames.some((f) => f.filename === 'examples/sentry-app/app.ts'), 'frame paths relative to the project');
  });

  it("the app's original setup sends the same secrets to Sentry (what the guard prevents)", async () => {
    const events = await exercise(initOriginal);
    const raw = events.map((e) => e.raw).join('\n');
    const leaked = Object.entries(SECRETS).filter(([, secret]) => raw.includes(secret)).map(([label]) => label);
    assert.deepEqual(leaked.sort(), ['GitHub token', 'card number', 'email']);
  });

  it('the change to the app is a handful of lines, all in its Sentry setup', () => {
    const code = (file: string) => readFileSync(new URL(`../../examples/sentry-app/${file}`, import.meta.url), 'utf8').split('\n').filter((l) => !/^\s*(\/\*\*|\*|\/\/)/.test(l));
    const before = code('sentry.before.ts');
    const after = code('sentry.ts');
    assert.deepEqual(after.filter((l) => !before.includes(l)).map((l) => l.trim()), [
      "import { guardSentry } from 'egress-guard/sentry';",
      "const guard = guardSentry({ policy: 'builtin:default' });",
      '...guard.options,',
      'guard.connect(client);',
    ]);
    assert.deepEqual(before.filter((l) => !after.includes(l)), []);
  });
});
