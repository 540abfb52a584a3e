import { assert } from 'chai';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import winston from 'winston';
import { flow, task, runFlow, LocalResult, InlineResult, renderLocation, ResultWriteError, type RestartPlan } from '../../lib/core/index.ts';
import type { Gate, RawOutbound, RawState } from '../../lib/egress/gate-api.ts';

/** Stands in for the real gate (tested in test/egress and end to end in test/cloud): records what it is given. */
class RecordingGate implements Gate {
  readonly items: RawOutbound[] = [];
  submit(item: RawOutbound): void {
    this.items.push(item);
  }
  async drain(): Promise<void> {}
  async decryptLocation(token: string): Promise<string> {
    return token;
  }
  states(taskRunId?: string): string[] {
    return this.items.filter((i): i is RawState => i.kind === 'state' && i.taskRunId === taskRunId).map((i) => i.state);
  }
  taskRunIds(): string[] {
    return this.items.filter((i) => i.kind === 'task_run').map((i) => (i as { taskRunId: string }).taskRunId);
  }
}

const quiet = { localTransports: [new winston.transports.Console({ silent: true })] };

describe('core: flows, tasks and the runner', () => {
  const dir = () => mkdtempSync(join(tmpdir(), 'eg-core-'));

  it('reports the flow run, task runs and every state; checkpointed outputs carry their location', async () => {
    const results = dir();
    const double = task({ name: 'double', checkpoint: true, result: new LocalResult({ dir: results, location: '{flow_name}/{task_name}-{inputs.n}.json' }) }, async (i: { n: number }) => i.n * 2);
    const f = flow({ name: 'demo' }, async (p: { n: number }) => double({ n: p.n }));
    const gate = new RecordingGate();
    const out = await runFlow(f, { n: 21 }, { gate, ...quiet });
    assert.deepEqual([out.state, out.result], ['Success', 42]);
    assert.deepEqual(gate.items[0], { kind: 'flow_run', flowRunId: out.flowRunId, flowName: 'demo', parameters: { n: 21 } });
    const [t] = gate.taskRunIds();
    assert.deepEqual(gate.states(t), ['Pending', 'Running', 'Success']);
    assert.deepEqual(gate.states(undefined), ['Running', 'Success']);
    const success = gate.items.find((i) => i.kind === 'state' && i.state === 'Success' && i.taskRunId === t) as RawState;
    assert.equal(success.resultLocation, join(results, 'demo/double-21.json'));
    assert.equal(readFileSync(success.resultLocation!, 'utf8'), '42');
  });

  it('retries: Retrying with the attempt, inputs written first; a final failure fails the run with the error', async () => {
    const results = dir();
    let calls = 0;
    const flaky = task({ name: 'flaky', retries: 2, retryDelayMs: 1, result: new LocalResult({ dir: results }) }, async () => {
      calls++;
      if (calls < 3) throw new Error(`attempt ${calls}`);
      return 'ok';
    });
    const gate = new RecordingGate();
    const ok = await runFlow(flow({ name: 'r' }, async () => flaky({ x: 1 })), {}, { gate, ...quiet });
    assert.equal(ok.state, 'Success');
    const [t] = gate.taskRunIds();
    assert.deepEqual(gate.states(t), ['Pending', 'Running', 'Retrying', 'Running', 'Retrying', 'Running', 'Success']);
    const retry = gate.items.find((i) => i.kind === 'state' && i.state === 'Retrying') as RawState;
    assert.equal(retry.attempt, 1);
    assert.deepEqual(JSON.parse(readFileSync(retry.resultLocation!, 'utf8')), { x: 1 }, 'upstream inputs written before the retry');
    const boom = task({ name: 'boom' }, async () => {
      throw new TypeError('nope');
    });
    const gate2 = new RecordingGate();
    const failed = await runFlow(flow({ name: 'f' }, async () => boom({})), {}, { gate: gate2, ...quiet });
    assert.equal(failed.state, 'Failed');
    assert.instanceOf(failed.error, TypeError);
    assert.deepEqual(gate2.states(undefined), ['Running', 'Failed']);
    assert.instanceOf((gate2.items.at(-1) as RawState).error, TypeError);
  });

  it('a result that cannot be written after the task ran fails the task without running it again (its side effects happened)', async () => {
    const results = dir();
    writeFileSync(join(results, 'taken'), 'a file where the results directory would go');
    let calls = 0;
    const t = task({ name: 'charge', retries: 3, checkpoint: true, result: new LocalResult({ dir: join(results, 'taken') }) }, async () => ++calls);
    const gate = new RecordingGate();
    const outcome = await runFlow(flow({ name: 'w' }, async () => t({})), {}, { gate, ...quiet });
    assert.equal(calls, 1, 'run once, not retried');
    assert.equal(outcome.state, 'Failed');
    assert.instanceOf(outcome.error, ResultWriteError, 'the flow fails with it, as the example in its TSDoc reads it');
    const [taskRun] = gate.taskRunIds();
    assert.deepEqual(gate.states(taskRun), ['Pending', 'Running', 'Failed']);
    const { error } = gate.items.find((i) => i.kind === 'state' && i.state === 'Failed' && i.taskRunId === taskRun) as RawState;
    assert.instanceOf(error, ResultWriteError);
    assert.match((error as Error).message, /^task charge ran, but its result could not be written \(.*\); it is not run again$/);
  });

  it("a failed task's error, with its stack, is shown in the local logs at each attempt; only the scrubbed state goes out", async () => {
    let local = '';
    const stream = new Writable({ write: (chunk, _enc, done) => ((local += String(chunk)), done()) });
    const t = task({ name: 'load', retries: 1 }, async () => {
      throw new TypeError('column "amount" is missing');
    });
    const gate = new RecordingGate();
    const outcome = await runFlow(flow({ name: 'e' }, async () => t({})), {}, { gate, localTransports: [new winston.transports.Stream({ stream })] });
    assert.equal(outcome.state, 'Failed');
    const lines = local.split('\n').filter(Boolean).map((l) => JSON.parse(l) as { level: string; message: string });
    assert.deepEqual(lines.map((l) => l.level), ['warn', 'error']);
    assert.match(lines[0]!.message, /^task load failed \(attempt 1 of 2, retrying\): TypeError: column "amount" is missing\n\s+at /);
    assert.match(lines[1]!.message, /^task load failed \(attempt 2 of 2\): TypeError/);
    await gate.drain();
    assert.notInclude(JSON.stringify(gate.items.filter((i) => i.kind === 'logs')), 'column', 'not shipped as a log: the Failed state carries it');
  });

  it('EGRESS_GUARD_CHECKPOINTING=false turns checkpointing off', async () => {
    const t = task({ name: 't', checkpoint: true, result: new LocalResult({ dir: dir() }) }, async () => 1);
    const gate = new RecordingGate();
    await runFlow(flow({ name: 'c' }, async () => t({})), {}, { gate, env: { EGRESS_GUARD_CHECKPOINTING: 'false' }, ...quiet });
    assert.isUndefined((gate.items.find((i) => i.kind === 'state' && i.state === 'Success' && i.taskRunId !== undefined) as RawState).resultLocation);
  });

  it('concurrency by tag: over the limit a task is Queued (inputs written) and runs after', async () => {
    const results = dir();
    const spans: [number, number][] = [];
    const slow = task({ name: 'slow', tags: ['db'], result: new LocalResult({ dir: results }) }, async (i: { k: number }) => {
      const start = performance.now();
      await new Promise((r) => setTimeout(r, 30));
      spans.push([start, performance.now()]);
      return i.k;
    });
    const gate = new RecordingGate();
    await runFlow(flow({ name: 'q' }, async () => Promise.all([slow({ k: 1 }), slow({ k: 2 })])), {}, { gate, concurrency: { db: 1 }, ...quiet });
    const [a, b] = gate.taskRunIds();
    assert.include(gate.states(b), 'Queued');
    assert.notInclude(gate.states(a), 'Queued');
    assert.isAtMost(spans[0]![1], spans[1]![0] + 1, 'never both at once');
  });

  it('caching: a hit within cacheFor is Cached with the stored output and does not run', async () => {
    let runs = 0;
    const cached = task({ name: `cached-${Date.now()}`, cacheKey: (i: { day: string }) => i.day, cacheFor: 60_000, result: new LocalResult({ dir: dir() }) }, async (i: { day: string }) => {
      runs++;
      return `rows of ${i.day}`;
    });
    const gate = new RecordingGate();
    await runFlow(flow({ name: 'k' }, async () => [await cached({ day: 'd1' }), await cached({ day: 'd1' })]), {}, { gate, ...quiet });
    assert.equal(runs, 1);
    const [, second] = gate.taskRunIds();
    assert.deepEqual(gate.states(second), ['Pending', 'Cached']);
    const hit = gate.items.find((i) => i.kind === 'state' && i.state === 'Cached') as RawState;
    assert.equal(hit.cacheKey, 'd1');
    assert.deepEqual(hit.cachedParameters, { day: 'd1' }, 'the cached state carries its parameters');
    const stored = gate.items.find((i) => i.kind === 'state' && i.state === 'Success' && i.cacheKey === 'd1') as RawState;
    assert.isTrue(existsSync(stored.resultLocation!), 'caching writes the output');
    assert.isTrue(existsSync(stored.resultLocation! + '.inputs.json'), 'and the inputs');
  });

  it('restart: tasks that succeeded are reloaded from their results, the failed one runs again', async () => {
    const results = dir();
    const res = new LocalResult({ dir: results, location: '{task_name}-{flow_run_id}.json' });
    let extractRuns = 0;
    let fail = true;
    const extract = task({ name: 'extract', checkpoint: true, result: res }, async () => {
      extractRuns++;
      return [1, 2, 3];
    });
    const load = task({ name: 'load', checkpoint: true, result: res }, async (i: { rows: number[] }) => {
      if (fail) throw new Error('warehouse down');
      return i.rows.length;
    });
    const f = flow({ name: 'etl' }, async () => load({ rows: await extract({}) }));
    const gate = new RecordingGate();
    const first = await runFlow(f, {}, { gate, ...quiet });
    assert.equal(first.state, 'Failed');
    const plan: RestartPlan = {
      flowRunId: first.flowRunId,
      tasks: gate.items
        .filter((i) => i.kind === 'task_run')
        .map((i) => {
          const t = i as { taskRunId: string; taskName: string; callIndex: number };
          const last = gate.items.filter((s): s is RawState => s.kind === 'state' && s.taskRunId === t.taskRunId).at(-1)!;
          return { taskName: t.taskName, callIndex: t.callIndex, state: last.state, ...(last.resultLocation !== undefined && { resultLocation: last.resultLocation }) };
        }),
    };
    fail = false;
    const gate2 = new RecordingGate();
    const second = await runFlow(f, {}, { gate: gate2, restart: plan, ...quiet });
    assert.deepEqual([second.state, second.result, extractRuns], ['Success', 3, 1]);
    const [e2] = gate2.taskRunIds();
    assert.deepEqual(gate2.states(e2), ['Pending', 'Cached']);
    assert.equal((gate2.items[0] as { restartOf?: string }).restartOf, first.flowRunId);
  });

  it('ctx.logger ships records in batches with run ids; { ship: false } stays local', async () => {
    const lines: string[] = [];
    const local = new winston.transports.Stream({
      stream: new Writable({ write: (chunk, _enc, done) => (lines.push((JSON.parse(String(chunk)) as { message: string }).message), done()) }),
    });
    const t = task({ name: 'log' }, async (_: object, ctx) => {
      ctx.logger.info('shipped', { n: 1 });
      ctx.logger.info('kept here', { ship: false });
    });
    const gate = new RecordingGate();
    const out = await runFlow(flow({ name: 'l' }, async (_p, ctx) => {
      ctx.logger.warn('flow level');
      await t({});
    }), {}, { gate, localTransports: [local] });
    const logs = gate.items.filter((i) => i.kind === 'logs');
    assert.lengthOf(logs, 1);
    const records = (logs[0] as { records: { message: string; level: string; flowRunId: string; taskRunId?: string; meta?: object }[] }).records;
    assert.deepEqual(records.map((r) => [r.level, r.message, r.flowRunId === out.flowRunId, r.taskRunId !== undefined]), [
      ['warn', 'flow level', true, false],
      ['info', 'shipped', true, true],
    ]);
    assert.includeMembers(lines, ['flow level', 'shipped', 'kept here'], 'local transports get everything');
  });

  it('a task outside a flow is just the function; templates are safe and strict', async () => {
    const plain = task({ name: 'plain' }, async (i: number) => i + 1);
    assert.equal(await plain(1), 2);
    const ctx = { flow_name: 'f', task_name: 't', flow_run_id: 'r', task_run_id: 'tr', date: '2026-11-23', params: { p: '../../etc' }, inputs: { day: 'a/b' } };
    assert.equal(renderLocation('{flow_name}/{date}/{params.p}-{inputs.day}.json', ctx), 'f/2026-11-23/.._.._etc-a_b.json');
    assert.throws(() => renderLocation('{nope}.json', ctx), /unknown placeholder \{nope\}/);
    assert.throws(() => renderLocation('{inputs.missing}', ctx), /inputs has no field "missing"/);
    assert.throws(() => renderLocation('/abs/{task_name}', ctx), /relative path/);
    const inline = new InlineResult();
    assert.deepEqual(await inline.read(await inline.write({ a: 1 })), { a: 1 });
    assert.equal(await inline.write({ a: 1 }), '{"a":1}', 'the value is its own location');
    const gate = new RecordingGate();
    await runFlow(flow({ name: 'i' }, async () => task({ name: 'inl', checkpoint: true, result: inline }, async () => ({ ok: true }))({})), {}, { gate, ...quiet });
    const success = gate.items.find((i) => i.kind === 'state' && i.state === 'Success' && i.taskRunId !== undefined) as RawState;
    assert.deepEqual([success.resultLocation, success.inlineResult], ['{"ok":true}', true]);
  });

  it('a log call with a circular message or metadata never fails the user\'s task; the record still ships', async () => {
    const circular: Record<string, unknown> = { note: 'loop' };
    circular.self = circular;
    const logs = task({ name: 'logs' }, async (_: unknown, ctx) => {
      ctx.logger.info({ message: circular });
      ctx.logger.info('with meta', { self: circular });
      return 'done';
    });
    const gate = new RecordingGate();
    const out = await runFlow(flow({ name: 'c' }, async () => logs({})), {}, { gate, ...quiet });
    assert.deepEqual([out.state, out.result], ['Success', 'done']);
    const records = gate.items.flatMap((i) => (i.kind === 'logs' ? i.records : []));
    assert.lengthOf(records, 2);
    assert.include(records[0]!.message, "note: 'loop'", 'a message that JSON cannot carry is described instead');
    assert.equal(records[1]!.message, 'with meta');
  });
});
