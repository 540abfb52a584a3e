import { assert } from 'chai';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ledger, segmentName, type LedgerEntry } from '../../lib/audit/ledger.ts';
import { serializeEntry } from '../../lib/audit/entry.ts';
import { SigningKey } from '../../lib/crypto/jose.ts';
import { EgressGate, type AuditRecord } from '../../lib/egress/gate.ts';
import { canonicalJson } from '../../lib/crypto/canonical.ts';
import { createEngine } from '../../lib/policy/create.ts';
import { REPORT_CSP } from '../../lib/audit/html.ts';
import { buildReport, type Report } from '../../lib/audit/report.ts';
import { readLedger } from '../../lib/audit/verify.ts';
import { REPO, run, NODE_FLAGS } from '../helpers/cli.ts';
import { assertNoSecret } from '../helpers/secrets.ts';
import { auditReportInProcess } from '../helpers/in-process.ts';
import { timeOf } from '../../lib/cli/audit-report-command.ts';
import { entriesOf } from '../helpers/audit.ts';

const GHP = 'ghp_' + 'R7tKq2mWx9LpZ4vN8sB3cD6fG1hJ5kM0yQeT';
const auditReport = (args: string[], cwd?: string) => run(process.execPath, [...NODE_FLAGS, join(REPO, 'lib/cli/audit-report.ts'), ...args], cwd === undefined ? {} : { cwd });

/** A ledger written by the real gate, as a run would: some items acked, one not. */
async function runLedger(dir: string, key?: SigningKey, runId = 'run-A'): Promise<void> {
  const engine = await createEngine({ name: 'report-test', version: 7, extends: ['builtin:default'], channels: { locations: { action: 'remove' } } });
  const ledger = Ledger.open({ dir, ...(key !== undefined && { signingKey: key, checkpointEvery: 3 }) });
  await ledger.recordPolicy(engine.identity);
  const sent: string[] = [];
  const gate = new EgressGate({ engine, sink: { send: (item) => sent.push(item.id) }, audit: ledger });
  gate.submit({ kind: 'flow_run', flowRunId: runId, flowName: 'etl', parameters: { token: GHP, day: '2026-11-23' } });
  gate.submit({ kind: 'logs', flowRunId: runId, records: [{ flowRunId: runId, level: 'info', time: '2026-11-23T01:00:00.000Z', message: `with ${GHP}` }] });
  gate.submit({ kind: 'state', flowRunId: runId, taskRunId: 't1', state: 'Failed', error: new Error('boom') });
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
    assert.deepEqual(report.summary.findings_per_detector, { 'key-name': 1, 'github-token': 1 });
    assert.deepEqual(report.summary.per_channel.logs, { items: 1, bytes: report.items[1]!.bytes });
    assert.lengthOf(report.summary.unacked, 1);
    assert.equal(report.summary.policies[0]!.items, 4);
    assert.isFalse(report.verification.performed);
    assertNoSecret(r.stdout, GHP);
  });

  it('orders items by ledger, then as each ledger recorded them: never by their timestamps', async () => {
    const [a, b] = [mkdtempSync(join(tmpdir(), 'eg-rep-')), mkdtempSync(join(tmpdir(), 'eg-rep-'))];
    await runLedger(a);
    await runLedger(b);
    // Times running backwards, and the second ledger's before the first's: the order must not change.
    const backwards = (dir: string, base: number) =>
      readLedger(dir).entries.map((e) => (e.type === 'intent' ? { ...e, data: { ...e.data, time: new Date(base - e.seq * 1000).toISOString() } } : e));
    const report = buildReport(
      [
        { dir: b, entries: backwards(b, Date.parse('2026-01-01')), problems: [], checkpoints: 0 },
        { dir: a, entries: backwards(a, Date.parse('2025-01-01')), problems: [], checkpoints: 0 },
      ],
      {},
      { performed: false, signaturesChecked: false },
    );
    const order = report.items.map((i) => [i.ledger, i.seq]);
    const expected = [b, a].flatMap((dir) => readLedger(dir).entries.filter((e) => e.type === 'intent').map((e) => [dir, e.seq]));
    assert.deepEqual(order, expected);
  });

  it('table and Markdown formats, filters, and -o FILE', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'eg-rep-'));
    const key = await SigningKey.generate();
    await runLedger(dir, key);
    const pub = join(dir, 'pub.json');
    writeFileSync(pub, key.toJson(false));
    const table = await auditReport(['--ledger', dir, '--channel', 'parameters']);
    assert.equal(table.code, 0, table.stderr);
    assert.match(table.stdout, /^time\s+channel\s+kind/);
    assert.include(table.stdout, 'parameters.token: key-name -> remove');
    assert.notInclude(table.stdout, 'exceptions');
    const out = join(dir, 'report.md');
    const md = await auditReport(['--ledger', dir, '--format', 'md', '--verify', '--key', pub, '-o', out]);
    assert.equal(md.code, 0, md.stderr);
    const text = readFileSync(out, 'utf8');
    assert.include(text, '# egress-guard audit report');
    assert.include(text, `**Verified: every chain, sequence and checkpoint signature checks out, and checkpoints signed with --key \\(${key.kid}\\) seal every entry.**`);
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
    const key = await SigningKey.generate();
    await runLedger(dir, key);
    writeFileSync(join(dir, 'pub.json'), key.toJson(false));
    const out = join(dir, 'report.html');
    const r = await auditReport(['--ledger', dir, '--format', 'html', '--verify', '--key', join(dir, 'pub.json'), '-o', out]);
    assert.equal(r.code, 0, r.stderr);
    const html = readFileSync(out, 'utf8');
    assert.match(html, /^<!doctype html>/);
    assert.include(html, '<div class="verdict ok" id="verdict" data-status="verified">Verified:');
    assert.include(html, '<svg id="chart"');
    assert.include(html, 'github-token');
    assert.include(html, 'report-test');
    assert.notMatch(html, /<(script|link|img|iframe)\b/i, 'no scripts or external assets');
    assert.notMatch(html, /(src|href)=["']?(https?:)?\/\//i);
    assertNoSecret(html, GHP);
  });

  it('--since and --until take durations ago and today/yesterday; --run takes the id start the table prints', async () => {
    const now = new Date('2026-12-03T12:00:00Z');
    assert.equal(timeOf('24h', now)?.toISOString(), '2026-12-02T12:00:00.000Z');
    assert.equal(timeOf('30m', now)?.toISOString(), '2026-12-03T11:30:00.000Z');
    assert.equal(timeOf('2w', now)?.toISOString(), '2026-11-19T12:00:00.000Z');
    assert.equal(timeOf('yesterday', now)!.getTime(), new Date(2026, 11, 2).getTime(), 'local midnight');
    for (const bad of ['1', '24', 'h', 'last week', '5y']) assert.isUndefined(timeOf(bad, now), bad);

    const dir = mkdtempSync(join(tmpdir(), 'eg-rep-'));
    await runLedger(dir);
    const recent = JSON.parse((await auditReportInProcess(['--ledger', dir, '--since', '1h', '--format', 'json'])).stdout) as Report;
    assert.lengthOf(recent.items, 4, 'written a moment ago');
    const future = await auditReportInProcess(['--ledger', dir, '--until', '2w', '--format', 'json']);
    assert.lengthOf((JSON.parse(future.stdout) as Report).items, 0, 'nothing is two weeks old');
    const byPrefix = JSON.parse((await auditReportInProcess(['--ledger', dir, '--run', 'run-', '--format', 'json'])).stdout) as Report;
    assert.deepEqual([...new Set(byPrefix.items.map((i) => i.flow_run_id))], ['run-A']);
    const other = mkdtempSync(join(tmpdir(), 'eg-rep-'));
    await runLedger(other, undefined, 'run-B');
    const ambiguous = await auditReportInProcess(['--ledger', dir, '--ledger', other, '--run', 'run-']);
    assert.equal(ambiguous.code, 2, 'a prefix of two run ids is a usage error, not a merged report');
    assert.include(ambiguous.stderr, '--run "run-" is the start of 2 run ids; give more of the id');
    const exact = JSON.parse((await auditReportInProcess(['--ledger', dir, '--ledger', other, '--run', 'run-B', '--format', 'json'])).stdout) as Report;
    assert.deepEqual([...new Set(exact.items.map((i) => i.flow_run_id))], ['run-B']);
    const bad = await auditReportInProcess(['--ledger', dir, '--since', 'last week']);
    assert.equal(bad.code, 2);
    assert.include(bad.stderr, '--since must be a date, an ISO 8601 time, a duration ago');
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

/** The ledger's entries, read back as the attacker reads them. */

/** What an attacker who knows the format writes: every seq, link and hash recomputed, canonical JSON. */
function rewrite(dir: string, entries: LedgerEntry[]): void {
  let prev = entries[0]!.prev;
  const out = entries.map((e, seq) => {
    const next = { ...e, seq, prev };
    const entry = { ...next, hash: serializeEntry(next).hash };
    prev = entry.hash;
    return canonicalJson(entry);
  });
  writeFileSync(join(dir, segmentName(1)), out.join('\n') + '\n');
}

/** One finding edited, as someone hiding what left would: `github-token` becomes an innocent rule. */
const hideFinding = (e: LedgerEntry): LedgerEntry =>
  e.type === 'intent' && JSON.stringify(e.data).includes('github-token') ? { ...e, data: JSON.parse(JSON.stringify(e.data).replaceAll('github-token', 'allowlist')) as Record<string, unknown> } : e;

const FORMATS = ['table', 'json', 'md', 'html'] as const;

describe('audit-report --verify: a verdict only for what is proven', function () {
  this.timeout(30_000);

  async function signed(): Promise<{ dir: string; key: SigningKey; pub: string }> {
    const dir = mkdtempSync(join(tmpdir(), 'eg-rep-'));
    const key = await SigningKey.generate();
    await runLedger(dir, key);
    const pub = join(dir, 'pub.json');
    writeFileSync(pub, key.toJson(false));
    return { dir, key, pub };
  }

  it('an unsigned ledger, a finding edited and every hash recomputed: NOT PROVEN and exit 1 in every format, the same verdict in each; --allow-unsigned accepts it, never as verified', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'eg-rep-'));
    await runLedger(dir);
    rewrite(dir, entriesOf(dir).map(hideFinding));
    const json = await auditReportInProcess(['--ledger', dir, '--verify', '--format', 'json']);
    assert.equal(json.code, 1, json.stdout + json.stderr);
    const report = JSON.parse(json.stdout) as Report;
    assert.deepInclude(report.verification, { performed: true, ok: false, status: 'unsigned', problems: [] }, 'the chain itself is intact: that is the point');
    assert.match(report.verification.verdict, /^NOT PROVEN: unsigned; nothing proves the ledger was not rewritten/);
    assert.match(report.verification.notes[0]!, /no signed checkpoint covers its 8 entries/);
    for (const format of FORMATS) {
      const r = await auditReportInProcess(['--ledger', dir, '--verify', '--format', format]);
      assert.equal(r.code, 1, `${format}: ${r.stderr}`);
      assert.notInclude(r.stdout, 'Verified', format);
      assert.include(r.stdout, format === 'md' ? 'NOT PROVEN: unsigned; nothing proves the ledger was not rewritten. The chain is intact, but that alone proves nothing \\(see below' : 'NOT PROVEN: unsigned; nothing proves the ledger was not rewritten', format);
    }
    const html = (await auditReportInProcess(['--ledger', dir, '--verify', '--format', 'html'])).stdout;
    assert.include(html, '<div class="verdict bad" id="verdict" data-status="unsigned">');
    const allowed = await auditReportInProcess(['--ledger', dir, '--verify', '--allow-unsigned', '--format', 'html']);
    assert.equal(allowed.code, 0, allowed.stderr);
    assert.include(allowed.stdout, '<div class="verdict warn" id="verdict" data-status="unsigned">NOT PROVEN: unsigned; nothing proves the ledger was not rewritten. Accepted with --allow-unsigned');
    assert.notInclude(allowed.stdout, 'class="verdict ok"', 'no green banner for what was not proven');
    const table = await auditReportInProcess(['--ledger', dir, '--verify', '--allow-unsigned']);
    assert.equal(table.code, 0);
    assert.include(table.stdout, 'verification: NOT PROVEN: unsigned');
  });

  it('checkpoints stripped from a signed ledger, a finding edited, every hash recomputed: --verify --key exits 1, the ledger unsigned', async () => {
    const { dir, pub } = await signed();
    rewrite(dir, entriesOf(dir).filter((e) => e.type !== 'checkpoint').map(hideFinding));
    const r = await auditReportInProcess(['--ledger', dir, '--verify', '--key', pub, '--format', 'json']);
    assert.equal(r.code, 1, r.stdout);
    const v = (JSON.parse(r.stdout) as Report).verification;
    assert.equal(v.status, 'unsigned');
    assert.match(v.notes[0]!, /no checkpoint signed with --key \(ckpt-[^)]+\) covers its \d+ entries/);
  });

  it('signed checkpoints without --key are no proof (anyone can sign): exit 1 naming their key; with --key, verified', async () => {
    const { dir, key, pub } = await signed();
    const r = await auditReportInProcess(['--ledger', dir, '--verify', '--format', 'json']);
    assert.equal(r.code, 1);
    const v = (JSON.parse(r.stdout) as Report).verification;
    assert.equal(v.status, 'unchecked');
    assert.include(v.notes[0]!, `name key ${key.kid}`);
    assert.include(v.notes[0]!, 'Give --key');
    const ok = await auditReportInProcess(['--ledger', dir, '--verify', '--key', pub, '--format', 'json']);
    assert.equal(ok.code, 0, ok.stdout);
    assert.deepInclude((JSON.parse(ok.stdout) as Report).verification, { ok: true, status: 'verified', signatures_checked: true });
  });

  it('--key of another signer: a ledger with no checkpoint signed by that key fails, naming each checkpoint', async () => {
    const { dir } = await signed();
    const other = join(dir, 'other.json');
    writeFileSync(other, (await SigningKey.generate()).toJson(false));
    const r = await auditReportInProcess(['--ledger', dir, '--verify', '--key', other, '--format', 'json']);
    assert.equal(r.code, 1);
    const v = (JSON.parse(r.stdout) as Report).verification;
    assert.equal(v.status, 'failed');
    assert.isTrue(v.problems.length > 0 && v.problems.every((p) => p.kind === 'checkpoint-signature' && /signed by key/.test(p.message)));
  });

  it('an unsealed tail (the sealing checkpoint cut off, as a crash leaves it): reported with its count, exit 1 unless --allow-unsigned', async () => {
    const { dir, pub } = await signed();
    const entries = entriesOf(dir);
    assert.equal(entries.at(-1)!.type, 'checkpoint', 'close seals the ledger');
    const checkpoints = entries.filter((e) => e.type === 'checkpoint');
    const lastSealed = checkpoints.at(-2)!.data.upto_seq as number;
    // Cut off at an entry boundary: what remains still chains; nothing is torn.
    writeFileSync(join(dir, segmentName(1)), entries.slice(0, -1).map((e) => canonicalJson(e)).join('\n') + '\n');
    const tail = entries.length - 1 - (lastSealed + 1) - 1; // the entries after the head it sealed, less that checkpoint itself
    const r = await auditReportInProcess(['--ledger', dir, '--verify', '--key', pub, '--format', 'json']);
    assert.equal(r.code, 1, r.stdout);
    const report = JSON.parse(r.stdout) as Report;
    assert.deepInclude(report.verification, { status: 'unsealed', problems: [] });
    assert.equal(report.ledgers[0]!.seal!.unsealed_entries, tail);
    assert.include(report.verification.notes[0]!, `unsealed tail: the last ${tail} ${tail === 1 ? 'entry' : 'entries'} come after entry ${lastSealed}`);
    const allowed = await auditReportInProcess(['--ledger', dir, '--verify', '--key', pub, '--allow-unsigned']);
    assert.equal(allowed.code, 0);
    assert.match(allowed.stdout, /verification: NOT PROVEN: entries after the last signed checkpoint are unsealed\. Accepted with --allow-unsigned/);
  });
});

describe('audit-report: what a ledger holds is inert in every format', function () {
  this.timeout(30_000);

  const HOSTILE = [
    '<img src=x onerror=alert(1)>',
    '![x](https://evil.example/beacon.png)',
    '[click](javascript:alert(1))',
    '<script>alert(1)</script>',
    'a|b|c `code` **bold** _em_ ~~strike~~ $x$ @admin www.evil.example https://evil.example/p &#60;b&#62;',
    'esc \u001b[31mred\u001b[0m bell \u0007 csi \u009b2J nl \n rtl \u202eevil\u202c zw \u200b',
  ];

  async function hostileLedger(): Promise<string> {
    const dir = mkdtempSync(join(tmpdir(), 'eg-rep-'));
    const ledger = Ledger.open({ dir });
    for (const [i, s] of HOSTILE.entries()) {
      const record: AuditRecord = {
        itemId: `item-${i}`,
        kind: 'logs',
        channel: 'logs',
        flowRunId: `run ${s}`,
        time: `2026-11-23T0${i}:00:00.000Z`,
        policy: { name: `policy ${s}`, version: 1, sha256: 'a'.repeat(64) },
        findings: [{ detector: `rule ${s}`, path: `records[0].extra.${s}`, action: 'remove', count: 1 }],
        payloadSha256: 'b'.repeat(64),
        bytes: 10,
        payload: { records: [{ extra: { [s]: '[REDACTED]' } }] },
      };
      await ledger.intent(record);
    }
    await ledger.close();
    return dir;
  }

  const CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u200b\u202a-\u202e]/;

  it('Markdown: link, image, HTML, table, code and emphasis syntax escaped; control characters written out', async () => {
    const dir = await hostileLedger();
    const md = (await auditReportInProcess(['--ledger', dir, '--format', 'md'])).stdout;
    assert.notMatch(md, CONTROL, 'no control or invisible character');
    assert.include(md, '\\u001b\\[31mred');
    assert.notInclude(md, '<', 'no raw <: no tag, no autolink');
    assert.notMatch(md, /(?<!\\)!(?<!\\)\[/, 'no image syntax');
    assert.notMatch(md, /(?<!\\)\]\(/, 'no link syntax');
    assert.notMatch(md, /(?<!\\)`/, 'no code span');
    assert.notMatch(md, /https:\/\//, 'no autolink');
    assert.include(md, 'https\\://evil.example');
    assert.include(md, 'www\\.evil.example');
    assert.include(md, '&amp;#60;b&amp;#62;', 'entities stay text');
    // Every table row has exactly the header's cells: no pipe from the ledger opens a column.
    const tableRows = md.split('\n').filter((l) => l.startsWith('| 2026-'));
    assert.lengthOf(tableRows, HOSTILE.length);
    for (const row of tableRows) assert.lengthOf(row.split(/(?<!\\)\|/), 10, row);
    // Rendered by a CommonMark renderer with raw HTML and autolinks on: only text comes out.
    const MarkdownIt = tryRequire('markdown-it') as (new (o: object) => { render(s: string): string }) | undefined;
    if (MarkdownIt !== undefined) {
      const html = new MarkdownIt({ html: true, linkify: true }).render(md);
      assert.notMatch(html, /<(img|a|script|code|em|s|del)\b/i, html.slice(0, 400));
      assert.include(html, '![x](https://evil.example/beacon.png)');
      assert.include(html, '&lt;img src=x onerror=alert(1)&gt;');
    }
  });

  it('HTML: everything escaped, and a strict Content-Security-Policy that allows nothing but its own stylesheet', async () => {
    const dir = await hostileLedger();
    const html = (await auditReportInProcess(['--ledger', dir, '--format', 'html'])).stdout;
    assert.notMatch(html, CONTROL);
    assert.notMatch(html, /<(img|script|a|iframe|link|object|embed)\b/i);
    assert.include(html, '&lt;img src=x onerror=alert(1)&gt;');
    assert.include(html, `<meta http-equiv="Content-Security-Policy" content="${REPORT_CSP}">`);
    assert.isBelow(html.indexOf('Content-Security-Policy'), html.indexOf('<style>'), 'the policy comes before anything it governs');
    assert.match(REPORT_CSP, /^default-src 'none'; style-src 'sha256-[A-Za-z0-9+/]+=*'; img-src 'none'; script-src 'none'; base-uri 'none'; form-action 'none'$/);
    const style = /<style>([\s\S]*?)<\/style>/.exec(html)![1]!;
    assert.include(REPORT_CSP, `'sha256-${createHash('sha256').update(style, 'utf8').digest('base64')}'`, 'the hash is of the stylesheet as served');
    assert.lengthOf(html.match(/<style>/g)!, 1);
    assert.notMatch(html, /\sstyle=/i, 'no inline style attribute (the policy would block it)');
    assert.notMatch(html, /<[a-z][^>]*\son[a-z]+=/i, 'no event handler attribute in any tag');
  });

  it('table and JSON: control and invisible characters written out; JSON keeps the exact values', async () => {
    const dir = await hostileLedger();
    const table = (await auditReportInProcess(['--ledger', dir])).stdout;
    assert.notMatch(table, CONTROL);
    assert.include(table, 'esc \\u001b[31mred\\u001b[0m bell \\u0007 csi \\u009b2J nl \\n rtl \\u202eevil\\u202c zw \\u200b');
    assert.equal(table.trimEnd().split('\n').length, 1 + HOSTILE.length + 1 + 5, 'one line per item: no newline from the ledger');
    const json = (await auditReportInProcess(['--ledger', dir, '--format', 'json'])).stdout;
    assert.notMatch(json, /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u200b\u202a-\u202e]/);
    const report = JSON.parse(json) as Report;
    assert.equal(report.items[5]!.flow_run_id, `run ${HOSTILE[5]}`, 'the value itself is intact');
  });
});

function tryRequire(name: string): unknown {
  try {
    return createRequire(import.meta.url)(name);
  } catch {
    return undefined;
  }
}
