import { assert } from 'chai';
import { DropCounter } from '../../lib/winston/drops.ts';
import { LEVEL, MESSAGE, type Info } from '../../lib/winston/record.ts';

const record = (level: string, timestamp?: string): Info => ({ level, [LEVEL]: level, message: 'healthcheck ok', ...(timestamp !== undefined && { timestamp }) });

describe('winston: drop summaries', () => {
  it('one summary at the first drop, then one per interval counting what came in between, per rule and level', () => {
    let now = 0;
    const drops = new DropCounter(60_000, () => now);
    assert.isDefined(drops.drop(record('info', 't0'), '^healthcheck'), 'the first drop is summarized at once');
    for (const t of ['t1', 't2', 't3']) {
      now += 10_000;
      assert.isUndefined(drops.drop(record('info', t), '^healthcheck'));
    }
    assert.isDefined(drops.drop(record('debug', 't3b'), '^healthcheck'), 'another level has its own window');
    now = 60_000;
    const summary = drops.drop(record('info', 't4'), '^healthcheck')!;
    assert.deepEqual(summary.egressGuardDropped, { rule: '^healthcheck', count: 4, first: 't1', last: 't4' });
    assert.equal(summary.level, 'info');
    assert.equal(summary[LEVEL], 'info');
    assert.equal(summary.timestamp, 't4');
    assert.isUndefined(summary[MESSAGE], 'not formatted: the formats after the guard do that');
    assert.deepEqual(drops.flush(), [], 'nothing pending');
    assert.deepEqual(drops.totals(), { '^healthcheck': 6 });
  });

  it('flush summarizes what is pending; a record formatted before the guard gets a formatted summary', () => {
    let now = 0;
    const drops = new DropCounter(60_000, () => now);
    const formatted = { ...record('info'), [MESSAGE]: '{"level":"info","message":"healthcheck ok"}' };
    drops.drop(formatted, '^health');
    now = 1;
    assert.isUndefined(drops.drop(formatted, '^health'));
    const [summary] = drops.flush();
    assert.equal(summary!.timestamp, new Date(1).toISOString(), 'no timestamp on the record: when it was seen');
    assert.deepEqual(JSON.parse(String(summary![MESSAGE])), {
      level: 'info',
      message: 'egress-guard: 1 record dropped by the rule "^health"',
      timestamp: new Date(1).toISOString(),
      egressGuardDropped: { rule: '^health', count: 1, first: new Date(1).toISOString(), last: new Date(1).toISOString() },
    });
  });
});
