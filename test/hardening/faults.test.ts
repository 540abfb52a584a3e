/**
 * Faults: for each, what the run did, what reached the control plane, what the ledger says, and that
 * nothing was lost or leaked.
 * - the control plane answering 500, closing connections before and after it stored a batch, answering
 *   slower than the client waits: a real HTTP proxy on 127.0.0.1 that injects the faults in front of the
 *   real control plane;
 * - values that throw when the policy reads them, and a policy that fails on an item;
 * - a location key file that is missing, a directory or not a key;
 * - the disk full under the ledger and under the spool: a real tmpfs of a few pages, mounted by the test
 *   (tests run as root here, as in CI), filled up with real files;
 * - kill -9 of `egress-guard run` mid-flight, then `audit-report --verify` and a restart.
 * (The control plane down for a whole run is test/e2e/run.test.ts; torn and tampered ledgers are
 * test/audit/ledger.test.ts and test/hardening/tampering.test.ts.)
 */
import { assert } from 'chai';
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import winston from 'winston';
import { Ledger, type LedgerEntry } from '../../lib/audit/ledger.ts';
import { readLedger } from '../../lib/audit/verify.ts';
import { CloudClient } from '../../lib/cloud/client.ts';
import { startControlPlane, type ControlPlane } from '../../lib/cloud/server.ts';
import { generateLocationKeySet } from '../../lib/crypto/jose.ts';
import { EgressGate } from '../../lib/egress/gate.ts';
import type { GuardedItem } from '../../lib/egress/types.ts';
import { createEngine } from '../../lib/policy/create.ts';
import type { Engine } from '../../lib/policy/engine.ts';
import { egressGuard, NODE_FLAGS, REPO, run } from '../helpers/cli.ts';
import { assertNoSecret } from '../helpers/secrets.ts';
import { guardTransport } from '../../lib/winston/index.ts';

const TOKEN = 'faults-tenant-token-0123456789abcdef';
const GHP = 'ghp_' + 'Qw8eR4tY6uI2oP0aS9dF7gH5jK3lZ1xC5vBn';
const PASSWORD = 'Tr0ub4dor-and-3-more-words';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function until(check: () => boolean, what: string, ms = 15_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

const storedItems = (dataDir: string): { id: string; flowRunId: string; payload: Record<string, unknown> }[] => {
  const file = join(dataDir, 'default', 'items.jsonl');
  return existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l)) : [];
};
const intents = (entries: LedgerEntry[]) => entries.filter((e) => e.type === 'intent').map((e) => String(e.data.itemId));
const acks = (entries: LedgerEntry[]) => entries.filter((e) => e.type === 'ack').map((e) => String(e.data.itemId));
const allText = (dir: string): string =>
  readdirSync(dir, { withFileTypes: true })
    .map((d) => (d.isDirectory() ? allText(join(dir, d.name)) : readFileSync(join(dir, d.name), 'utf8')))
    .join('\n');

type Fault = 'pass' | '500' | 'close-before' | 'close-after' | 'slow';

/** An HTTP proxy that plays one fault per request, in order, then passes everything through. */
class FaultProxy {
  readonly seen: Fault[] = [];
  private server!: Server;
  url = '';
  constructor(private readonly target: string, private readonly faults: Fault[]) {}

  async start(): Promise<void> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server.address() as { port: number }).port}`;
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((r) => this.server.close(() => r()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const fault = this.faults.shift() ?? 'pass';
    this.seen.push(fault);
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks);
    if (fault === '500') return void res.writeHead(500).end('{"error":"injected"}');
    if (fault === 'close-before') return void req.socket.destroy();
    if (fault === 'slow') await sleep(1_500); // the client gives up after 300 ms, then this one goes through
    const upstream = await this.forward(req, body);
    if (fault === 'close-after') return void req.socket.destroy(); // stored, but the client never hears so
    if (!res.destroyed) res.writeHead(upstream.status, { 'content-type': 'application/json' }).end(upstream.body);
  }

  private forward(req: IncomingMessage, body: Buffer): Promise<{ status: number; body: Buffer }> {
    return new Promise((resolve, reject) => {
      const out = request(`${this.target}${req.url}`, { method: req.method, headers: { authorization: req.headers.authorization ?? '', 'content-type': 'application/json' } }, (up) => {
        const parts: Buffer[] = [];
        up.on('data', (d: Buffer) => parts.push(d)).on('end', () => resolve({ status: up.statusCode ?? 502, body: Buffer.concat(parts) }));
      });
      out.on('error', reject);
      out.end(body);
    });
  }
}

/** A tmpfs of `kib` KiB, so that "disk full" is the kernel's ENOSPC on real files. */
class TinyDisk {
  readonly dir = mkdtempSync(join(tmpdir(), 'eg-tinydisk-'));
  private fillers = 0;
  constructor(kib: number) {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${kib}k,mode=0700`, 'tmpfs', this.dir]);
  }
  /** Fills every free page with 4 KiB files, then frees `pages` of them. */
  fill(pages = 0): void {
    try {
      for (;;) writeFileSync(join(this.dir, `filler-${this.fillers++}`), Buffer.alloc(4096, 1));
    } catch (err) {
      assert.equal((err as NodeJS.ErrnoException).code, 'ENOSPC');
    }
    for (let i = 0; i < pages; i++) this.free();
  }
  free(): void {
    for (let i = 0; i < this.fillers; i++) {
      const f = join(this.dir, `filler-${i}`);
      if (existsSync(f)) return void rmSync(f);
    }
  }
  freeAll(): void {
    for (let i = 0; i < this.fillers; i++) rmSync(join(this.dir, `filler-${i}`), { force: true });
  }
  unmount(): void {
    execFileSync('umount', ['-l', this.dir]);
  }
}

describe('hardening: faults', function () {
  this.timeout(60_000);
  let engine: Engine;
  const work = mkdtempSync(join(tmpdir(), 'eg-faults-'));
  const keyFile = join(work, 'locations.jwk');
  const planes: ControlPlane[] = [];
  const disks: TinyDisk[] = [];
  const serve = async (port = 0) => {
    const dataDir = mkdtempSync(join(work, 'cp-'));
    const cp = await startControlPlane({ port, dataDir, tenants: new Map([[TOKEN, 'default']]) });
    planes.push(cp);
    return { cp, dataDir };
  };
  const disk = (kib: number) => {
    const d = new TinyDisk(kib);
    disks.push(d);
    return d;
  };

  before(async () => {
    writeFileSync(keyFile, await generateLocationKeySet(), { mode: 0o600 });
    engine = await createEngine('builtin:default', { locationKeyFile: keyFile });
  });
  after(async () => {
    for (const p of planes) await p.close();
    for (const d of disks) d.unmount();
  });

  /** A small run's worth of raw items, each with a planted secret. */
  function submitRun(gate: EgressGate, runId: string, n: number): void {
    gate.submit({ kind: 'flow_run', flowRunId: runId, flowName: 'faulty', parameters: { token: GHP, db: { password: PASSWORD }, day: '2026-12-01' } });
    for (let i = 0; i < n; i++) {
      gate.submit({ kind: 'logs', flowRunId: runId, records: [{ flowRunId: runId, level: 'info', time: new Date().toISOString(), message: `step ${i} with ${GHP}` }] });
    }
    gate.submit({ kind: 'state', flowRunId: runId, taskRunId: 't', state: 'Failed', error: new Error(`login failed for admin:${PASSWORD}@db`) });
  }

  describe('the control plane misbehaving', () => {
    it('500s, connections closed before and after it stored a batch, answers slower than the client waits: every item arrives once, in order, and is acknowledged', async () => {
      const { cp, dataDir } = await serve();
      const proxy = new FaultProxy(cp.url, ['500', 'close-before', 'close-after', 'slow', '500', 'close-after']);
      await proxy.start();
      const ledgerDir = mkdtempSync(join(work, 'ledger-'));
      const ledger = Ledger.open({ dir: ledgerDir });
      const client = new CloudClient({
        url: proxy.url,
        token: TOKEN,
        spoolDir: mkdtempSync(join(work, 'spool-')),
        batchSize: 5,
        flushIntervalMs: 10,
        requestTimeoutMs: 300,
        retry: { baseMs: 10, maxMs: 40 },
        onDelivered: (ids) => ids.forEach((id) => void ledger.ack(id)),
      });
      const gate = new EgressGate({ engine, sink: client, audit: ledger });
      submitRun(gate, 'run-faults', 20);
      await gate.drain();
      const closed = await client.close({ deadlineMs: 20_000 });
      await ledger.close();
      await proxy.close();

      assert.includeMembers(proxy.seen, ['500', 'close-before', 'close-after', 'slow'], 'every fault was played');
      const { entries, problems } = readLedger(ledgerDir);
      assert.deepEqual(problems, []);
      const stored = storedItems(dataDir).map((i) => i.id);
      assert.deepEqual(stored, intents(entries), 'each item stored once, in the order the gate recorded it');
      assert.sameMembers(acks(entries), stored, 'each delivery acknowledged in the ledger');
      assert.deepEqual(closed, { delivered: stored.length, spooled: 0, dropped: 0, unsaved: 0 });
      const everything = allText(dataDir) + allText(ledgerDir);
      for (const secret of [GHP, PASSWORD]) assertNoSecret(everything, secret);
    });

    it('a control plane that rejects a batch (4xx) does not block what follows; the audit shows it unacknowledged', async () => {
      const { cp, dataDir } = await serve();
      const ledgerDir = mkdtempSync(join(work, 'ledger-'));
      const ledger = Ledger.open({ dir: ledgerDir });
      const wrongToken = new CloudClient({ url: cp.url, token: 'not-a-tenant-token-000000000000', spoolDir: mkdtempSync(join(work, 'spool-')), flushIntervalMs: 10, onDelivered: (ids) => ids.forEach((id) => void ledger.ack(id)) });
      const gate = new EgressGate({ engine, sink: wrongToken, audit: ledger });
      submitRun(gate, 'run-401', 2);
      await gate.drain();
      assert.deepEqual(await wrongToken.close({ deadlineMs: 2_000 }), { delivered: 0, spooled: 0, dropped: 0, unsaved: 0, refused: 5 });
      await ledger.close();
      const { entries } = readLedger(ledgerDir);
      assert.lengthOf(intents(entries), 5);
      assert.deepEqual(acks(entries), [], 'nothing claims to have been delivered');
      assert.deepEqual(storedItems(dataDir), []);
    });
  });

  describe('the policy failing', () => {
    it('values that throw when read go out as placeholders, and the items around them flow', async () => {
      const sent: { payload: Record<string, unknown> }[] = [];
      const gate = new EgressGate({ engine, sink: { send: (i) => void sent.push(i) } });
      const hostile = new Proxy({}, { ownKeys: () => { throw new Error(`no keys for ${PASSWORD}`); }, get: () => { throw new Error(PASSWORD); } });
      const getter = Object.defineProperty({ safe: 'kept' }, 'note', { enumerable: true, get: () => { throw new Error(`getter holding ${GHP}`); } });
      const toJson = { toJSON: () => { throw new Error(GHP); } };
      gate.submit({ kind: 'flow_run', flowRunId: 'r', flowName: 'hostile', parameters: { hostile, getter, toJson, day: '2026-12-01' } });
      const unreadableStack = Object.defineProperty(new Error('boom'), 'stack', { get: () => { throw new Error(GHP); } });
      gate.submit({ kind: 'state', flowRunId: 'r', taskRunId: 't', state: 'Failed', error: unreadableStack });
      gate.submit({ kind: 'task_run', flowRunId: 'r', taskRunId: 't2', taskName: 'next', tags: [], upstream: [] });
      // The hostile values throw errors that hold the secrets: one escaping must not print them here.
      await gate.drain().catch(() => assert.fail('an error thrown by a hostile value escaped the gate'));
      const out = JSON.stringify(sent);
      for (const secret of [GHP, PASSWORD]) assertNoSecret(out, secret);
      assert.deepEqual((sent[0]!.payload.parameters as Record<string, unknown>).day, '2026-12-01', 'the readable parameters still go out');
      assert.deepEqual((sent[0]!.payload.parameters as Record<string, unknown>).getter, { safe: 'kept', note: '[Thrown]' });
      assert.equal(sent.at(-1)!.payload.task_name, 'next', 'later items still flow');
    });

    it('a policy that fails on an item (an unreadable location key) sends the fixed placeholder and tells the ledger', async () => {
      const broken = await createEngine('builtin:default', { locationKeyFile: join(work, 'no-such-key.jwk') });
      const ledgerDir = mkdtempSync(join(work, 'ledger-'));
      const ledger = Ledger.open({ dir: ledgerDir });
      const sent: { payload: Record<string, unknown> }[] = [];
      const gate = new EgressGate({ engine: broken, sink: { send: (i) => void sent.push(i) }, audit: ledger });
      gate.submit({ kind: 'state', flowRunId: 'r', taskRunId: 't', state: 'Success', resultLocation: `results/${GHP}.json` });
      await gate.drain();
      await ledger.close();
      assert.deepEqual(sent.map((i) => i.payload), [{ state: 'Success', blocked: 'policy-error' }]);
      const blocked = readLedger(ledgerDir).entries.filter((e) => e.type === 'blocked');
      assert.lengthOf(blocked, 1);
      assert.equal(blocked[0]!.data.blocked, 'policy-error');
      assertNoSecret(allText(ledgerDir), GHP);
    });
  });

  describe('key files', () => {
    it('egress-guard run refuses a location key that is missing, a directory or not a key, before running anything (exit 2)', async () => {
      const modules = join(REPO, '.doc-examples', 'faults');
      mkdirSync(modules, { recursive: true });
      const marker = join(work, 'flow-ran');
      writeFileSync(join(modules, 'flow.ts'), `import { writeFileSync } from 'node:fs';\nimport { flow } from 'egress-guard';\nexport default flow({ name: 'k' }, async () => writeFileSync(${JSON.stringify(marker)}, 'ran'));\n`);
      mkdirSync(join(work, 'a-directory.jwk'), { recursive: true });
      writeFileSync(join(work, 'not-a-key.jwk'), JSON.stringify({ kty: 'oct', k: Buffer.from(PASSWORD).toString('base64url') }));
      const cases: [string, string][] = [
        [join(work, 'missing.jwk'), 'ENOENT'],
        [join(work, 'a-directory.jwk'), 'EISDIR'],
        [join(work, 'not-a-key.jwk'), 'must be a symmetric JWK'],
      ];
      for (const [key, says] of cases) {
        const r = await egressGuard(['run', join(modules, 'flow.ts'), '--cloud', 'http://127.0.0.1:9', '--token', TOKEN, '--key', key], { cwd: work });
        assert.equal(r.code, 2, says);
        assert.include(r.stderr, says);
        assert.include(r.stderr, 'egress-guard keys new', 'says what to do');
        assertNoSecret(r.stderr, PASSWORD);
        assertNoSecret(r.stderr, Buffer.from(PASSWORD).toString('base64url'));
      }
      assert.isFalse(existsSync(marker), 'the flow never ran');
    });
  });

  describe('the disk full', () => {
    it('under the ledger: a batch that cannot be written is cut off whole, items wait unsent, and go out in order once there is space', async () => {
      const tiny = disk(256);
      const ledgerDir = join(tiny.dir, 'ledger');
      const ledger = Ledger.open({ dir: ledgerDir });
      const { cp, dataDir } = await serve();
      const client = new CloudClient({ url: cp.url, token: TOKEN, spoolDir: mkdtempSync(join(work, 'spool-')), flushIntervalMs: 10, onDelivered: (ids) => ids.forEach((id) => void ledger.ack(id).catch(() => undefined)) });
      const auditErrors: string[] = [];
      const gate = new EgressGate({ engine, sink: client, audit: ledger, onAuditError: (e) => auditErrors.push((e as Error).message) });
      submitRun(gate, 'run-before', 1);
      await gate.drain();
      const before = readLedger(ledgerDir).entries.length;
      assert.equal(before, 4, 'a run of 1 log line: parameters, the line, the failed state and its traceback');

      // One free page: the next batch starts to be written, then the disk is full mid-batch.
      tiny.fill(1);
      submitRun(gate, 'run-full', 40);
      await gate.drain();
      assert.isAbove(gate.withheld, 30, 'items wait');
      assert.match(auditErrors[0]!, /could not be written \(ENOSPC\).*free space/);
      for (const secret of [GHP, PASSWORD]) assertNoSecret(auditErrors.join('\n'), secret);
      const during = readLedger(ledgerDir);
      assert.deepEqual(during.problems, [], 'no torn entry left behind');
      const sentDuring = storedItems(dataDir).map((i) => i.id);
      const recordedDuring = intents(during.entries);
      assert.includeMembers(recordedDuring, sentDuring, 'nothing reached the control plane unrecorded');

      tiny.freeAll();
      submitRun(gate, 'run-after', 1);
      await gate.drain();
      assert.equal(gate.withheld, 0);
      await client.close();
      await ledger.close();
      const { entries, problems } = readLedger(ledgerDir);
      assert.deepEqual(problems, [], 'the ledger verifies');
      const stored = storedItems(dataDir);
      assert.deepEqual(stored.map((i) => i.id), intents(entries), 'all of it arrived, each once, in order');
      assert.deepEqual([...new Set(stored.map((i) => i.flowRunId))], ['run-before', 'run-full', 'run-after']);
      assert.lengthOf(stored, 4 + 43 + 4);
      for (const secret of [GHP, PASSWORD]) assertNoSecret(allText(ledgerDir) + allText(dataDir), secret);
    });

    it('under the spool: the last good spool stays whole, what could not be kept is reported, not claimed spooled', async () => {
      const tiny = disk(64);
      const spoolDir = join(tiny.dir, 'spool');
      const { cp, dataDir } = await serve();
      const down = 'http://127.0.0.1:9';
      // Items as the gate makes them (the client takes only GuardedItems).
      const item = (i: number) => ({ id: `spool-item-${i}`, kind: 'logs', channel: 'logs', flowRunId: 'run-spool', time: '2026-12-01T00:00:00.000Z', payload: { records: [{ message: `line ${i}` }] } }) as unknown as GuardedItem;
      const first = new CloudClient({ url: down, token: TOKEN, spoolDir, retry: { baseMs: 5, maxMs: 10 } });
      for (let i = 0; i < 3; i++) first.send(item(i));
      assert.deepEqual(await first.close({ deadlineMs: 50 }), { delivered: 0, spooled: 3, dropped: 0, unsaved: 0 });

      tiny.fill();
      const second = new CloudClient({ url: down, token: TOKEN, spoolDir, retry: { baseMs: 5, maxMs: 10 } });
      for (let i = 3; i < 200; i++) second.send(item(i));
      const closed = await second.close({ deadlineMs: 50 });
      assert.deepEqual(closed, { delivered: 0, spooled: 0, dropped: 0, unsaved: 200, spoolError: 'ENOSPC' });
      assert.isFalse(existsSync(join(spoolDir, 'spool.jsonl.tmp')), 'no half-written spool left');

      tiny.freeAll();
      const third = new CloudClient({ url: cp.url, token: TOKEN, spoolDir });
      assert.deepEqual(await third.close(), { delivered: 3, spooled: 0, dropped: 0, unsaved: 0 });
      assert.deepEqual(storedItems(dataDir).map((i) => i.id), [0, 1, 2].map((i) => item(i).id), 'the last good spool was delivered whole');
    });

    it('under the ledger of guardTransport: the app goes on logging, the transport warns, nothing throws', async () => {
      const tiny = disk(64);
      const ledger = Ledger.open({ dir: join(tiny.dir, 'ledger') });
      tiny.fill();
      const shipped: string[] = [];
      const outbound = new winston.transports.Stream({ stream: new Writable({ write: (c, _e, done) => (shipped.push(String(c)), done()) }), format: winston.format.json() });
      const transport = guardTransport(outbound, { ledger });
      const warnings: string[] = [];
      transport.on('warn', (err: Error) => warnings.push(err.message));
      const logger = winston.createLogger({ transports: [transport] });
      for (let i = 0; i < 5; i++) logger.info(`request ${i} with ${GHP}`);
      await until(() => warnings.length >= 5, 'the ledger failures to be reported');
      assert.lengthOf(shipped, 5, 'logging went on');
      assert.match(warnings[0]!, /could not be written \(ENOSPC\)/);
      for (const text of [...shipped, ...warnings]) assertNoSecret(text, GHP);
      await ledger.close();
    });

    it('egress-guard run with its ledger on a full disk refuses to start (exit 2) and sends nothing', async () => {
      const tiny = disk(64);
      const ledgerDir = join(tiny.dir, 'ledger');
      await Ledger.open({ dir: ledgerDir }).close();
      tiny.fill();
      const { cp, dataDir } = await serve();
      const modules = join(REPO, '.doc-examples', 'faults');
      mkdirSync(modules, { recursive: true });
      writeFileSync(join(modules, 'quick.ts'), `import { flow } from 'egress-guard';\nexport default flow({ name: 'quick' }, async (p: { token: string }) => p.token.length);\n`);
      const r = await egressGuard(['run', join(modules, 'quick.ts'), '--cloud', cp.url, '--token', TOKEN, '--key', keyFile, '--ledger', ledgerDir, '--param', `token=${GHP}`], { cwd: work });
      assert.equal(r.code, 2);
      assert.match(r.stderr, /audit ledger .* could not be written \(ENOSPC\).*nothing was run/);
      assertNoSecret(r.stderr, GHP);
      assert.deepEqual(storedItems(dataDir), []);
      assert.deepEqual(readLedger(ledgerDir).problems, []);
    });
  });

  describe('kill -9 mid-flight', () => {
    it('the ledger verifies up to its last durable entry, the control plane has what was sent and no secret, and a restart finishes the run', async () => {
      const { cp, dataDir } = await serve();
      const modules = join(REPO, '.doc-examples', 'faults');
      mkdirSync(modules, { recursive: true });
      const results = join(work, 'kill-results');
      const started = join(work, 'load-started');
      writeFileSync(
        join(modules, 'killed.ts'),
        `import { writeFileSync } from 'node:fs';
import { flow, task, LocalResult } from 'egress-guard';
const results = new LocalResult({ dir: ${JSON.stringify(results)}, location: '{flow_name}/{task_name}.json' });
const extract = task({ name: 'extract', checkpoint: true, result: results }, async (i: { token: string }, ctx) => {
  ctx.logger.info('extracting with ' + i.token);
  return [1, 2, 3];
});
const load = task({ name: 'load' }, async (i: { rows: number[]; hang: boolean }, ctx) => {
  ctx.logger.info('loading');
  writeFileSync(${JSON.stringify(started)}, 'started');
  if (i.hang) await new Promise((r) => setTimeout(r, 120_000));
  return i.rows.length;
});
export default flow({ name: 'killed' }, async (p: { token: string; hang: boolean }) => load({ rows: await extract({ token: p.token }), hang: p.hang }));
`,
      );
      const ledgerDir = join(work, 'kill-ledger');
      const args = (hang: boolean) => [...NODE_FLAGS, join(REPO, 'lib/cli/egress-guard.ts'), 'run', join(modules, 'killed.ts'), '--cloud', cp.url, '--token', TOKEN, '--key', keyFile, '--ledger', ledgerDir, '--param', `token=${GHP}`, '--param', `hang=${hang}`];
      const child = spawn(process.execPath, args(true), { cwd: work, stdio: 'ignore' });
      const exited = new Promise((r) => child.once('exit', r));
      // Killed once extract's Success (with its encrypted location) has reached the control plane.
      await until(() => existsSync(started) && storedItems(dataDir).some((i) => i.payload.state === 'Success'), 'the first task to be reported');
      child.kill('SIGKILL');
      await exited;

      const stored = storedItems(dataDir);
      const runId = stored[0]!.flowRunId;
      assertNoSecret(JSON.stringify(stored), GHP);
      const verify = async () => {
        const r = await run(process.execPath, [...NODE_FLAGS, join(REPO, 'lib/cli/audit-report.ts'), '--ledger', ledgerDir, '--verify', '--format', 'json']);
        const report = JSON.parse(r.stdout) as { verification: { ok: boolean; problems: { kind: string }[] }; summary: { unacked: string[] } };
        // A kill can land mid-write: a torn tail is the only problem it may leave, and it is reported.
        assert.deepEqual([...new Set(report.verification.problems.map((p) => p.kind))].filter((k) => k !== 'torn-tail'), []);
        assert.equal(r.code, report.verification.ok ? 0 : 1);
        return report;
      };
      const afterKill = await verify();
      const recorded = intents(readLedger(ledgerDir).entries);
      assert.includeMembers(recorded, stored.map((i) => i.id), 'everything the control plane has was recorded first');
      assert.isAbove(recorded.length, 0);

      const restarted = await run(process.execPath, [...args(false), '--restart', runId], { cwd: work });
      assert.equal(restarted.code, 0, restarted.stderr);
      assert.match(restarted.stderr, /: Success; /);
      const after = storedItems(dataDir);
      assert.isTrue(after.some((i) => i.payload.state === 'Cached' && typeof i.payload.result_location === 'string'), 'extract came back from its result, not re-run');
      assert.isTrue(after.some((i) => i.flowRunId !== runId && i.payload.state === 'Success'));
      assertNoSecret(JSON.stringify(after) + allText(ledgerDir), GHP);
      const afterRestart = await verify();
      assert.isAtMost(afterRestart.summary.unacked.length, afterKill.summary.unacked.length, 'the restart left nothing new unacknowledged');
    });
  });
});
