/**
 * Reading and verifying a ledger directory: every segment in order, every entry's hash recomputed, the
 * chain (`prev`) and the sequence numbers checked. Each problem names the segment, the line and the
 * entry it affects; a torn tail (a crash mid-write) is reported, never silently accepted.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CryptoError, type SigningKey } from '../crypto/jose.ts';
import { sha256Hex } from '../policy/canonical.ts';
import { entryHash, GENESIS, segmentName, segmentNumbers, type LedgerEntry } from './ledger.ts';

export type ProblemKind =
  | 'torn-tail'
  | 'unreadable-entry'
  | 'edited'
  | 'chain-break'
  | 'sequence'
  | 'checkpoint-chain'
  | 'checkpoint-mismatch'
  | 'checkpoint-signature'
  | 'truncated'
  | 'rewritten'
  | 'unwitnessed';

export interface LedgerProblem {
  /** The ledger directory (several are merged in a report). */
  ledger?: string;
  kind: ProblemKind;
  segment: string;
  /** 1-based line in the segment. */
  line: number;
  /** Sequence number of the affected entry, when it could be read. */
  seq?: number;
  message: string;
}

export interface LedgerReading {
  entries: LedgerEntry[];
  problems: LedgerProblem[];
}

export function readLedger(dir: string): LedgerReading {
  const entries: LedgerEntry[] = [];
  const problems: LedgerProblem[] = [];
  if (!existsSync(dir)) return { entries, problems };
  let prev = GENESIS;
  let expectedSeq = 0;
  for (const n of segmentNumbers(dir)) {
    const segment = segmentName(n);
    const text = readFileSync(join(dir, segment), 'utf8');
    const lines = text.split('\n');
    const tail = lines.pop()!;
    if (tail !== '') {
      problems.push({
        kind: 'torn-tail',
        segment,
        line: lines.length + 1,
        message: `${segment}:${lines.length + 1}: torn tail: ${Buffer.byteLength(tail)} bytes of an entry that was never completely written (a crash mid-write); entries before it verify`,
      });
    }
    lines.forEach((line, i) => {
      const where = `${segment}:${i + 1}`;
      let entry: LedgerEntry;
      try {
        entry = JSON.parse(line) as LedgerEntry;
        if (typeof entry.seq !== 'number' || typeof entry.hash !== 'string' || typeof entry.prev !== 'string') throw new Error('shape');
      } catch {
        problems.push({ kind: 'unreadable-entry', segment, line: i + 1, message: `${where}: not a ledger entry (edited or corrupted)` });
        return;
      }
      if (entryHash(entry) !== entry.hash) {
        problems.push({ kind: 'edited', segment, line: i + 1, seq: entry.seq, message: `${where}: entry ${entry.seq} was modified after it was written (its hash does not match its content)` });
      }
      if (entry.seq !== expectedSeq) {
        const what = entry.seq < expectedSeq ? 'repeats or is out of order' : `follows entry ${expectedSeq - 1}: entries ${expectedSeq}..${entry.seq - 1} are missing`;
        problems.push({ kind: 'sequence', segment, line: i + 1, seq: entry.seq, message: `${where}: entry ${entry.seq} ${what}` });
      }
      if (entry.prev !== prev) {
        problems.push({ kind: 'chain-break', segment, line: i + 1, seq: entry.seq, message: `${where}: entry ${entry.seq} does not chain to the entry before it (deleted, inserted or reordered entries)` });
      }
      entries.push(entry);
      prev = entry.hash;
      expectedSeq = entry.seq + 1;
    });
  }
  return { entries, problems };
}

/**
 * Checks the checkpoints of a reading: each names the one before it, each signed head is the hash of the
 * entry it claims, and, given the key (its public half is enough), each signature is valid and signed by
 * that key. Returns the problems and how many checkpoints were checked.
 */
export async function verifyCheckpoints(reading: LedgerReading, key: SigningKey | undefined): Promise<{ problems: LedgerProblem[]; checkpoints: number }> {
  const problems: LedgerProblem[] = [];
  const bySeq = new Map(reading.entries.map((e) => [e.seq, e]));
  let previous = GENESIS;
  let checkpoints = 0;
  for (const e of reading.entries) {
    if (e.type !== 'checkpoint') continue;
    checkpoints++;
    const d = e.data as { upto_seq?: number; head?: string; prev_checkpoint?: string; time?: string; jws?: string };
    const at = { segment: '', line: 0, seq: e.seq };
    if (d.prev_checkpoint !== previous) {
      problems.push({ kind: 'checkpoint-chain', ...at, message: `checkpoint at entry ${e.seq} does not name the checkpoint before it (a checkpoint was removed or replaced)` });
    }
    const sealed = d.upto_seq === undefined ? undefined : bySeq.get(d.upto_seq);
    if (sealed === undefined || sealed.hash !== d.head) {
      problems.push({ kind: 'checkpoint-mismatch', ...at, message: `checkpoint at entry ${e.seq} seals entry ${String(d.upto_seq)} with a head that the ledger does not have (entries up to it were changed)` });
    }
    if (key !== undefined) {
      try {
        const claim = await key.verify(String(d.jws));
        if (claim.upto_seq !== d.upto_seq || claim.head !== d.head || claim.prev_checkpoint !== d.prev_checkpoint || claim.time !== d.time) {
          throw new CryptoError('the signed claim differs from the checkpoint entry');
        }
      } catch (err) {
        problems.push({ kind: 'checkpoint-signature', ...at, message: `checkpoint at entry ${e.seq}: ${(err as Error).message}` });
      }
    }
    previous = sha256Hex(String(d.jws));
  }
  return { problems, checkpoints };
}

/** What the control plane holds for a ledger: its latest witnessed checkpoint. */
export interface WitnessedHead {
  upto_seq: number;
  head: string;
  /** The checkpoint's signature as witnessed: a re-signed checkpoint (another key) differs. */
  jws?: string;
}

/**
 * Compares a ledger with the checkpoint the control plane witnessed for it (`ledgerId` from ledger.json):
 * a witnessed entry the ledger no longer has means it was cut short; a different hash at that entry, or a
 * differently signed checkpoint, means it was rewritten (the signing key swapped, say). A ledger with
 * checkpoints of which the control plane witnessed none, or without an id, cannot be vouched for.
 */
export function verifyWitness(reading: LedgerReading, ledgerId: string | undefined, heads: Readonly<Record<string, WitnessedHead>>): LedgerProblem[] {
  const at = { segment: '', line: 0 };
  const hasCheckpoints = reading.entries.some((e) => e.type === 'checkpoint');
  if (ledgerId === undefined) {
    return hasCheckpoints ? [{ kind: 'unwitnessed', ...at, message: 'the ledger has no id (ledger.json is missing), so it cannot be checked against what the control plane witnessed' }] : [];
  }
  const witnessed = heads[ledgerId];
  if (witnessed === undefined) {
    return hasCheckpoints ? [{ kind: 'unwitnessed', ...at, message: `the control plane witnessed no checkpoint of ledger ${ledgerId} (its id changed, or no witness ever reached the control plane)` }] : [];
  }
  const entry = reading.entries.find((e) => e.seq === witnessed.upto_seq);
  const last = reading.entries.at(-1)?.seq ?? -1;
  if (entry === undefined) {
    return [{ kind: 'truncated', ...at, seq: witnessed.upto_seq, message: `the control plane witnessed entry ${witnessed.upto_seq}, but the local ledger ends at entry ${last}: entries were removed from its end` }];
  }
  if (entry.hash !== witnessed.head) {
    return [{ kind: 'rewritten', ...at, seq: witnessed.upto_seq, message: `entry ${witnessed.upto_seq} differs from the head the control plane witnessed: the ledger was rewritten` }];
  }
  if (witnessed.jws !== undefined) {
    const checkpoint = reading.entries.find((e) => e.type === 'checkpoint' && (e.data as { upto_seq?: number }).upto_seq === witnessed.upto_seq);
    if (checkpoint === undefined) {
      return [{ kind: 'rewritten', ...at, seq: witnessed.upto_seq, message: `the checkpoint sealing entry ${witnessed.upto_seq}, which the control plane witnessed, is gone from the ledger` }];
    }
    if ((checkpoint.data as { jws?: string }).jws !== witnessed.jws) {
      return [{ kind: 'rewritten', ...at, seq: checkpoint.seq, message: `checkpoint at entry ${checkpoint.seq} is not the one the control plane witnessed: it was re-signed (another signing key?)` }];
    }
  }
  return [];
}
