/**
 * examples/express-app over real HTTP: the app on 127.0.0.1, a log service (a real HTTP server) that the
 * winston Http transport posts to, and a real local log file. With egress-guard's logger the service gets
 * scrubbed records and the file keeps full detail; with the app's original logger the same requests leak.
 */
import { assert } from 'chai';
import { once } from 'node:events';
import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Logger } from 'winston';
import { createApp } from '../../examples/express-app/app.ts';
import { createLogger as createGuardedLogger } from '../../examples/express-app/logger.ts';
import { createLogger as createOriginalLogger } from '../../examples/express-app/logger.before.ts';
import { assertNoSecret } from '../helpers/secrets.ts';

// Fake secrets, shaped like the real thing.
const SECRETS = {
  githubToken: 'ghp_' + 'Vb7Nq2Lk9Xz4Tr6Wm1Pc8Hd3Jf5Gs0Ya2Ue',
  sessionCookie: 'sess_' + '9f8e7d6c5b4a39281706f5e4d3c2b1a0',
  email: 'erin.mcallister@example.com',
  password: 'Tr0ub4dor-and-3-more',
};

async function listen(server: Server): Promise<number> {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return (server.address() as AddressInfo).port;
}

/** The log service: stores each JSON body the winston Http transport posts. */
async function startLogService(): Promise<{ records: Record<string, unknown>[]; port: number; close(): Promise<void> }> {
  const records: Record<string, unknown>[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      records.push(JSON.parse(body) as Record<string, unknown>);
      res.writeHead(200).end('{}');
    });
  });
  const port = await listen(server);
  return { records, port, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

async function until(condition: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 200 && !condition(); i++) await new Promise((r) => setTimeout(r, 25));
  assert.isTrue(condition(), `timed out waiting for ${what}`);
}

/** Runs the same three requests against the app with the given logger; returns what the service and the file got. */
async function exercise(makeLogger: typeof createGuardedLogger, expectShipped: number) {
  const service = await startLogService();
  const file = join(mkdtempSync(join(tmpdir(), 'eg-express-')), 'app.log');
  const logger: Logger = makeLogger({ file, service: { host: '127.0.0.1', port: service.port, path: '/logs' } });
  const app = createServer(createApp(logger));
  const base = `http://127.0.0.1:${await listen(app)}`;
  try {
    const order = await fetch(`${base}/orders/1001?token=${SECRETS.githubToken}`, {
      headers: { authorization: `Bearer ${SECRETS.githubToken}`, cookie: `session=${SECRETS.sessionCookie}`, 'x-customer-email': SECRETS.email },
    });
    assert.deepEqual(await order.json(), { id: '1001', status: 'shipped' });
    const login = await fetch(`${base}/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: SECRETS.email, password: SECRETS.password }) });
    assert.equal(login.status, 401);
    await until(() => service.records.length >= expectShipped, `${expectShipped} records at the log service`);
    await until(() => readFileSync(file, 'utf8').split('\n').filter(Boolean).length >= 5, 'the local log file');
    return { shipped: service.records, local: readFileSync(file, 'utf8') };
  } finally {
    app.close();
    logger.close();
    await service.close();
  }
}

describe('examples/express-app over HTTP', function () {
  this.timeout(30_000);

  it('with egress-guard: the log service gets scrubbed records, the local file keeps full detail', async () => {
    const { shipped, local } = await exercise(createGuardedLogger, 4);
    assertNoSecret(JSON.stringify(shipped), SECRETS, 'the log service');
    for (const [label, secret] of Object.entries(SECRETS)) assert.isTrue(local.includes(secret), `the local file keeps the ${label}`);

    const maskedEmail = '*'.repeat(SECRETS.email.length - 4) + '.com'; // builtin:default masks PII, keeping the last 4
    const messages = shipped.map((r) => r.message);
    assert.includeMembers(messages, [`order 1001 fetched for ${maskedEmail}`, `request failed login failed for ${maskedEmail} with password=[REDACTED]`]);
    const access = shipped.find((r) => String(r.message).startsWith('GET /orders/1001'))!;
    assert.match(String(access.message), /^GET \/orders\/1001\?token=\[REDACTED\] 200 \d+ms$/);
    const headers = access.headers as Record<string, unknown>;
    assert.notProperty(headers, 'authorization', 'the authorization header is removed by its key');
    assert.notProperty(headers, 'cookie');
    assert.equal(headers['x-customer-email'], maskedEmail);
    assert.match(String(headers.host), /^127\.0\.0\.1:\d+$/, 'ordinary headers are kept');
    const failure = shipped.find((r) => r.level === 'error')!;
    assert.match(String(failure.stack), /^Error: login failed for \*+\.com with password=\[REDACTED\]\n {4}at /);
    assert.isTrue(shipped.every((r) => r.level !== 'debug'), 'debug records stay local (builtin:default ships info and up)');
    assert.include(local, '"level":"debug"');
  });

  it("the app's original logger sends the same secrets to the log service (what the guard prevents)", async () => {
    const { shipped } = await exercise(createOriginalLogger, 5);
    const leaked = Object.entries(SECRETS).filter(([, secret]) => JSON.stringify(shipped).includes(secret)).map(([label]) => label);
    assert.deepEqual(leaked.sort(), ['email', 'githubToken', 'password', 'sessionCookie']);
  });

  it('the change to the app is a handful of lines, all in its logger', () => {
    const code = (file: string) => readFileSync(new URL(`../../examples/express-app/${file}`, import.meta.url), 'utf8').split('\n').filter((l) => !/^\s*(\/\*\*|\*|\/\/)/.test(l));
    const before = code('logger.before.ts');
    const after = code('logger.ts');
    const added = after.filter((l) => !before.includes(l));
    const removed = before.filter((l) => !after.includes(l));
    assert.deepEqual(added.map((l) => l.trim()), [
      "import { guardTransport } from 'egress-guard/winston';",
      "guardTransport(new winston.transports.Http(options.service), { policy: 'builtin:default' }),",
    ]);
    assert.deepEqual(removed.map((l) => l.trim()), ['new winston.transports.Http(options.service),']);
  });
});
