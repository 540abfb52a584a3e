import { assert } from 'chai';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CloudClient } from '../../lib/cloud/client.ts';
import { startControlPlane, type ControlPlane } from '../../lib/cloud/server.ts';
import { EgressGate } from '../../lib/egress/gate.ts';
import type { GuardedItem } from '../../lib/egress/types.ts';
import { createEngine } from '../../lib/policy/create.ts';
import { egressGuard, NODE_FLAGS, REPO } from '../helpers/cli.ts';
import { assertNoSecret } from '../helpers/secrets.ts';

const TOKEN_A = 'tenant-a-token-0123456789';
const TOKEN_B = 'tenant-b-token-9876543210';
const GHP = 'ghp_' + 'R7tKq2mWx9LpZ4vN8sB3cD6fG1hJ5kM0yQeT';

/** Test data only: a cast the gate would make (the gate itself is tested in test/egress). */
function asGuardedForTest(i: number, flowRunId = 'run-1', extra: Partial<GuardedItem> = {}): GuardedItem {
  return { id: `item-${flowRunId}-${i}`, kind: 'logs', channel: 'logs', flowRunId, time: '2026-11-23T00:00:00.000Z', payload: { n: i }, ...extra } as GuardedItem;
}

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

async function until(check: () => boolean, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

const stored = (dir: string, tenant = 'a') => readFileSync(join(dir, tenant, 'items.jsonl'), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as GuardedItem);

describe('cloud: control plane and client', function () {
  this.timeout(30_000);
  let servers: ControlPlane[] = [];
  let clients: CloudClient[] = [];
  const start = async (dataDir: string, port = 0) => {
    const s = await startControlPlane({ port, dataDir, tenants: new Map([[TOKEN_A, 'a'], [TOKEN_B, 'b']]) });
    servers.push(s);
    return s;
  };
  const client = (url: string, spoolDir: string, extra: Partial<ConstructorParameters<typeof CloudClient>[0]> = {}) => {
    const c = new CloudClient({ url, token: TOKEN_A, spoolDir, flushIntervalMs: 10, retry: { baseMs: 10, maxMs: 50 }, ...extra });
    clients.push(c);
    return c;
  };
  afterEach(async () => {
    for (const c of clients) await c.close({ deadlineMs: 0 });
    for (const s of servers) await s.close();
    clients = [];
    servers = [];
  });

  it('stores items exactly as received, per tenant, once per id, durably across restarts', async () => {
    const data = mkdtempSync(join(tmpdir(), 'eg-cp-'));
    const s = await start(data);
    const items = [asGuardedForTest(1, 'run-1', { kind: 'flow_run', payload: { flow_name: 'etl', parameters: { day: 'x' } } }), asGuardedForTest(2)];
    const post = (token: string, body: unknown) =>
      fetch(`${s.url}/api/v1/items`, { method: 'POST', headers: { authorization: `Bearer ${token}` }, body: JSON.stringify(body) });
    assert.equal((await post(TOKEN_A, { items })).status, 200);
    assert.equal((await post(TOKEN_A, { items })).status, 200, 'a replay is acknowledged');
    assert.deepEqual(stored(data), items, 'stored once, as sent');
    assert.deepEqual(readdirSync(data), ['a']);
    await s.close();
    const again = await start(data);
    const r = await fetch(`${again.url}/api/v1/flow-runs/run-1`, { headers: { authorization: `Bearer ${TOKEN_A}` } });
    assert.equal(r.status, 200);
    assert.equal(((await r.json()) as { flow_name: string }).flow_name, 'etl');
  });

  it('401 without a valid token, 404 across tenants, 400 and 413 on bad requests without echoing them', async () => {
    const data = mkdtempSync(join(tmpdir(), 'eg-cp-'));
    const s = await start(data);
    await fetch(`${s.url}/api/v1/items`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN_A}` }, body: JSON.stringify({ items: [asGuardedForTest(1, 'run-x', { kind: 'flow_run' })] }) });
    assert.equal((await fetch(`${s.url}/api/v1/flow-runs/run-x`)).status, 401);
    assert.equal((await fetch(`${s.url}/api/v1/flow-runs/run-x`, { headers: { authorization: 'Bearer wrong-token-000000000' } })).status, 401);
    assert.equal((await fetch(`${s.url}/api/v1/flow-runs/run-x`, { headers: { authorization: `Bearer ${TOKEN_B}` } })).status, 404);
    const bad = await fetch(`${s.url}/api/v1/items`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN_A}` }, body: `{"items":[{"id":"x","kind":"nope","payload":"${GHP}"}]}` });
    assert.equal(bad.status, 400);
    const text = await bad.text();
    assert.include(text, 'items[0]: kind must be one of');
    assertNoSecret(text, GHP);
    assert.equal((await fetch(`${s.url}/api/v1/items`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN_A}` }, body: 'x'.repeat(6 * 1024 * 1024) })).status, 413);
    assert.equal((await fetch(`${s.url}/api/v1/health`)).status, 200);
  });

  it('serves a run with its task runs and their latest state and result location', async () => {
    const data = mkdtempSync(join(tmpdir(), 'eg-cp-'));
    const s = await start(data);
    const c = client(s.url, mkdtempSync(join(tmpdir(), 'eg-spool-')));
    c.send(asGuardedForTest(0, 'r', { kind: 'flow_run', payload: { flow_name: 'etl' } }));
    c.send(asGuardedForTest(1, 'r', { kind: 'task_run', taskRunId: 't1', payload: { task_name: 'extract' } }));
    c.send(asGuardedForTest(2, 'r', { kind: 'state', taskRunId: 't1', payload: { state: 'Running' } }));
    c.send(asGuardedForTest(3, 'r', { kind: 'state', taskRunId: 't1', payload: { state: 'Success', result_location: 'eyJ.enc' } }));
    assert.deepEqual(await c.close(), { delivered: 4, spooled: 0, dropped: 0, unsaved: 0 });
    const run = (await (await fetch(`${s.url}/api/v1/flow-runs/r`, { headers: { authorization: `Bearer ${TOKEN_A}` } })).json()) as { task_runs: unknown[] };
    assert.deepEqual(run.task_runs, [{ task_run_id: 't1', task_name: 'extract', state: 'Success', result_location: 'eyJ.enc' }]);
  });

  it('batches, and while the control plane is down spools; delivers everything once, in order, when it is back', async () => {
    const data = mkdtempSync(join(tmpdir(), 'eg-cp-'));
    const port = await freePort();
    const delivered: string[] = [];
    const c = client(`http://127.0.0.1:${port}`, mkdtempSync(join(tmpdir(), 'eg-spool-')), { batchSize: 25, onDelivered: (ids) => delivered.push(...ids) });
    for (let i = 0; i < 100; i++) c.send(asGuardedForTest(i));
    await new Promise((r) => setTimeout(r, 100)); // a few failed attempts against nothing
    assert.equal(c.pending, 100);
    await start(data, port);
    await until(() => delivered.length === 100);
    assert.deepEqual(stored(data).map((i) => i.id), Array.from({ length: 100 }, (_, i) => `item-run-1-${i}`));
    assert.deepEqual(delivered, stored(data).map((i) => i.id));
  });

  it('a full spool drops the oldest and says so; a new client delivers what an old one left', async () => {
    const spool = mkdtempSync(join(tmpdir(), 'eg-spool-'));
    const port = await freePort();
    const first = new CloudClient({ url: `http://127.0.0.1:${port}`, token: TOKEN_A, spoolDir: spool, maxSpoolItems: 10, flushIntervalMs: 10, retry: { baseMs: 5, maxMs: 10 } });
    for (let i = 0; i < 15; i++) first.send(asGuardedForTest(i));
    assert.deepEqual(await first.close({ deadlineMs: 50 }), { delivered: 0, spooled: 10, dropped: 5, unsaved: 0 });
    const data = mkdtempSync(join(tmpdir(), 'eg-cp-'));
    await start(data, port);
    const second = client(`http://127.0.0.1:${port}`, spool);
    assert.deepEqual(await second.close(), { delivered: 10, spooled: 0, dropped: 0, unsaved: 0 });
    assert.deepEqual(stored(data).map((i) => i.id), Array.from({ length: 10 }, (_, i) => `item-run-1-${i + 5}`));
  });

  it('end to end: gate -> client -> server over HTTP; the data directory has no planted secret, and has the metadata', async () => {
    const data = mkdtempSync(join(tmpdir(), 'eg-cp-'));
    const s = await start(data);
    const engine = await createEngine({ name: 'e2e', version: 1, extends: ['builtin:default'], channels: { locations: { action: 'remove' } } });
    const c = client(s.url, mkdtempSync(join(tmpdir(), 'eg-spool-')));
    const gate = new EgressGate({ engine, sink: c });
    gate.submit({ kind: 'flow_run', flowRunId: 'run-9', flowName: 'nightly-etl', parameters: { token: GHP, password: 'hunter2-but-longer', day: '2026-11-23' } });
    gate.submit({ kind: 'task_run', flowRunId: 'run-9', taskRunId: 't', taskName: 'extract', tags: [], upstream: [] });
    gate.submit({ kind: 'logs', flowRunId: 'run-9', records: [{ flowRunId: 'run-9', level: 'error', time: 't', message: `failed with ${GHP} for carol.jones@example.net` }] });
    gate.submit({ kind: 'state', flowRunId: 'run-9', taskRunId: 't', state: 'Failed', error: new Error(`auth ${GHP}`), resultLocation: 'results/carol-2026.json' });
    await gate.drain();
    assert.equal((await c.close()).delivered, 5);
    const raw = readFileSync(join(data, 'a', 'items.jsonl'), 'utf8');
    for (const secret of [GHP, 'hunter2-but-longer', 'carol.jones@example.net', 'carol-2026']) assertNoSecret(raw, secret);
    for (const meta of ['nightly-etl', 'extract', '"Failed"', '"error"', '2026-11-23']) assert.include(raw, meta);
  });

  it('cloud serve: prints the listening line first, serves, and refuses bad flags (exit 2)', async () => {
    const data = mkdtempSync(join(tmpdir(), 'eg-cp-'));
    const child = spawn(process.execPath, [...NODE_FLAGS, join(REPO, 'lib/cli/egress-guard.ts'), 'cloud', 'serve', '--port', '0', '--data', data, '--token', TOKEN_A]);
    try {
      const first = await new Promise<string>((resolve) => child.stdout.once('data', (d: Buffer) => resolve(String(d))));
      const m = /^listening on (http:\/\/127\.0\.0\.1:\d+)\n/.exec(first);
      assert.isNotNull(m, first);
      assert.equal((await fetch(`${m![1]}/api/v1/health`)).status, 200);
    } finally {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('close', r));
    }
    assert.equal((await egressGuard(['cloud', 'serve', '--port', '0', '--data', data])).code, 2);
    const both = await egressGuard(['cloud', 'serve', '--port', '0', '--data', data, '--token', TOKEN_A, '--tenants', 'x.json']);
    assert.equal(both.code, 2);
    assert.include(both.stderr, 'exactly one of --token');
    assertNoSecret(both.stderr, TOKEN_A);
    const tenants = join(data, 'tenants.json');
    writeFileSync(tenants, JSON.stringify({ tenants: { 'Bad Name': TOKEN_B } }));
    assert.equal((await egressGuard(['cloud', 'serve', '--port', '0', '--data', data, '--tenants', tenants])).code, 2);
  });
});
