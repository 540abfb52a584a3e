/**
 * audit-report over a fleet: ledgers named by directories and globs, merged by time in a k-way merge
 * (each ledger's own order kept), a verdict per ledger and a fleet summary, the same report for any
 * `--jobs`, filters applied while streaming, progress on a terminal's stderr.
 */
import { assert } from 'chai';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { segmentName } from '../../lib/audit/entry.ts';
import { expandGlob, findLedgers } from '../../lib/audit/discover.ts';
import type { Report } from '../../lib/audit/report.ts';
import { auditReport } from '../../lib/cli/audit-report-command.ts';
import { runCommand } from '../../lib/cli/main.ts';
import { SigningKey } from '../../lib/crypto/jose.ts';
import { auditRecord, fastLedger } from '../helpers/audit.ts';
import { auditReportInProcess } from '../helpers/in-process.ts';

const WORKERS = 20;
const DAYS = 10;
const ITEMS = 12;

/** 200 ledgers (20 workers, 10 days), each with items whose times interleave with the other ledgers'. */
async function fleet(): Promise<{ root: string; pub: string; key: SigningKey }> {
  const root = mkdtempSync(join(tmpdir(), 'eg-fleet-'));
  const key = await SigningKey.generate();
  const pub = join(root, 'signing-key.pub.json');
  writeFileSync(pub, key.toJson(false));
  for (let w = 0; w < WORKERS; w++) {
    for (let d = 0; d < DAYS; d++) {
      const day = `2026-11-${String(10 + d).padStart(2, '0')}`;
      await fastLedger(join(root, 'fleet', `worker-${String(w).padStart(2, '0')}`, day), {
        items: ITEMS,
        key,
        idPrefix: `w${w}-`,
        start: Date.parse(`${day}T00:00:00.000Z`) + w * 1000,
        stepMs: 60_000,
        unacked: (i) => w === 3 && d === 2 && i === 5,
        record: (i) =>
          auditRecord(i, {
            time: new Date(Date.parse(`${day}T00:00:00.000Z`) + w * 1000 + i * 60_000).toISOString(),
            flowRunId: `run-w${w}-${day}`,
            channel: i % 3 === 0 ? 'parameters' : 'logs',
            policy: { name: 'default', version: d < 5 ? 1 : 2, sha256: (d < 5 ? 'a' : 'b').repeat(64) },
            findings: i % 4 === 0 ? [{ detector: 'github-token', path: '$', action: 'remove', count: 1 }] : [],
            destination: w % 2 === 0 ? 'https://cp.example/api' : 'https://other.example',
          }),
      });
    }
  }
  return { root, pub, key };
}

const withoutTime = (r: Report) => ({ ...r, generated_at: '' });

describe('audit-report over a fleet of ledgers', function () {
  this.timeout(120_000);
  let f: { root: string; pub: string; key: SigningKey };
  before(async () => {
    f = await fleet();
  });

  it('200 ledgers by a glob: merged by time (each ledger in its own order), a verdict per ledger, a fleet summary', async () => {
    const r = await auditReportInProcess(['--ledger', 'fleet/*/2026-11-*', '--verify', '--key', f.pub, '--format', 'json'], { cwd: f.root });
    assert.equal(r.code, 0, r.stderr.slice(0, 500));
    const report = JSON.parse(r.stdout) as Report;
    assert.lengthOf(report.ledgers, WORKERS * DAYS);
    assert.lengthOf(report.items, WORKERS * DAYS * ITEMS);
    // By time across ledgers...
    for (let i = 1; i < report.items.length; i++) assert.isTrue(report.items[i - 1]!.time <= report.items[i]!.time, `item ${i} out of time order`);
    // ...and each ledger's own items in the order it recorded them.
    const last = new Map<string, number>();
    for (const item of report.items) {
      assert.isAbove(item.seq, last.get(item.ledger) ?? -1);
      last.set(item.ledger, item.seq);
    }
    assert.deepInclude(report.fleet!, { ledgers: 200, order: 'time' });
    assert.deepEqual(report.fleet!.by_status, { verified: 200 });
    assert.equal(report.verification.status, 'verified');
    assert.isTrue(report.ledgers.every((l) => l.verdict?.status === 'verified' && l.problems === 0));
    assert.deepEqual(report.summary.unacked, ['w3-item-5']);
    // A directory of ledgers is the fleet below it; --fail-on unacked fails on its one unacknowledged item.
    const all = await auditReportInProcess(['--ledger', 'fleet', '--verify', '--key', f.pub, '--fail-on', 'unacked', '--format', 'json'], { cwd: f.root });
    assert.equal(all.code, 1);
    assert.lengthOf((JSON.parse(all.stdout) as Report).ledgers, 200);
  });

  it('--jobs 2 (worker threads) gives the same report as --jobs 1, merged by time or ledger by ledger', async () => {
    for (const order of ['time', 'ledger']) {
      const args = ['--ledger', 'fleet', '--verify', '--key', f.pub, '--format', 'json', '--order', order];
      const one = JSON.parse((await auditReportInProcess([...args, '--jobs', '1'], { cwd: f.root })).stdout) as Report;
      const two = JSON.parse((await auditReportInProcess([...args, '--jobs', '2'], { cwd: f.root })).stdout) as Report;
      assert.deepEqual(withoutTime(two), withoutTime(one), order);
      if (order === 'ledger') {
        assert.deepEqual([...new Set(one.items.map((i) => i.ledger))], one.ledgers.map((l) => l.dir), 'ledger by ledger, in the order named');
      }
    }
  });

  it('a ledger tampered with in the fleet: the fleet fails, naming that ledger; the others keep their own verdicts', async () => {
    const { root, pub } = await fleetCopy(f);
    const victim = join(root, 'fleet', 'worker-07', '2026-11-14');
    const seg = join(victim, segmentName(1));
    writeFileSync(seg, readFileSync(seg, 'utf8').replace('"bytes":42', '"bytes":43'));
    const r = await auditReportInProcess(['--ledger', 'fleet/worker-0*/*', '--verify', '--key', pub, '--format', 'json'], { cwd: root });
    assert.equal(r.code, 1);
    const report = JSON.parse(r.stdout) as Report;
    assert.equal(report.verification.status, 'failed');
    assert.deepEqual(report.fleet!.not_ok, [victim]);
    assert.deepEqual(report.fleet!.by_status, { verified: 99, failed: 1 });
    assert.isTrue(report.verification.problems.every((p) => p.ledger === victim));
    const table = (await auditReportInProcess(['--ledger', 'fleet/worker-0*/*', '--verify', '--key', pub], { cwd: root })).stdout;
    assert.include(table, `ledgers: 100 (99 verified, 1 failed), `);
    assert.include(table, `not passing: ${victim}`);
    assert.include(table, `${victim}: ledger-000001.jsonl:`);
  });

  it('filters while streaming: run, channel, detector, policy version, delivery state, destination, time', async () => {
    const q = async (...args: string[]) => JSON.parse((await auditReportInProcess(['--ledger', 'fleet', '--format', 'json', ...args], { cwd: f.root })).stdout) as Report;
    assert.isTrue((await q('--policy', 'default@2')).items.every((i) => i.policy === 'default@2'));
    assert.lengthOf((await q('--policy', 'default@2')).items, WORKERS * 5 * ITEMS);
    assert.lengthOf((await q('--policy', 'default')).items, WORKERS * DAYS * ITEMS);
    assert.deepEqual((await q('--delivery', 'unacked')).items.map((i) => i.item_id), ['w3-item-5']);
    assert.lengthOf((await q('--delivery', 'acked,blocked')).items, WORKERS * DAYS * ITEMS - 1);
    const cp = await q('--destination', 'https://cp.example');
    assert.isTrue(cp.items.length > 0 && cp.items.every((i) => i.destination === 'https://cp.example/api'));
    assert.lengthOf((await q('--destination', 'https://cp.example/api')).items, cp.items.length);
    assert.lengthOf((await q('--destination', 'https://cp.ex')).items, 0, 'a destination is a URL or a URL under it, not any prefix');
    const github = await q('--detector', 'github-token', '--channel', 'parameters');
    assert.isTrue(github.items.length > 0 && github.items.every((i) => i.channel === 'parameters' && i.findings.some((x) => x.detector === 'github-token')));
    assert.deepEqual(github.filters, { channel: 'parameters', detector: 'github-token' });
    const day = await q('--since', '2026-11-12T00:00:00Z', '--until', '2026-11-12T23:59:59Z');
    assert.isTrue(day.items.length === WORKERS * ITEMS && day.items.every((i) => i.time.startsWith('2026-11-12')));
    const run = await q('--run', 'run-w3-2026-11-12');
    assert.lengthOf(run.items, ITEMS);
    const ambiguous = await auditReportInProcess(['--ledger', 'fleet', '--run', 'run-w3-'], { cwd: f.root });
    assert.equal(ambiguous.code, 2);
    assert.include(ambiguous.stderr, '--run "run-w3-" is the start of 2 run ids');
    assert.equal(ambiguous.stdout, '', 'nothing written before the usage error');
    const bad = await auditReportInProcess(['--ledger', 'fleet', '--delivery', 'lost'], { cwd: f.root });
    assert.equal(bad.code, 2);
  });

  it('--ledger takes globs and directories; a pattern that matches nothing, a missing directory: exit 2, naming it', async () => {
    const ledgers = findLedgers(['fleet/worker-1?/2026-11-1[0-1]', 'fleet/worker-00'], f.root);
    assert.lengthOf(ledgers, 10 * 2 + DAYS);
    assert.deepEqual(expandGlob(join(f.root, 'fleet', '**', '2026-11-19')).length, WORKERS);
    const none = await auditReportInProcess(['--ledger', 'fleet/nobody-*/x'], { cwd: f.root });
    assert.equal(none.code, 2);
    assert.include(none.stderr, 'no ledger matches fleet/nobody-*/x');
    const missing = await auditReportInProcess(['--ledger', 'fleet/nope'], { cwd: f.root });
    assert.equal(missing.code, 2);
    assert.include(missing.stderr, 'no ledger at');
    const empty = join(f.root, 'empty');
    mkdirSync(empty);
    const r = await auditReportInProcess(['--ledger', empty, '--format', 'json']);
    assert.equal(r.code, 0, 'an empty directory is an empty ledger, as before');
    const expanded = await auditReportInProcess(['--ledger', 'fleet/worker-01/*', 'fleet/worker-02/*'], { cwd: f.root });
    assert.equal(expanded.code, 2);
    assert.include(expanded.stderr, 'quote it');
  });

  it('progress on stderr when it is a terminal, nothing when it is not', async () => {
    const run = async (tty: boolean) => {
      let err = '';
      const stderr = Object.assign(new Writable({ write: (c, _e, cb) => ((err += String(c)), cb()) }), { isTTY: tty });
      const stdout = new Writable({ write: (_c, _e, cb) => cb() });
      const code = await runCommand(auditReport, ['--ledger', 'fleet', '--verify', '--key', f.pub], { stdout, stderr, stdin: Readable.from([]), env: {}, cwd: f.root });
      return { code, err };
    };
    const tty = await run(true);
    assert.equal(tty.code, 0);
    assert.match(tty.err, /audit-report: \d+\/200 ledgers, \d+ MB read/);
    assert.isTrue(tty.err.endsWith('\r\u001b[2K'), 'the line is cleared at the end');
    assert.equal((await run(false)).err, '');
  });
});

/** A copy of the fleet to tamper with (the original stays whole for the other tests). */
async function fleetCopy(f: { root: string; key: SigningKey }): Promise<{ root: string; pub: string }> {
  const root = mkdtempSync(join(tmpdir(), 'eg-fleet-copy-'));
  const { cpSync } = await import('node:fs');
  cpSync(join(f.root, 'fleet'), join(root, 'fleet'), { recursive: true });
  const pub = join(root, 'signing-key.pub.json');
  writeFileSync(pub, f.key.toJson(false));
  return { root, pub };
}
