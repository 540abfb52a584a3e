/**
 * `audit-report --verify --format json` on a large ledger against a minimal chain check of the same
 * ledger, measured in the same run: the baseline reads each line, JSON.parses it and hashes it (SHA-256,
 * with the one-shot crypto.hash the verifier uses too), nothing more; the report verifies everything (shape, hash, canonical spelling, sequence, chain, every
 * checkpoint signature) and writes every item as JSON. The ledger is written first with the public Ledger
 * API (intents and acks, signed checkpoints every 1,000 entries), in a child process of its own.
 *
 *   npm run bench:audit                      (ENTRIES=300000 by default: well under a minute)
 *   ENTRIES=1000000 npm run bench:audit      (the target: at most 3x the baseline, within 400 MB)
 *   ENTRIES=10000000 ROUNDS=1 npm run bench:audit   (about 4.5 GB of ledger; about ten minutes)
 *
 * Prints JSON lines: the ledger, the baseline, the report in this process (time), the report as a process
 * of its own (time and peak RSS, which the in-process figure cannot separate from the writer's), and a
 * summary with the ratio. KEEP=1 keeps the ledger (its path is printed).
 */
import { spawn } from 'node:child_process';
import { createHash, hash } from 'node:crypto';
import { closeSync, fstatSync, mkdtempSync, openSync, readdirSync, readFileSync, readSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));
const REPO = resolve(HERE, '..');
const ENTRIES = Number(process.env.ENTRIES ?? 300_000);
/** Rounds of baseline and report, alternating; each figure is its fastest round (a shared machine's noise only adds). */
const ROUNDS = Math.max(1, Number(process.env.ROUNDS ?? 3));
const round = (x: number) => Math.round(x * 1000) / 1000;

if (process.argv[2] === 'write') await write(process.argv[3]!, Number(process.argv[4]));
else await main();

/** The child that writes the ledger: intents and their acks, 1,000 in flight, signed checkpoints. */
async function write(dir: string, entries: number): Promise<void> {
  const { Ledger } = await import('../lib/audit/ledger.ts');
  const { SigningKey } = await import('../lib/crypto/jose.ts');
  const key = await SigningKey.generate();
  writeFileSync(join(dirname(dir), 'signing-key.pub.json'), key.toJson(false));
  const ledger = Ledger.open({ dir, signingKey: key, checkpointIntervalMs: 3_600_000 });
  await ledger.recordPolicy({ name: 'default', version: 1, sha256: 'a'.repeat(64) });
  const start = Date.parse('2026-11-24T00:00:00.000Z');
  const items = Math.floor(entries / 2);
  for (let i = 0; i < items; i += 1000) {
    const batch = Array.from({ length: Math.min(1000, items - i) }, (_, j) => i + j);
    await Promise.all(
      batch.map((k) =>
        ledger.intent({
          itemId: `item-${k}`,
          kind: 'logs',
          channel: k % 5 === 0 ? 'exceptions' : 'logs',
          flowRunId: `run-${Math.floor(k / 10_000)}`,
          time: new Date(start + k * 10).toISOString(),
          policy: { name: 'default', version: 1, sha256: 'a'.repeat(64) },
          findings: k % 3 === 0 ? [{ detector: 'github-token', path: 'records[0].message', action: 'remove', count: 1 }] : [],
          payloadSha256: createHash('sha256').update(String(k)).digest('hex'),
          bytes: 120,
          payload: { records: [{ level: 'info', message: `processed batch ${k} [REDACTED]` }] },
        }),
      ),
    );
    // The last item of every 10,000 is never acknowledged (a delivery that did not happen).
    await Promise.all(batch.filter((k) => k % 10_000 !== 9_999).map((k) => ledger.ack(`item-${k}`)));
  }
  await ledger.close();
}

async function main(): Promise<void> {
  const root = mkdtempSync(join(tmpdir(), 'eg-audit-bench-'));
  const dir = join(root, 'ledger');
  const pub = join(root, 'signing-key.pub.json');
  try {
    let t0 = performance.now();
    await node([...tsx(), fileURLToPath(import.meta.url), 'write', dir, String(ENTRIES)]);
    const bytes = readdirSync(dir).reduce((n, f) => n + statSync(join(dir, f)).size, 0);
    console.log(JSON.stringify({ bench: 'audit', name: 'ledger written with the Ledger API', entries: ENTRIES, bytes, seconds: round((performance.now() - t0) / 1000) }));

    const { auditReport } = await import('../lib/cli/audit-report-command.ts');
    const out = join(root, 'report.json');
    const io = { stdout: devNull(), stderr: devNull(), stdin: Readable.from([]), env: {}, cwd: root };
    const baseline: number[] = [];
    const report: number[] = [];
    let lines = 0;
    let code = -1;
    for (let round_ = 0; round_ < ROUNDS; round_++) {
      t0 = performance.now();
      lines = chainCheck(dir);
      baseline.push((performance.now() - t0) / 1000);
      rmSync(out, { force: true });
      t0 = performance.now();
      code = await auditReport(['--ledger', dir, '--verify', '--key', pub, '--format', 'json', '-o', out], io);
      report.push((performance.now() - t0) / 1000);
    }
    const b = Math.min(...baseline);
    const r = Math.min(...report);
    const parsed = summaryOf(out);
    console.log(JSON.stringify({ bench: 'audit', name: 'baseline: read lines, JSON.parse, sha256', entries: lines, seconds: round(b), runs: baseline.map(round) }));
    console.log(JSON.stringify({ bench: 'audit', name: 'audit-report --verify --format json (in this process)', exit: code, seconds: round(r), runs: report.map(round), ratioVsBaseline: round(r / b), ...parsed }));

    // As a process of its own, for its peak RSS (and its time, start-up included).
    const rssFile = join(root, 'rss');
    const probe = join(root, 'probe.mjs');
    writeFileSync(probe, `import { writeFileSync } from 'node:fs';\nprocess.on('exit', () => writeFileSync(${JSON.stringify(rssFile)}, String(process.resourceUsage().maxRSS)));\n`);
    t0 = performance.now();
    const child = await node([...tsx(), '--import', probe, join(REPO, 'lib/cli/audit-report.ts'), '--ledger', dir, '--verify', '--key', pub, '--format', 'json', '-o', out]);
    const processSeconds = (performance.now() - t0) / 1000;
    const rssMB = Math.round(Number(readFileSync(rssFile, 'utf8')) / 1024);
    console.log(JSON.stringify({ bench: 'audit', name: 'audit-report --verify --format json (a process)', exit: child, seconds: round(processSeconds), peakRssMB: rssMB }));
    console.log(JSON.stringify({ bench: 'audit', summary: true, entries: ENTRIES, ledgerMB: Math.round(bytes / 1_048_576), ratio: round(r / b), peakRssMB: rssMB, target: { ratio: 3, peakRssMB: 400 }, met: r / b <= 3 && rssMB <= 400 && code === 0 }));
    if (process.env.KEEP === '1') console.log(JSON.stringify({ bench: 'audit', kept: root }));
  } finally {
    if (process.env.KEEP !== '1') rmSync(root, { recursive: true, force: true });
  }
}

/** The minimal chain check: every line read, parsed and hashed; nothing checked. */
function chainCheck(dir: string): number {
  let lines = 0;
  const segments = readdirSync(dir).filter((f) => /^ledger-\d{6}\.jsonl$/.test(f)).sort();
  const buf = Buffer.allocUnsafe(256 * 1024);
  for (const name of segments) {
    const fd = openSync(join(dir, name), 'r');
    const size = fstatSync(fd).size;
    let position = 0;
    let carry: Buffer[] = [];
    while (position < size) {
      const got = readSync(fd, buf, 0, Math.min(buf.length, size - position), position);
      position += got;
      let s = 0;
      for (let nl = buf.indexOf(10, s); nl >= 0 && nl < got; nl = buf.indexOf(10, s)) {
        const text = carry.length === 0 ? buf.toString('utf8', s, nl) : Buffer.concat([...carry, buf.subarray(s, nl)]).toString('utf8');
        carry = [];
        JSON.parse(text);
        hash('sha256', text, 'hex');
        lines++;
        s = nl + 1;
      }
      if (s < got) carry.push(Buffer.from(buf.subarray(s, got)));
    }
    closeSync(fd);
  }
  return lines;
}

/** What the report says, from its JSON (read whole: the bench's own check, not the report's memory). */
function summaryOf(file: string): Record<string, unknown> {
  const size = statSync(file).size;
  if (size > 512 * 1024 * 1024) return { reportBytes: size };
  const r = JSON.parse(readFileSync(file, 'utf8')) as { items: unknown[]; summary: { unacked: unknown[] }; verification: { status: string; problems: unknown[] } };
  return { reportBytes: size, items: r.items.length, unacked: r.summary.unacked.length, status: r.verification.status, problems: r.verification.problems.length };
}

function tsx(): string[] {
  return ['--import', 'tsx'];
}

function node(args: string[]): Promise<number> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, args, { cwd: REPO, stdio: ['ignore', 'ignore', 'inherit'] });
    child.on('error', reject);
    child.on('close', (code) => resolvePromise(code ?? -1));
  });
}

function devNull(): Writable {
  return new Writable({ write: (_chunk, _encoding, callback) => callback() });
}
