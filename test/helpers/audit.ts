/**
 * Audit records as the gate writes them, for the ledger, witness, tampering and verifier tests.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { segmentName, type LedgerEntry } from '../../lib/audit/ledger.ts';
import { serializeEntry } from '../../lib/audit/entry.ts';
import { checkpointDigest } from '../../lib/audit/witness.ts';
import type { SigningKey } from '../../lib/crypto/jose.ts';
import type { AuditRecord } from '../../lib/egress/gate.ts';
import { canonicalJson, sha256Hex } from '../../lib/policy/canonical.ts';

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
