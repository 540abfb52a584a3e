/**
 * Reading and verifying a ledger directory: every segment in order, every entry's shape checked, its hash
 * recomputed, the chain (`prev`) and the sequence numbers checked. Each problem names the segment, the line
 * and the entry it affects; a torn tail (a crash mid-write) is reported, never silently accepted. Whatever
 * a file holds, reading it never throws: what is not a ledger entry is a named problem.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CryptoError, type SigningKey } from '../crypto/jose.ts';
import { sha256Hex } from '../policy/canonical.ts';
import { ENTRY_FORMAT, GENESIS, segmentName, segmentNumbers, serializeEntry, type EntryType, type LedgerEntry } from './entry.ts';

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
  | 'unknown-format';

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

const HEX64 = /^[0-9a-f]{64}$/;
const ENTRY_TYPES: ReadonlySet<string> = new Set<EntryType>(['policy', 'intent', 'ack', 'blocked', 'refused', 'checkpoint']);
const ENVELOPE_FIELDS: ReadonlySet<string> = new Set(['data', 'hash', 'prev', 'seq', 'time', 'type', 'v']);
const CHECKPOINT_FIELDS: ReadonlySet<string> = new Set(['upto_seq', 'head', 'prev_checkpoint', 'time', 'kid', 'jws']);

/**
 * Reads a ledger directory: every entry checked for its shape, hash, sequence number and link to the one
 * before. Never throws for what the files hold (a directory that cannot be listed does throw).
 *
 * @example
 * const { entries, problems } = readLedger('.egress-guard/ledger');
 * // problems: [{ kind: 'edited', segment: 'ledger-000001.jsonl', line: 3, seq: 2, message: 'ledger-000001.jsonl:3: entry 2 was modified …' }]
 */
export function readLedger(dir: string): LedgerReading {
  const entries: LedgerEntry[] = [];
  const problems: LedgerProblem[] = [];
  if (!existsSync(dir)) return { entries, problems };
  let prev = GENESIS;
  let expectedSeq = 0;
  let last: { seq: number; hash: string } | undefined;
  for (const n of segmentNumbers(dir)) {
    const segment = segmentName(n);
    let text: string;
    try {
      text = readFileSync(join(dir, segment), 'utf8');
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? 'error';
      problems.push({ kind: 'unreadable-segment', segment, line: 0, message: `${segment}: cannot be read (${code}): its entries are missing from the ledger` });
      continue;
    }
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
      const at = { segment, line: i + 1 };
      const where = `${segment}:${i + 1}`;
      let parsed: unknown;
      try {
        parsed = JSON.parse(line);
      } catch {
        problems.push({ kind: 'unreadable-entry', ...at, message: `${where}: not a ledger entry: not JSON (edited or corrupted)` });
        return;
      }
      // Seq, prev and hash place an entry in the chain: without them it cannot be placed at all.
      const bad = placeProblem(parsed);
      if (bad !== undefined) {
        const seq = isRecord(parsed) && isSeq(parsed.seq) ? parsed.seq : undefined;
        problems.push({ kind: 'malformed-entry', ...at, ...(seq !== undefined && { seq }), message: `${where}: not a ledger entry: ${bad} (edited or corrupted)` });
        return;
      }
      const entry = parsed as LedgerEntry;
      if (entry.v !== undefined && entry.v !== ENTRY_FORMAT) {
        // Not damage: a format this version cannot judge. Its hash still chains the entries after it.
        problems.push({ kind: 'unknown-format', ...at, seq: entry.seq, message: `${where}: entry ${entry.seq} is in entry format ${JSON.stringify(entry.v)}; this egress-guard reads format ${ENTRY_FORMAT}: verify with the version that wrote it, or a newer one` });
        expectedSeq = entry.seq + 1;
        prev = entry.hash;
        last = entry;
        return;
      }
      const body = bodyProblem(entry);
      let serialized: { hash: string; line: string } | undefined;
      try {
        serialized = serializeEntry(entry);
      } catch {
        serialized = undefined; // nested deeper than the stack allows: never written by the ledger
      }
      if (serialized === undefined) {
        problems.push({ kind: 'malformed-entry', ...at, seq: entry.seq, message: `${where}: entry ${entry.seq} cannot be hashed (nested too deeply): it was not written by the ledger` });
      } else if (serialized.hash !== entry.hash) {
        problems.push({ kind: 'edited', ...at, seq: entry.seq, message: `${where}: entry ${entry.seq} was modified after it was written (its hash does not match its content)` });
      }
      if (body !== undefined) {
        problems.push({ kind: 'malformed-entry', ...at, seq: entry.seq, message: `${where}: entry ${entry.seq} is malformed: ${body} (edited or corrupted)` });
      } else if (serialized !== undefined && serialized.hash === entry.hash && serialized.line !== line + '\n') {
        // The ledger writes canonical JSON only. Another spelling of the same hash (keys reordered or
        // repeated, a `__proto__` key that canonical JSON leaves out) shows text the hash does not vouch for.
        problems.push({ kind: 'malformed-entry', ...at, seq: entry.seq, message: `${where}: entry ${entry.seq} is not written as the ledger writes entries (canonical JSON): its text was edited, and may show what its hash does not cover` });
      }
      if (entry.seq !== expectedSeq) {
        const missing = entry.seq - 1 === expectedSeq ? `entry ${expectedSeq} is missing` : `entries ${expectedSeq}..${entry.seq - 1} are missing`;
        const what = entry.seq < expectedSeq ? 'repeats or is out of order' : `follows entry ${expectedSeq - 1}: ${missing}`;
        problems.push({ kind: 'sequence', ...at, seq: entry.seq, message: `${where}: entry ${entry.seq} ${what}` });
      }
      if (entry.prev !== prev) {
        problems.push({ kind: 'chain-break', ...at, seq: entry.seq, message: `${where}: entry ${entry.seq} does not chain to the entry before it (deleted, inserted or reordered entries)` });
      }
      prev = entry.hash;
      expectedSeq = entry.seq + 1;
      last = { seq: entry.seq, hash: entry.hash };
      if (body !== undefined || serialized === undefined) return;
      entries.push(entry);
    });
  }
  return { entries, problems, ...(last !== undefined && { last }) };
}

/** Why a parsed line cannot be placed in the chain (seq, prev, hash), or undefined. Never shows a value. */
function placeProblem(v: unknown): string | undefined {
  if (!isRecord(v)) return `it is ${describe(v)}, not an object`;
  if (!isSeq(v.seq)) return `seq must be a whole number from 0 (it is ${describe(v.seq)})`;
  if (!isHex64(v.prev)) return `prev must be a SHA-256 hex digest (it is ${describe(v.prev)})`;
  if (!isHex64(v.hash)) return `hash must be a SHA-256 hex digest (it is ${describe(v.hash)})`;
  return undefined;
}

/** Why an entry that can be placed is still not one the ledger writes (its other fields), or undefined. */
function bodyProblem(e: LedgerEntry): string | undefined {
  const v = e as unknown as Record<string, unknown>;
  for (const k of Object.keys(v)) if (!ENVELOPE_FIELDS.has(k)) return `it has a field the ledger never writes (${fieldName(k)})`;
  if (typeof v.time !== 'string') return `time must be a string (it is ${describe(v.time)})`;
  if (typeof v.type !== 'string' || !ENTRY_TYPES.has(v.type)) return `type must be policy, intent, ack, blocked, refused or checkpoint (it is ${typeof v.type === 'string' ? 'another string' : describe(v.type)})`;
  if (!isRecord(v.data)) return `data must be an object (it is ${describe(v.data)})`;
  return dataProblem(v.type as EntryType, v.data);
}

/** Why an entry's data lacks a field of the right type that the verifier or the report reads, or undefined. */
function dataProblem(type: EntryType, d: Record<string, unknown>): string | undefined {
  const str = (k: string) => (typeof d[k] === 'string' ? undefined : `data.${k} must be a string (it is ${describe(d[k])})`);
  const optStr = (k: string) => (d[k] === undefined ? undefined : str(k));
  switch (type) {
    case 'checkpoint': {
      for (const k of Object.keys(d)) if (!CHECKPOINT_FIELDS.has(k)) return `data has a field checkpoints never hold (${fieldName(k)})`;
      if (!Number.isSafeInteger(d.upto_seq) || (d.upto_seq as number) < -1) return `data.upto_seq must be a whole number from -1 (it is ${describe(d.upto_seq)})`;
      if (!isHex64(d.head)) return `data.head must be a SHA-256 hex digest (it is ${describe(d.head)})`;
      if (!isHex64(d.prev_checkpoint)) return `data.prev_checkpoint must be a SHA-256 hex digest (it is ${describe(d.prev_checkpoint)})`;
      return str('time') ?? str('kid') ?? str('jws');
    }
    case 'ack':
      return str('itemId');
    case 'refused': {
      if (d.by !== 'spool' && d.by !== 'control-plane') return `data.by must be spool or control-plane (it is ${describe(d.by)})`;
      if (!Number.isSafeInteger(d.count) || (d.count as number) < 0) return `data.count must be a whole number from 0 (it is ${describe(d.count)})`;
      if (!Array.isArray(d.itemIds) || !d.itemIds.every((id) => typeof id === 'string')) return 'data.itemIds must be an array of strings';
      return str('reason');
    }
    case 'policy':
      return str('name') ?? str('sha256') ?? (isVersion(d.version) ? undefined : `data.version must be a number or a string (it is ${describe(d.version)})`);
    case 'intent':
    case 'blocked': {
      const bad = str('itemId') ?? str('kind') ?? str('channel') ?? str('flowRunId') ?? str('time') ?? str('payloadSha256') ?? optStr('taskRunId') ?? optStr('destination') ?? optStr('blocked');
      if (bad !== undefined) return bad;
      if (typeof d.bytes !== 'number' || !Number.isFinite(d.bytes) || d.bytes < 0) return `data.bytes must be a number from 0 (it is ${describe(d.bytes)})`;
      const p = d.policy;
      if (!isRecord(p) || typeof p.name !== 'string' || typeof p.sha256 !== 'string' || !isVersion(p.version)) return 'data.policy must be { name, version, sha256 }';
      if (!Array.isArray(d.findings)) return `data.findings must be an array (it is ${describe(d.findings)})`;
      for (const [i, f] of d.findings.entries()) {
        if (!isRecord(f) || typeof f.detector !== 'string' || typeof f.path !== 'string' || typeof f.action !== 'string' || typeof f.count !== 'number' || !Number.isFinite(f.count)) {
          return `data.findings[${i}] must be { detector, path, action, count }`;
        }
      }
      return undefined;
    }
  }
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
  const problems: LedgerProblem[] = [];
  const bySeq = new Map(reading.entries.map((e) => [e.seq, e]));
  const kids: string[] = [];
  const sealing = new Set<number>();
  let sealedUpto = -1;
  let previous = GENESIS;
  let checkpoints = 0;
  for (const e of reading.entries) {
    if (e.type !== 'checkpoint') continue;
    checkpoints++;
    // Typed by readLedger; checked again here for readings built by hand.
    const d = e.data as { upto_seq?: unknown; head?: unknown; prev_checkpoint?: unknown; time?: unknown; kid?: unknown; jws?: unknown };
    const at = { segment: '', line: 0, seq: e.seq };
    const before = problems.length;
    if (typeof d.kid === 'string' && !kids.includes(d.kid)) kids.push(d.kid);
    if (d.prev_checkpoint !== previous) {
      problems.push({ kind: 'checkpoint-chain', ...at, message: `checkpoint at entry ${e.seq} does not name the checkpoint before it (a checkpoint was removed or replaced)` });
    }
    const upto = typeof d.upto_seq === 'number' ? d.upto_seq : undefined;
    // -1 seals the empty ledger (a ledger closed before its first entry): its head is the genesis hash.
    const sealedHash = upto === -1 ? GENESIS : upto === undefined || upto >= e.seq ? undefined : bySeq.get(upto)?.hash;
    if (sealedHash === undefined || sealedHash !== d.head) {
      problems.push({ kind: 'checkpoint-mismatch', ...at, message: `checkpoint at entry ${e.seq} seals entry ${upto === undefined ? '(none)' : upto} with a head that the ledger does not have (entries up to it were changed)` });
    }
    if (key !== undefined) {
      try {
        if (typeof d.jws !== 'string') throw new CryptoError('it holds no signature');
        const claim = await key.verify(d.jws);
        if (claim.upto_seq !== d.upto_seq || claim.head !== d.head || claim.prev_checkpoint !== d.prev_checkpoint || claim.time !== d.time) {
          throw new CryptoError('the signed claim differs from the checkpoint entry');
        }
        if (d.kid !== key.kid) throw new CryptoError(`it names key ${JSON.stringify(typeof d.kid === 'string' ? d.kid : null)} but was signed by ${key.kid}`);
      } catch (err) {
        problems.push({ kind: 'checkpoint-signature', ...at, message: `checkpoint at entry ${e.seq}: ${err instanceof CryptoError ? err.message : 'its signature does not verify as a checkpoint'}` });
      }
    }
    previous = sha256Hex(String(d.jws));
    if (problems.length === before && upto !== undefined) {
      sealing.add(e.seq);
      sealedUpto = Math.max(sealedUpto, upto);
    }
  }
  const unsealed = reading.entries.filter((e) => e.seq > sealedUpto && !sealing.has(e.seq)).length;
  return {
    problems,
    checkpoints,
    seal: { signaturesChecked: key !== undefined, ...(key !== undefined && { checkedWith: checkedWith ?? `key ${key.kid}` }), kids, sealing: sealing.size, sealedUpto, unsealed },
  };
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isSeq(v: unknown): v is number {
  return Number.isSafeInteger(v) && (v as number) >= 0;
}

function isHex64(v: unknown): v is string {
  return typeof v === 'string' && HEX64.test(v);
}

function isVersion(v: unknown): boolean {
  return typeof v === 'string' || (typeof v === 'number' && Number.isFinite(v));
}

/** The kind of a value, for messages: never the value itself (a ledger may hold what should not be echoed). */
function describe(v: unknown): string {
  if (v === undefined) return 'missing';
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'number') return Number.isSafeInteger(v) ? String(v) : 'a fraction or a number out of range';
  return typeof v === 'object' ? 'an object' : `a ${typeof v}`;
}

/** A field name for a message: short, and quoted so that nothing in it reads as part of the message. */
function fieldName(k: string): string {
  return JSON.stringify(k.length > 40 ? `${k.slice(0, 40)}…` : k);
}
