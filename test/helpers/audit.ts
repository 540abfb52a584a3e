/**
 * Audit records as the gate writes them, for the ledger, witness, tampering and verifier tests.
 */
import { appendFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { segmentName, type LedgerEntry } from '../../lib/audit/ledger.ts';
import { serializeEntry } from '../../lib/audit/entry.ts';
import { checkpointDigest } from '../../lib/audit/witness.ts';
import type { SigningKey } from '../../lib/crypto/jose.ts';
import type { AuditRecord } from '../../lib/egress/gate.ts';
import { canonicalJson, sha256Hex } from '../../lib/crypto/canonical.ts';

/**
 * The record of item `i`: a logs item of run-1 under the default policy, with its payload's true digest;
 * `extra` replaces any field (the digest follows a replaced payload).
 *
 * @example await ledger.intent(auditRecord(0, { findings: [{ detector: 'github-token', path: '$', action: 'remove', count: 1 }] }));
 */
export function auditRecord(i: number, extra: Partial<AuditRecord> = {}): AuditRecord {
  const payload = extra.payload ?? { records: [{ message: `line ${i}` }] };
  return {
    itemId: `item-${i}`,
    kind: 'logs',
    channel: 'logs',
    flowRunId: 'run-1',
    time: '2026-11-24T00:00:00.000Z',
    policy: { name: 'default', version: 1, sha256: 'a'.repeat(64) },
    findings: [],
    payloadSha256: sha256Hex(canonicalJson(payload)),
    bytes: 42,
    payload,
    ...extra,
  };
}

/**
 * Writes `entries` as the ledger's first segment, in canonical JSON as the ledger does: how an attacker who
 * knows the format would rewrite a ledger.
 *
 * @example writeEntries(dir, readLedger(dir).entries.filter((e) => e.type !== 'checkpoint'));
 */
export function writeEntries(dir: string, entries: LedgerEntry[]): void {
  writeFileSync(join(dir, segmentName(1)), entries.map((e) => canonicalJson(e)).join('\n') + '\n');
}

/** The entries of a ledger's first segment, parsed as written (no verification). */
export function entriesOf(dir: string): LedgerEntry[] {
  return readFileSync(join(dir, segmentName(1)), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as LedgerEntry);
}

/**
 * The rewrite an attacker with a signing key makes (their own, or the machine's real one): each entry
 * through `change`, every link and hash recomputed, and every checkpoint from seq `from` on re-signed with
 * `key` over the new chain, the checkpoint chain redone. Every local check of the result passes.
 *
 * @example writeEntries(dir, await resign(entriesOf(dir), key, { change: (e) => (e.seq === 3 ? forged(e) : e) }));
 */
export async function resign(
  entries: LedgerEntry[],
  key: SigningKey,
  options: { change?: (e: LedgerEntry) => LedgerEntry; from?: number } = {},
): Promise<LedgerEntry[]> {
  const hashes = new Map<number, string>();
  let prev = entries[0]!.prev;
  let prevCheckpoint: string | undefined;
  const out: LedgerEntry[] = [];
  for (const original of entries) {
    const e = options.change?.(original) ?? original;
    let data = e.data;
    if (e.type === 'checkpoint' && e.seq >= (options.from ?? 0)) {
      const d = e.data as { upto_seq: number; prev_checkpoint: string; time: string };
      const claim = { upto_seq: d.upto_seq, head: hashes.get(d.upto_seq)!, time: d.time, prev_checkpoint: prevCheckpoint ?? d.prev_checkpoint };
      data = { ...claim, kid: key.kid, jws: await key.sign(claim) };
    }
    if (e.type === 'checkpoint') prevCheckpoint = checkpointDigest(String((data as { jws: string }).jws));
    const next = { ...e, data, prev };
    const entry = { ...next, hash: serializeEntry(next).hash };
    hashes.set(entry.seq, entry.hash);
    prev = entry.hash;
    out.push(entry);
  }
  return out;
}

/** What fastLedger writes: how many items, from when, how they end, and how the ledger is sealed. */
export interface FastLedgerOptions {
  items: number;
  /** The first item's time (ms); each next one `stepMs` later. */
  start?: number;
  stepMs?: number;
  /** Items that are never acknowledged (by index). */
  unacked?: (i: number) => boolean;
  /** Each item's record; `auditRecord(i)` without its payload (digest mode) by default. */
  record?: (i: number) => AuditRecord;
  /** A signed checkpoint every this many entries, and one sealing the ledger, with this key. */
  key?: SigningKey;
  checkpointEvery?: number;
  /** Entries per segment file. */
  segmentEntries?: number;
  /** The item ids' prefix (ledgers of a fleet have their own). */
  idPrefix?: string;
}

/**
 * A ledger written fast, line by line with serializeEntry (as the Ledger writes them, without its group
 * commit): a policy entry, then each item's intent followed by its ack, signed checkpoints with `key`.
 * For tests of large ledgers and of fleets, where the Ledger API would take too long.
 *
 * @example await fastLedger(dir, { items: 150_000 });
 */
export async function fastLedger(dir: string, o: FastLedgerOptions): Promise<{ entries: number; lastSeq: number }> {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'ledger.json'), JSON.stringify({ id: `fast-${Math.random().toString(36).slice(2)}` }) + '\n');
  const perSegment = o.segmentEntries ?? 1_000_000;
  const every = o.checkpointEvery ?? 1_000;
  const start = o.start ?? Date.parse('2026-11-24T00:00:00.000Z');
  const step = o.stepMs ?? 10;
  let seq = 0;
  let prev = '0'.repeat(64);
  let prevCheckpoint = '0'.repeat(64);
  let sinceCheckpoint = 0;
  let segment = 1;
  let lines: string[] = [];
  const flush = () => {
    if (lines.length === 0) return;
    appendFileSync(join(dir, segmentName(segment)), lines.join(''));
    lines = [];
  };
  const append = (type: LedgerEntry['type'], data: Record<string, unknown>, time: string) => {
    const { hash, line } = serializeEntry({ v: 1, seq, time, type, data, prev });
    lines.push(line);
    prev = hash;
    seq++;
    if (lines.length >= 10_000) flush();
    if (seq % perSegment === 0) {
      flush();
      segment++;
    }
  };
  const checkpoint = async (time: string) => {
    if (o.key === undefined) return;
    const claim = { upto_seq: seq - 1, head: prev, prev_checkpoint: prevCheckpoint, time };
    const jws = await o.key.sign(claim);
    append('checkpoint', { ...claim, kid: o.key.kid, jws }, time);
    prevCheckpoint = checkpointDigest(jws);
    sinceCheckpoint = 0;
  };
  const time0 = new Date(start).toISOString();
  append('policy', { name: 'default', sha256: 'a'.repeat(64), version: 1 }, time0);
  for (let i = 0; i < o.items; i++) {
    const time = new Date(start + i * step).toISOString();
    const base = o.record?.(i) ?? auditRecord(i, { time, payload: undefined as never });
    const { payload: _p, ...digestOnly } = base;
    const record = o.record !== undefined ? base : digestOnly;
    const id = `${o.idPrefix ?? ''}${String(record.itemId)}`;
    append('intent', { ...record, itemId: id } as unknown as Record<string, unknown>, time);
    if (o.unacked?.(i) !== true) append('ack', { itemId: id }, time);
    sinceCheckpoint += 2;
    if (sinceCheckpoint >= every) await checkpoint(time);
  }
  await checkpoint(new Date(start + o.items * step).toISOString());
  flush();
  return { entries: seq, lastSeq: seq - 1 };
}
