/**
 * Tampering with the audit ledger's checkpoints, its end and its signing key (test/audit/ledger.test.ts
 * covers edited, deleted, reordered, duplicated and torn entries). Each case is detected and names the
 * entry. The witness is what `egress-guard run` posts to the control plane, taken here from the ledger's
 * own onCheckpoint callback.
 */
import { assert } from 'chai';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ledger, type LedgerEntry, type Witness } from '../../lib/audit/ledger.ts';
import { serializeEntry } from '../../lib/audit/entry.ts';
import { readLedger, verifyCheckpoints, type LedgerProblem } from '../../lib/audit/verify.ts';
import { verifyWitness } from '../../lib/audit/witness.ts';
import { SigningKey } from '../../lib/crypto/jose.ts';
import { auditRecord, entriesOf, resign, writeEntries } from '../helpers/audit.ts';


interface Signed {
  dir: string;
  key: SigningKey;
  witness: Witness;
  id: string;
}

/** 12 entries with a checkpoint every 5 and on close: checkpoints at seq 5, 11 and 14. */
async function signedLedger(): Promise<Signed> {
  const dir = mkdtempSync(join(tmpdir(), 'eg-tamper-'));
  const key = await SigningKey.generate();
  let witness: Witness | undefined;
  const ledger = Ledger.open({ dir, signingKey: key, checkpointEvery: 5, checkpointIntervalMs: 600_000, onCheckpoint: (w) => (witness = w) });
  for (let i = 0; i < 12; i++) await ledger.intent(auditRecord(i));
  await ledger.close();
  const id = (JSON.parse(readFileSync(join(dir, 'ledger.json'), 'utf8')) as { id: string }).id;
  return { dir, key, witness: witness!, id };
}

// Canonical JSON, as the ledger writes it: the attacker here knows the format.

/** Recomputes every hash and link, as an attacker who knows the format would. */
function rechain(entries: LedgerEntry[]): LedgerEntry[] {
  let prev = entries[0]!.prev;
  return entries.map((e, seq) => {
    const next = { ...e, seq, prev };
    const out = { ...next, hash: serializeEntry(next).hash };
    prev = out.hash;
    return out;
  });
}

async function problems(s: Signed, key: SigningKey = s.key): Promise<[string, number | undefined][]> {
  const reading = readLedger(s.dir);
  const found: LedgerProblem[] = [...reading.problems, ...(await verifyCheckpoints(reading, key)).problems, ...verifyWitness(reading, s.id, { [s.id]: s.witness })];
  for (const p of found) assert.match(p.message, /entr(y|ies)|ledger/, 'every problem says what it is about');
  return found.map((p) => [p.kind, p.seq]);
}

const checkpointSeqs = (dir: string) => entriesOf(dir).filter((e) => e.type === 'checkpoint').map((e) => e.seq);

describe('hardening: tampering with checkpoints, the ledger end and the signing key', function () {
  this.timeout(20_000);

  it('the untouched ledger verifies clean, locally and against the witness', async () => {
    const s = await signedLedger();
    assert.deepEqual(checkpointSeqs(s.dir), [5, 11, 14]);
    assert.deepEqual(await problems(s), []);
  });

  it('a checkpoint edited (the head it seals changed): named by its entry', async () => {
    const s = await signedLedger();
    writeEntries(s.dir, entriesOf(s.dir).map((e) => (e.seq === 11 ? { ...e, data: { ...e.data, upto_seq: 9 } } : e)));
    const found = await problems(s);
    assert.deepInclude(found, ['edited', 11]);
    assert.deepInclude(found, ['checkpoint-mismatch', 11]);
    assert.deepInclude(found, ['checkpoint-signature', 11]);
  });

  it('a checkpoint edited and the chain rehashed: its signature and the witness still give it away', async () => {
    const s = await signedLedger();
    writeEntries(s.dir, rechain(entriesOf(s.dir).map((e) => (e.seq === 5 ? { ...e, data: { ...e.data, time: '2020-01-01T00:00:00.000Z' } } : e))));
    const found = await problems(s);
    assert.deepInclude(found, ['checkpoint-signature', 5]);
    assert.deepInclude(found, ['rewritten', 13], 'the witnessed head (entry 13) changed with the rehash');
  });

  it('checkpoints reordered: named by entry', async () => {
    const s = await signedLedger();
    const entries = entriesOf(s.dir);
    [entries[5], entries[11]] = [entries[11]!, entries[5]!];
    writeEntries(s.dir, entries);
    const found = await problems(s);
    assert.deepInclude(found, ['sequence', 11]);
    assert.deepInclude(found, ['chain-break', 11]);
    assert.deepInclude(found, ['checkpoint-chain', 11]);
  });

  it('a checkpoint duplicated: named by entry', async () => {
    const s = await signedLedger();
    const entries = entriesOf(s.dir);
    writeEntries(s.dir, [...entries.slice(0, 12), entries[11]!, ...entries.slice(12)]);
    const found = await problems(s);
    assert.deepInclude(found, ['sequence', 11]);
  });

  it('a checkpoint removed, the rest rehashed: the next checkpoint names the gap', async () => {
    const s = await signedLedger();
    writeEntries(s.dir, rechain(entriesOf(s.dir).filter((e) => e.seq !== 5)));
    const found = await problems(s);
    assert.deepInclude(found, ['checkpoint-chain', 10], 'the checkpoint once at 11 is now entry 10 and names a predecessor that is gone');
  });

  it('the ledger truncated at an entry boundary (no torn line): only the witness can tell, and it does', async () => {
    const s = await signedLedger();
    writeEntries(s.dir, entriesOf(s.dir).slice(0, 12)); // ends cleanly after the checkpoint at 11
    const reading = readLedger(s.dir);
    assert.deepEqual(reading.problems, [], 'locally it looks complete');
    assert.deepEqual((await verifyCheckpoints(reading, s.key)).problems, []);
    assert.deepEqual(await problems(s), [['truncated', 13]]);
  });

  it('the signing key swapped: the old public key rejects every checkpoint by entry', async () => {
    const s = await signedLedger();
    const found = await problems(s, await SigningKey.generate());
    assert.deepEqual(found, [['checkpoint-signature', 5], ['checkpoint-signature', 11], ['checkpoint-signature', 14]]);
  });


  it('the whole ledger re-signed with a new key and the public key replaced: clean locally, the witness catches it', async () => {
    const s = await signedLedger();
    const attacker = await SigningKey.generate();
    writeEntries(s.dir, await resign(entriesOf(s.dir), attacker));
    const reading = readLedger(s.dir);
    assert.deepEqual([...reading.problems, ...(await verifyCheckpoints(reading, attacker)).problems], [], 'with the swapped public key, every local check passes');
    assert.deepEqual(await problems(s, attacker), [['rewritten', 13]]);
  });

  it('only the last checkpoint re-signed (nothing before it changed): the witnessed signature differs', async () => {
    const s = await signedLedger();
    const attacker = await SigningKey.generate();
    writeEntries(s.dir, await resign(entriesOf(s.dir), attacker, { from: 14 }));
    assert.deepInclude(await problems(s, attacker), ['rewritten', 14]);
  });

  it('ledger.json deleted or its id changed: reported as unwitnessed, not silently skipped', async () => {
    const s = await signedLedger();
    const reading = readLedger(s.dir);
    assert.deepEqual(verifyWitness(reading, undefined, { [s.id]: s.witness }).map((p) => p.kind), ['unwitnessed']);
    assert.deepEqual(verifyWitness(reading, 'another-id', { [s.id]: s.witness }).map((p) => p.kind), ['unwitnessed']);
    rmSync(join(s.dir, 'ledger.json'));
    assert.deepEqual(verifyWitness(readLedger(s.dir), undefined, {}).map((p) => p.kind), ['unwitnessed']);
  });
});
