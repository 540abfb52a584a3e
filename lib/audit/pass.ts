/**
 * One ledger, read once: verified (chain, checkpoints, signatures, what the control plane witnessed) and
 * turned into its report rows, in one pass over its lines, in bounded memory. Why a module of its own: it
 * is the unit of work `audit-report` runs for each ledger, in this thread or on a worker thread (`--jobs`),
 * so what it takes and gives is plain data (a key as its JWK text, a witness log as JSON).
 */
import { SigningKey } from '../crypto/jose.ts';
import { readLedgerId } from './entry.ts';
import { refusalOf, type ReportFilters, type ReportRefusal } from './report.ts';
import { scanFates } from './fates.ts';
import { inRange, RowBuilder } from './rows.ts';
import type { Row } from './summary.ts';
import { scanLedger, type LedgerProblem, type Seal } from './verify.ts';
import { parsePublicJwk, prepareWitness, WitnessFacts, witnessProblems, type WitnessLog } from './witness.ts';


/** What a pass needs: plain data, so that a worker thread can run it. */
export interface PassInput {
  /** The ledger directory. */
  dir: string;
  filters: ReportFilters;
  /** The auditor's public key (`--key`), as JWK text, and how the verdict names it. */
  keyJwk?: string;
  keyLabel?: string;
  /** With `--cloud`: what the control plane witnessed of this ledger (undefined: nothing), to hold it against. */
  witness?: { log?: WitnessLog };
  /** Longest line read as an entry (stream.ts). */
  maxEntryBytes?: number;
  /** Problems listed per ledger, of each kind of check (the rest are counted; default 1,000). */
  maxProblems?: number;
  /** Refusals (`refused` entries) listed per ledger (the rest are counted; default 10,000). */
  maxRefusals?: number;
  /** Rows carry their item as JSON text (for the JSON formats), made from the line where it can be (rows.ts). */
  json?: boolean;
}

/** What a pass found: the ledger's counts, verdict inputs, problems (listed and counted) and refusals. */
export interface LedgerOutcome {
  dir: string;
  /** Its id (ledger.json), when it has one. */
  id?: string;
  entries: number;
  checkpoints: number;
  seal: Seal;
  problems: LedgerProblem[];
  problemsTotal: number;
  refusals: ReportRefusal[];
  refusalsTotal: number;
  /** Items refused (the sum of the counts of the refusals in range). */
  refused: number;
  /** Rows emitted (after the filters). */
  rows: number;
  /** Rows shown unacknowledged because their acknowledgement was no longer tracked. */
  acksUntracked: number;
  /** Bytes of segments read. */
  bytes: number;
}

/** What the pass is told as it goes, and waits for. */
export interface PassHooks {
  /** Awaited between chunks of entries (output waiting for its reader). */
  pause?: () => Promise<void> | void;
  /** Bytes of segments read, as they are read. */
  onBytes?: (bytes: number) => void;
}

/** Keys made from JWK text, once per thread. */
const keys = new Map<string, Promise<SigningKey>>();

/**
 * Reads and verifies one ledger, handing each row (filtered) to `onRow` as soon as it is final.
 *
 * @example
 * const outcome = await runLedgerPass({ dir, filters: {}, keyJwk: publicJwkText, keyLabel: '--key (ckpt-…)' }, (row) => rows.push(row));
 * outcome.problems; // [] for a sound ledger; outcome.seal.unsealed === 0 for a sealed one
 */
export async function runLedgerPass(input: PassInput, onRow: (row: Row) => void, hooks: PassHooks = {}): Promise<LedgerOutcome> {
  const dir = input.dir;
  let key: SigningKey | undefined;
  if (input.keyJwk !== undefined) {
    let made = keys.get(input.keyJwk);
    if (made === undefined) keys.set(input.keyJwk, (made = SigningKey.fromJson(input.keyJwk, 'the public key')));
    key = await made;
  }
  const id = readLedgerId(dir);
  const log = input.witness?.log;
  // Without --key, the key the control plane registered for this ledger (with --cloud) is the one to trust.
  const registered = key === undefined && log !== undefined ? await registeredKey(log) : undefined;
  const checker = key ?? registered;
  const checkedWith = key !== undefined ? input.keyLabel ?? `--key (${key.kid})` : registered !== undefined ? `the key the control plane registered (${registered.kid})` : undefined;
  const prepared = input.witness === undefined ? undefined : await prepareWitness(id, id !== undefined && log !== undefined ? { [id]: log } : {}, key);
  const facts = prepared?.check === undefined ? undefined : new WitnessFacts(prepared.check.list);

  // First the items' fates (a light reading), so that each row is written as its entry is read.
  const lineOptions = input.maxEntryBytes !== undefined ? { maxLineBytes: input.maxEntryBytes } : {};
  const fates = scanFates(dir, lineOptions);
  const rows = new RowBuilder({ ledger: dir, filters: input.filters, fates, emit: onRow, json: input.json === true });
  const refusals: ReportRefusal[] = [];
  let refusalsTotal = 0;
  let refused = 0;
  let bytes = 0;
  const scan = await scanLedger(
    dir,
    checker,
    {
      ...(input.maxEntryBytes !== undefined && { maxLineBytes: input.maxEntryBytes }),
      ...(input.maxProblems !== undefined && { maxProblems: input.maxProblems }),
      onBytes: (n) => {
        bytes += n;
        hooks.onBytes?.(n);
      },
      ...(hooks.pause !== undefined && { pause: hooks.pause }),
      onEntry: (e, size, scanned) => {
        facts?.add(e);
        rows.entry(e, size, scanned);
        if (e.type === 'refused' && inRange(e.time, input.filters)) {
          const r = refusalOf(e, dir);
          refused += r.count;
          refusalsTotal++;
          if (refusals.length < (input.maxRefusals ?? 10_000)) refusals.push(r);
        }
      },
    },
    checkedWith,
  );
  rows.finish();
  const witness = prepared === undefined ? [] : [...prepared.problems, ...(prepared.check === undefined || facts === undefined ? [] : witnessProblems(facts, prepared.check.ledgerId, prepared.check.list))];
  const cap = input.maxProblems ?? 1_000;
  const problems = scan.problems;
  for (const p of witness) if (problems.length < cap * 2) problems.push(p);
  return {
    dir,
    ...(id !== undefined && { id }),
    entries: scan.entries,
    checkpoints: scan.checkpoints,
    seal: scan.seal,
    problems,
    problemsTotal: scan.problemsTotal + witness.length,
    refusals,
    refusalsTotal,
    refused,
    rows: rows.emitted,
    acksUntracked: fates.untracked,
    bytes,
  };
}

/** The public key the control plane registered for a ledger, when it is a usable one. */
async function registeredKey(log: WitnessLog): Promise<SigningKey | undefined> {
  const parsed = parsePublicJwk(log.jwk);
  if (!('jwk' in parsed)) return undefined;
  try {
    return await SigningKey.fromJson(JSON.stringify(parsed.jwk), 'the key the control plane registered');
  } catch {
    return undefined;
  }
}
