/**
 * Audit ledger appends per second with group commit (one write + fsync per batch, each append resolved
 * when durable), against a plain appendFileSync + fsync per entry, measured in the same run on the same
 * disk. Prints JSON lines.
 *
 *   npm run bench:ledger            (ENTRIES=100000 by default; the baseline writes ENTRIES/20)
 */
import { closeSync, fsyncSync, mkdtempSync, openSync, appendFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ledger } from '../lib/audit/ledger.ts';
import type { AuditRecord } from '../lib/egress/gate.ts';

const ENTRIES = Number(process.env.ENTRIES ?? 100_000);
const CONCURRENCY = Number(process.env.CONCURRENCY ?? 1_000);

const record = (i: number): AuditRecord => ({
  itemId: `item-${i}`,
  kind: 'logs',
  channel: 'logs',
  flowRunId: 'run-1',
  time: new Date().toISOString(),
  policy: { name: 'default', version: 1, sha256: 'a'.repeat(64) },
  findings: [{ detector: 'github-token', path: 'records[0].message', action: 'remove', count: 1 }],
  payloadSha256: 'b'.repeat(64),
  bytes: 120,
  payload: { records: [{ level: 'info', message: `processed batch ${i} [REDACTED]` }] },
});

const round = (x: number) => Math.round(x * 1000) / 1000;
const dir = mkdtempSync(join(tmpdir(), 'eg-ledger-bench-'));

// Group commit: CONCURRENCY appends in flight (a busy gate), each resolved only when durable.
const ledger = Ledger.open({ dir: join(dir, 'ledger') });
let t0 = performance.now();
for (let i = 0; i < ENTRIES; i += CONCURRENCY) {
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, ENTRIES - i) }, (_, j) => ledger.intent(record(i + j))));
}
await ledger.close();
const groupSeconds = (performance.now() - t0) / 1000;

// Baseline: append one line and fsync, entry by entry.
const baselineEntries = Math.max(1, Math.floor(ENTRIES / 20));
const file = join(dir, 'baseline.jsonl');
const fd = openSync(file, 'a');
t0 = performance.now();
for (let i = 0; i < baselineEntries; i++) {
  appendFileSync(fd, JSON.stringify(record(i)) + '\n');
  fsyncSync(fd);
}
const baselineSeconds = (performance.now() - t0) / 1000;
closeSync(fd);
rmSync(dir, { recursive: true, force: true });

const group = { bench: 'ledger', name: 'Ledger group commit (fsync per batch)', entries: ENTRIES, seconds: round(groupSeconds), entriesPerSec: Math.round(ENTRIES / groupSeconds) };
const baseline = { bench: 'ledger', name: 'baseline: appendFileSync + fsync per entry', entries: baselineEntries, seconds: round(baselineSeconds), entriesPerSec: Math.round(baselineEntries / baselineSeconds) };
console.log(JSON.stringify({ ...group, ratioVsBaseline: round(group.entriesPerSec / baseline.entriesPerSec) }));
console.log(JSON.stringify({ ...baseline, ratioVsBaseline: 1 }));
console.log(JSON.stringify({ bench: 'ledger', summary: true, entriesPerSec: group.entriesPerSec, baselineEntriesPerSec: baseline.entriesPerSec, target: 50_000, met: group.entriesPerSec >= 50_000 }));
