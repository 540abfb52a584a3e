/**
 * Signed checkpoints, checked as the entries stream by: each names the checkpoint before it, each signed
 * head is the hash of the entry it claims, and, given the key, each signature is valid and by that key.
 * Why a module of its own: verifyCheckpoints once held every entry in a map from seq to entry to look the
 * sealed heads up; here only the hashes a later checkpoint can still claim are kept (those of the last
 * WINDOW entries), so memory does not grow with the ledger.
 *
 * A writer's checkpoint seals the head it took when it was asked for (the entries appended while it was
 * signed come before it), so the head it claims is recent: a claim further back than the window is a
 * problem (`checkpoint-mismatch`), not silently skipped. Signatures are checked as they come, a bounded
 * number in flight, in order.
 */
import { createPublicKey, verify as verifySignature, type KeyObject } from 'node:crypto';
import { CryptoError, type SigningKey } from '../crypto/jose.ts';
import { sha256Hex } from '../crypto/canonical.ts';
import { GENESIS, type LedgerEntry } from './entry.ts';
import type { LedgerProblem, Seal } from './verify.ts';

/** Hashes kept for later checkpoints to claim (a writer's checkpoint lags its head by far fewer entries). */
const WINDOW = 100_000;
const HEX64 = /^[0-9a-f]{64}$/;
/** Signature checks in flight at once. */
const IN_FLIGHT = 64;
/** Key ids listed (each distinct one a checkpoint names); more are counted. */
const KIDS = 100;
/** Runs of consecutive sequence numbers tracked for the unsealed count (more: merged, the count an upper bound). */
const RUNS = 10_000;

interface Pending {
  seq: number;
  upto: number | undefined;
  data: CheckpointData;
  problems: LedgerProblem[];
  signature: Promise<string | undefined> | undefined;
}

type CheckpointData = { upto_seq?: unknown; head?: unknown; prev_checkpoint?: unknown; time?: unknown; kid?: unknown; jws?: unknown };

/** What `finish()` gives: the checkpoint problems (in order, up to the bound), how many checkpoints, and what they seal. */
export interface CheckpointResult {
  problems: LedgerProblem[];
  /** Every checkpoint problem found, listed or not. */
  problemsTotal: number;
  checkpoints: number;
  seal: Seal;
}

/**
 * Checks checkpoints as entries are added in ledger order, keeping only recent hashes. `finish()` gives
 * what `verifyCheckpoints` gives for the same entries.
 *
 * @example
 * const tracker = new CheckpointTracker(publicKey, '--key (ckpt-…)');
 * for (const e of entries) { tracker.add(e); await tracker.settle(); }
 * const { problems, checkpoints, seal } = await tracker.finish();
 */
export class CheckpointTracker {
  /** Hashes of the last WINDOW entries, binary, by seq modulo WINDOW (the last one read for a seq wins). */
  private readonly hashes = Buffer.alloc(WINDOW * 32);
  private readonly seqs = new Float64Array(WINDOW).fill(-1);
  /** Hashes that are not lowercase hex digests (entries built by hand), kept as they are. */
  private readonly odd = new Map<number, string>();
  /** The highest seq whose hash left the window (a claim at or below it cannot be checked). */
  private evictedUpto = -1;
  private readonly fast: FastVerifier | undefined;
  private readonly kids: string[] = [];
  private readonly kidSet = new Set<string>();
  private kidsMore = 0;
  private previous = GENESIS;
  private checkpoints = 0;
  private readonly pending: Pending[] = [];
  private readonly problems: LedgerProblem[] = [];
  private sealing = 0;
  private sealedUpto = -1;
  /** Sequence numbers of sealing checkpoints, in order; those from `sealingHead` on may be after `sealedUpto`. */
  private sealingSeqs: number[] = [];
  private sealingHead = 0;
  /** Runs [first, last] of the sequence numbers of the entries read, in the order read, from `runsHead` on. */
  private runs: [number, number][] = [];
  private runsHead = 0;

  private problemsTotal = 0;

  /** `maxProblems`: problems kept (the rest are counted); all of them by default (verifyCheckpoints). */
  constructor(
    private readonly key: SigningKey | undefined,
    private readonly checkedWith?: string,
    private readonly maxProblems = Infinity,
  ) {
    this.fast = key === undefined ? undefined : FastVerifier.of(key);
  }

  /**
   * The next well-formed entry, in ledger order. `checked`: its hash is known to be a lowercase SHA-256 hex
   * digest (the chain verifier checked it; kept as bytes); entries built by hand are kept as they are.
   *
   * @example tracker.add(entry)
   */
  add(e: LedgerEntry, checked = false): void {
    this.track(e.seq);
    const slot = e.seq % WINDOW;
    const old = this.seqs[slot]!;
    if (old >= 0 && old !== e.seq && old > this.evictedUpto) this.evictedUpto = old;
    this.seqs[slot] = e.seq;
    if (checked || HEX64.test(e.hash)) {
      this.hashes.write(e.hash, slot * 32, 32, 'hex');
      if (this.odd.size > 0) this.odd.delete(slot);
    } else this.odd.set(slot, e.hash);
    if (e.type !== 'checkpoint') return;
    this.checkpoints++;
    // Typed by the chain verifier; checked again here for entries built by hand.
    const d = e.data as CheckpointData;
    const at = { segment: '', line: 0, seq: e.seq };
    const problems: LedgerProblem[] = [];
    if (typeof d.kid === 'string' && !this.kidSet.has(d.kid)) {
      if (this.kids.length < KIDS) {
        this.kids.push(d.kid);
        this.kidSet.add(d.kid);
      } else this.kidsMore++;
    }
    if (d.prev_checkpoint !== this.previous) {
      problems.push({ kind: 'checkpoint-chain', ...at, message: `checkpoint at entry ${e.seq} does not name the checkpoint before it (a checkpoint was removed or replaced)` });
    }
    const upto = typeof d.upto_seq === 'number' ? d.upto_seq : undefined;
    // -1 seals the empty ledger (a ledger closed before its first entry): its head is the genesis hash.
    const sealedHash = upto === -1 ? GENESIS : upto === undefined || upto >= e.seq ? undefined : this.hashAt(upto);
    if (sealedHash === undefined && upto !== undefined && upto >= 0 && upto < e.seq && upto <= this.evictedUpto) {
      problems.push({ kind: 'checkpoint-mismatch', ...at, message: `checkpoint at entry ${e.seq} seals entry ${upto}, more than ${WINDOW} entries before it: further back than a ledger's checkpoints ever reach, so its head cannot be checked (the ledger was rewritten, or written by another program)` });
    } else if (sealedHash === undefined || sealedHash !== d.head) {
      problems.push({ kind: 'checkpoint-mismatch', ...at, message: `checkpoint at entry ${e.seq} seals entry ${upto === undefined ? '(none)' : upto} with a head that the ledger does not have (entries up to it were changed)` });
    }
    this.previous = sha256Hex(String(d.jws));
    const signature = this.key === undefined ? undefined : signatureProblem(this.key, this.fast, d);
    this.pending.push({ seq: e.seq, upto, data: d, problems, signature });
    if (signature === undefined) this.drainSettled();
  }

  /**
   * Waits for signature checks while too many are in flight: call it between chunks of entries.
   *
   * @example for (const e of entries) { tracker.add(e); await tracker.settle(); }
   */
  async settle(): Promise<void> {
    while (this.pending.length > IN_FLIGHT) await this.resolveOldest();
  }

  /**
   * Every check done: the checkpoint problems (in checkpoint order), the count, and the seal.
   *
   * @example const { seal } = await tracker.finish(); seal.unsealed // entries nothing seals
   */
  async finish(): Promise<CheckpointResult> {
    while (this.pending.length > 0) await this.resolveOldest();
    let unsealed = 0;
    for (let i = this.runsHead; i < this.runs.length; i++) {
      const [first, last] = this.runs[i]!;
      const from = Math.max(first, this.sealedUpto + 1);
      if (last >= from) unsealed += last - from + 1;
    }
    for (let i = this.sealingHead; i < this.sealingSeqs.length; i++) if (this.sealingSeqs[i]! > this.sealedUpto) unsealed--;
    const kids = this.kidsMore > 0 ? [...this.kids, `(${this.kidsMore} more)`] : [...this.kids];
    return {
      problems: this.problems,
      problemsTotal: this.problemsTotal,
      checkpoints: this.checkpoints,
      seal: {
        signaturesChecked: this.key !== undefined,
        ...(this.key !== undefined && { checkedWith: this.checkedWith ?? `key ${this.key.kid}` }),
        kids,
        sealing: this.sealing,
        sealedUpto: this.sealedUpto,
        unsealed: Math.max(0, unsealed),
      },
    };
  }

  /** The hash of entry `seq` while it is in the window. */
  private hashAt(seq: number): string | undefined {
    const slot = seq % WINDOW;
    if (this.seqs[slot] !== seq) return undefined;
    return this.odd.get(slot) ?? this.hashes.toString('hex', slot * 32, slot * 32 + 32);
  }

  private drainSettled(): void {
    while (this.pending.length > 0 && this.pending[0]!.signature === undefined) this.conclude(this.pending.shift()!, undefined);
  }

  private async resolveOldest(): Promise<void> {
    const p = this.pending.shift()!;
    this.conclude(p, p.signature === undefined ? undefined : await p.signature);
  }

  private conclude(p: Pending, signature: string | undefined): void {
    if (signature !== undefined) p.problems.push({ kind: 'checkpoint-signature', segment: '', line: 0, seq: p.seq, message: `checkpoint at entry ${p.seq}: ${signature}` });
    for (const problem of p.problems) {
      this.problemsTotal++;
      if (this.problems.length < this.maxProblems) this.problems.push(problem);
    }
    if (p.problems.length === 0 && p.upto !== undefined) {
      this.sealing++;
      if (p.upto > this.sealedUpto) {
        this.sealedUpto = p.upto;
        // What is now sealed leaves the lists, from the front (both are in ledger order).
        while (this.sealingHead < this.sealingSeqs.length && this.sealingSeqs[this.sealingHead]! <= this.sealedUpto) this.sealingHead++;
        while (this.runsHead < this.runs.length && this.runs[this.runsHead]![1] <= this.sealedUpto) this.runsHead++;
        if (this.sealingHead > 1024 && this.sealingHead * 2 > this.sealingSeqs.length) {
          this.sealingSeqs = this.sealingSeqs.slice(this.sealingHead);
          this.sealingHead = 0;
        }
        if (this.runsHead > 1024 && this.runsHead * 2 > this.runs.length) {
          this.runs = this.runs.slice(this.runsHead);
          this.runsHead = 0;
        }
      }
      if (p.seq > this.sealedUpto) this.sealingSeqs.push(p.seq);
    }
  }

  /** Counts entries by runs of consecutive sequence numbers (a sound ledger is one run). */
  private track(seq: number): void {
    const last = this.runs.at(-1);
    if (last !== undefined && seq === last[1] + 1) {
      last[1] = seq;
      return;
    }
    this.runs.push([seq, seq]);
    if (this.runs.length - this.runsHead > RUNS) {
      // A ledger with this many gaps has as many problems: its unsealed count becomes an upper bound.
      const a = this.runs[this.runsHead]!;
      const b = this.runs[this.runsHead + 1]!;
      this.runs[this.runsHead + 1] = [Math.min(a[0], b[0]), Math.max(a[1], b[1])];
      this.runsHead++;
      if (this.runsHead > RUNS) {
        this.runs = this.runs.slice(this.runsHead);
        this.runsHead = 0;
      }
    }
  }
}

/** Why a checkpoint's signature is not valid under `key` (the message of the problem), or undefined. */
async function signatureProblem(key: SigningKey, fast: FastVerifier | undefined, d: CheckpointData): Promise<string | undefined> {
  try {
    if (typeof d.jws !== 'string') throw new CryptoError('it holds no signature');
    const claim = fast?.claim(d.jws) ?? (await key.verify(d.jws));
    if (claim.upto_seq !== d.upto_seq || claim.head !== d.head || claim.prev_checkpoint !== d.prev_checkpoint || claim.time !== d.time) {
      throw new CryptoError('the signed claim differs from the checkpoint entry');
    }
    if (d.kid !== key.kid) throw new CryptoError(`it names key ${JSON.stringify(typeof d.kid === 'string' ? d.kid : null)} but was signed by ${key.kid}`);
    return undefined;
  } catch (err) {
    return err instanceof CryptoError ? err.message : 'its signature does not verify as a checkpoint';
  }
}

/** The JWS header the ledger's signer writes (lib/crypto/jose.ts SigningKey.sign). */
const HEADER_FIELDS = ['alg', 'kid', 'typ'];

/**
 * A quicker check of a checkpoint's signature for what the ledger's signer writes, with node:crypto: a
 * compact JWS whose header is exactly { alg: ES256, kid, typ } and whose ES256 signature verifies under the
 * key. Anything else (another header, a bad signature, an encoding the signer does not write) is left to
 * SigningKey.verify, which decides and names the problem: this only ever accepts what it would accept.
 */
class FastVerifier {
  private constructor(
    private readonly publicKey: KeyObject,
    private readonly kid: string,
  ) {}

  static of(key: SigningKey): FastVerifier | undefined {
    try {
      const jwk = JSON.parse(key.toJson(false)) as { kty?: string; crv?: string; x?: string; y?: string };
      if (jwk.kty !== 'EC' || jwk.crv !== 'P-256' || typeof jwk.x !== 'string' || typeof jwk.y !== 'string') return undefined;
      return new FastVerifier(createPublicKey({ key: { kty: 'EC', crv: 'P-256', x: jwk.x, y: jwk.y }, format: 'jwk' }), key.kid);
    } catch {
      return undefined;
    }
  }

  /** The signed claim when the JWS is one the signer wrote and its signature verifies; else undefined. */
  claim(jws: string): Record<string, unknown> | undefined {
    const parts = jws.split('.');
    if (parts.length !== 3) return undefined;
    for (const part of parts) if (!/^[A-Za-z0-9_-]+$/.test(part) || Buffer.from(part, 'base64url').toString('base64url') !== part) return undefined;
    let header: unknown;
    let payload: unknown;
    try {
      header = JSON.parse(Buffer.from(parts[0]!, 'base64url').toString('utf8'));
      payload = JSON.parse(Buffer.from(parts[1]!, 'base64url').toString('utf8'));
    } catch {
      return undefined;
    }
    if (typeof header !== 'object' || header === null || Array.isArray(header)) return undefined;
    const h = header as Record<string, unknown>;
    const keys = Object.keys(h).sort();
    if (keys.length !== HEADER_FIELDS.length || keys.some((k, i) => k !== HEADER_FIELDS[i])) return undefined;
    if (h.alg !== 'ES256' || h.kid !== this.kid || h.typ !== 'egress-guard-checkpoint') return undefined;
    if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) return undefined;
    const signature = Buffer.from(parts[2]!, 'base64url');
    if (signature.length !== 64) return undefined;
    const ok = verifySignature('sha256', Buffer.from(`${parts[0]}.${parts[1]}`, 'ascii'), { key: this.publicKey, dsaEncoding: 'ieee-p1363' }, signature);
    return ok ? (payload as Record<string, unknown>) : undefined;
  }
}
