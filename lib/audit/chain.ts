/**
 * The hash chain, checked one line at a time with constant state (the previous hash, the next sequence
 * number, the last placed entry): each line's shape, hash and canonical spelling (shape.ts), its sequence
 * number and its link to the entry before it, across segments. Why a module of its own: readLedger, the
 * streaming report and the writer's reopening all walk the chain the same way, and none of them may hold
 * the ledger to do it.
 *
 * Problems are reported as they are found, each naming its segment and line (and for lines that were
 * never read, its byte offset): a torn tail or a hostile line in one segment does not stop the next.
 */
import { GENESIS, ENTRY_FORMAT, serializeEntry, type LedgerEntry } from './entry.ts';
import { bodyProblem, canonicalLineHash, isRecord, isSeq, lastScanned, placeProblem, type ScannedLine } from './shape.ts';
import type { LineEvent } from './stream.ts';
import type { LedgerProblem } from './verify.ts';

/**
 * What the chain hands on: a well-formed entry (every field it reads typed), with its line's size and, for
 * a line proven canonical by the scan, where its data's values are (valid during the call only).
 */
export type EntrySink = (entry: LedgerEntry, bytes: number, scanned?: ScannedLine) => void;

/**
 * Checks lines in order and keeps only what the next line is checked against. Entries that are well
 * formed (including edited ones: their edit is a problem, their content is still shown) go to `onEntry`,
 * problems to `onProblem`, in the order they are found.
 *
 * @example
 * const chain = new ChainVerifier((p) => problems.push(p), (e) => entries.push(e));
 * for (const ev of segmentLines(join(dir, 'ledger-000001.jsonl'))) chain.event('ledger-000001.jsonl', ev);
 * chain.last; // { seq, hash } of the last entry that could be placed: where a writer continues
 */
export class ChainVerifier {
  private prev = GENESIS;
  private expectedSeq = 0;
  /** The seq of the last entry placed (-1: none); its hash is `prev`. */
  private lastSeq = -1;
  /** Entries handed on. */
  entries = 0;

  constructor(
    private readonly onProblem: (p: LedgerProblem) => void,
    private readonly onEntry: EntrySink,
    private readonly options: { maxLineBytes?: number } = {},
  ) {}

  /** The last entry whose seq and hash could be read (its data may be malformed): where a writer continues. */
  get last(): { seq: number; hash: string } | undefined {
    return this.lastSeq < 0 ? undefined : { seq: this.lastSeq, hash: this.prev };
  }

  /**
   * Whether a parsed line is a well-formed entry of this format, in canonical JSON, with its hash, in its
   * place in the chain: then nothing is wrong with it. Its prev equals the last hash (a hex digest) and its
   * hash equals the digest computed here, so both are hex digests as placeProblem requires.
   */
  private inPlace(parsed: unknown, line: string): boolean {
    if (!isRecord(parsed)) return false;
    const e = parsed as unknown as LedgerEntry;
    return (
      e.seq === this.expectedSeq &&
      e.prev === this.prev &&
      e.v === ENTRY_FORMAT &&
      typeof e.hash === 'string' &&
      bodyProblem(e) === undefined &&
      canonicalLineHash(e, line) === e.hash
    );
  }

  /**
   * One event of a segment's reading (stream.ts), in order.
   *
   * @example for (const ev of segmentLines(file)) chain.event(segmentName(1), ev);
   */
  event(segment: string, ev: LineEvent): void {
    switch (ev.type) {
      case 'line':
        this.line(segment, ev.line, ev.text, ev.bytes);
        return;
      case 'torn':
        this.onProblem({
          kind: 'torn-tail',
          segment,
          line: ev.line,
          message: `${segment}:${ev.line}: torn tail: ${ev.bytes} bytes of an entry that was never completely written (a crash mid-write); entries before it verify`,
        });
        return;
      case 'oversized':
        this.onProblem({
          kind: 'oversized-entry',
          segment,
          line: ev.line,
          offset: ev.offset,
          message: `${segment}:${ev.line}: a line of ${ev.bytes} bytes (at byte ${ev.offset}), more than the ${this.options.maxLineBytes ?? 'largest'} bytes an entry may have here: not read (edited or corrupted; if a writer recorded items this large, give --max-entry-bytes); the lines after it are read`,
        });
        return;
      case 'error':
        this.onProblem({
          kind: 'unreadable-segment',
          segment,
          line: ev.line,
          ...(ev.offset > 0 && { offset: ev.offset }),
          message:
            ev.line === 0 && ev.offset === 0
              ? `${segment}: cannot be read (${ev.code}): its entries are missing from the ledger`
              : `${segment}: reading stopped at line ${ev.line} (byte ${ev.offset}): ${ev.code}: the entries after it in this segment are missing from the ledger; the next segments are read`,
        });
        return;
    }
  }

  /**
   * One complete line: its shape, hash and spelling, then its place in the chain.
   *
   * @example chain.line('ledger-000001.jsonl', 1, firstLine, Buffer.byteLength(firstLine));
   */
  line(segment: string, lineNo: number, line: string, bytes: number): void {
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch {
      const where = `${segment}:${lineNo}`;
      this.onProblem({ kind: 'unreadable-entry', segment, line: lineNo, message: `${where}: not a ledger entry: not JSON (edited or corrupted)` });
      return;
    }
    if (this.inPlace(parsed, line)) {
      // The common case, checked without allocating: a well-formed entry in canonical JSON, in its place.
      const entry = parsed as LedgerEntry;
      this.prev = entry.hash;
      this.expectedSeq = entry.seq + 1;
      this.lastSeq = entry.seq;
      this.entries++;
      this.onEntry(entry, bytes, lastScanned(line));
      return;
    }
    // Seq, prev and hash place an entry in the chain: without them it cannot be placed at all.
    const bad = placeProblem(parsed);
    const at = { segment, line: lineNo };
    const where = `${segment}:${lineNo}`;
    if (bad !== undefined) {
      const seq = isRecord(parsed) && isSeq(parsed.seq) ? parsed.seq : undefined;
      this.onProblem({ kind: 'malformed-entry', ...at, ...(seq !== undefined && { seq }), message: `${where}: not a ledger entry: ${bad} (edited or corrupted)` });
      return;
    }
    const entry = parsed as LedgerEntry;
    if (entry.v !== undefined && entry.v !== ENTRY_FORMAT) {
      // Not damage: a format this version cannot judge. Its hash still chains the entries after it.
      this.onProblem({ kind: 'unknown-format', ...at, seq: entry.seq, message: `${where}: entry ${entry.seq} is in entry format ${JSON.stringify(entry.v)}; this egress-guard reads format ${ENTRY_FORMAT}: verify with the version that wrote it, or a newer one` });
      this.expectedSeq = entry.seq + 1;
      this.prev = entry.hash;
      this.lastSeq = entry.seq;
      return;
    }
    const body = bodyProblem(entry);
    // The fast path: a well-formed entry in canonical JSON hashes as its own text (shape.ts).
    const fast = body === undefined ? canonicalLineHash(entry, line) : undefined;
    let serializable = true;
    if (fast !== undefined) {
      if (fast !== entry.hash) this.onProblem({ kind: 'edited', ...at, seq: entry.seq, message: `${where}: entry ${entry.seq} was modified after it was written (its hash does not match its content)` });
    } else {
      let serialized: { hash: string; line: string } | undefined;
      try {
        serialized = serializeEntry(entry);
      } catch {
        serialized = undefined; // nested deeper than the stack allows: never written by the ledger
      }
      serializable = serialized !== undefined;
      if (serialized === undefined) {
        this.onProblem({ kind: 'malformed-entry', ...at, seq: entry.seq, message: `${where}: entry ${entry.seq} cannot be hashed (nested too deeply): it was not written by the ledger` });
      } else if (serialized.hash !== entry.hash) {
        this.onProblem({ kind: 'edited', ...at, seq: entry.seq, message: `${where}: entry ${entry.seq} was modified after it was written (its hash does not match its content)` });
      }
      if (body !== undefined) {
        this.onProblem({ kind: 'malformed-entry', ...at, seq: entry.seq, message: `${where}: entry ${entry.seq} is malformed: ${body} (edited or corrupted)` });
      } else if (serialized !== undefined && serialized.hash === entry.hash && serialized.line !== line + '\n') {
        // The ledger writes canonical JSON only. Another spelling of the same hash (keys reordered or
        // repeated, a `__proto__` key that canonical JSON leaves out) shows text the hash does not vouch for.
        this.onProblem({ kind: 'malformed-entry', ...at, seq: entry.seq, message: `${where}: entry ${entry.seq} is not written as the ledger writes entries (canonical JSON): its text was edited, and may show what its hash does not cover` });
      }
    }
    if (entry.seq !== this.expectedSeq) {
      const expected = this.expectedSeq;
      const missing = entry.seq - 1 === expected ? `entry ${expected} is missing` : `entries ${expected}..${entry.seq - 1} are missing`;
      const what = entry.seq < expected ? 'repeats or is out of order' : `follows entry ${expected - 1}: ${missing}`;
      this.onProblem({ kind: 'sequence', ...at, seq: entry.seq, message: `${where}: entry ${entry.seq} ${what}` });
    }
    if (entry.prev !== this.prev) {
      this.onProblem({ kind: 'chain-break', ...at, seq: entry.seq, message: `${where}: entry ${entry.seq} does not chain to the entry before it (deleted, inserted or reordered entries)` });
    }
    this.prev = entry.hash;
    this.expectedSeq = entry.seq + 1;
    this.lastSeq = entry.seq;
    if (body !== undefined || !serializable) return;
    this.entries++;
    this.onEntry(entry, bytes);
  }
}
