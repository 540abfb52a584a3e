/**
 * examples/pino-app over real HTTP: the service on 127.0.0.1 logging with pino through real worker
 * transports, into a real local log file and a real shipped log file. With egress-guard's logger the
 * shipped file gets scrubbed records and the local file keeps full detail; with the app's original logger
 * the same requests leak. Both transports are ended and waited for (closeTransport): no sleeps.
 */
import { assert } from 'chai';
import { once } from 'node:events';
import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { createApp } from '../../examples/pino-app/app.ts';
import { createLogger as createGuardedLogger } from '../../examples/pino-app/logger.ts';
import { createLogger as createOriginalLogger } from '../../examples/pino-app/logger.before.ts';
import { closeTransport, type ClosableTransport } from '../../lib/pino/index.ts';
import { assertNoSecret } from '../helpers/secrets.ts';

// Fake secrets, shaped like the real thing, made at run time.
const SECRETS = {
  githubToken: 'ghp_' + 'Qm7Xr2Lk9Vz4Tn6Wb1Pc8Hd3Jf5Gs0Ya2UeK',
  sessionCookie: 'sess_' + '0a1b2c3d4e5f60718293a4b5c6d7e8f9',
  email: 'nadia.okafor@example.com',
  password: 'Tr0ub4dor-and-3-more',
};

/** Runs the same requests against the service with the given logger; returns the local and shipped logs. */
async function exercise(makeLogger: typeof createGuardedLogger) {
  const dir = mkdtempSync(join(tmpdir(), 'eg-pino-app-'));
  const file = join(dir, 'app.log');
  const shipped = join(dir, 'shipped.log');
  const logger = makeLogger({ file, shipped });
  const server = createServer(createApp(logger)).listen(0, '127.0.0.1');
  await once(server, 'listening');
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  try {
    const order = await fetch(`${base}/orders/1001?token=${SECRETS.githubToken}`, {
      headers: { authorization: `Bearer ${SECRETS.githubToken}`, cookie: `session=${SECRETS.sessionCookie}`, 'x-customer-email': SECRETS.email },
    });
    assert.deepEqual(await order.json(), { id: '1001', status: 'shipped' });
    const login = await fetch(`${base}/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: SECRETS.email, password: SECRETS.password }) });
    assert.equal(login.status, 401);
  } finally {
    server.close();
    // The logger's transport (pino keeps its destination under this symbol): ended and waited for.
    await closeTransport((logger as unknown as Record<symbol, ClosableTransport>)[pino.symbols.streamSym]!);
  }
  const read = (f: string) => readFileSync(f, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, any>);
  return { local: readFileSync(file, 'utf8'), shipped: read(shipped), shippedText: readFileSync(shipped, 'utf8') };
}

describe('examples/pino-app over HTTP', function () {
  this.timeout(60_000);

  it('with egress-guard: the shipped log gets scrubbed records, the local file keeps full detail', async () => {
    const { local, shipped, shippedText } = await exercise(createGuardedLogger);
    assertNoSecret(shippedText, SECRETS, 'the shipped log');
    for (const [label, secret] of Object.entries(SECRETS)) assert.isTrue(local.includes(secret), `the local file keeps the ${label}`);

    const maskedEmail = '*'.repeat(SECRETS.email.length - 4) + '.com'; // builtin:default masks PII, keeping the last 4
    const messages = shipped.map((r) => r.msg as string);
    assert.include(messages, `order 1001 fetched for ${maskedEmail}`);
    assert.include(messages, 'login refused');
    const access = shipped.find((r) => String(r.msg).startsWith('GET /orders/1001'))!;
    assert.match(access.msg, /^GET \/orders\/1001\?token=\[REDACTED\] 200 \d+ms$/);
    assert.notProperty(access.headers, 'authorization', 'the authorization header (a child binding) is removed by its key');
    assert.notProperty(access.headers, 'cookie');
    assert.equal(access.headers['x-customer-email'], maskedEmail);
    assert.match(String(access.headers.host), /^127\.0\.0\.1:\d+$/, 'ordinary headers are kept');
    assert.match(String(access.requestId), /^[0-9a-f]{8}$/);
    const refused = shipped.find((r) => r.msg === 'login refused')!;
    assert.equal(refused.err.message, `login failed for ${maskedEmail} with password=[REDACTED]`);
    assert.match(refused.err.stack, /^Error: login failed for \*+\.com with password=\[REDACTED\]\n {4}at /);
    assert.isTrue(shipped.every((r) => r.level >= 30), 'debug records stay local (builtin:default ships info and up)');
    assert.include(local, '"level":20');
  });

  it("the app's original logger ships the same secrets (what the guard prevents)", async () => {
    const { shippedText } = await exercise(createOriginalLogger);
    const leaked = Object.entries(SECRETS).filter(([, secret]) => shippedText.includes(secret)).map(([label]) => label);
    assert.deepEqual(leaked.sort(), ['email', 'githubToken', 'password', 'sessionCookie']);
  });

  it('the change to the app is two lines, all in its logger', () => {
    const code = (file: string) => readFileSync(new URL(`../../examples/pino-app/${file}`, import.meta.url), 'utf8').split('\n').filter((l) => !/^\s*(\/\*\*|\*|\/\/)/.test(l));
    const before = code('logger.before.ts');
    const after = code('logger.ts');
    assert.deepEqual(after.filter((l) => !before.includes(l)).map((l) => l.trim()), [
      "import { guardPinoTransport } from 'egress-guard/pino';",
      "guardPinoTransport({ policy: 'builtin:default', destination: options.shipped, level: 'info' }),",
    ]);
    assert.deepEqual(before.filter((l) => !after.includes(l)).map((l) => l.trim()), ["{ target: 'pino/file', options: { destination: options.shipped }, level: 'info' },"]);
  });
});
