/**
 * guardPino with real pino loggers in this thread: what leaves through the destination (a PassThrough, and
 * pino's own destination writing a file) holds none of the planted secrets, whichever way pino was given
 * them, keeps what is not secret, and the caller's objects are as they were.
 */
import { assert } from 'chai';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { Ledger } from '../../lib/audit/ledger.ts';
import { readLedger } from '../../lib/audit/verify.ts';
import { createEngine } from '../../lib/policy/create.ts';
import type { Engine } from '../../lib/policy/engine.ts';
import { guardPino } from '../../lib/pino/index.ts';
import { auditReportInProcess } from '../helpers/in-process.ts';
import { assertNoSecret, assertSameValue } from '../helpers/secrets.ts';
import { collect, SECRETS, settled } from './fixtures.ts';

const { githubToken, awsKeyId, email, card } = SECRETS;

describe('pino: guardPino in the application thread', () => {
  let engine: Engine;
  before(async () => {
    engine = await createEngine({ name: 'p', version: 1, extends: ['builtin:default'], channels: { logs: { drop: ['^GET /health '] } } });
  });

  it('scrubs the message, the merging object and %s / %o interpolation; keeps the rest; never mutates the caller', async () => {
    const out = collect();
    const logger = pino({ ...guardPino({ policy: engine }), level: 'info' }, out.stream);
    const meta = { user: { email, password: 'hunter2-but-longer', plan: 'pro' }, aws: { keyId: awsKeyId }, payment: { card }, orderId: 1001 };
    const args = { token: githubToken, region: 'eu-west-1' };
    const before = structuredClone({ meta, args });
    logger.info(meta, 'deploy %s to %s with %o', githubToken, 'production', args);
    logger.info(`inline ${awsKeyId} and ${card} for ${email}`);
    await settled();
    assertSameValue({ meta, args }, before, 'the caller objects');

    const [first, second] = out.records();
    assertNoSecret(out.text(), SECRETS, 'the logger output');
    assert.deepEqual(first!.user, { email: '*'.repeat(email.length - 4) + '.com', plan: 'pro' }, 'password removed by its key, email masked');
    assert.deepEqual(first!.payment, { card: '*'.repeat(card.length - 4) + card.slice(-4) });
    assert.equal(first!.orderId, 1001);
    assert.match(String(first!.msg), /^deploy \[REDACTED\] to production with \{.*"region":"eu-west-1".*\}$/);
    assert.equal(first!.level, 30);
    assert.isNumber(first!.time);
    assert.isTrue(String(second!.msg).startsWith('inline [REDACTED] and ****'), 'inline secrets scrubbed in the message');
  });

  it('scrubs child bindings (and grandchildren, and msgPrefix); the bindings objects stay as they were', async () => {
    const out = collect();
    const logger = pino(guardPino({ policy: engine }), out.stream);
    const bindings = { requestId: 'req-42', apiKey: awsKeyId, customer: { email } };
    const before = structuredClone(bindings);
    const child = logger.child(bindings, { msgPrefix: `[${githubToken}] ` });
    child.child({ note: `card ${card}` }).warn('grandchild says hi');
    child.info('child says hi');
    await settled();
    assertSameValue(bindings, before, 'the bindings');
    assertNoSecret(out.text(), SECRETS, 'child output');
    const [grand, kid] = out.records();
    assert.equal(grand!.requestId, 'req-42');
    assert.notProperty(grand!, 'apiKey', 'a secret-named binding is removed');
    assert.equal(grand!.msg, '[[REDACTED]] grandchild says hi');
    assert.equal(kid!.msg, '[[REDACTED]] child says hi');
    assert.deepEqual(kid!.customer, { email: '*'.repeat(email.length - 4) + '.com' });
  });

  it("scrubs err: message and stack (with causes) under the exceptions rules; the Error is untouched", async () => {
    const out = collect();
    const logger = pino(guardPino({ policy: engine }), out.stream);
    const cause = new Error(`upstream refused ${awsKeyId}`);
    const err = Object.assign(new TypeError(`auth failed for ${email} with ${githubToken}`, { cause }), { code: 'E_AUTH', token: githubToken });
    const stack = err.stack;
    logger.error(err);
    logger.error({ err, attempt: 2 }, 'login failed');
    await settled();
    assert.equal(err.message, `auth failed for ${email} with ${githubToken}`, 'the message is untouched');
    assert.equal(err.stack, stack, 'the stack is untouched');
    assert.equal(err.token, githubToken);
    assertNoSecret(out.text(), SECRETS, 'error output');
    const [bare, wrapped] = out.records() as { msg: string; err: Record<string, string>; attempt?: number }[];
    for (const r of [bare!, wrapped!]) {
      assert.equal(r.err.type, 'TypeError');
      assert.isTrue(r.err.message!.startsWith('auth failed for ****'), 'err.message scrubbed, kept readable');
      assert.isTrue(r.err.stack!.startsWith(`TypeError: auth failed for ****`), 'the stack header is the scrubbed message');
      assert.include(r.err.stack, '\n    at ');
      assert.include(r.err.stack, '\ncaused by: Error: upstream refused [REDACTED]');
      assert.isFalse(r.err.stack!.includes(process.cwd() + '/'), 'frames are relative to the project');
      assert.equal(r.err.code, 'E_AUTH');
      assert.notProperty(r.err, 'token');
    }
    assert.isTrue(bare!.msg.startsWith('auth failed for ****'));
    assert.equal(wrapped!.msg, 'login failed');
    assert.equal(wrapped!.attempt, 2);
  });

  it('scrubs what serializers and mixins add', async () => {
    const out = collect();
    const logger = pino(
      {
        ...guardPino({ policy: engine }),
        mixin: () => ({ deployKey: `key ${awsKeyId}` }),
        serializers: { req: (req: { url: string }) => ({ url: req.url, headers: { authorization: `Bearer ${githubToken}`, accept: 'text/html' } }) },
      },
      out.stream,
    );
    logger.info({ req: { url: `/orders?email=${encodeURIComponent(email)}` } }, 'request');
    await settled();
    assertNoSecret(out.text(), { ...SECRETS, encodedEmail: encodeURIComponent(email) }, 'serializer and mixin output');
    const [r] = out.records() as { req: { url: string; headers: Record<string, string> } }[];
    assert.deepEqual(r!.req.headers, { accept: 'text/html' }, 'authorization is a secret key: removed');
    assert.isTrue(r!.req.url.startsWith('/orders?email='));
  });

  it("writes through pino's own destination (a file) the same way", () => {
    const file = join(mkdtempSync(join(tmpdir(), 'eg-pino-dest-')), 'out.log');
    const dest = pino.destination({ dest: file, sync: true });
    const logger = pino(guardPino({ policy: engine }), dest);
    logger.info({ keyId: awsKeyId }, `hello ${githubToken}`);
    dest.flushSync();
    const text = readFileSync(file, 'utf8');
    assertNoSecret(text, SECRETS, 'the file');
    assert.equal((JSON.parse(text) as { msg: string }).msg, 'hello [REDACTED]');
  });

  it('drop rules drop the record; a summary goes out in its place; dropped() counts per rule', async () => {
    const out = collect();
    const guard = guardPino({ policy: engine });
    const logger = pino(guard, out.stream);
    for (let i = 0; i < 4; i++) logger.info(`GET /health 200 ${i}ms`);
    logger.warn('GET /health 503 1ms');
    logger.info('order 1001 shipped');
    await settled();
    const records = out.records() as { level: number; msg: string; egressGuardDropped?: { rule: string; count: number } }[];
    assert.deepEqual(records.map((r) => r.msg), [
      'egress-guard: 1 record dropped by the rule "^GET /health "',
      'egress-guard: 1 record dropped by the rule "^GET /health "',
      'order 1001 shipped',
    ]);
    assert.deepEqual(records.map((r) => r.level), [30, 40, 30], 'one summary per rule and level, at that level');
    assert.deepEqual(records[0]!.egressGuardDropped && { ...records[0]!.egressGuardDropped, first: 'x', last: 'x' }, { rule: '^GET /health ', count: 1, first: 'x', last: 'x' });
    assert.deepEqual(guard.dropped(), { '^GET /health ': 5 });
    assert.notProperty({ ...guard }, 'dropped', 'spreading the guard leaves dropped() out of the options');

    const every = collect();
    const logger2 = pino(guardPino({ policy: engine, dropSummaryEvery: 0 }), every.stream);
    for (let i = 0; i < 3; i++) logger2.info('GET /health 200');
    await settled();
    assert.lengthOf(every.records(), 3, 'dropSummaryEvery: 0 gives one summary per drop');
  });

  it('takes a policy file, builtin:NAME or nothing (builtin:default); a custom messageKey', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'eg-pino-policy-'));
    const policy = join(dir, 'app.yaml');
    writeFileSync(policy, "name: app\nversion: 1\nextends: ['builtin:default']\nchannels:\n  logs:\n    fields: [{ path: 'user', action: { replace: '[user]' } }]\n");
    for (const [options, expected] of [
      [{ policy }, { user: '[user]', msg: 'x [REDACTED]' }],
      [{ policy: 'builtin:default' }, { user: 'bob', msg: 'x [REDACTED]' }],
      [{}, { user: 'bob', msg: 'x [REDACTED]' }],
    ] as const) {
      const out = collect();
      pino({ ...guardPino(options), base: undefined, timestamp: false }, out.stream).info({ user: 'bob' }, `x ${githubToken}`);
      await settled();
      assert.deepEqual(out.records()[0], { level: 30, ...expected });
    }
    const out = collect();
    pino({ ...guardPino({ messageKey: 'message', policy: engine }), base: undefined, timestamp: false }, out.stream).info('GET /health 200');
    await settled();
    assert.equal(out.records()[0]!.message, 'egress-guard: 1 record dropped by the rule "^GET /health "', 'the drop rules read the message under its key');
    assert.throws(() => guardPino({ policy: join(dir, 'missing.yaml') }), /cannot read policy file/);
  });

  it('a policy that fails on a record sends a placeholder (fail closed) and tells onError; logging goes on', async () => {
    const out = collect();
    // An engine that fails outside its own fail-closed boundary (every real failure it contains itself).
    const broken: Engine = { ...engine, scrubValue: () => { throw new Error('the policy broke'); } };
    const told: unknown[] = [];
    const logger = pino({ ...guardPino({ policy: broken, onError: (error) => told.push(error) }), base: undefined, timestamp: false }, out.stream);
    logger.info(`token ${githubToken}`);
    logger.info('after');
    await settled();
    assertNoSecret(out.text(), SECRETS, 'a failed record');
    assert.deepEqual(out.records(), [{ level: 30, msg: '[blocked: policy-error]' }, { level: 30, msg: '[blocked: policy-error]' }]);
    assert.deepEqual(told.map((e) => (e as Error).message), ['the policy broke', 'the policy broke'], 'the cause is told');
  });

  it('with a ledger: every line that goes out is recorded (intent, then ack), and audit-report lists it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'eg-pino-ledger-'));
    const ledger = Ledger.open({ dir });
    const out = collect();
    const logger = pino(guardPino({ policy: engine, ledger, destination: 'https://logs.example.test' }), out.stream);
    logger.info({ keyId: awsKeyId }, `token ${githubToken}`);
    logger.info('GET /health 200 1ms'); // dropped: its summary goes out, and is recorded
    await settled();
    await ledger.close();
    const { entries, problems } = readLedger(dir);
    assert.deepEqual(problems, []);
    assert.deepEqual(entries.map((e) => e.type), ['intent', 'intent', 'ack', 'ack']);
    const [first, second, ack1, ack2] = entries;
    assert.equal(first!.data.channel, 'logs');
    assert.equal(first!.data.kind, 'logs');
    assert.equal(first!.data.flowRunId, 'pino');
    assert.equal(first!.data.destination, 'https://logs.example.test');
    const findings = first!.data.findings as { detector: string; path: string }[];
    assert.sameDeepMembers(findings.map((f) => [f.detector, f.path]), [['github-token', 'msg'], ['aws-access-key-id', 'keyId']]);
    assert.deepInclude(second!.data.payload as object, { msg: 'egress-guard: 1 record dropped by the rule "^GET /health "' });
    assert.deepEqual([ack1!.data.itemId, ack2!.data.itemId], [first!.data.itemId, second!.data.itemId]);
    assertNoSecret(JSON.stringify(entries), SECRETS, 'the ledger');

    const report = await auditReportInProcess(['--ledger', dir, '--format', 'json']);
    assert.equal(report.code, 0, report.stderr);
    const items = (JSON.parse(report.stdout) as { items: { channel: string; flow_run_id: string; acked: boolean }[] }).items;
    assert.lengthOf(items, 2);
    assert.isTrue(items.every((i) => i.channel === 'logs' && i.flow_run_id === 'pino' && i.acked));
  });
});
