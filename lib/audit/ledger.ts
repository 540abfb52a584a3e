/**
 * The audit ledger: an append-only, hash-chained log of what left (intent before sending, ack after
 * delivery, blocked items, policy loads). Appends are group-committed: entries queued in the same turn of
 * the event loop are written with one write and one fsync, and each append resolves only once its entry
 * is durable. Each entry holds the previous entry's hash and its own hash over its canonical JSON.
 */
import { closeSync, fsyncSync, ftruncateSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { sha256Hex } from '../crypto/canonical.ts';
import type { AuditHook, AuditRecord } from '../egress/gate.ts';
import type { PolicyIdentity } from '../policy/types.ts';
import type { SigningKey } from '../crypto/jose.ts';
import { ledgerTail } from './verify.ts';
import {
  ENTRY_FORMAT, GENESIS, REFUSED_ID_LENGTH, REFUSED_IDS, ledgerId, segmentName, segmentNumbers, serializeEntry,
  type CheckpointClaim, type EntryType, type Refusal, type Witness,
} from './entry.ts';

export { GENESIS, ledgerId, readLedgerId, segmentName, type CheckpointClaim, type EntryType, type LedgerEntry, type Refusal, type Witness } from './entry.ts';

/** Where a ledger lives and how it records, seals and rolls over. */
export interface LedgerOptions {
  /** The ledger directory (made if missing); one ledger per directory. */
  dir: string;
  /** Keep the scrubbed payload in intent entries (`payload`) or only its digest (`digest`). */
  record?: 'payload' | 'digest';
  /** Start a new segment file when the current one passes this size. */
  segmentBytes?: number;
  now?: () => Date;
  /** Signs checkpoints (ES256). Without it the ledger is chained but not signed. */
  signingKey?: SigningKey;
  /** A checkpoint after this many entries (default 1,000)... */
  checkpointEvery?: number;
  /** ...and every this many milliseconds, even when nothing was appended (default 60,000). */
  checkpointIntervalMs?: number;
  /** Told about every signed checkpoint: report it to the control plane as a witness. */
  onCheckpoint?: (witness: Witness) => void;
}

/**
 * The audit ledger, written: the gate's audit hook (intent before an item leaves, ack after delivery,
 * blocked), policy loads and refusals, each entry hash-chained to the one before, group-committed (durable
 * when its promise resolves) and sealed by signed checkpoints when it has a signing key.
 *
 * @example
 * const ledger = Ledger.open({ dir: '.egress-guard/ledger', signingKey: await SigningKey.generate() });
 * const gate = new EgressGate({ engine, audit: ledger, sink: { send: (item) => void ledger.ack(item.id) } });
 * await ledger.close();
 */
export class Ledger implements AuditHook {
  private fd: number;
  private segment: number;
  private segmentSize = 0;
  private seq: number;
  private prev: string;
  /** Lines waiting for the next commit, and the one promise all their appends share. */
  private pending: string[] = [];
  private batch: { promise: Promise<void>; resolve: () => void; reject: (e: unknown) => void; seq: number; prev: string } | undefined;
  /** Counts batches that could not be written (and were rolled back): a checkpoint taken before one is void. */
  private rollbacks = 0;
  private closed = false;
  /** Set when close() starts: later appends are refused, so the sealing checkpoint covers every entry. */
  private closing: Promise<void> | undefined;
  private readonly record: 'payload' | 'digest';
  private readonly segmentBytes: number;
  private readonly now: () => Date;
  private readonly signingKey: SigningKey | undefined;
  private readonly checkpointEvery: number;
  private sinceCheckpoint = 0;
  private lastCheckpoint: string;
  /** The head the latest checkpoint() signs (an entry hash names its sequence number too). */
  private queuedHead: string | undefined;
  private checkpointing: Promise<void> = Promise.resolve();
  private timer: NodeJS.Timeout | undefined;
  readonly id: string;
  private readonly onCheckpoint: ((w: Witness) => void) | undefined;

  private constructor(
    private readonly dir: string,
    options: LedgerOptions,
    state: { seq: number; prev: string; segment: number; lastCheckpoint: string },
  ) {
    this.record = options.record ?? 'payload';
    this.id = ledgerId(dir);
    this.onCheckpoint = options.onCheckpoint;
    this.signingKey = options.signingKey;
    this.checkpointEvery = options.checkpointEvery ?? 1_000;
    this.lastCheckpoint = state.lastCheckpoint;
    if (this.signingKey !== undefined) {
      this.timer = setInterval(() => void this.checkpoint(), options.checkpointIntervalMs ?? 60_000);
      this.timer.unref();
    }
    this.segmentBytes = options.segmentBytes ?? 64 * 1024 * 1024;
    this.now = options.now ?? (() => new Date());
    this.seq = state.seq;
    this.prev = state.prev;
    this.segment = state.segment;
    this.fd = this.openSegment(this.segment);
  }

  /**
   * Opens (or creates) a ledger directory and continues its chain. A torn tail left by a crash is never
   * written after: the next entries go to a new segment, and verification reports the torn one.
   */
  static open(options: LedgerOptions): Ledger {
    mkdirSync(options.dir, { recursive: true });
    // The last entry whose seq and hash are readable, even if its data is not: the chain goes on from it.
    // Read from the last segment backwards, only as far as needed: reopening does not read the whole ledger.
    const { last, lastCheckpointJws } = ledgerTail(options.dir);
    const lastSegment = segmentNumbers(options.dir).at(-1) ?? 0;
    return new Ledger(options.dir, options, {
      seq: last === undefined ? 0 : last.seq + 1,
      prev: last === undefined ? GENESIS : last.hash,
      segment: lastSegment + 1,
      lastCheckpoint: lastCheckpointJws === undefined ? GENESIS : sha256Hex(lastCheckpointJws),
    });
  }

  /**
   * Resolves once the entry is durable (written and fsync'd). Appends made in the same turn of the event
   * loop share one commit, and one promise.
   */
  append(type: EntryType, data: Record<string, unknown>): Promise<void> {
    if (this.closed || this.closing !== undefined) return Promise.reject(new Error('ledger is closed'));
    return this.appendEntry(type, data);
  }

  private appendEntry(type: EntryType, data: Record<string, unknown>): Promise<void> {
    if (this.closed) return Promise.reject(new Error('ledger is closed'));
    if (this.batch === undefined) {
      let resolve!: () => void;
      let reject!: (e: unknown) => void;
      const promise = new Promise<void>((res, rej) => ((resolve = res), (reject = rej)));
      this.batch = { promise, resolve, reject, seq: this.seq, prev: this.prev };
      setImmediate(() => this.commit());
    }
    const base = { v: ENTRY_FORMAT, seq: this.seq++, time: this.now().toISOString(), type, data, prev: this.prev };
    const { hash, line } = serializeEntry(base);
    this.prev = hash;
    this.pending.push(line);
    if (type !== 'checkpoint' && ++this.sinceCheckpoint >= this.checkpointEvery) void this.checkpoint();
    return this.batch.promise;
  }

  recordPolicy(identity: PolicyIdentity): Promise<void> {
    return this.append('policy', { ...identity });
  }

  intent(record: AuditRecord): Promise<void> {
    const type = record.blocked !== undefined ? 'blocked' : 'intent';
    if (this.record === 'payload') return this.append(type, record as unknown as Record<string, unknown>);
    const { payload: _payload, ...digestOnly } = record;
    return this.append(type, digestOnly);
  }

  ack(itemId: string): Promise<void> {
    return this.append('ack', { itemId });
  }

  /**
   * Records items that were refused and never left: spooled lines altered or injected, items the control
   * plane refused. Their ids are bounded (REFUSED_IDS, REFUSED_ID_LENGTH); the count is exact.
   *
   * @example
   * await ledger.refused({ by: 'spool', reason: 'its MAC does not verify', count: 1, itemIds: ['item-7'] });
   */
  refused(refusal: Refusal): Promise<void> {
    const itemIds = refusal.itemIds.slice(0, REFUSED_IDS).map((id) => id.slice(0, REFUSED_ID_LENGTH));
    return this.append('refused', { by: refusal.by, reason: refusal.reason, count: refusal.count, itemIds });
  }

  /**
   * Appends a signed checkpoint of the current head (also when nothing happened since the last one, so
   * that quiet periods are provable too). No-op without a signing key. Never rejects: a checkpoint that
   * cannot be signed or written (a full disk) is skipped, and the next one covers its entries; entries no
   * checkpoint covers are reported by the verifier as an unsealed tail.
   */
  checkpoint(): Promise<void> {
    if (this.signingKey === undefined || this.closed) return this.checkpointing;
    const key = this.signingKey;
    this.sinceCheckpoint = 0;
    // The head is taken now; the link to the previous checkpoint once that one is signed (they are signed
    // one after another, so each names the one before it).
    const head = { upto_seq: this.seq - 1, head: this.prev, time: this.now().toISOString() };
    // A second call before anything was appended (the interval timer and close() in one tick) would sign
    // the same head again, and a witness refuses a checkpoint that does not move forward.
    if (head.head === this.queuedHead) return this.checkpointing;
    this.queuedHead = head.head;
    const rollbacks = this.rollbacks;
    this.checkpointing = this.checkpointing.then(async () => {
      const claim: CheckpointClaim = { ...head, prev_checkpoint: this.lastCheckpoint };
      let jws: string;
      try {
        jws = await key.sign({ ...claim });
      } catch {
        return; // a key that cannot sign: the verifier reports what no checkpoint seals
      }
      // The head was never written: signing it would vouch for entries that do not exist.
      if (this.rollbacks !== rollbacks || this.closed) return;
      try {
        await this.appendEntry('checkpoint', { ...claim, kid: key.kid, jws });
      } catch {
        return;
      }
      this.lastCheckpoint = sha256Hex(jws);
      this.onCheckpoint?.({ ...claim, ledger_id: this.id, kid: key.kid, jws });
    });
    return this.checkpointing;
  }

  /**
   * Seals the ledger with a final signed checkpoint (with a signing key), commits what is queued, then
   * closes the file. Appends made once close() has started are refused, so the seal covers every entry.
   */
  close(): Promise<void> {
    this.closing ??= this.seal();
    return this.closing;
  }

  private async seal(): Promise<void> {
    if (this.timer !== undefined) clearInterval(this.timer);
    await this.checkpoint();
    this.commit();
    this.closed = true;
    closeSync(this.fd);
  }

  /**
   * One write and one fsync for everything queued: the group commit. A batch that cannot be written whole
   * (a full disk, an I/O error) is cut off the file and out of the chain, so the ledger stays verifiable and
   * the next appends continue from the last durable entry; its appends reject.
   */
  private commit(): void {
    const batch = this.batch;
    const lines = this.pending;
    this.batch = undefined;
    this.pending = [];
    if (batch === undefined) return;
    const bytes = Buffer.from(lines.join(''), 'utf8');
    try {
      let written = 0;
      while (written < bytes.length) written += writeSync(this.fd, bytes, written);
      fsyncSync(this.fd);
      this.segmentSize += bytes.length;
      batch.resolve();
    } catch (err) {
      this.rollBack(batch);
      const code = (err as NodeJS.ErrnoException).code ?? 'error';
      batch.reject(new Error(`the audit ledger in ${this.dir} could not be written (${code}): ${lines.length} entr${lines.length === 1 ? 'y' : 'ies'} not recorded; free space or fix the directory, then retry`, { cause: err }));
      return;
    }
    if (this.segmentSize >= this.segmentBytes) {
      closeSync(this.fd);
      this.segment++;
      this.segmentSize = 0;
      this.fd = this.openSegment(this.segment);
    }
  }

  private rollBack(batch: { seq: number; prev: string }): void {
    this.seq = batch.seq;
    this.prev = batch.prev;
    this.rollbacks++;
    try {
      ftruncateSync(this.fd, this.segmentSize);
    } catch {
      // Could not cut the partial write off: never write after it, start a new segment (verification
      // reports the torn tail).
      closeSync(this.fd);
      this.segment++;
      this.segmentSize = 0;
      this.fd = this.openSegment(this.segment);
    }
  }

  private openSegment(n: number): number {
    return openSync(join(this.dir, segmentName(n)), 'a', 0o600);
  }
}
