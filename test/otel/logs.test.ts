/**
 * GuardLogRecordProcessor with the real SDK: a LoggerProvider whose records go through the guard into a
 * SimpleLogRecordProcessor and an InMemoryLogRecordExporter, beside an unguarded local processor.
 */
import { SeverityNumber } from '@opentelemetry/api-logs';
import { InMemoryLogRecordExporter, LoggerProvider, SimpleLogRecordProcessor, type ReadableLogRecord } from '@opentelemetry/sdk-logs';
import { assert } from 'chai';
import { DROPPED_ATTRIBUTE, GuardLogRecordProcessor } from '../../lib/otel/index.ts';
import { assertClean, AWS_KEY, CARD, EMAIL, GHP } from '../helpers/door-secrets.ts';

function setup(options: ConstructorParameters<typeof GuardLogRecordProcessor>[1] = {}) {
  const exporter = new InMemoryLogRecordExporter();
  const local = new InMemoryLogRecordExporter();
  const guard = new GuardLogRecordProcessor(new SimpleLogRecordProcessor({ exporter }), options);
  const provider = new LoggerProvider({ processors: [guard, new SimpleLogRecordProcessor({ exporter: local })] });
  return { exporter, local, guard, provider, logger: provider.getLogger('egress-guard-test') };
}

const content = (r: ReadableLogRecord) => JSON.stringify({ body: r.body, attributes: r.attributes, eventName: r.eventName });

const DROPPING = { name: 'otel-logs', version: 1, extends: ['builtin:default'], channels: { logs: { drop: ['^GET /health '] } } };

describe('otel: GuardLogRecordProcessor with the real SDK', () => {
  it('scrubs string bodies, structured bodies, attributes and event names; innocent content is kept', async () => {
    const { exporter, local, provider, logger } = setup();
    logger.emit({ severityNumber: SeverityNumber.INFO, severityText: 'INFO', body: `deploy with ${GHP} for ${EMAIL}`, attributes: { 'order.id': 'order-1001', 'aws.key': AWS_KEY, 'db.password': 'hunter2-but-longer' } });
    logger.emit({
      severityNumber: SeverityNumber.WARN,
      eventName: `checkout/${EMAIL}`,
      body: { message: 'payment retried', card: CARD, customer: { email: EMAIL, tier: 'gold' }, auth: { token: GHP } },
      attributes: { 'url.full': `https://pay.test/charge?api_key=${AWS_KEY}&amount=12`, attempts: 3 },
    });
    await provider.forceFlush();
    const [first, second] = exporter.getFinishedLogRecords();
    for (const r of [first!, second!]) assertClean(content(r), 'an exported log record');
    assert.match(String(first!.body), /^deploy with \[REDACTED\] for \*+\.com$/);
    // `aws.key` names a vendor's key and holds a credential: removed like `db.password`.
    assert.deepEqual(first!.attributes, { 'order.id': 'order-1001' });
    assert.deepEqual(second!.body, { message: 'payment retried', card: '***************1111', customer: { email: '*******************.com', tier: 'gold' }, auth: {} });
    assert.deepEqual(second!.attributes, { 'url.full': 'https://pay.test/charge?api_key=[REDACTED]&amount=12', attempts: 3 });
    assert.match(String(second!.eventName), /^checkout\/\*+\.com$/);
    assert.equal(second!.severityNumber, SeverityNumber.WARN);
    // The records themselves and the local processor's copies keep full detail.
    const raw = local.getFinishedLogRecords();
    assert.include(String(raw[0]!.body), GHP);
    assert.equal(raw[0]!.attributes['db.password'], 'hunter2-but-longer');
    assert.deepEqual(raw[1]!.body, { message: 'payment retried', card: CARD, customer: { email: EMAIL, tier: 'gold' }, auth: { token: GHP } });
    assert.strictEqual(second!.resource, raw[1]!.resource);
    assert.deepEqual(second!.hrTime, raw[1]!.hrTime);
  });

  it('scrubs the exception attributes that emit({ exception }) writes', async () => {
    const { exporter, provider, logger } = setup();
    const err = new Error(`login failed for ${EMAIL} with ${GHP}`);
    err.stack = `Error: login failed for ${EMAIL} with ${GHP}\n    at login (${process.cwd()}/lib/auth.js:10:5)\n    at /home/alice/app/server.js:3:1`;
    logger.emit({ severityNumber: SeverityNumber.ERROR, body: 'login failed', exception: err });
    await provider.forceFlush();
    const r = exporter.getFinishedLogRecords()[0]!;
    assertClean(content(r), 'an exported exception record');
    assert.equal(r.attributes['exception.type'], 'Error');
    assert.match(String(r.attributes['exception.message']), /^login failed for \*+\.com with \[REDACTED\]$/);
    const stack = String(r.attributes['exception.stacktrace']).split('\n');
    assert.deepEqual(stack.slice(1), ['    at login (lib/auth.js:10:5)', '    at ~/app/server.js:3:1']);
  });

  it('ships what the policy ships: its level, logs.ship and EGRESS_GUARD_SHIP_LOGS', async () => {
    const { exporter, provider, logger, guard } = setup();
    assert.isFalse(guard.enabled({ context: {} as never, instrumentationScope: { name: 'x' }, severityNumber: SeverityNumber.DEBUG }));
    assert.isTrue(guard.enabled({ context: {} as never, instrumentationScope: { name: 'x' }, severityNumber: SeverityNumber.INFO }));
    logger.emit({ severityNumber: SeverityNumber.DEBUG, body: 'cache warm' });
    logger.emit({ severityNumber: SeverityNumber.TRACE, body: 'tick' });
    logger.emit({ severityText: 'debug', body: 'by text' });
    logger.emit({ severityNumber: SeverityNumber.FATAL, body: 'disk full' });
    logger.emit({ body: 'no severity' });
    await provider.forceFlush();
    assert.deepEqual(exporter.getFinishedLogRecords().map((r) => r.body), ['disk full', 'no severity']);

    for (const options of [{ policy: { name: 'quiet', version: 1, extends: ['builtin:default'], channels: { logs: { ship: false } } } }, { env: { EGRESS_GUARD_SHIP_LOGS: 'false' } }]) {
      const quiet = setup(options);
      quiet.logger.emit({ severityNumber: SeverityNumber.ERROR, body: 'boom' });
      await quiet.provider.forceFlush();
      assert.lengthOf(quiet.exporter.getFinishedLogRecords(), 0);
      assert.lengthOf(quiet.local.getFinishedLogRecords(), 1, 'local processors are not affected');
    }
  });

  it('drop rules: a dropped record is not passed on; summaries count them, per severity', async () => {
    const { exporter, provider, logger, guard } = setup({ policy: DROPPING });
    logger.emit({ severityNumber: SeverityNumber.INFO, body: `GET /health 200 ${GHP}`, attributes: { secret: 'x' } });
    logger.emit({ severityNumber: SeverityNumber.INFO, body: 'GET /health 200' });
    logger.emit({ severityNumber: SeverityNumber.WARN, body: { message: 'GET /health 503' } });
    logger.emit({ severityNumber: SeverityNumber.INFO, body: 'order 1001 shipped' });
    logger.emit({ severityNumber: SeverityNumber.INFO, body: 'GET /health 200' });
    assert.deepEqual(guard.dropped(), { '^GET /health ': 4 });
    await provider.forceFlush(); // sends what is still pending: 2 at info since the first summary
    const records = exporter.getFinishedLogRecords();
    assert.deepEqual(records.map((r) => [r.severityNumber, r.body]), [
      [SeverityNumber.INFO, 'egress-guard: 1 record dropped by the rule "^GET /health "'],
      [SeverityNumber.WARN, 'egress-guard: 1 record dropped by the rule "^GET /health "'],
      [SeverityNumber.INFO, 'order 1001 shipped'],
      [SeverityNumber.INFO, 'egress-guard: 2 records dropped by the rule "^GET /health "'],
    ]);
    assert.equal(records[0]!.attributes[`${DROPPED_ATTRIBUTE}.rule`], '^GET /health ');
    assert.equal(records[3]!.attributes[`${DROPPED_ATTRIBUTE}.count`], 2);
    assert.match(String(records[0]!.attributes[`${DROPPED_ATTRIBUTE}.first`]), /^\d{4}-\d\d-\d\dT/);
    assertClean(JSON.stringify(records.map(content)), 'summaries');
    assert.isFalse(JSON.stringify(records.map(content)).includes('200'), 'nothing of the dropped content');
  });

  it('dropSummaryEvery: 0 leaves one summary per dropped record, Infinity only counts', async () => {
    for (const [every, expected] of [[0, 3], [Infinity, 0]] as const) {
      const { exporter, provider, logger, guard } = setup({ policy: DROPPING, dropSummaryEvery: every });
      for (let i = 0; i < 3; i++) logger.emit({ severityNumber: SeverityNumber.INFO, body: `GET /health ${i}` });
      await provider.forceFlush();
      assert.lengthOf(exporter.getFinishedLogRecords(), expected);
      assert.deepEqual(guard.dropped(), { '^GET /health ': 3 });
    }
  });

  it('passes forceFlush and shutdown through; summaries pending at shutdown go out first', async () => {
    const { exporter, provider, logger } = setup({ policy: DROPPING });
    logger.emit({ severityNumber: SeverityNumber.INFO, body: 'GET /health 1' });
    logger.emit({ severityNumber: SeverityNumber.INFO, body: 'GET /health 2' });
    const seen: string[] = [];
    const origShutdown = exporter.shutdown.bind(exporter);
    exporter.shutdown = () => {
      seen.push(...exporter.getFinishedLogRecords().map((r) => String(r.body)));
      return origShutdown();
    };
    await provider.shutdown();
    assert.deepEqual(seen, [
      'egress-guard: 1 record dropped by the rule "^GET /health "',
      'egress-guard: 1 record dropped by the rule "^GET /health "',
    ]);
  });
});
