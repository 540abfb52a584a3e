import { assert } from 'chai';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ledger, segmentName } from '../../lib/audit/ledger.ts';
import { SigningKey } from '../../lib/crypto/jose.ts';
import { EgressGate } from '../../lib/egress/gate.ts';
import { createEngine } from '../../lib/policy/create.ts';
import type { Report } from '../../lib/audit/report.ts';
import { REPO, run, NODE_FLAGS } from '../helpers/cli.ts';
import { assertNoSecret } from '../helpers/secrets.ts';

const GHP = 'ghp_' + 'R7tKq2mWx9LpZ4vN8sB3cD6fG1hJ5kM0yQeT';
const auditReport = (args: string[], cwd?: string) => run(process.execPath, [...NODE_FLAGS, join(REPO, 'lib/cli/audit-report.ts'), ...args], cwd === undefined ? {} : { cwd });

/** A ledger written by the real gate, as a run would: some items acked, one not. */
async function runLedger(dir: string, key?: SigningKey): Promise<void> {
  const engine = await createEngine({ name: 'report-test', version: 7, extends: ['builtin:default'], channels: { locations: { action: 'remove' } } });
  const ledger = Ledger.open({ dir, ...(key !== undefined && { signingKey: key, checkpointEvery: 3 }) });
  await ledger.recordPolicy(engine.identity);
  const sent: string[] = [];
  const gate = new EgressGate({ engine, sink: { send: (item) => sent.push(item.id) }, audit: ledger });
  gate.submit({ kind: 'flow_run', flowRunId: 'run-A', flowName: 'etl', parameters: { token: GHP, day: '2026-11-23' } });
  gate.submit({ kind: 'logs', flowRunId: 'run-A', records: [{ flowRunId: 'run-A', level: 'info', time: '2026-11-23T01:00:00.000Z', message: `with ${GHP}` }] });
  gate.submit({ kind: 'state', flowRunId: 'run-A', taskRunId: 't1', state: 'Failed', error: new Error('boom') });
  await gate.drain();
  for (const id of sent.slice(0, -1)) await ledger.ack(id); // the last item never got acknowledged
  await ledger.close();
}

describe('audit-report', function () {
  this.timeout(30_000);

  it('lists what left, per item and in summaries, as stable JSON; never a secret', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'eg-rep-'));
    await runLedger(dir);
    const r = await auditReport(['--ledger', dir, '--format', 'json']);
    assert.equal(r.code, 0, r.stderr);
    const report = JSON.parse(r.stdout) as Report;
    assert.equal(report.format_version, 1);
    assert.deepEqual(report.items.map((i) => [i.kind, i.channel]), [
      ['flow_run', 'parameters'],
      ['logs', 'logs'],
      ['state', 'exceptions'],
      ['logs', 'exceptions'],
    ]);
    assert.equal(report.items[0]!.policy, 'report-test@7');
    assert.deepEqual(report.summary.findings_per_detector, { 'field:**.token': 1, 'github-token': 1 });
    assert.deepEqual(report.summary.per_channel.logs, { items: 1, bytes: report.items[1]!.bytes });
    assert.lengthOf(report.summary.unacked, 1);
    assert.equal(report.summary.policies[0]!.items, 4);
    assert.isFalse(report.verification.performed);
    assertNoSecret(r.stdout, GHP);
  });

  it('table and Markdown formats, filters, and -o FILE', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'eg-rep-'));
    await runLedger(dir);
    const table = await auditReport(['--ledger', dir, '--channel', 'parameters']);
    assert.equal(table.code, 0, table.stderr);
    assert.match(table.stdout, /^time\s+channel\s+kind/);
    assert.include(table.stdout, 'parameters.token: field:**.token -> remove');
    assert.notInclude(table.stdout, 'exceptions');
    const out = join(dir, 'report.md');
    const md = await auditReport(['--ledger', dir, '--format', 'md', '--verify', '-o', out]);
    assert.equal(md.code, 0, md.stderr);
    const text = readFileSync(out, 'utf8');
    assert.include(text, '# egress-guard audit report');
    assert.include(text, 'Verified: every chain, sequence and checkpoint checks out.');
    const byDetector = await auditReport(['--ledger', dir, '--format', 'json', '--detector', 'github-token']);
    assert.deepEqual((JSON.parse(byDetector.stdout) as Report).items.map((i) => i.channel), ['logs']);
  });

  it('--verify: exit 1 naming the tampered entry; signatures checked with the public key', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'eg-rep-'));
    const key = await SigningKey.generate();
    await runLedger(dir, key);
    const pub = join(dir, 'pub.json');
    writeFileSync(pub, key.toJson(false));
    const clean = await auditReport(['--ledger', dir, '--verify', '--key', pub]);
    assert.equal(clean.code, 0, clean.stdout + clean.stderr);
    assert.include(clean.stdout, 'checkpoint signature checks out');
    const seg = join(dir, segmentName(1));
    const lines = readFileSync(seg, 'utf8').split('\n');
    lines[2] = lines[2]!.replace('"bytes":', '"bytes":1');
    writeFileSync(seg, lines.join('\n'));
    const tampered = await auditReport(['--ledger', dir, '--verify', '--key', pub]);
    assert.equal(tampered.code, 1);
    assert.match(tampered.stdout, /ledger-000001\.jsonl:3: entry 2 was modified after it was written/);
  });

  it('html: one self-contained page with the verdict, a chart, findings and policies; nothing external', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'eg-rep-'));
    await runLedger(dir);
    const out = join(dir, 'report.html');
    const r = await auditReport(['--ledger', dir, '--format', 'html', '--verify', '-o', out]);
    assert.equal(r.code, 0, r.stderr);
    const html = readFileSync(out, 'utf8');
    assert.match(html, /^<!doctype html>/);
    assert.include(html, 'id="verdict"');
    assert.include(html, '<svg id="chart"');
    assert.include(html, 'github-token');
    assert.include(html, 'report-test');
    assert.notMatch(html, /<(script|link|img|iframe)\b/i, 'no scripts or external assets');
    assert.notMatch(html, /(src|href)=["']?(https?:)?\/\//i);
    assertNoSecret(html, GHP);
  });

  it('--fail-on unacked and blocked; usage errors and missing ledgers exit 2', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'eg-rep-'));
    await runLedger(dir);
    assert.equal((await auditReport(['--ledger', dir, '--fail-on', 'unacked'])).code, 1);
    assert.equal((await auditReport(['--ledger', dir, '--fail-on', 'blocked'])).code, 0);
    const bad = await auditReport(['--ledger', dir, '--format', 'pdf']);
    assert.equal(bad.code, 2);
    assert.include(bad.stderr, '--format must be table, json, md or html');
    assert.equal((await auditReport(['--ledger', dir, '--fail-on', 'leaks'])).code, 2);
    assert.equal((await auditReport(['--ledger', dir, '--since', 'yesterday-ish'])).code, 2);
    const missing = await auditReport(['--ledger', join(dir, 'nope')]);
    assert.equal(missing.code, 2);
    assert.include(missing.stderr, 'no ledger at');
  });
});
