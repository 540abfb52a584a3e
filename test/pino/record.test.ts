/**
 * The pino door's parts on their own: one record through the policy, serialized errors under the
 * exceptions rules, levels against the policy's minimum, drop summaries, and lines that are not records.
 */
import { assert } from 'chai';
import { createEngine } from '../../lib/policy/create.ts';
import type { Engine } from '../../lib/policy/engine.ts';
import { PinoDropCounter } from '../../lib/pino/drops.ts';
import { isSerializedError, scrubSerializedError } from '../../lib/pino/errors.ts';
import { pinoLevelShipped } from '../../lib/pino/levels.ts';
import { PinoLineGuard } from '../../lib/pino/line.ts';
import { guardPinoRecord } from '../../lib/pino/record.ts';
import { assertNoSecret, assertSameValue } from '../helpers/secrets.ts';
import { SECRETS } from './fixtures.ts';

const { githubToken, awsKeyId, email } = SECRETS;

describe('pino: records, errors, levels and drops', () => {
  let engine: Engine;
  before(async () => {
    engine = await createEngine({ name: 'r', version: 1, extends: ['builtin:default'], channels: { logs: { drop: ['^GET /health '] } } });
  });

  it('guardPinoRecord: a new record, level and time as pino wrote them, pino key order, the input untouched', () => {
    const record = { level: 30, time: 1_700_000_000_000, pid: 1, hostname: 'h', apiKey: awsKeyId, user: { email }, msg: `token ${githubToken}` };
    const before = structuredClone(record);
    const out = guardPinoRecord(record, engine);
    assertSameValue(record, before, 'the record');
    assert.isTrue('record' in out);
    if (!('record' in out)) return;
    assert.deepEqual(Object.keys(out.record), ['level', 'time', 'pid', 'hostname', 'user', 'msg']);
    assert.deepEqual(out.record, { level: 30, time: 1_700_000_000_000, pid: 1, hostname: 'h', user: { email: '*'.repeat(email.length - 4) + '.com' }, msg: 'token [REDACTED]' });
    assert.sameMembers(out.findings.map((f) => f.path), ['apiKey', 'user.email', 'msg']);
    assert.deepEqual(guardPinoRecord({ level: 30, msg: 'GET /health 200' }, engine), { dropped: '^GET /health ' });
    assert.deepEqual(guardPinoRecord({ level: 30, message: 'GET /health 200' }, engine, 'message'), { dropped: '^GET /health ' });
  });

  it('serialized errors: type, message and each stack of the chain under the exceptions rules', async () => {
    const err = { type: 'AuthError', message: `denied ${githubToken}: upstream ${email}`, stack: `AuthError: denied ${githubToken}\n    at login (/home/alice/app/src/auth.js:10:5)\ncaused by: Error: upstream ${email}\n    at call (/home/alice/app/src/http.js:3:1)`, code: 'E1' };
    assert.isTrue(isSerializedError(err));
    assert.isFalse(isSerializedError({ message: 'no stack' }));
    const out = scrubSerializedError(err, engine);
    assert.equal(out.type, 'AuthError');
    assert.equal(out.message, `denied [REDACTED]: upstream ${'*'.repeat(email.length - 4)}.com`);
    assert.equal(out.stack, `AuthError: denied [REDACTED]\n    at login (~/app/src/auth.js:10:5)\ncaused by: Error: upstream ${'*'.repeat(email.length - 4)}.com\n    at call (~/app/src/http.js:3:1)`);

    const typeOnly = await createEngine({ name: 't', version: 1, extends: ['builtin:default'], channels: { exceptions: { message: 'type-only', stack: { ship: false } } } });
    const record = guardPinoRecord({ level: 50, err, msg: 'login failed' }, typeOnly);
    assert.isTrue('record' in record);
    if ('record' in record) assert.deepEqual(record.record.err, { type: 'AuthError', code: 'E1' }, 'type-only, no stack: the message and stack do not ship');
  });

  it('levels: pino numbers and labels against the policy minimum; unknown labels are not filtered', () => {
    assert.isFalse(pinoLevelShipped(20, 'info'));
    assert.isTrue(pinoLevelShipped(30, 'info'));
    assert.isTrue(pinoLevelShipped(60, 'error'));
    assert.isFalse(pinoLevelShipped('trace', 'debug'));
    assert.isTrue(pinoLevelShipped('fatal', 'warn'));
    assert.isTrue(pinoLevelShipped('audit', 'error'), 'a custom label');
    assert.isFalse(pinoLevelShipped(20, 'verbose'));
    assert.isTrue(pinoLevelShipped(25, 'verbose'));
    assert.isTrue(pinoLevelShipped(10, undefined));
  });

  it('drop summaries: one at the first drop, then one per interval counting the rest, per rule and level; flush and totals', () => {
    let now = 0;
    const drops = new PinoDropCounter(60_000, 'msg', () => now);
    const t = 1_700_000_000_000;
    const first = drops.drop({ level: 30, time: t, msg: 'GET /health' }, 'r')!;
    assert.deepEqual(first, { level: 30, time: t, msg: 'egress-guard: 1 record dropped by the rule "r"', egressGuardDropped: { rule: 'r', count: 1, first: new Date(t).toISOString(), last: new Date(t).toISOString() } });
    now = 10;
    assert.isUndefined(drops.drop({ level: 30, time: 1_700_000_000 }, 'r'), 'epoch seconds (pino.stdTimeFunctions.unixTime)');
    assert.isDefined(drops.drop({ level: 40, time: 'T' }, 'r'), 'another level has its own window');
    now = 60_000;
    const later = drops.drop({ level: 30, time: t + 3_000 }, 'r')!;
    assert.deepInclude(later, { msg: 'egress-guard: 2 records dropped by the rule "r"', time: t + 3_000 });
    assert.deepEqual(later.egressGuardDropped, { rule: 'r', count: 2, first: new Date(t).toISOString(), last: new Date(t + 3_000).toISOString() });
    assert.isUndefined(drops.drop({ level: 30 }, 'r'));
    const [pending] = drops.flush();
    assert.equal((pending!.egressGuardDropped as { count: number }).count, 1);
    assert.deepEqual(drops.flush(), []);
    assert.deepEqual(drops.totals(), { r: 5 });
  });

  it('lines: the ending kept, text lines scrubbed as text, empty lines dropped, shipping applied when asked', () => {
    const lines = new PinoLineGuard(engine);
    assert.deepEqual(lines.guard(`{"level":30,"msg":"a ${githubToken}"}\r\n`), [{ text: '{"level":30,"msg":"a [REDACTED]"}\r\n' }]);
    assert.deepEqual(lines.guard(`not json ${githubToken}\n`), [{ text: 'not json [REDACTED]\n' }]);
    assert.deepEqual(lines.guard('\n'), []);
    assert.deepEqual(lines.guard('[1,2]\n'), [{ text: '[1,2]\n' }], 'JSON that is not a record is text');
    const shipping = new PinoLineGuard(engine, { shipping: { ship: true, level: 'info' } });
    assert.deepEqual(shipping.guard('{"level":20,"msg":"debug"}\n'), []);
    assert.deepEqual(shipping.guard('{"level":30,"ship":false,"msg":"local"}\n'), []);
    assert.lengthOf(shipping.guard('{"level":30,"msg":"out"}\n'), 1);
    assertNoSecret(JSON.stringify(new PinoLineGuard(engine).guard(`{"level":30,"err":{"type":"Error","message":"x ${githubToken}","stack":"Error: x ${githubToken}\\n    at f (a.js:1:1)"}}\n`)), SECRETS, 'an err line');
  });
});
