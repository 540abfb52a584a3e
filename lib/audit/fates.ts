/**
 * The fate of every item of a ledger, learnt before its rows are written: whether its acknowledgement
 * comes, and whether it is recorded again (cut to fit the control plane's limit after it was first
 * recorded). Why a module of its own: a report writes each item as its entry streams by, but an item's
 * acknowledgement comes later in the ledger (a spooled item's, a day later); holding rows until then holds
 * everything behind an item that is never acknowledged. So a first, light pass reads only what an item's
 * fate needs (type, seq and item id of each line, found in its bytes without parsing the entry), and keeps
 * only the items still awaiting theirs: the items in flight, and those never acknowledged.
 *
 * The rule (also for ledgers in memory, rows.ts): an item's records up to its acknowledgement are one row,
 * keyed by the seq of its first record and placed at its last; an acknowledgement acknowledges the row
 * recorded before it. A line this pass cannot read as an entry is left out: if the verifier reads it
 * otherwise (a hostile line), its row shows unacknowledged, never acknowledged without an ack.
 */
import { join } from 'node:path';
import { segmentName, segmentNumbers } from './entry.ts';
import { forEachLineBytes, type LineOptions } from './stream.ts';

/** Items awaiting their acknowledgement that are tracked; the oldest past it count as never acknowledged. */
const OPEN = 500_000;
/** Items recorded again whose records are merged into one row; past it a record again is a row of its own. */
const VERSIONS = 100_000;

/** What the rows of a ledger need to know of their items' futures. */
export interface Fates {
  /** The key of the row a record belongs to: the seq of its item's first record. */
  keyOf(seq: number): number;
  /** The seq of the last record of a row recorded more than once (undefined: recorded once). */
  lastOf(key: number): number | undefined;
  /** Whether a row's acknowledgement came. */
  acked(key: number): boolean;
  /** Rows shown unacknowledged because their acknowledgement was no longer awaited (too many at once). */
  readonly untracked: number;
  /** Records of an item that were not merged into its row (too many items recorded again). */
  readonly unmerged: number;
}

/**
 * Follows items through their records and acknowledgements, in ledger order, in bounded memory.
 *
 * @example
 * const t = new FateTracker();
 * t.record('item-1', 0); t.ack('item-1'); t.record('item-2', 2);
 * const fates = t.finish();
 * fates.acked(0); // true
 * fates.acked(2); // false: never acknowledged
 */
export class FateTracker {
  private readonly open = new Map<string, number>();
  private readonly evicted: number[] = [];
  private readonly laterRecords = new Map<number, number>();
  private readonly last = new Map<number, number>();
  private unmerged = 0;

  /**
   * An intent or blocked entry of item `id` at `seq`.
   *
   * @example t.record('item-1', 7)
   */
  record(id: string, seq: number): void {
    const key = this.open.get(id);
    if (key === undefined) {
      this.open.set(id, seq);
      if (this.open.size > OPEN) {
        for (const [oldId, oldKey] of this.open) {
          this.open.delete(oldId);
          this.evicted.push(oldKey);
          break;
        }
      }
      return;
    }
    if (!this.last.has(key) && this.last.size >= VERSIONS) {
      // Past the bound, a record again starts a row of its own.
      this.unmerged++;
      this.open.set(id, seq);
      return;
    }
    this.laterRecords.set(seq, key);
    this.last.set(key, seq);
  }

  /**
   * An acknowledgement of item `id`: the row recorded before it is acknowledged.
   *
   * @example t.ack('item-1')
   */
  ack(id: string): void {
    this.open.delete(id);
  }

  /**
   * The ledger ended: what every row's future was.
   *
   * @example const fates = t.finish();
   */
  finish(): Fates {
    const never = new Set(this.open.values());
    const evicted = this.evicted.sort((a, b) => a - b);
    const later = this.laterRecords;
    const last = this.last;
    const unmerged = this.unmerged;
    return {
      keyOf: (seq) => later.get(seq) ?? seq,
      lastOf: (key) => last.get(key),
      acked: (key) => !never.has(key) && !sortedHas(evicted, key),
      untracked: evicted.length,
      unmerged,
    };
  }
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const ITEM_ID = Buffer.from('"itemId":"');
const SEQ = Buffer.from(',"seq":');
/** How the entries that matter end, in canonical JSON, with and without the format field. */
const ENDINGS: readonly [Buffer, 'record' | 'ack'][] = [
  [Buffer.from('"type":"intent","v":1}'), 'record'],
  [Buffer.from('"type":"ack","v":1}'), 'ack'],
  [Buffer.from('"type":"blocked","v":1}'), 'record'],
  [Buffer.from('"type":"intent"}'), 'record'],
  [Buffer.from('"type":"ack"}'), 'ack'],
  [Buffer.from('"type":"blocked"}'), 'record'],
];

/**
 * The fates of a ledger directory's items, from a light reading of its segments (no entry is parsed:
 * type, seq and item id are found in each line's bytes).
 *
 * @example
 * const fates = scanFates('.egress-guard/ledger');
 * fates.acked(fates.keyOf(41)); // whether the item recorded at entry 41 was acknowledged
 */
export function scanFates(dir: string, options: LineOptions = {}): Fates {
  const tracker = new FateTracker();
  let numbers: number[];
  try {
    numbers = segmentNumbers(dir);
  } catch {
    numbers = [];
  }
  for (const n of numbers) {
    forEachLineBytes(join(dir, segmentName(n)), options, (buf, start, end) => {
      const what = endingOf(buf, start, end);
      if (what === undefined) return;
      const id = itemIdIn(buf, start, end);
      if (id === undefined) return;
      if (what === 'ack') {
        tracker.ack(id);
        return;
      }
      const seq = seqIn(buf, start, end);
      if (seq !== undefined) tracker.record(id, seq);
    });
  }
  return tracker.finish();
}

function endingOf(buf: Buffer, start: number, end: number): 'record' | 'ack' | undefined {
  // Most lines end `…","v":1}`: the type's last letter (intenT, acK, blockeD) picks the one ending to compare.
  if (end - start > 24 && buf[end - 1] === 0x7d && buf[end - 2] === 0x31 && buf[end - 8] === QUOTE) {
    const last = buf[end - 9];
    const ending = last === 0x74 ? ENDINGS[0]! : last === 0x6b ? ENDINGS[1]! : last === 0x64 ? ENDINGS[2]! : undefined;
    if (ending === undefined) return undefined;
    return buf.compare(ending[0], 0, ending[0].length, end - ending[0].length, end) === 0 ? ending[1] : undefined;
  }
  for (const [suffix, what] of ENDINGS) {
    if (end - start >= suffix.length && buf.compare(suffix, 0, suffix.length, end - suffix.length, end) === 0) return what;
  }
  return undefined;
}

/** The first `"itemId":"…"` of the line, decoded as JSON decodes it. */
function itemIdIn(buf: Buffer, start: number, end: number): string | undefined {
  // An ack's is its first field: `{"data":{"itemId":"`.
  const first = start + 9;
  const at = first + ITEM_ID.length <= end && buf.compare(ITEM_ID, 0, ITEM_ID.length, first, first + ITEM_ID.length) === 0 ? first : buf.indexOf(ITEM_ID, start);
  if (at < 0 || at >= end) return undefined;
  const from = at + ITEM_ID.length;
  let escaped = false;
  for (let i = from; i < end; i++) {
    const c = buf[i]!;
    if (c === BACKSLASH) {
      escaped = true;
      i++;
      continue;
    }
    if (c !== QUOTE) continue;
    if (!escaped) return buf.toString('utf8', from, i);
    try {
      const id: unknown = JSON.parse(`"${buf.toString('utf8', from, i)}"`);
      return typeof id === 'string' ? id : undefined;
    } catch {
      return undefined;
    }
  }
  return undefined;
}

/** The entry's own seq: the last `,"seq":N` of the line (only short strings follow it). */
function seqIn(buf: Buffer, start: number, end: number): number | undefined {
  const at = buf.lastIndexOf(SEQ, end);
  if (at < start) return undefined;
  let seq = 0;
  let digits = 0;
  for (let i = at + SEQ.length; i < end; i++) {
    const c = buf[i]!;
    if (c < 48 || c > 57) break;
    seq = seq * 10 + (c - 48);
    digits++;
  }
  return digits > 0 && digits <= 15 ? seq : undefined;
}

function sortedHas(a: readonly number[], x: number): boolean {
  let lo = 0;
  let hi = a.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const v = a[mid]!;
    if (v === x) return true;
    if (v < x) lo = mid + 1;
    else hi = mid - 1;
  }
  return false;
}
