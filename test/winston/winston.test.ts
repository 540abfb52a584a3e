import { assert } from 'chai';
import { Writable } from 'node:stream';
import winston from 'winston';
import { guardFormat, guardTransport } from '../../lib/winston/index.ts';
import { createEngine } from '../../lib/policy/create.ts';
import type { Engine } from '../../lib/policy/engine.ts';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ledger } from '../../lib/audit/ledger.ts';
import { readLedger } from '../../lib/audit/verify.ts';
import { assertNoSecret } from '../helpers/secrets.ts';

const GHP = 'ghp_' + 'R7tKq2mWx9LpZ4vN8sB3cD6fG1hJ5kM0yQeT';

/** A real winston Stream transport writing into an array of lines. */
function capture(opts: { format?: winston.Logform.Format } = {}): { lines: string[]; transport: winston.transport } {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, cb) {
      lines.push(String(chunk).trimEnd());
      cb();
    },
  });
  return { lines, transport: new winston.transports.Stream({ stream, ...(opts.format !== undefined && { format: opts.format }) }) };
}

describe('winston: guardFormat and guardTransport', () => {
  let engine: Engine;
  before(async () => {
    engine = await createEngine({ name: 'w', version: 1, extends: ['builtin:default'], channels: { logs: { drop: ['^healthcheck'] } } });
  });

  it('scrubs message, metadata and splat arguments, and never mutates the caller', () => {
    const out = capture();
    const logger = winston.createLogger({ format: winston.format.combine(winston.format.splat(), guardFormat(engine), winston.format.json()), transports: [out.transport] });
    const meta = { user: { email: 'alice.smith@example.com', password: 'hunter2-but-longer' }, day: '2026-11-23' };
    const before = structuredClone(meta);
    logger.info(`login with ${GHP}`, meta);
    logger.info('token %s for %s', GHP, 'deploy');
    assert.deepEqual(meta, before, 'caller object unchanged');
    const [first, second] = out.lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.deepEqual(first, { level: 'info', message: 'login with [REDACTED]', user: { email: '*******************.com' }, day: '2026-11-23' });
    assert.equal(second!.message, 'token [REDACTED] for deploy');
    assertNoSecret(out.lines.join('\n'), GHP);
  });

  it('scrubs Error objects and their stacks (errors() format)', () => {
    const out = capture();
    const logger = winston.createLogger({
      format: winston.format.combine(winston.format.errors({ stack: true }), guardFormat(engine), winston.format.json()),
      transports: [out.transport],
    });
    logger.error(new Error(`auth failed for ${GHP}`));
    const record = JSON.parse(out.lines[0]!) as { level: string; message: string; stack: string };
    assert.equal(record.level, 'error');
    assert.equal(record.message, 'auth failed for [REDACTED]');
    assertNoSecret(record.stack, GHP);
  });

  it('takes a policy file or builtin:NAME directly (loaded synchronously), builtin:default by default', () => {
    const dir = mkdtempSync(join(tmpdir(), 'eg-wp-'));
    const policy = join(dir, 'app.yaml');
    writeFileSync(policy, "name: app\nversion: 1\nextends: ['builtin:default']\nchannels:\n  logs:\n    fields: [{ path: 'user', action: { replace: '[user]' } }]\n");
    for (const [fmt, expected] of [
      [guardFormat(policy), { level: 'info', message: 'x [REDACTED]', user: '[user]' }],
      [guardFormat('builtin:strict'), { level: 'info', user: 'bob' }],
      [guardFormat(), { level: 'info', message: 'x [REDACTED]', user: 'bob' }],
    ] as const) {
      const out = capture();
      winston.createLogger({ format: winston.format.combine(fmt, winston.format.json()), transports: [out.transport] }).info(`x ${GHP}`, { user: 'bob' });
      assert.deepEqual(JSON.parse(out.lines[0]!), expected);
    }
    assert.throws(() => guardFormat(join(dir, 'missing.yaml')), /cannot read policy file/);
  });

  it('drop rules remove records; their level, timestamp and a count per rule survive as a summary', () => {
    const out = capture();
    const guard = guardFormat(engine);
    const logger = winston.createLogger({ format: winston.format.combine(winston.format.timestamp(), guard, winston.format.json()), transports: [out.transport] });
    logger.info('healthcheck ok');
    logger.warn('healthcheck slow');
    logger.info('real work');
    logger.info('healthcheck ok'); // within the summary interval: counted, not sent
    const records = out.lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.deepEqual(records.map((r) => [r.level, r.message]), [
      ['info', 'egress-guard: 1 record dropped by the rule "^healthcheck"'],
      ['warn', 'egress-guard: 1 record dropped by the rule "^healthcheck"'],
      ['info', 'real work'],
    ]);
    const summary = records[0]!.egressGuardDropped as { rule: string; count: number; first: string; last: string };
    assert.equal(summary.rule, '^healthcheck');
    assert.equal(summary.count, 1);
    assert.equal(records[0]!.timestamp, summary.last, "the dropped record's own timestamp");
    assert.match(summary.first, /^\d{4}-\d\d-\d\dT/);
    assert.notInclude(out.lines.join('\n'), ' ok', 'nothing of the dropped content');
    assert.deepEqual(guard.dropped(), { '^healthcheck': 3 });
  });

  it('dropSummaryEvery: 0 leaves one summary per dropped record, Infinity only counts', () => {
    for (const [every, expected] of [[0, 3], [Infinity, 0]] as const) {
      const out = capture();
      const guard = guardFormat(engine, { dropSummaryEvery: every });
      const logger = winston.createLogger({ format: winston.format.combine(guard, winston.format.json()), transports: [out.transport] });
      for (let i = 0; i < 3; i++) logger.info(`healthcheck ${i}`);
      assert.lengthOf(out.lines, expected);
      assert.deepEqual(guard.dropped(), { '^healthcheck': 3 });
    }
  });

  it('guardTransport: local transports keep full detail, the outbound one gets the scrubbed copy', () => {
    const local = capture();
    const remote = capture({ format: winston.format.json() });
    const logger = winston.createLogger({
      level: 'debug',
      format: winston.format.json(),
      transports: [local.transport, guardTransport(remote.transport, { engine })],
    });
    const meta = { token: GHP, n: 1 };
    logger.warn('deploying', meta);
    assert.include(local.lines[0], GHP);
    assert.deepEqual(JSON.parse(remote.lines[0]!), { level: 'warn', message: 'deploying', n: 1 });
    assert.deepEqual(meta, { token: GHP, n: 1 });
  });

  it('guardTransport with a ledger: each shipped record is recorded (intent, then ack), scrubbed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'eg-wl-'));
    const ledger = Ledger.open({ dir });
    const remote = capture({ format: winston.format.json() });
    const logger = winston.createLogger({ transports: [guardTransport(remote.transport, { engine, ledger, destination: 'https://logs.example.test' })] });
    logger.info(`token ${GHP}`);
    logger.info('healthcheck ok'); // dropped: its content is not shipped; its summary is, and is recorded
    await new Promise((r) => setTimeout(r, 20));
    await ledger.close();
    const { entries, problems } = readLedger(dir);
    assert.deepEqual(problems, []);
    assert.deepEqual(entries.map((e) => e.type), ['intent', 'ack', 'intent', 'ack']);
    assert.deepInclude(entries[2]!.data.payload as object, { message: 'egress-guard: 1 record dropped by the rule "^healthcheck"' });
    assert.equal(entries[0]!.data.channel, 'logs');
    assert.equal(entries[0]!.data.destination, 'https://logs.example.test');
    // winston's default logger format (json) has formatted the line already: the guard makes the
    // message's change in the line too, so the line holds nothing more to find.
    const findings = entries[0]!.data.findings as { detector: string; path: string }[];
    assert.deepEqual(findings.map((f) => [f.detector, f.path]), [['github-token', 'message']]);
    assert.equal(entries[1]!.data.itemId, entries[0]!.data.itemId);
    assertNoSecret(JSON.stringify(entries), GHP);
    assert.lengthOf(remote.lines, 2);
  });

  it("guardTransport ships what the policy ships: its minimum level, not a record's ship: false", () => {
    const local = capture();
    const remote = capture({ format: winston.format.json() });
    const logger = winston.createLogger({ level: 'debug', transports: [local.transport, guardTransport(remote.transport, { engine })] });
    logger.debug('cache miss'); // builtin:default ships info and above
    logger.info('kept local', { ship: false });
    logger.info('shipped');
    assert.lengthOf(local.lines, 3);
    assert.deepEqual(remote.lines.map((l) => (JSON.parse(l) as { message: string }).message), ['shipped']);
  });

  it('guardTransport: on close, what was dropped since the last summary is summarized where the logs go', async () => {
    const remote = capture({ format: winston.format.json() });
    const logger = winston.createLogger({ transports: [guardTransport(remote.transport, { engine })] });
    for (let i = 0; i < 4; i++) logger.info(`healthcheck ${i}`);
    await new Promise<void>((resolve) => {
      logger.on('finish', () => resolve());
      logger.end();
    });
    const counts = remote.lines.map((l) => (JSON.parse(l) as { egressGuardDropped: { count: number } }).egressGuardDropped.count);
    assert.deepEqual(counts, [1, 3], 'the first drop at once, the other three on close');
  });
});
