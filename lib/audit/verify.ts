/**
 * Reading and verifying a ledger directory: every segment in order, every entry's hash recomputed, the
 * chain (`prev`) and the sequence numbers checked. Each problem names the segment, the line and the
 * entry it affects; a torn tail (a crash mid-write) is reported, never silently accepted.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { entryHash, GENESIS, segmentName, segmentNumbers, type LedgerEntry } from './ledger.ts';

export type ProblemKind = 'torn-tail' | 'unreadable-entry' | 'edited' | 'chain-break' | 'sequence';

export interface LedgerProblem {
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
