/**
 * guardFormat composed with each of winston's own formats, at the logger and at a transport: the secrets
 * are gone, what the format adds is still there, and the caller's objects are deep-equal before and after.
 */
import { assert } from 'chai';
import { Writable } from 'node:stream';
import winston from 'winston';
import { guardFormat } from '../../lib/winston/index.ts';
import { assertNoSecret as assertAbsent, assertSameValue } from '../helpers/secrets.ts';

const f = winston.format;
const GHP = 'ghp_' + 'R7tKq2mWx9LpZ4vN8sB3cD6fG1hJ5kM0yQeT';
const EMAIL = 'dana.whitfield@example.org';
const PASSWORD = 'correct-horse-battery-staple';
const SECRETS = [GHP, EMAIL, PASSWORD];

function sink(): { lines: string[]; stream: Writable } {
  const lines: string[] = [];
  return { lines, stream: new Writable({ write(chunk, _enc, cb) { lines.push(String(chunk)); cb(); } }) };
}

/** Logs a record of each kind: metadata, splat arguments (a secret split from its template), an Error. */
function logAll(logger: winston.Logger, caller: { meta: Record<string, unknown>; error: Error }): void {
  logger.info(`deploy with ${GHP}`, caller.meta);
  logger.info('user %s authenticated with token=%s', EMAIL, GHP, { attempt: 2 });
  logger.error('login failed', caller.error);
  logger.warn(caller.error);
}

function callerObjects() {
  const error = Object.assign(new Error(`bad credentials for ${EMAIL}: ${GHP}`), { code: 'E_AUTH' });
  return { meta: { user: { email: EMAIL, password: PASSWORD, roles: ['admin'] }, requestId: 'req-42', when: new Date(0) }, error };
}

function assertNoSecret(output: string, where: string): void {
  assertAbsent(output, { token: GHP, email: EMAIL, password: PASSWORD }, where);
  // A string spread into one field per character would dodge every detector: no such fields either.
  assert.isFalse(/"0":"g","1":"h"/.test(output), `${where} spread a string into fields`);
}

/** An Error as its owner sees it: its own fields, message and stack (winston adds a level symbol, see below). */
const visible = (error: Error): Record<string, unknown> => ({ ...Object.fromEntries(Object.entries(error)), message: error.message, stack: error.stack });

const finalizers: [string, winston.Logform.Format, (out: string) => void][] = [
  ['json', f.json(), (out) => {
    const record = JSON.parse(out.split('\n')[0]!) as Record<string, unknown>;
    assert.deepInclude(record, { level: 'info', message: 'deploy with [REDACTED]', label: 'api', requestId: 'req-42', when: '1970-01-01T00:00:00.000Z' });
    assert.deepEqual(record.user, { email: '**********************.org', roles: ['admin'] }, 'the password field removed, the email masked');
    assert.match(String(record.ms), /^\+\d+ms$/);
    assert.match(String(record.timestamp), /^\d{4}-\d\d-\d\dT/);
  }],
  ['logstash', f.logstash(), (out) => assert.match(out, /"@message":"deploy with \[REDACTED\]"/)],
  ['simple', f.simple(), (out) => assert.match(out, /^info: deploy with \[REDACTED\] \{/m)],
  ['printf', f.printf((i) => `${i.timestamp} [${i.label}] ${i.level}: ${i.message}`), (out) => assert.match(out, /^\d{4}-\d\d-\d\dT\S+ \[api\] info: deploy with \[REDACTED\]$/m)],
  ['prettyPrint', f.prettyPrint(), (out) => assert.include(out, "message: 'deploy with [REDACTED]'")],
  ['cli', f.cli(), (out) => assert.match(out, /\u001b\[32minfo\u001b\[39m: +deploy with \[REDACTED\]/)],
];

describe('winston: guardFormat composes with winston formats', () => {
  for (const [name, finalizer, check] of finalizers) {
    for (const at of ['logger', 'transport'] as const) {
      it(`${name}, guard at the ${at} (after errors() and splat(), before timestamp/label/metadata/ms)`, () => {
        const out = sink();
        const chain = f.combine(f.errors({ stack: true }), f.splat(), guardFormat(), f.timestamp(), f.label({ label: 'api' }), f.ms(), finalizer);
        const logger =
          at === 'logger'
            ? winston.createLogger({ format: chain, transports: [new winston.transports.Stream({ stream: out.stream })] })
            : winston.createLogger({ transports: [new winston.transports.Stream({ stream: out.stream, format: chain })] });
        const caller = callerObjects();
        const before = { meta: structuredClone(caller.meta), error: visible(caller.error) };
        logAll(logger, caller);
        assertSameValue(caller.meta, before.meta, 'caller metadata after logging');
        // logger.warn(err) hands winston the caller's Error as the record, and winston itself sets its
        // level before any format runs; the guard adds nothing to that.
        const { level, ...errorAfter } = visible(caller.error);
        assert.equal(level, 'warn');
        assertSameValue(errorAfter, before.error, 'caller Error after logging');
        const text = out.lines.join('');
        assert.lengthOf(out.lines, 4);
        assertNoSecret(text, `${name} at the ${at}`);
        check(text);
        // The splat arguments were interpolated, then scrubbed: the email masked, the token removed.
        assert.include(text, 'authenticated with token=[REDACTED]');
        assert.match(text, /user \*+\.org authenticated/);
      });
    }
  }

  it('timestamp, label, metadata and ms keep working after the guard (values, not just keys)', () => {
    const out = sink();
    const logger = winston.createLogger({
      format: f.combine(f.splat(), guardFormat(), f.timestamp({ format: 'YYYY' }), f.label({ label: 'api' }), f.metadata(), f.ms(), f.json()),
      transports: [new winston.transports.Stream({ stream: out.stream })],
    });
    const meta = { user: { email: EMAIL, password: PASSWORD }, n: 1 };
    logger.info('hello', meta);
    const record = JSON.parse(out.lines[0]!) as Record<string, unknown>;
    assert.deepEqual(record.metadata, { user: { email: '**********************.org' }, n: 1, timestamp: String(new Date().getFullYear()), label: 'api' });
    assert.match(String(record.ms), /^\+\d+ms$/);
    assertSameValue(meta, { user: { email: EMAIL, password: PASSWORD }, n: 1 }, 'caller metadata after logging');
  });

  it('placed before errors() and splat(), it reads the Error and interpolates itself: still nothing leaks', () => {
    const out = sink();
    const logger = winston.createLogger({ format: f.combine(guardFormat(), f.errors({ stack: true }), f.splat(), f.json()), transports: [new winston.transports.Stream({ stream: out.stream })] });
    const caller = callerObjects();
    logAll(logger, caller);
    const text = out.lines.join('');
    assertNoSecret(text, 'a guard placed first');
    const records = out.lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.equal(records[1]!.message, 'user **********************.org authenticated with token=[REDACTED]');
    assert.equal(records[1]!.attempt, 2, 'an object past the template tokens is merged, as splat() does');
    assert.equal(records[3]!.message, 'bad credentials for **********************.org: [REDACTED]');
    assert.match(String(records[3]!.stack), /^Error: bad credentials for \*+\.org: \[REDACTED\]\n {4}at /);
  });

  it('placed after a finalizing format, it scrubs the formatted line too', () => {
    for (const finalizer of [f.json(), f.simple(), f.printf((i) => `${i.level} ${i.message} ${JSON.stringify(i.user)}`)]) {
      const out = sink();
      const logger = winston.createLogger({ format: f.combine(f.splat(), finalizer, guardFormat()), transports: [new winston.transports.Stream({ stream: out.stream })] });
      logger.info(`deploy with ${GHP}`, { user: { email: EMAIL } });
      assertNoSecret(out.lines.join(''), 'a guard after the finalizer');
      assert.include(out.lines[0], 'deploy with [REDACTED]');
    }
  });

  it('after a finalizing format, what key-path rules took out of the fields is taken out of the line too', () => {
    const policy = { name: 'app', version: 1, extends: ['builtin:default'], channels: { logs: { fields: [{ path: 'customer.name', action: 'remove' as const }, { path: 'plan', action: { replace: '[plan]' } }] } } };
    for (const finalizer of [f.json(), f.simple(), f.logstash(), f.printf((i) => `${i.message} name=${(i.customer as { name?: string } | undefined)?.name} tier=${(i.customer as { tier?: string } | undefined)?.tier} plan=${i.plan}`)]) {
      const out = sink();
      const logger = winston.createLogger({ format: f.combine(f.errors({ stack: true }), finalizer, guardFormat(policy)), transports: [new winston.transports.Stream({ stream: out.stream })] });
      logger.info('production order', { customer: { name: 'Ximena Quarterfield', tier: 'gold' }, plan: 'pro' });
      logger.error(new Error(`failed with ${GHP}`));
      const text = out.lines.join('');
      assertAbsent(text, { name: 'Ximena Quarterfield', token: GHP }, 'a line formatted before the guard');
      assert.include(text, 'production order', "a removed 'pro' is not cut out of 'production'");
      assert.include(text, '[plan]');
      assert.include(text, 'gold');
    }
  });

  it('a string extra argument spread into one field per character by splat() is put back together and scanned', () => {
    const out = sink();
    const logger = winston.createLogger({ format: f.combine(f.splat(), guardFormat(), f.json()), transports: [new winston.transports.Stream({ stream: out.stream })] });
    logger.info('value %s', 'shown', GHP);
    logger.info('value %s', 'shown', 'plain-extra');
    const [first, second] = out.lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.deepEqual(first, { level: 'info', message: 'value shown', splatExtra: '[REDACTED]' }, 'the token, reassembled, is removed');
    assert.deepEqual(second, { level: 'info', message: 'value shown', splatExtra: 'plain-extra' });
    assertNoSecret(out.lines.join(''), 'extra splat arguments');
  });
});
