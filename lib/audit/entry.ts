/**
 * The ledger's on-disk format, shared by the writer (ledger.ts) and the reader (verify.ts): the entry
 * envelope and its one serialization (canonical JSON, which the hash covers), the format version, segment
 * files and the directory's id file. A new format gets a new ENTRY_FORMAT; readers name a version they do
 * not know instead of calling its entries edited.
 */
import { randomUUID } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { canonicalJson, sha256Hex } from '../crypto/canonical.ts';

/**
 * The entry format this version writes, in each entry's `v`. Entries without `v` are format 1 as written
 * before the field existed, and read the same way.
 *
 * @example serializeEntry({ v: ENTRY_FORMAT, seq: 0, ... })
 */
export const ENTRY_FORMAT = 1;

/**
 * The `prev` of the first entry and of the first checkpoint: 64 zeros.
 *
 * @example readLedger(dir).entries[0]?.prev === GENESIS
 */
export const GENESIS = '0'.repeat(64);
/** Segment files are `ledger-000001.jsonl`, `ledger-000002.jsonl`, ... */
export const SEGMENT_PREFIX = 'ledger-';

/** What an entry records: a policy load, an item about to leave, its delivery, a placeholder sent, items refused, a checkpoint. */
export type EntryType = 'policy' | 'intent' | 'ack' | 'blocked' | 'refused' | 'checkpoint';

/** What a checkpoint's JWS signs: the chain head at a sequence number, chained to the previous checkpoint. */
export interface CheckpointClaim {
  upto_seq: number;
  head: string;
  /** SHA-256 of the previous checkpoint's JWS (GENESIS for the first). */
  prev_checkpoint: string;
  time: string;
}

/** One line of a segment: the envelope (format, sequence, time, type, chain) around the entry's data. */
export interface LedgerEntry {
  /** The entry format (ENTRY_FORMAT); absent in entries written before it was recorded (format 1). */
  v?: number;
  seq: number;
  time: string;
  type: EntryType;
  /**
   * The entry's content: an AuditRecord (intent, blocked), `{ itemId }` (ack), a PolicyIdentity (policy),
   * a Refusal (refused).
   */
  data: Record<string, unknown>;
  prev: string;
  hash: string;
}


/** Items that did not leave because something refused them (a `refused` entry's data). */
export interface Refusal {
  /** Who refused them: this process, reading its spool, or the control plane. */
  by: 'spool' | 'control-plane';
  /** Why, as the summary of the run says it. */
  reason: string;
  /** How many: spool lines without a readable id are counted, not named. */
  count: number;
  /** Their ids, each at most REFUSED_ID_LENGTH characters, at most REFUSED_IDS of them. */
  itemIds: string[];
}

/** Bounds on what a refusal names: a forged spool line's "id" is anyone's text, of any length. */
export const REFUSED_IDS = 100;
export const REFUSED_ID_LENGTH = 200;

/** A checkpoint as reported to a witness: enough to prove later that the local ledger was not cut short. */
export interface Witness extends CheckpointClaim {
  ledger_id: string;
  kid: string;
  jws: string;
}

/**
 * A ledger directory's stable id (ledger.json), so witnesses and reports can tell ledgers apart; made on
 * first use. Throws, naming the file, when ledger.json is there but holds no id.
 *
 * @example
 * ledgerId('.egress-guard/ledger'); // '5f0c…' (the same on every call)
 */
export function ledgerId(dir: string): string {
  const file = join(dir, 'ledger.json');
  if (existsSync(file)) {
    const id = readLedgerId(dir);
    if (id === undefined) throw new Error(`${file} is not a ledger id file (expected {"id": "..."}): it was edited or damaged; restore it, or move the ledger aside and start a new one`);
    return id;
  }
  const id = randomUUID();
  writeFileSync(file, JSON.stringify({ id }) + '\n', { mode: 0o600, flag: 'wx' });
  return id;
}

/**
 * The id in a ledger directory's ledger.json, or undefined when it is missing or holds no id (never
 * throws: a verifier reports what it cannot read).
 *
 * @example
 * readLedgerId('.egress-guard/ledger'); // '5f0c…', or undefined
 */
export function readLedgerId(dir: string): string | undefined {
  try {
    const parsed: unknown = JSON.parse(readFileSync(join(dir, 'ledger.json'), 'utf8'));
    const id = typeof parsed === 'object' && parsed !== null ? (parsed as { id?: unknown }).id : undefined;
    return typeof id === 'string' && id !== '' ? id : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The entry's line and hash, the one serialization of an entry, with its data serialized once: canonical
 * key order is data, hash, prev, seq, time, type, v, so both strings are that serialization with or without the hash field. The verifier uses it
 * too: a line the ledger wrote is exactly this serialization of what it parses to.
 *
 * @example
 * const { hash, line } = serializeEntry({ v: 1, seq: 0, time: '2026-11-23T00:00:00.000Z', type: 'ack', data: { itemId: 'a' }, prev: GENESIS });
 * // line: '{"data":{"itemId":"a"},"hash":"…","prev":"000…","seq":0,"time":"2026-11-23T00:00:00.000Z","type":"ack","v":1}\n'
 */
export function serializeEntry(base: Omit<LedgerEntry, 'hash'>): { hash: string; line: string } {
  const data = canonicalJson(base.data);
  const version = base.v === undefined ? '' : `,"v":${JSON.stringify(base.v)}`;
  const rest = `"prev":${JSON.stringify(base.prev)},"seq":${base.seq},"time":${JSON.stringify(base.time)},"type":${JSON.stringify(base.type)}${version}}`;
  const hash = sha256Hex(`{"data":${data},${rest}`);
  return { hash, line: `{"data":${data},"hash":"${hash}",${rest}\n` };
}

/**
 * The file name of segment n.
 *
 * @example segmentName(1) // 'ledger-000001.jsonl'
 */
export function segmentName(n: number): string {
  return `${SEGMENT_PREFIX}${String(n).padStart(6, '0')}.jsonl`;
}

/**
 * The segment numbers present in a ledger directory, in order.
 *
 * @example segmentNumbers('.egress-guard/ledger') // [1, 2, 3]
 */
export function segmentNumbers(dir: string): number[] {
  return readdirSync(dir)
    .map((f) => /^ledger-(\d{6})\.jsonl$/.exec(f)?.[1])
    .filter((n): n is string => n !== undefined)
    .map(Number)
    .sort((a, b) => a - b);
}
