/**
 * The egress-guard transport in a real pino worker thread (pino.transport, thread-stream), writing to a
 * temporary file, forwarding to another transport, and, in a child process, writing to file descriptor 1.
 * Each test ends the transport and waits for its worker to close (closeTransport): no sleeps.
 */
import { assert } from 'chai';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import pino from 'pino';
import { readLedger } from '../../lib/audit/verify.ts';
import { closeTransport, guardPinoTransport, PINO_TRANSPORT_TARGET } from '../../lib/pino/index.ts';
import { NODE_FLAGS, REPO, run } from '../helpers/cli.ts';
import { auditReportInProcess } from '../helpers/in-process.ts';
import { assertNoSecret, assertSameValue } from '../helpers/secrets.ts';
import { SECRETS } from './fixtures.ts';

const { githubToken, awsKeyId, email, card } = SECRETS;
const POLICY = { name: 'app', version: 1, extends: ['builtin:default'], channels: { logs: { drop: ['^GET /health '] } } };

function scratch(): string {
  return mkdtempSync(join(tmpdir(), 'eg-pino-transport-'));
}

function records(file: string): Record<string, unknown>[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

describe('pino: the egress-guard transport in a real worker thread', function () {
  // A worker starts per test, and compiles the sources it loads.
  this.timeout(60_000);

  it('scrubs message, merging object, child bindings, err and %s arguments in the worker; ships info and up; leaves the caller objects alone', async () => {
    const file = join(scratch(), 'shipped.log');
    const transport = pino.transport(guardPinoTransport({ policy: POLICY, destination: file }));
    const logger = pino({ level: 'debug' }, transport);
    const meta = { user: { email, password: 'hunter2-but-longer', plan: 'pro' }, payment: { card }, orderId: 1001 };
    const bindings = { requestId: 'req-7', apiKey: awsKeyId };
    const err = new Error(`auth failed with ${githubToken}`, { cause: new Error(`for ${email}`) });
    const before = structuredClone({ meta, bindings });
    const stack = err.stack;

    logger.info(meta, 'deploy %s to %s', githubToken, 'production');
    logger.child(bindings).warn(`child with ${awsKeyId}`);
    logger.error({ err }, 'login failed');
    logger.debug('cache warm'); // below builtin:default's level: not shipped
    logger.info({ ship: false, secret: githubToken }, 'kept local'); // the record opts out
    await closeTransport(transport);

    assertSameValue({ meta, bindings }, before, 'the caller objects');
    assert.equal(err.stack, stack);
    const text = readFileSync(file, 'utf8');
    assertNoSecret(text, SECRETS, 'the transport file');
    const [deploy, child, failure, ...rest] = records(file) as Record<string, any>[];
    assert.lengthOf(rest, 0, 'debug and ship: false records are not shipped');
    assert.equal(deploy!.msg, 'deploy [REDACTED] to production');
    assert.deepEqual(deploy!.user, { email: '*'.repeat(email.length - 4) + '.com', plan: 'pro' });
    assert.equal(deploy!.payment.card, '*'.repeat(card.length - 4) + card.slice(-4));
    assert.equal(deploy!.orderId, 1001);
    assert.equal(deploy!.level, 30);
    assert.equal(child!.requestId, 'req-7');
    assert.notProperty(child!, 'apiKey');
    assert.equal(child!.msg, 'child with [REDACTED]');
    assert.equal(failure!.msg, 'login failed');
    assert.equal(failure!.err.message, 'auth failed with [REDACTED]: for ' + '*'.repeat(email.length - 4) + '.com');
    assert.isTrue(String(failure!.err.stack).startsWith('Error: auth failed with [REDACTED]\n    at '));
    assert.include(failure!.err.stack, '\ncaused by: Error: for ****');
  });

  it('drop rules drop in the worker; the summaries still pending go out when the transport closes', async () => {
    const file = join(scratch(), 'shipped.log');
    const transport = pino.transport(guardPinoTransport({ policy: POLICY, destination: file }));
    const logger = pino(transport);
    for (let i = 0; i < 5; i++) logger.info(`GET /health 200 ${i}ms`);
    logger.info('order 1001 shipped');
    await closeTransport(transport);
    const out = records(file) as { msg: string; egressGuardDropped?: { count: number } }[];
    assert.deepEqual(out.map((r) => r.msg), [
      'egress-guard: 1 record dropped by the rule "^GET /health "',
      'order 1001 shipped',
      'egress-guard: 4 records dropped by the rule "^GET /health "',
    ]);
    assert.equal(out[2]!.egressGuardDropped!.count, 4);
  });

  it('with a ledger directory: each record written is recorded in the worker (intent, then ack); audit-report lists them', async () => {
    const dir = scratch();
    const file = join(dir, 'shipped.log');
    const ledgerDir = join(dir, 'ledger');
    const transport = pino.transport(guardPinoTransport({ policy: POLICY, destination: file, ledger: ledgerDir }));
    const logger = pino(transport);
    logger.info({ keyId: awsKeyId }, `token ${githubToken}`);
    logger.info('order 1001 shipped');
    await closeTransport(transport);
    const { entries, problems } = readLedger(ledgerDir);
    assert.deepEqual(problems, []);
    assert.deepEqual(entries.map((e) => e.type), ['intent', 'ack', 'intent', 'ack']);
    assert.equal(entries[0]!.data.channel, 'logs');
    assert.equal(entries[0]!.data.destination, file);
    const findings = entries[0]!.data.findings as { detector: string; path: string }[];
    assert.sameDeepMembers(findings.map((f) => [f.detector, f.path]), [['github-token', 'msg'], ['aws-access-key-id', 'keyId']]);
    assert.equal(entries[1]!.data.itemId, entries[0]!.data.itemId);
    assertNoSecret(JSON.stringify(entries), SECRETS, 'the ledger');
    const report = await auditReportInProcess(['--ledger', ledgerDir, '--format', 'json']);
    assert.equal(report.code, 0, report.stderr);
    const items = (JSON.parse(report.stdout) as { items: { channel: string; acked: boolean }[] }).items;
    assert.deepEqual(items.map((i) => [i.channel, i.acked]), [['logs', true], ['logs', true]]);
  });

  it("forwards the scrubbed lines to another transport target (pino's own pino/file), in the same worker", async () => {
    const file = join(scratch(), 'forwarded.log');
    const transport = pino.transport(guardPinoTransport({ policy: POLICY, forward: { target: 'pino/file', options: { destination: file } } }));
    pino(transport).info({ email }, `hello ${githubToken}`);
    await closeTransport(transport);
    assertNoSecret(readFileSync(file, 'utf8'), SECRETS, 'the forwarded file');
    assert.equal(records(file)[0]!.msg, 'hello [REDACTED]');
  });

  it('sits in pino targets beside a local file that keeps full detail', async () => {
    const dir = scratch();
    const local = join(dir, 'local.log');
    const shipped = join(dir, 'shipped.log');
    const transport = pino.transport({
      targets: [
        { target: 'pino/file', options: { destination: local }, level: 'debug' },
        guardPinoTransport({ policy: POLICY, destination: shipped, level: 'info' }),
      ],
    });
    const logger = pino({ level: 'debug' }, transport);
    logger.info({ keyId: awsKeyId }, 'rotating');
    logger.debug('details');
    await closeTransport(transport);
    assert.isTrue(readFileSync(local, 'utf8').includes(awsKeyId), 'the local file keeps the key id');
    assertNoSecret(readFileSync(shipped, 'utf8'), SECRETS, 'the shipped file');
    assert.deepEqual(records(shipped).map((r) => r.msg), ['rotating']);
  });

  it('under logs.ship: false nothing is shipped (a policy file and a destination relative to cwd); a custom messageKey is read', async () => {
    const dir = scratch();
    const none = join(dir, 'none.log');
    // A policy file relative to `cwd`: the worker resolves it there too.
    writeFileSync(join(dir, 'off.yaml'), "name: off\nversion: 1\nextends: ['builtin:default']\nchannels:\n  logs:\n    ship: false\n");
    const off = pino.transport(guardPinoTransport({ policy: 'off.yaml', cwd: dir, destination: 'none.log' }));
    pino(off).warn('anything');
    await closeTransport(off);
    assert.equal(readFileSync(none, 'utf8'), '');

    const keyed = join(dir, 'keyed.log');
    const transport = pino.transport(guardPinoTransport({ policy: POLICY, destination: keyed, messageKey: 'message' }));
    pino({ messageKey: 'message' }, transport).info('GET /health 200');
    await closeTransport(transport);
    assert.equal(records(keyed)[0]!.message, 'egress-guard: 1 record dropped by the rule "^GET /health "');
  });

  it('checks the options in the application thread: a broken policy throws there, with its position', () => {
    const policy = join(scratch(), 'broken.yaml');
    writeFileSync(policy, 'name: broken\nversion: 1\nchannels:\n  logs:\n    drop: 42\n');
    assert.throws(() => guardPinoTransport({ policy }), /broken\.yaml:5:/);
    assert.throws(() => guardPinoTransport({ destination: 1, forward: { target: 'pino/file' } }), /not both/);
  });

  it('writes to file descriptor 1 of an ES module app run from the sources (pino gives the worker no loader)', async () => {
    // Inside the package, so that it imports egress-guard by its name (resolved to the TypeScript sources).
    const app = join(REPO, '.doc-examples', 'pino-fd-app.mjs');
    mkdirSync(dirname(app), { recursive: true });
    writeFileSync(
      app,
      [
        "import pino from 'pino';",
        "import { guardPinoTransport, closeTransport } from 'egress-guard/pino';",
        'const transport = pino.transport(guardPinoTransport({ destination: 1 }));',
        'pino(transport).info({ token: process.env.EG_TOKEN }, `key ${process.env.EG_KEY}`);',
        'await closeTransport(transport);',
      ].join('\n'),
    );
    const result = await run(process.execPath, [...NODE_FLAGS, app], { cwd: scratch(), env: { EG_TOKEN: githubToken, EG_KEY: awsKeyId } });
    assert.equal(result.code, 0, `exit code; stderr: ${result.stderr.slice(0, 2000)}`);
    assertNoSecret(result.stdout + result.stderr, SECRETS, 'the app output');
    const line = JSON.parse(result.stdout.trim()) as Record<string, unknown>;
    assert.equal(line.msg, 'key [REDACTED]');
    assert.notProperty(line, 'token');
    assert.isTrue(PINO_TRANSPORT_TARGET.endsWith('transport.source.mjs'), 'from the sources, pino loads the JavaScript loader');
  });
});
