/**
 * Holding a local ledger against what the control plane witnessed. The control plane keeps every signed
 * checkpoint of a ledger, append-only, under the public key registered with the ledger's first checkpoint
 * (docs/cloud.md, "The witness"). The verifier checks what it is given back (each JWS, and that the
 * checkpoints form one chain), then holds every witnessed checkpoint against the local ledger: the local
 * chain must have the witnessed head at every witnessed entry and reach the last of them. A ledger rewritten
 * and re-signed with the real key is caught by the checkpoints witnessed before the rewrite; one cut short,
 * by the last.
 */
import { SigningKey } from '../crypto/jose.ts';
import { canonicalJson, sha256Hex } from '../crypto/canonical.ts';
import { GENESIS, type LedgerEntry, type Witness } from './entry.ts';
import type { LedgerProblem, LedgerReading } from './verify.ts';

/** A checkpoint as the control plane witnessed it: the signed claim, its JWS and who signed it. */
export interface WitnessedCheckpoint {
  upto_seq: number;
  head: string;
  /** SHA-256 (hex) of the previous checkpoint's JWS; 64 zeros for a ledger's first checkpoint. */
  prev_checkpoint: string;
  time: string;
  kid: string;
  jws: string;
  /** When the control plane stored it (its own clock); absent in checkpoints taken from a local ledger. */
  witnessed_at?: string;
}

/** The public half of an ES256 checkpoint-signing key, as registered for a ledger. */
export interface PublicJwk {
  kty: 'EC';
  crv: 'P-256';
  x: string;
  y: string;
  kid: string;
}

/** Everything the control plane witnessed of one ledger: its registered key and every checkpoint, oldest first. */
export interface WitnessLog {
  jwk: PublicJwk;
  checkpoints: WitnessedCheckpoint[];
}

/**
 * How checkpoints name each other: the SHA-256 (hex) of the previous checkpoint's JWS.
 *
 * @example
 * next.prev_checkpoint === checkpointDigest(previous.jws); // true when `next` extends `previous`
 */
export function checkpointDigest(jws: string): string {
  return sha256Hex(jws);
}

const B64URL_32 = /^[A-Za-z0-9_-]{43}$/;

/**
 * Checks that a value is a public EC P-256 JWK with a kid, and returns only the fields that identify the
 * key. A private key (`d`) is refused, never copied. The error never shows the value.
 *
 * @example
 * const key = await SigningKey.generate();
 * parsePublicJwk(JSON.parse(key.toJson(false))); // { jwk: { kty: 'EC', crv: 'P-256', x, y, kid } }
 * parsePublicJwk(JSON.parse(key.toJson(true))); // { error: 'jwk holds a private key ("d") ...' }
 */
export function parsePublicJwk(value: unknown): { jwk: PublicJwk } | { error: string } {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return { error: 'jwk must be a JSON Web Key object' };
  const v = value as Record<string, unknown>;
  if (v.d !== undefined) return { error: 'jwk holds a private key ("d"): send only the public JWK; the private key never leaves the machine' };
  if (v.kty !== 'EC' || v.crv !== 'P-256') return { error: 'jwk must be an EC P-256 key (ES256)' };
  if (typeof v.x !== 'string' || typeof v.y !== 'string' || !B64URL_32.test(v.x) || !B64URL_32.test(v.y)) return { error: 'jwk must have x and y of 32 bytes, base64url' };
  if (typeof v.kid !== 'string' || v.kid === '' || v.kid.length > 200) return { error: 'jwk must have a kid of 1 to 200 characters' };
  return { jwk: { kty: 'EC', crv: 'P-256', x: v.x, y: v.y, kid: v.kid } };
}

/**
 * The RFC 7638 thumbprint of a public key (base64url SHA-256 of its required members): two JWKs are the
 * same key exactly when their thumbprints are equal, whatever else they carry.
 *
 * @example
 * jwkThumbprint({ kty: 'EC', crv: 'P-256', x, y, kid: 'a' }) === jwkThumbprint({ kty: 'EC', crv: 'P-256', x, y, kid: 'b' }); // true
 */
export function jwkThumbprint(jwk: PublicJwk): string {
  return Buffer.from(sha256Hex(canonicalJson({ crv: jwk.crv, kty: jwk.kty, x: jwk.x, y: jwk.y })), 'hex').toString('base64url');
}

/**
 * Why `next` cannot follow `last` in a ledger's witnessed checkpoints, or undefined when it can: it must name
 * `last` (`prev_checkpoint`, 64 zeros for a ledger's first checkpoint) and seal a later entry. A checkpoint
 * may seal the same entry as the one before it only with the same head: the ledger signs the same head twice
 * when a periodic checkpoint and the one on close race. Messages name only `last`, never what `next` holds.
 *
 * @example
 * notExtending(undefined, first); // undefined: a ledger's first checkpoint names 64 zeros
 * notExtending(second, first); // 'it does not name the last witnessed checkpoint (entry 5) as its prev_checkpoint ...'
 */
export function notExtending(last: WitnessedCheckpoint | undefined, next: WitnessedCheckpoint): string | undefined {
  if (last === undefined) {
    if (next.prev_checkpoint === GENESIS) return undefined;
    return 'no checkpoint of this ledger was witnessed yet, and this is not its first (prev_checkpoint is not 64 zeros): post the earlier checkpoints first, in order';
  }
  if (next.prev_checkpoint !== checkpointDigest(last.jws)) {
    return `it does not name the last witnessed checkpoint (entry ${last.upto_seq}) as its prev_checkpoint: post the checkpoints in between first, in order; a witness never forks or goes back`;
  }
  if (next.upto_seq < last.upto_seq || (next.upto_seq === last.upto_seq && next.head !== last.head)) {
    return `it does not seal an entry after the last witnessed checkpoint (entry ${last.upto_seq}): a witness never goes back`;
  }
  return undefined;
}

/**
 * Why a checkpoint's JWS is not valid under `key`, or undefined when it is: the signature, the key id, and
 * the signed claim must equal the checkpoint's fields (a checkpoint whose fields say something else than what
 * was signed is forged).
 *
 * @example
 * await signatureProblem(key, witness); // undefined
 * await signatureProblem(key, { ...witness, head: 'f'.repeat(64) }); // 'the signed claim differs from the checkpoint's fields'
 */
export async function signatureProblem(key: SigningKey, c: WitnessedCheckpoint): Promise<string | undefined> {
  let claim: Record<string, unknown>;
  try {
    claim = await key.verify(c.jws);
  } catch (err) {
    return (err as Error).message;
  }
  if (claim.upto_seq !== c.upto_seq || claim.head !== c.head || claim.prev_checkpoint !== c.prev_checkpoint || claim.time !== c.time || c.kid !== key.kid) {
    return "the signed claim differs from the checkpoint's fields";
  }
  return undefined;
}

/**
 * A ledger's own checkpoints as witnesses, in order: what is posted to catch the control plane up when it
 * missed some (it was down, or a post failed).
 *
 * @example
 * const backlog = witnessesOf(readLedger(dir), ledgerId(dir)); // [{ ledger_id, upto_seq, head, prev_checkpoint, time, kid, jws }, ...]
 */
export function witnessesOf(reading: LedgerReading, ledgerId: string): Witness[] {
  const out: Witness[] = [];
  for (const e of reading.entries) {
    if (e.type !== 'checkpoint') continue;
    const d = e.data as Partial<Witness>;
    if (typeof d.upto_seq !== 'number' || typeof d.head !== 'string' || typeof d.prev_checkpoint !== 'string' || typeof d.time !== 'string' || typeof d.kid !== 'string' || typeof d.jws !== 'string') continue;
    out.push({ ledger_id: ledgerId, upto_seq: d.upto_seq, head: d.head, prev_checkpoint: d.prev_checkpoint, time: d.time, kid: d.kid, jws: d.jws });
  }
  return out;
}

/**
 * What holding witnessed checkpoints against a ledger needs to know of it, gathered as its entries stream
 * by: whether it has checkpoints, its last entry, and only for the entries and checkpoints the witness
 * names, their hashes and signatures. Memory grows with the witness list, never with the ledger.
 *
 * @example
 * const facts = new WitnessFacts(witnessed);
 * for (const e of entries) facts.add(e);
 * const problems = witnessProblems(facts, ledgerId, witnessed);
 */
export class WitnessFacts {
  /** Whether the ledger has a checkpoint. */
  hasCheckpoints = false;
  /** The seq of the last well-formed entry; -1 for none. */
  last = -1;
  private readonly wantedSeqs: ReadonlySet<number>;
  private readonly wantedJws: ReadonlySet<string>;
  /** The hash at each witnessed seq (the last entry read with that seq). */
  readonly hashAt = new Map<number, string>();
  /** Witnessed signatures the ledger also has. */
  readonly jwsFound = new Set<string>();
  /** The first local checkpoint sealing each witnessed seq: its own seq. */
  readonly checkpointFor = new Map<number, number>();

  constructor(list: readonly WitnessedCheckpoint[]) {
    this.wantedSeqs = new Set(list.map((c) => c.upto_seq));
    this.wantedJws = new Set(list.map((c) => c.jws));
  }

  /**
   * The next well-formed entry, in ledger order.
   *
   * @example facts.add(entry)
   */
  add(e: LedgerEntry): void {
    this.last = e.seq;
    if (this.wantedSeqs.has(e.seq)) this.hashAt.set(e.seq, e.hash);
    if (e.type !== 'checkpoint') return;
    this.hasCheckpoints = true;
    const d = e.data as { upto_seq?: unknown; jws?: unknown };
    if (typeof d.jws === 'string' && this.wantedJws.has(d.jws)) this.jwsFound.add(d.jws);
    if (typeof d.upto_seq === 'number' && this.wantedSeqs.has(d.upto_seq) && !this.checkpointFor.has(d.upto_seq)) this.checkpointFor.set(d.upto_seq, e.seq);
  }
}

/**
 * Holds the witnessed checkpoints of a ledger (`ledgerId` from ledger.json) against the local ledger. Each
 * witnessed checkpoint's head must be the local chain's hash at the entry it seals, and its JWS a checkpoint
 * of the local ledger; the local ledger must reach the last witnessed entry. Reports the first witnessed
 * checkpoint the ledger contradicts (`rewritten`, counting the others in its message) and a ledger that
 * stops short of the last (`truncated`). A ledger with checkpoints of which none was witnessed, or without
 * an id, cannot be vouched for (`unwitnessed`). Takes what the control plane answered as it is: check it
 * first with verifyWitnessLog, which calls this.
 *
 * @example
 * const problems = verifyWitness(readLedger(dir), id, { [id]: witnessedCheckpoints });
 * // [{ kind: 'rewritten', seq: 13, message: 'entry 13 differs from the head the control plane witnessed: the ledger was rewritten' }]
 */
export function verifyWitness(reading: LedgerReading, ledgerId: string | undefined, witnessed: Readonly<Record<string, WitnessedCheckpoint | readonly WitnessedCheckpoint[]>>): LedgerProblem[] {
  const list = witnessList(ledgerId, witnessed);
  const facts = new WitnessFacts(list);
  for (const e of reading.entries) facts.add(e);
  return witnessProblems(facts, ledgerId, list);
}

function witnessList(ledgerId: string | undefined, witnessed: Readonly<Record<string, WitnessedCheckpoint | readonly WitnessedCheckpoint[]>>): readonly WitnessedCheckpoint[] {
  const given = ledgerId === undefined ? undefined : witnessed[ledgerId];
  return given === undefined ? [] : Array.isArray(given) ? given : [given as WitnessedCheckpoint];
}

/**
 * The problems of holding `list` (the witnessed checkpoints of ledger `ledgerId`) against what `facts`
 * gathered of the local ledger: what verifyWitness reports, without the ledger in memory.
 *
 * @example const problems = witnessProblems(facts, ledgerId, witnessed); // [] for a whole, witnessed ledger
 */
export function witnessProblems(facts: WitnessFacts, ledgerId: string | undefined, list: readonly WitnessedCheckpoint[]): LedgerProblem[] {
  const at = { segment: '', line: 0 };
  if (ledgerId === undefined) {
    return facts.hasCheckpoints ? [{ kind: 'unwitnessed', ...at, message: 'the ledger has no id (ledger.json is missing), so it cannot be checked against what the control plane witnessed' }] : [];
  }
  if (list.length === 0) {
    return facts.hasCheckpoints ? [{ kind: 'unwitnessed', ...at, message: `the control plane witnessed no checkpoint of ledger ${ledgerId} (its id changed, or no witness ever reached the control plane)` }] : [];
  }
  const last = facts.last;
  const problems: LedgerProblem[] = [];
  const contradictions: { seq: number; message: string }[] = [];
  let furthest = -Infinity;
  for (const c of list) {
    if (c.upto_seq > furthest) furthest = c.upto_seq;
    // -1 seals an empty ledger: there is no entry to compare.
    if (c.upto_seq < 0 || c.upto_seq > last) continue;
    const hash = facts.hashAt.get(c.upto_seq);
    if (hash === undefined || hash !== c.head) {
      contradictions.push({ seq: c.upto_seq, message: `entry ${c.upto_seq} differs from the head the control plane witnessed: the ledger was rewritten` });
      continue;
    }
    if (facts.jwsFound.has(c.jws)) continue;
    const checkpoint = facts.checkpointFor.get(c.upto_seq);
    contradictions.push(
      checkpoint === undefined
        ? { seq: c.upto_seq, message: `the checkpoint sealing entry ${c.upto_seq}, which the control plane witnessed, is gone from the ledger` }
        : { seq: checkpoint, message: `checkpoint at entry ${checkpoint} is not the one the control plane witnessed: it was re-signed (another signing key?)` },
    );
  }
  const first = contradictions[0];
  if (first !== undefined) {
    const more = contradictions.length > 1 ? ` (the first of ${contradictions.length} witnessed checkpoints, of ${list.length}, that the local ledger contradicts)` : '';
    problems.push({ kind: 'rewritten', ...at, seq: first.seq, message: first.message + more });
  }
  if (furthest > last) {
    problems.push({ kind: 'truncated', ...at, seq: furthest, message: `the control plane witnessed entry ${furthest}, but the local ledger ends at entry ${last}: entries were removed from its end` });
  }
  return problems;
}

/** What checking a ledger's witness log gives before the ledger is read: fixed problems, and what to hold the ledger against. */
export interface PreparedWitness {
  /** Problems of the log itself (forged or broken checkpoints in the control plane's answer). */
  problems: LedgerProblem[];
  /** The checkpoints to hold the ledger against (witnessProblems), or undefined when the log cannot vouch for it at all. */
  check: { ledgerId: string | undefined; list: readonly WitnessedCheckpoint[] } | undefined;
}

/**
 * Checks what the control plane answered for a ledger before the ledger is read: every witnessed
 * checkpoint's JWS (with `key` when given, else the key the control plane registered) and that they form
 * one chain. What verifyWitnessLog does, less holding the ledger against it (see witnessProblems).
 *
 * @example
 * const prepared = await prepareWitness(ledgerId, logs, key);
 * const problems = [...prepared.problems, ...(prepared.check === undefined ? [] : witnessProblems(facts, prepared.check.ledgerId, prepared.check.list))];
 */
export async function prepareWitness(ledgerId: string | undefined, logs: Readonly<Record<string, WitnessLog>>, key?: SigningKey): Promise<PreparedWitness> {
  const log = ledgerId === undefined ? undefined : logs[ledgerId];
  if (ledgerId === undefined || log === undefined) return { problems: [], check: { ledgerId, list: [] } };
  const at = { segment: '', line: 0 };
  const parsed = parsePublicJwk(log.jwk);
  let verifier: SigningKey | undefined = key;
  if (key === undefined && 'jwk' in parsed) {
    try {
      verifier = await SigningKey.fromJson(JSON.stringify(parsed.jwk), 'the key the control plane registered');
    } catch {
      verifier = undefined;
    }
  }
  if (verifier === undefined) {
    return { problems: [{ kind: 'unwitnessed', ...at, message: `the control plane's key for ledger ${ledgerId} is not a usable public key, so what it witnessed cannot vouch for the ledger` }], check: undefined };
  }
  const given = key === undefined ? undefined : parsePublicJwk(JSON.parse(key.toJson(false)));
  if (given !== undefined && ('error' in parsed || 'error' in given || jwkThumbprint(parsed.jwk) !== jwkThumbprint(given.jwk) || parsed.jwk.kid !== given.jwk.kid)) {
    const registered = 'jwk' in parsed ? ` (kid ${parsed.jwk.kid})` : '';
    return { problems: [{ kind: 'unwitnessed', ...at, message: `the control plane holds the checkpoints of ledger ${ledgerId} under another key${registered} than the one given with --key (kid ${key!.kid}), so they cannot vouch for the ledger` }], check: undefined };
  }
  const problems: LedgerProblem[] = [];
  const valid: WitnessedCheckpoint[] = [];
  let previous: WitnessedCheckpoint | undefined;
  for (const c of log.checkpoints) {
    const bad = await signatureProblem(verifier, c);
    if (bad !== undefined) {
      problems.push({ kind: 'checkpoint-signature', ...at, seq: c.upto_seq, message: `the control plane's copy of the checkpoint sealing entry ${c.upto_seq} does not verify (${bad}): it was forged or altered in its store, and is not used` });
      continue;
    }
    const gap = notExtending(previous, c);
    if (gap !== undefined) {
      problems.push({ kind: 'checkpoint-chain', ...at, seq: c.upto_seq, message: `the checkpoints the control plane returned for ledger ${ledgerId} do not form one chain at the one sealing entry ${c.upto_seq}: ${gap}` });
    }
    valid.push(c);
    previous = c;
  }
  if (valid.length === 0 && log.checkpoints.length > 0) return { problems, check: undefined };
  return { problems, check: { ledgerId, list: valid } };
}

/**
 * Checks what the control plane answered for a ledger, then holds it against the local ledger
 * (verifyWitness). Every witnessed checkpoint's JWS is verified, with `key` (the auditor's `--key`) when
 * given, else with the key the control plane registered for the ledger; the checkpoints must form one chain.
 * A checkpoint whose JWS does not verify (a forged head in the control plane's store, or an answer that is
 * not what it witnessed) is reported and not used; a ledger registered under another key than `key` cannot
 * be vouched for by its witness.
 *
 * @example
 * const logs = await fetchWitnesses(url, token);
 * const problems = await verifyWitnessLog(readLedger(dir), id, logs, await SigningKey.fromJson(publicJwkText, 'key file'));
 */
export async function verifyWitnessLog(reading: LedgerReading, ledgerId: string | undefined, logs: Readonly<Record<string, WitnessLog>>, key?: SigningKey): Promise<LedgerProblem[]> {
  const prepared = await prepareWitness(ledgerId, logs, key);
  if (prepared.check === undefined) return prepared.problems;
  const facts = new WitnessFacts(prepared.check.list);
  for (const e of reading.entries) facts.add(e);
  return [...prepared.problems, ...witnessProblems(facts, prepared.check.ledgerId, prepared.check.list)];
}
