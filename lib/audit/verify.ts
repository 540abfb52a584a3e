/**
 * Reading and verifying a ledger directory: every segment in order, every entry's shape checked, its hash
 * recomputed, the chain (`prev`) and the sequence numbers checked. Each problem names the segment, the line
 * and the entry it affects; a torn tail (a crash mid-write) is reported, never silently accepted. Whatever
 * a file holds, reading it never throws: what is not a ledger entry is a named problem.
 *
 * The work is done a line at a time (stream.ts reads, chain.ts checks the chain, checkpoints.ts the
 * checkpoints): readLedger and verifyCheckpoints keep their in-memory form for callers that want every
 * entry, and `scanLedger` gives the same verdict for a ledger of any size in bounded memory.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { SigningKey } from '../crypto/jose.ts';
import { ChainVerifier, type EntrySink } from './chain.ts';
import { CheckpointTracker } from './checkpoints.ts';
import { ENTRY_FORMAT, segmentName, segmentNumbers, type LedgerEntry } from './entry.ts';
import { bodyProblem, isRecord, placeProblem } from './shape.ts';
import { segmentLines, type LineOptions } from './stream.ts';

/** What is wrong with a ledger, by kind (docs/audit.md lists what each means and what makes it). */
export type ProblemKind =
  | 'torn-tail'
  | 'unreadable-segment'
  | 'unreadable-entry'
  | 'malformed-entry'
  | 'edited'
  | 'chain-break'
  | 'sequence'
  | 'checkpoint-chain'
  | 'checkpoint-mismatch'
  | 'checkpoint-signature'
  | 'truncated'
  | 'rewritten'
  | 'unwitnessed'
  /** An entry in a format version this egress-guard does not read (written by a newer one). */
  | 'unknown-format'
  /** A line longer than an entry may be (`--max-entry-bytes`): skipped unread, with its byte offset. */
  | 'oversized-entry';

/** One thing wrong with a ledger, with where it is: segment, line and, when readable, the entry's seq. */
export interface LedgerProblem {
  /** The ledger directory (several are merged in a report). */
  ledger?: string;
  kind: ProblemKind;
  segment: string;
  /** 1-based line in the segment. */
  line: number;
  /** Sequence number of the affected entry, when it could be read. */
  seq?: number;
  /** Byte offset in the segment, for what could not be read as a line (an oversized line, a read error). */
  offset?: number;
  message: string;
}

/** A ledger as read: the entries that can be trusted to be well formed, every problem, and the last placed entry. */
export interface LedgerReading {
  /** The well-formed entries, in order: every field the verifier and the report read has its type. */
  entries: LedgerEntry[];
  problems: LedgerProblem[];
  /**
   * The last entry whose seq and hash could be read (its data may be malformed): where a writer continues
   * the chain. Undefined for an empty ledger.
   */
  last?: { seq: number; hash: string };
}

/**
 * Reads a ledger directory: every entry checked for its shape, hash, sequence number and link to the one
 * before. Never throws for what the files hold (a directory that cannot be listed does throw). Holds every
 * entry: for a ledger of any size, scanLedger gives the same problems without holding them.
 *
 * @example
 * const { entries, problems } = readLedger('.egress-guard/ledger');
 * // problems: [{ kind: 'edited', segment: 'ledger-000001.jsonl', line: 3, seq: 2, message: 'ledger-000001.jsonl:3: entry 2 was modified …' }]
 */
export function readLedger(dir: string, options: LineOptions = {}): LedgerReading {
  const entries: LedgerEntry[] = [];
  const problems: LedgerProblem[] = [];
  if (!existsSync(dir)) return { entries, problems };
  const chain = walkChain(dir, options, (p) => problems.push(p), (e) => entries.push(e));
  return { entries, problems, ...(chain.last !== undefined && { last: chain.last }) };
}

/** Every segment of `dir` through one chain verifier, synchronously. */
function walkChain(dir: string, options: LineOptions, onProblem: (p: LedgerProblem) => void, onEntry: EntrySink): ChainVerifier {
  const chain = new ChainVerifier(onProblem, onEntry, options);
  for (const n of segmentNumbers(dir)) {
    const segment = segmentName(n);
    for (const ev of segmentLines(join(dir, segment), options)) chain.event(segment, ev);
  }
  return chain;
}

/** How a scan reads and what it is told as it goes. */
export interface ScanOptions extends LineOptions {
  /** Every well-formed entry, in order, with its line's size in bytes. */
  onEntry?: EntrySink;
  /** Called between chunks of entries: await output, progress (the scan waits for it). */
  pause?: () => Promise<void> | void;
  /** Keep at most this many problems of each kind of check (chain, checkpoints); the rest are counted. Default 1,000. */
  maxProblems?: number;
}

/** A ledger as a scan found it: counts, the problems (up to the cap, with the total), checkpoints and seal. */
export interface LedgerScan {
  /** Well-formed entries. */
  entries: number;
  /** Chain problems, then checkpoint problems, each list up to `maxProblems`. */
  problems: LedgerProblem[];
  /** Every problem found, listed or not. */
  problemsTotal: number;
  checkpoints: number;
  seal: Seal;
  last?: { seq: number; hash: string };
}

/**
 * Verifies a ledger of any size in bounded memory: the chain and the checkpoints (signatures too, given
 * the key), as readLedger and verifyCheckpoints do, entry by entry. Every well-formed entry is also handed
 * to `onEntry` as it is read (a report folds them as they come).
 *
 * @example
 * const scan = await scanLedger('.egress-guard/ledger', publicKey, { onEntry: (e) => count++ });
 * scan.problems; // [] for a sound ledger
 * scan.seal;     // { signaturesChecked: true, sealing: 212, sealedUpto: 211999, unsealed: 0, ... }
 */
export async function scanLedger(dir: string, key: SigningKey | undefined, options: ScanOptions = {}, checkedWith?: string): Promise<LedgerScan> {
  const cap = options.maxProblems ?? 1_000;
  const problems: LedgerProblem[] = [];
  let total = 0;
  const tracker = new CheckpointTracker(key, checkedWith, cap);
  const chain = new ChainVerifier(
    (p) => {
      total++;
      if (problems.length < cap) problems.push(p);
    },
    (e, bytes, scanned) => {
      tracker.add(e, true);
      options.onEntry?.(e, bytes, scanned);
    },
    options,
  );
  let sincepause = 0;
  if (existsSync(dir)) {
    for (const n of segmentNumbers(dir)) {
      const segment = segmentName(n);
      for (const ev of segmentLines(join(dir, segment), options)) {
        chain.event(segment, ev);
        if (++sincepause >= 2048) {
          sincepause = 0;
          await tracker.settle();
          await options.pause?.();
        }
      }
    }
  }
  const cps = await tracker.finish();
  total += cps.problemsTotal;
  for (const p of cps.problems) problems.push(p);
  return { entries: chain.entries, problems, problemsTotal: total, checkpoints: cps.checkpoints, seal: cps.seal, ...(chain.last !== undefined && { last: chain.last }) };
}

/**
 * Where a writer continues a ledger: its last entry whose seq and hash can be read, and the signature of
 * its last well-formed checkpoint. Reads segments from the last backwards and stops as soon as it knows,
 * so reopening a large ledger reads its last segment, not all of it.
 *
 * @example
 * const { last, lastCheckpointJws } = ledgerTail('.egress-guard/ledger');
 * // last: { seq: 41, hash: '…' }: the next entry is 42 and names that hash
 */
export function ledgerTail(dir: string): { last?: { seq: number; hash: string }; lastCheckpointJws?: string } {
  let last: { seq: number; hash: string } | undefined;
  let jws: string | undefined;
  const numbers = existsSync(dir) ? segmentNumbers(dir) : [];
  for (let i = numbers.length - 1; i >= 0 && (last === undefined || jws === undefined); i--) {
    let segLast: { seq: number; hash: string } | undefined;
    let segJws: string | undefined;
    for (const ev of segmentLines(join(dir, segmentName(numbers[i]!)))) {
      if (ev.type !== 'line') continue;
      let parsed: unknown;
      try {
        parsed = JSON.parse(ev.text);
      } catch {
        continue;
      }
      if (placeProblem(parsed) !== undefined) continue;
      const e = parsed as LedgerEntry;
      segLast = { seq: e.seq, hash: e.hash };
      // A checkpoint the chain would hand on: in the entry format, and well formed (then it can be hashed too).
      if (e.type === 'checkpoint' && (e.v === undefined || e.v === ENTRY_FORMAT) && bodyProblem(e) === undefined && isRecord(e.data)) segJws = String(e.data.jws);
    }
    last ??= segLast;
    if (jws === undefined && segJws !== undefined) jws = segJws;
  }
  return { ...(last !== undefined && { last }), ...(jws !== undefined && { lastCheckpointJws: jws }) };
}

/** What a checkpoint can vouch for, as `verifyCheckpoints` found it. */
export interface Seal {
  /** Whether the checkpoints' signatures were checked (a key was given). */
  signaturesChecked: boolean;
  /** Whose key checked them, for the verdict (`--key`, or the key the control plane registered). */
  checkedWith?: string;
  /** The key ids the checkpoints name, in order of first appearance. */
  kids: string[];
  /** Checkpoints that check out: chained, sealing a head the ledger has, and (with a key) validly signed. */
  sealing: number;
  /** The last entry such a checkpoint seals; -1 when none does. */
  sealedUpto: number;
  /** Entries after `sealedUpto`, other than checkpoints that check out: nothing proves them. */
  unsealed: number;
}

/**
 * Checks the checkpoints of a reading: each names the one before it, each signed head is the hash of the
 * entry it claims, and, given the key (its public half is enough), each signature is valid and signed by
 * that key. Returns the problems, how many checkpoints there are, and what they seal: `seal.unsealed`
 * counts the entries after the last checkpoint that checks out (a crash, or a seal cut off).
 *
 * @example
 * const reading = readLedger(dir);
 * const { problems, checkpoints, seal } = await verifyCheckpoints(reading, await SigningKey.fromJson(publicJwk, 'key file'));
 * // seal: { signaturesChecked: true, kids: ['ckpt-…'], sealing: 3, sealedUpto: 13, unsealed: 0 }
 */
export async function verifyCheckpoints(
  reading: LedgerReading,
  key: SigningKey | undefined,
  checkedWith?: string,
): Promise<{ problems: LedgerProblem[]; checkpoints: number; seal: Seal }> {
  const tracker = new CheckpointTracker(key, checkedWith);
  for (const e of reading.entries) {
    tracker.add(e);
    await tracker.settle();
  }
  const { problems, checkpoints, seal } = await tracker.finish();
  return { problems, checkpoints, seal };
}
