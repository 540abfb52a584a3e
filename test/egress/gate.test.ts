import { assert } from 'chai';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EgressGate, type AuditRecord } from '../../lib/egress/gate.ts';
import type { GuardedItem } from '../../lib/egress/types.ts';
import { createEngine } from '../../lib/policy/create.ts';
import { generateLocationKeySet } from '../../lib/crypto/jose.ts';
import { assertNoSecret } from '../helpers/secrets.ts';

const GHP = 'ghp_' + 'R7tKq2mWx9LpZ4vN8sB3cD6fG1hJ5kM0yQeT';
const PASSWORD = 'hunter2-but-longer';

/** Stands in for the control-plane client (tested with a real server in test/cloud): keeps what it got. */
class ArraySink {
  readonly items: GuardedItem[] = [];
  send(item: GuardedItem): void {
    this.items.push(item);
  }
}

describe('egress/gate', () => {
  const dir = mkdtempSync(join(tmpdir(), 'eg-gate-'));
  const keyFile = join(dir, 'loc.jwk');

  async function setup(env: NodeJS.ProcessEnv = {}, policy: Parameters<typeof createEngine>[0] = 'builtin:default') {
    writeFileSync(keyFile, await generateLocationKeySet());
    const engine = await createEngine(policy, { locationKeyFile: keyFile });
    const sink = new ArraySink();
    const audit: AuditRecord[] = [];
    const gate = new EgressGate({ engine, sink, env, audit: { intent: (r) => void audit.push(r), ack: () => undefined } });
    return { gate, sink, audit, engine };
  }

  it('scrubs every channel of a run and keeps the metadata', async () => {
    const { gate, sink, audit, engine } = await setup();
    gate.submit({ kind: 'flow_run', flowRunId: 'fr1', flowName: 'nightly-etl', parameters: { day: '2026-11-23', token: GHP, db: { password: PASSWORD } } });
    gate.submit({ kind: 'task_run', flowRunId: 'fr1', taskRunId: 'tr1', taskName: 'extract', tags: ['db'], upstream: [] });
    gate.submit({ kind: 'state', flowRunId: 'fr1', taskRunId: 'tr1', state: 'Success', resultLocation: 'results/nightly-etl/extract-2026-11-23.json' });
    gate.submit({ kind: 'state', flowRunId: 'fr1', taskRunId: 'tr1', state: 'Failed', error: new Error(`auth failed with ${GHP}`) });
    gate.submit({
      kind: 'logs',
      flowRunId: 'fr1',
      records: [
        { flowRunId: 'fr1', taskRunId: 'tr1', level: 'info', time: '2026-11-23T00:00:00.000Z', message: `using ${GHP}` },
        { flowRunId: 'fr1', level: 'debug', time: '2026-11-23T00:00:01.000Z', message: 'noisy' },
        { flowRunId: 'fr1', level: 'info', time: '2026-11-23T00:00:02.000Z', message: 'local only', meta: { ship: false } },
      ],
    });
    await gate.drain();
    const all = JSON.stringify(sink.items);
    assertNoSecret(all, GHP);
    assertNoSecret(all, PASSWORD);
    assertNoSecret(all, 'nightly-etl/extract', 'locations leave encrypted');
    assert.deepEqual(sink.items.map((i) => [i.kind, i.channel]), [
      ['flow_run', 'parameters'],
      ['task_run', 'metadata'],
      ['state', 'locations'],
      ['state', 'exceptions'],
      ['logs', 'exceptions'],
      ['logs', 'logs'],
    ]);
    const [run, task, success, failed, traceback, logs] = sink.items;
    assert.deepEqual(run!.payload, { flow_name: 'nightly-etl', parameters: { day: '2026-11-23', db: {} } });
    assert.deepEqual(task!.payload, { task_name: 'extract', tags: ['db'], upstream: [] });
    assert.equal(await engine.decryptLocation(success!.payload.result_location as string), 'results/nightly-etl/extract-2026-11-23.json');
    assert.deepEqual(failed!.payload, { state: 'Failed', message: 'Error: auth failed with [REDACTED]' });
    const tb = (traceback!.payload.records as { stack: string; level: string }[])[0]!;
    assert.equal(tb.level, 'error');
    assert.match(tb.stack, /^Error: auth failed with \[REDACTED\]\n {4}at /);
    assert.deepEqual(
      (logs!.payload.records as unknown[]).map((r) => r),
      [{ message: 'using [REDACTED]', level: 'info', time: '2026-11-23T00:00:00.000Z', flow_run_id: 'fr1', task_run_id: 'tr1' }],
      'debug is below the minimum level, ship: false stays local',
    );
    // The audit saw every item, with findings and a digest of exactly what was sent.
    assert.deepEqual(audit.map((a) => a.itemId), sink.items.map((i) => i.id));
    assert.includeDeepMembers(audit[0]!.findings.map((f) => f.path), ['parameters.token', 'parameters.db.password']);
    assertNoSecret(JSON.stringify(audit), GHP);
  });

  it('inline results and cached parameters go out under the parameters rules', async () => {
    const { gate, sink } = await setup();
    gate.submit({ kind: 'state', flowRunId: 'f', taskRunId: 't', state: 'Success', resultLocation: JSON.stringify({ rows: 3, password: PASSWORD, note: GHP }), inlineResult: true });
    gate.submit({ kind: 'state', flowRunId: 'f', taskRunId: 't2', state: 'Cached', cacheKey: 'day-2026-11-23', cachedParameters: { day: '2026-11-23', token: GHP } });
    await gate.drain();
    assert.deepEqual(sink.items[0]!.payload, { state: 'Success', result_location: '{"rows":3,"note":"[REDACTED]"}' });
    assert.equal(sink.items[0]!.channel, 'parameters');
    assert.deepEqual(sink.items[1]!.payload.cached_parameters, { day: '2026-11-23' });
    assert.match(String(sink.items[1]!.payload.cache_key), /^ey/, 'the cache key is a location: encrypted');
    assertNoSecret(JSON.stringify(sink.items), PASSWORD);
  });

  it('EGRESS_GUARD_SHIP_LOGS=false ships no logs and no tracebacks, but the failed state still goes out', async () => {
    const { gate, sink } = await setup({ EGRESS_GUARD_SHIP_LOGS: 'false' });
    gate.submit({ kind: 'logs', flowRunId: 'f', records: [{ flowRunId: 'f', level: 'error', time: 't', message: 'boom' }] });
    gate.submit({ kind: 'state', flowRunId: 'f', state: 'Failed', error: new TypeError('bad input') });
    await gate.drain();
    assert.deepEqual(sink.items.map((i) => i.kind), ['state']);
    assert.equal(sink.items[0]!.payload.message, 'TypeError: bad input');
  });

  it('counts dropped records per rule; level, time and ids survive when the message is withheld', async () => {
    const { gate, sink } = await setup({}, { name: 'g', version: 1, extends: ['builtin:strict'], channels: { logs: { drop: ['^healthcheck'] } } });
    gate.submit({
      kind: 'logs',
      flowRunId: 'f',
      records: [
        { flowRunId: 'f', level: 'info', time: 't1', message: 'healthcheck ok' },
        { flowRunId: 'f', level: 'error', time: 't2', message: `login as bob@example.org failed` },
      ],
    });
    await gate.drain();
    assert.deepEqual(sink.items[0]!.payload, { records: [{ message: '', level: 'error', time: 't2', flow_run_id: 'f' }], dropped: { '^healthcheck': 1 } });
  });

  it('fails closed: a policy failure sends a placeholder and tells the audit', async () => {
    // A location key that cannot be read makes the locations channel throw for this item.
    const engine = await createEngine('builtin:default', { locationKeyFile: join(dir, 'missing.jwk') });
    const sink = new ArraySink();
    const audit: AuditRecord[] = [];
    const errors: unknown[] = [];
    const gate = new EgressGate({ engine, sink, audit: { intent: (r) => void audit.push(r), ack: () => undefined }, onPolicyError: (e) => errors.push(e) });
    gate.submit({ kind: 'state', flowRunId: 'f', taskRunId: 't', state: 'Success', resultLocation: 'results/secret-customer-list.json' });
    gate.submit({ kind: 'task_run', flowRunId: 'f', taskRunId: 't2', taskName: 'next', tags: [], upstream: [] });
    await gate.drain();
    assert.deepEqual(sink.items[0]!.payload, { state: 'Success', blocked: 'policy-error' });
    assert.equal(audit[0]!.blocked, 'policy-error');
    assert.lengthOf(errors, 1);
    assertNoSecret(JSON.stringify(sink.items), 'secret-customer-list');
    assert.equal(sink.items[1]!.kind, 'task_run', 'later items still flow');
  });

  it('names, tags and upstream names are scanned like any text; normal names go out as they are', async () => {
    const { gate, sink, audit } = await setup();
    gate.submit({ kind: 'flow_run', flowRunId: 'fr1', flowName: GHP, parameters: {} });
    gate.submit({ kind: 'task_run', flowRunId: 'fr1', taskRunId: 'tr1', taskName: GHP, tags: ['db', 'owner:alice.smith@example.com', `v=_${GHP}`], upstream: ['extract', GHP] });
    gate.submit({ kind: 'task_run', flowRunId: 'fr1', taskRunId: 'tr2', taskName: 'load', tags: ['db'], upstream: ['extract'] });
    await gate.drain();
    const sent = JSON.stringify(sink.items);
    assertNoSecret(sent + JSON.stringify(audit), { token: GHP, email: 'alice.smith@example.com' });
    assert.deepEqual(sink.items[2]!.payload, { task_name: 'load', tags: ['db'], upstream: ['extract'], }, 'a normal name is kept as is');
    const taskRun = sink.items[1]!.payload as { tags: string[] };
    assert.equal(taskRun.tags[0], 'db');
    assert.deepEqual(audit[1]!.findings.map((f) => f.path).sort(), ['tags[1]', 'tags[2]', 'task_name', 'upstream[1]']);
    assert.deepEqual(audit[0]!.findings.map((f) => f.path), ['flow_name']);
  });

  it('a circular or unserializable tag or parameter never kills the gate: the item goes out, the run goes on', async () => {
    const { gate, sink, audit } = await setup();
    const circular: Record<string, unknown> = { note: GHP };
    circular.self = circular;
    const throwing = { get name(): string { throw new Error(GHP); } };
    gate.submit({ kind: 'flow_run', flowRunId: 'fr1', flowName: 'f', parameters: { circular, big: 10n } });
    gate.submit({ kind: 'task_run', flowRunId: 'fr1', taskRunId: 'tr1', taskName: 't', tags: [circular, throwing, 7] as never, upstream: [] });
    gate.submit({ kind: 'state', flowRunId: 'fr1', state: 'Success' });
    await gate.drain();
    assert.lengthOf(sink.items, 3, 'every item went out');
    assert.lengthOf(audit, 3, 'and was recorded');
    assert.deepEqual(sink.items[2]!.payload, { state: 'Success' });
    assert.deepEqual((sink.items[0]!.payload as { parameters: unknown }).parameters, { circular: { note: '[REDACTED]', self: '[Circular]' }, big: '10' });
    assertNoSecret(JSON.stringify([sink.items, audit]), GHP);
  });

  it('a payload that cannot be serialized for the audit goes out as the blocked placeholder, with a finding', async () => {
    const { engine } = await setup();
    const sink = new ArraySink();
    const audit: AuditRecord[] = [];
    // An engine whose output JSON cannot carry (a BigInt): the gate must not die on it.
    const broken = { ...engine, scrubText: () => ({ text: 10n as unknown as string, findings: [] }) };
    const gate = new EgressGate({ engine: broken, sink, audit: { intent: (r) => void audit.push(r), ack: () => undefined } });
    gate.submit({ kind: 'task_run', flowRunId: 'fr1', taskRunId: 'tr1', taskName: 't', tags: [], upstream: [] });
    gate.submit({ kind: 'state', flowRunId: 'fr1', state: 'Success' });
    await gate.drain();
    assert.deepEqual(sink.items.map((i) => i.payload), [{ blocked: 'policy-error' }, { state: 'Success' }]);
    assert.equal(audit[0]!.blocked, 'policy-error');
  });
});
