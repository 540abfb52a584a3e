/**
 * The spool is an input the next run trusts: whoever can write `spool.jsonl` could otherwise make the next
 * run deliver anything, with no intent in any ledger. Each line carries a MAC under a local key, and with a
 * ledger a spooled item must match the intent the ledger recorded. Real files, a real control plane over
 * HTTP, and the real CLI.
 */
import { assert } from 'chai';
import { createHmac } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ledger } from '../../lib/audit/ledger.ts';
import type { Report } from '../../lib/audit/report.ts';
import { readLedger } from '../../lib/audit/verify.ts';
import { CloudClient, intentIndex } from '../../lib/cloud/client.ts';
import { startControlPlane, type ControlPlane } from '../../lib/cloud/server.ts';
import { EgressGate } from '../../lib/egress/gate.ts';
import type { GuardedItem } from '../../lib/egress/types.ts';
import { createEngine } from '../../lib/policy/create.ts';
import { egressGuard, NODE_FLAGS, REPO, run, TEST_SIGNING_PUBLIC_KEY } from '../helpers/cli.ts';
import { assertNoSecret } from '../helpers/secrets.ts';

const TOKEN = 'spool-tenant-token-0123456789abcdef';
/** What an attacker smuggles out through the spool. */
const MARKER = 'ghp_' + 'R7tKq2mWx9LpZ4vN8sB3cD6fG1hJ5kM0yQeT';

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** Test data only: a cast the gate would make (the gate itself is tested in test/egress). */
const item = (i: number, payload: Record<string, unknown> = { records: [{ message: `line ${i}` }] }) =>
  ({ id: `spool-item-${i}`, kind: 'logs', channel: 'logs', flowRunId: 'run-spool', time: '2026-12-01T00:00:00.000Z', payload }) as unknown as GuardedItem;

/** A spool line as the client writes it, MAC'd with `key` (hex): what an attacker holding the key forges. */
function line(key: string, i: unknown): string {
  const text = JSON.stringify(i);
  const mac = createHmac('sha256', Buffer.from(key, 'hex')).update('egress-guard spool v1\n' + text).digest('hex');
  return `{"v":1,"mac":"${mac}","item":${text}}`;
}

const spoolLines = (spoolDir: string) => readFileSync(join(spoolDir, 'spool.jsonl'), 'utf8').split('\n').filter(Boolean);
const storedText = (data: string) => (existsSync(join(data, 'a', 'items.jsonl')) ? readFileSync(join(data, 'a', 'items.jsonl'), 'utf8') : '');
const storedIds = (data: string) => storedText(data).split('\n').filter(Boolean).map((l) => (JSON.parse(l) as { id: string }).id);

describe('hardening: a spooled item is delivered only if this machine spooled it, as recorded', function () {
  this.timeout(60_000);
  let servers: ControlPlane[] = [];
  const serve = async () => {
    const data = mkdtempSync(join(tmpdir(), 'eg-spool-cp-'));
    const cp = await startControlPlane({ port: 0, dataDir: data, tenants: new Map([[TOKEN, 'a']]) });
    servers.push(cp);
    return { cp, data };
  };
  afterEach(async () => {
    for (const s of servers) await s.close();
    servers = [];
  });

  /** Three items spooled by a client that found the control plane down. */
  async function spooled(extra: Partial<ConstructorParameters<typeof CloudClient>[0]> = {}): Promise<string> {
    const spoolDir = join(mkdtempSync(join(tmpdir(), 'eg-spool-')), 'spool');
    const down = new CloudClient({ url: `http://127.0.0.1:${await freePort()}`, token: TOKEN, spoolDir, retry: { baseMs: 5, maxMs: 10 }, ...extra });
    for (let i = 0; i < 3; i++) down.send(item(i));
    assert.deepEqual(await down.close({ deadlineMs: 50 }), { delivered: 0, spooled: 3, dropped: 0, unsaved: 0 });
    return spoolDir;
  }

  it('an altered or injected spool line is not delivered and is reported; the rest is (without a ledger: the MAC)', async () => {
    const spoolDir = await spooled();
    const [first, second, third] = spoolLines(spoolDir);
    const attackerKey = 'ab'.repeat(32);
    writeFileSync(
      join(spoolDir, 'spool.jsonl'),
      [
        first,
        second!.replace('line 1', `line 1 ${MARKER}`), // altered, its MAC left as it was
        third,
        JSON.stringify(item(7, { leaked: MARKER })), // injected, as spool lines looked before they had a MAC
        line(attackerKey, item(8, { leaked: MARKER })), // injected with a MAC under a key of the attacker's
        third, // the same line twice
        'not json at all',
      ].join('\n') + '\n',
    );
    const { cp, data } = await serve();
    const rejected: [string[], string][] = [];
    const client = new CloudClient({ url: cp.url, token: TOKEN, spoolDir, onSpoolRejected: (ids, reason) => rejected.push([ids, reason]) });
    const closed = await client.close();
    assert.deepEqual(closed, { delivered: 2, spooled: 0, dropped: 0, unsaved: 0, rejected: 5 });
    assert.deepEqual(storedIds(data), ['spool-item-0', 'spool-item-2'], 'only what this machine spooled, as it spooled it');
    assertNoSecret(storedText(data), MARKER);
    assert.deepEqual(rejected, [
      [['spool-item-1', 'spool-item-8'], 'its MAC does not verify (altered or injected, or the spool key was replaced)'],
      [[], 'not a spool line this client wrote (edited, injected, or left by a version without MACs)'],
      [['spool-item-2'], 'a second line for an item already in the spool'],
    ]);
    for (const [, reason] of rejected) assertNoSecret(reason, MARKER);
    assert.lengthOf(readFileSync(join(spoolDir, 'spool.rejected.jsonl'), 'utf8').split('\n').filter(Boolean), 5, 'the refused lines are kept for inspection');
    assert.deepEqual(spoolLines(spoolDir), [], 'and are gone from the spool');
  });

  it('with a ledger, a spooled item is delivered only if it matches its recorded intent, even with a valid MAC', async () => {
    const work = mkdtempSync(join(tmpdir(), 'eg-spool-ledger-'));
    const ledgerDir = join(work, 'ledger');
    const spoolDir = join(work, 'spool');
    const ledger = Ledger.open({ dir: ledgerDir });
    const down = new CloudClient({ url: `http://127.0.0.1:${await freePort()}`, token: TOKEN, spoolDir, retry: { baseMs: 5, maxMs: 10 } });
    const gate = new EgressGate({ engine: await createEngine('builtin:default'), sink: down, audit: ledger });
    for (let i = 0; i < 3; i++) gate.submit({ kind: 'logs', flowRunId: 'run-ledger', records: [{ flowRunId: 'run-ledger', level: 'info', time: '2026-12-01T00:00:00.000Z', message: `step ${i}` }] });
    await gate.drain();
    assert.equal((await down.close({ deadlineMs: 50 })).spooled, 3);
    await ledger.close();

    // The attacker runs as the same user: it reads the spool key and MACs what it writes.
    const key = readFileSync(`${spoolDir}.key`, 'utf8').trim();
    const lines = spoolLines(spoolDir);
    const items = lines.map((l) => (JSON.parse(l) as { item: GuardedItem }).item);
    const altered = { ...items[1]!, payload: { records: [{ message: `step 1 ${MARKER}` }] } };
    const moved = { ...items[2]!, flowRunId: 'another-run' };
    const injected = { ...items[0]!, id: 'injected-item', payload: { leaked: MARKER } };
    writeFileSync(join(spoolDir, 'spool.jsonl'), [lines[0], line(key, altered), line(key, moved), line(key, injected)].join('\n') + '\n');

    const { cp, data } = await serve();
    const rejected: [string[], string][] = [];
    const client = new CloudClient({ url: cp.url, token: TOKEN, spoolDir, intents: () => intentIndex(readLedger(ledgerDir).entries), onSpoolRejected: (ids, reason) => rejected.push([ids, reason]) });
    assert.deepEqual(await client.close(), { delivered: 1, spooled: 0, dropped: 0, unsaved: 0, rejected: 3 });
    assert.deepEqual(storedIds(data), [items[0]!.id]);
    assertNoSecret(storedText(data), MARKER);
    assert.deepEqual(rejected, [[[items[1]!.id, items[2]!.id, 'injected-item'], 'it matches no intent recorded in the audit ledger (altered or injected, or spooled under another ledger)']]);
  });

  it('the spool key: made 0600 beside the spool directory, not in it, only once spooling starts; a key other users can read is refused', async () => {
    const base = mkdtempSync(join(tmpdir(), 'eg-spool-key-'));
    const { cp } = await serve();
    const quiet = new CloudClient({ url: cp.url, token: TOKEN, spoolDir: join(base, 'quiet') });
    quiet.send(item(0));
    await quiet.close();
    assert.isFalse(existsSync(join(base, 'quiet.key')), 'a client that never spools makes no key');

    const spoolDir = join(base, 'spool');
    const down = `http://127.0.0.1:${await freePort()}`;
    const first = new CloudClient({ url: down, token: TOKEN, spoolDir, retry: { baseMs: 5, maxMs: 10 } });
    first.send(item(1));
    assert.equal((await first.close({ deadlineMs: 50 })).spooled, 1);
    assert.equal(statSync(join(base, 'spool.key')).mode & 0o777, 0o600);
    assert.match(readFileSync(join(base, 'spool.key'), 'utf8'), /^[0-9a-f]{64}\n$/);
    assert.isFalse(existsSync(join(spoolDir, 'spool.key')));

    chmodSync(join(base, 'spool.key'), 0o644);
    const rejected: string[] = [];
    const second = new CloudClient({ url: cp.url, token: TOKEN, spoolDir, onSpoolRejected: (_ids, reason) => rejected.push(reason) });
    second.send(item(2));
    const closed = await second.close();
    assert.equal(closed.rejected, 1, 'what was spooled under a key others could read is not trusted');
    assert.equal(closed.delivered, 1, 'new items still go out');
    assert.match(rejected[0]!, /spool\.key is open to other users \(mode 644\): chmod 600 it/);
  });

  it('egress-guard run: an injected or altered spool line is not delivered, the summary says so, and the run exits 1', async () => {
    const modules = join(REPO, '.doc-examples', 'spool');
    mkdirSync(modules, { recursive: true });
    writeFileSync(
      join(modules, 'flow.ts'),
      `import { flow } from 'egress-guard';
export default flow({ name: 'spool-check' }, async (p: { day: string }, ctx) => {
  ctx.logger.info('working on ' + p.day);
  return 1;
});
`,
    );
    const cwd = mkdtempSync(join(tmpdir(), 'eg-spool-run-'));
    assert.equal((await egressGuard(['keys', 'new', '--out', join(cwd, 'loc.jwk')])).code, 0);
    const runFlow = (url: string) =>
      run(process.execPath, [...NODE_FLAGS, join(REPO, 'lib/cli/egress-guard.ts'), 'run', join(modules, 'flow.ts'), '--cloud', url, '--token', TOKEN, '--key', 'loc.jwk', '--param', 'day=2026-12-01', '--ledger', 'ledger'], { cwd });
    const down = await runFlow(`http://127.0.0.1:${await freePort()}`);
    assert.equal(down.code, 0, down.stderr);
    const spoolDir = join(cwd, '.egress-guard', 'spool');
    const lines = spoolLines(spoolDir);
    assert.isAbove(lines.length, 2, down.stderr);
    const key = readFileSync(join(cwd, '.egress-guard', 'spool.key'), 'utf8').trim();
    const first = (JSON.parse(lines[0]!) as { item: GuardedItem }).item;
    const injected = { ...first, id: 'injected-by-attacker', payload: { leaked: MARKER } };
    const altered = lines[1]!.replace(/"item":\{/, `"item":{"note":"${MARKER}",`);
    writeFileSync(join(spoolDir, 'spool.jsonl'), [...lines.slice(2), lines[0], altered, line(key, injected)].join('\n') + '\n');

    const { cp, data } = await serve();
    const next = await runFlow(cp.url);
    assert.equal(next.code, 1, next.stderr);
    assert.match(next.stderr, /; 2 spooled item\(s\) refused and not delivered: its MAC does not verify \(altered or injected, or the spool key was replaced\); it matches no intent recorded in the audit ledger .* \(the lines are kept in .*spool\.rejected\.jsonl; the audit ledger records them as refused\)/);
    assertNoSecret(next.stderr, MARKER);
    assertNoSecret(storedText(data), MARKER);
    const ids = storedIds(data);
    assert.notInclude(ids, 'injected-by-attacker');
    assert.notInclude(ids, (JSON.parse(lines[1]!) as { item: GuardedItem }).item.id, 'the altered item is not delivered either');
    for (const l of [lines[0]!, ...lines.slice(2)]) assert.include(ids, (JSON.parse(l) as { item: GuardedItem }).item.id, 'what the first run spooled untouched is delivered');

    const report = await run(process.execPath, [...NODE_FLAGS, join(REPO, 'lib/cli/audit-report.ts'), '--ledger', 'ledger', '--format', 'json'], { cwd });
    const parsed = JSON.parse(report.stdout) as Report;
    const items = parsed.items;
    assert.notInclude(items.map((i) => i.item_id), 'injected-by-attacker', 'nothing left that the ledger does not show');
    const alteredId = (JSON.parse(lines[1]!) as { item: GuardedItem }).item.id;
    assert.deepEqual(items.filter((i) => !i.acked).map((i) => i.item_id), [alteredId], 'the altered one stays unacknowledged');
    // Each refusal is in the ledger, by reason, with the ids it could read, and the report lists it.
    assert.equal(parsed.summary.refused, 2);
    assert.deepEqual(
      parsed.refusals.map((r) => [r.by, r.count, r.item_ids, r.reason.split(' (')[0]]),
      [
        ['spool', 1, [alteredId], 'its MAC does not verify'],
        ['spool', 1, ['injected-by-attacker'], 'it matches no intent recorded in the audit ledger'],
      ],
    );
    assertNoSecret(report.stdout, MARKER);
    const verified = await run(process.execPath, [...NODE_FLAGS, join(REPO, 'lib/cli/audit-report.ts'), '--ledger', 'ledger', '--verify', '--key', TEST_SIGNING_PUBLIC_KEY, '--fail-on', 'refused', '--format', 'md'], { cwd });
    assert.equal(verified.code, 1, 'a reviewer can fail on refusals');
    assert.match(verified.stdout, /## Refused[\s\S]*\| spool \| its MAC does not verify/);
    assert.match(verified.stdout, /^\*\*Verified/m, 'the refused entries are signed into the ledger like the rest');
  });
});
