/**
 * examples/otel-app over real HTTP: the service on 127.0.0.1 and a collector (a real HTTP server) that its
 * exporter posts spans and log records to. With egress-guard's telemetry setup the collector gets them
 * scrubbed; with the app's original setup the same requests leak. The change is a handful of lines.
 */
import { assert } from 'chai';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createApp } from '../../examples/otel-app/app.ts';
import { startTelemetry as startGuarded } from '../../examples/otel-app/telemetry.ts';
import { startTelemetry as startOriginal } from '../../examples/otel-app/telemetry.before.ts';
import { assertClean, CARD, EMAIL, GHP, SECRETS } from '../helpers/door-secrets.ts';

async function listen(server: Server): Promise<number> {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return (server.address() as AddressInfo).port;
}

/** The collector: keeps each batch the exporter posts, by path. */
async function startCollector() {
  const batches: { path: string; items: Record<string, unknown>[] }[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      batches.push({ path: req.url ?? '', items: JSON.parse(body) as Record<string, unknown>[] });
      res.writeHead(200).end('{}');
    });
  });
  const port = await listen(server);
  return {
    url: `http://127.0.0.1:${port}`,
    spans: () => batches.filter((b) => b.path === '/v1/traces').flatMap((b) => b.items),
    logs: () => batches.filter((b) => b.path === '/v1/logs').flatMap((b) => b.items),
    raw: () => JSON.stringify(batches),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

async function exercise(start: typeof startGuarded) {
  const collector = await startCollector();
  const telemetry = start({ collector: collector.url });
  const app = createApp(telemetry);
  const base = `http://127.0.0.1:${await listen(app)}`;
  try {
    const order = await fetch(`${base}/orders/1001?token=${GHP}`, { headers: { authorization: `Bearer ${GHP}`, 'x-customer-email': EMAIL } });
    assert.deepEqual(await order.json(), { id: '1001', status: 'shipped' });
    const pay = await fetch(`${base}/pay?card=${encodeURIComponent(CARD)}`, { headers: { 'x-customer-email': EMAIL } });
    assert.equal(pay.status, 402);
    await telemetry.flush();
    return { spans: collector.spans(), logs: collector.logs(), raw: collector.raw() };
  } finally {
    app.close();
    await telemetry.shutdown();
    await collector.close();
  }
}

describe('examples/otel-app over HTTP', function () {
  this.timeout(30_000);

  it('with egress-guard: the collector gets scrubbed spans and logs, innocent content kept', async () => {
    const { spans, logs, raw } = await exercise(startGuarded);
    assertClean(raw, 'what the collector received');
    const names = spans.map((s) => s.name);
    assert.includeMembers(names, ['GET /orders/1001', 'SELECT orders', 'GET /pay']);
    const get = spans.find((s) => s.name === 'GET /orders/1001')!;
    const attributes = get.attributes as Record<string, unknown>;
    assert.match(String(attributes['url.full']), /^http:\/\/127\.0\.0\.1:\d+\/orders\/1001\?token=\[REDACTED\]$/);
    assert.notProperty(attributes, 'http.request.header.authorization');
    assert.equal(attributes['http.response.status_code'], 200);
    const db = spans.find((s) => s.name === 'SELECT orders')!;
    assert.match(String((db.attributes as Record<string, unknown>)['db.statement']), /^SELECT \* FROM orders WHERE id = '1001' AND email = '\*+\.com'$/);
    const pay = spans.find((s) => s.name === 'GET /pay')!;
    assert.match(String((pay.status as { message: string }).message), /^card \*+1111 declined for \*+\.com$/);
    assert.match(String(logs.find((l) => l.severityText === 'INFO')!.body), /^order 1001 fetched for \*+\.com$/);
    const failure = logs.find((l) => l.severityText === 'ERROR')!;
    assert.equal(failure.body, 'request failed');
    assert.match(String((failure.attributes as Record<string, unknown>)['exception.stacktrace']), /^Error: card \*+1111 declined for \*+\.com\n {4}at /);
  });

  it("the app's original setup sends the same secrets to the collector (what the guard prevents)", async () => {
    const { raw } = await exercise(startOriginal);
    const leaked = Object.entries(SECRETS).filter(([, secret]) => raw.includes(secret)).map(([label]) => label);
    assert.deepEqual(leaked.sort(), ['GitHub token', 'card number', 'email']);
  });

  it('the change to the app is a handful of lines, all in its telemetry setup', () => {
    const code = (file: string) => readFileSync(new URL(`../../examples/otel-app/${file}`, import.meta.url), 'utf8').split('\n').filter((l) => !/^\s*(\/\*\*|\*|\/\/)/.test(l));
    const before = code('telemetry.before.ts');
    const after = code('telemetry.ts');
    assert.deepEqual(after.filter((l) => !before.includes(l)).map((l) => l.trim()), [
      "import { GuardLogRecordProcessor, GuardSpanProcessor } from 'egress-guard/otel';",
      "new GuardSpanProcessor(new BatchSpanProcessor(new JsonHttpExporter(`${options.collector}/v1/traces`)), { policy: 'builtin:default' }),",
      "new GuardLogRecordProcessor(new BatchLogRecordProcessor({ exporter: new JsonHttpExporter(`${options.collector}/v1/logs`) }), { policy: 'builtin:default' }),",
    ]);
    assert.deepEqual(before.filter((l) => !after.includes(l)).map((l) => l.trim()), [
      'new BatchSpanProcessor(new JsonHttpExporter(`${options.collector}/v1/traces`)),',
      'new BatchLogRecordProcessor({ exporter: new JsonHttpExporter(`${options.collector}/v1/logs`) }),',
    ]);
  });
});
