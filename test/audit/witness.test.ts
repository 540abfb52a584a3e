/**
 * Holding a local ledger against everything the control plane witnessed (lib/audit/witness.ts): every
 * witnessed checkpoint, checked for its signature and chain, then compared with the local chain.
 */
import { assert } from 'chai';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ledger, type Witness } from '../../lib/audit/ledger.ts';
import { readLedger, verifyCheckpoints } from '../../lib/audit/verify.ts';
import { checkpointDigest, notExtending, parsePublicJwk, verifyWitness, verifyWitnessLog, type PublicJwk, type WitnessLog } from '../../lib/audit/witness.ts';
import { SigningKey } from '../../lib/crypto/jose.ts';
import { canonicalJson, sha256Hex } from '../../lib/crypto/canonical.ts';
import { auditRecord, entriesOf, resign, writeEntries } from '../helpers/audit.ts';


interface Witnessed {
  dir: string;
  id: string;
  key: SigningKey;
  /** Every checkpoint, as the control plane holds them. */
  log: WitnessLog;
}

/** 12 intents, a checkpoint every 5 and on close, every one witnessed: checkpoints at 5, 11 and 14. */
async function witnessedLedger(): Promise<Witnessed> {
  const dir = mkdtempSync(join(tmpdir(), 'eg-witnessed-'));
  const key = await SigningKey.generate();
  const witnessed: Witness[] = [];
  const ledger = Ledger.open({ dir, signingKey: key, checkpointEvery: 5, checkpointIntervalMs: 600_000, onCheckpoint: (w) => witnessed.push(w) });
  for (let i = 0; i < 12; i++) await ledger.intent(auditRecord(i));
  await ledger.close();
  const jwk = (parsePublicJwk(JSON.parse(key.toJson(false))) as { jwk: PublicJwk }).jwk;
  return { dir, id: ledger.id, key, log: { jwk, checkpoints: witnessed.map(({ ledger_id: _id, ...c }) => c) } };
}



const kinds = (problems: { kind: string; seq?: number }[]) => problems.map((p) => [p.kind, p.seq]);

describe('audit: holding a ledger against every checkpoint the control plane witnessed', function () {
  this.timeout(20_000);

  it('a ledger verifies clean against its whole witness, with --key or with the key the control plane registered', async () => {
    const w = await witnessedLedger();
    assert.lengthOf(w.log.checkpoints, 3);
    const reading = readLedger(w.dir);
    assert.deepEqual(await verifyWitnessLog(reading, w.id, { [w.id]: w.log }, w.key), []);
    assert.deepEqual(await verifyWitnessLog(reading, w.id, { [w.id]: w.log }), []);
  });

  it('a ledger rewritten and re-signed with the real key is caught by the checkpoints witnessed before the rewrite', async () => {
    const w = await witnessedLedger();
    // Entry 2's payload replaced, digest and all, as if something else had been sent.
    const forged = await resign(entriesOf(w.dir), w.key, {
      change: (e) =>
        e.seq === 2 ? { ...e, data: { ...e.data, payload: { records: [{ message: 'nothing to see' }] }, payloadSha256: sha256Hex(canonicalJson({ records: [{ message: 'nothing to see' }] })) } } : e,
    });
    writeEntries(w.dir, forged);
    const reading = readLedger(w.dir);
    assert.deepEqual([...reading.problems, ...(await verifyCheckpoints(reading, w.key)).problems], [], 'every local check passes, with the real public key');
    // What the old witness kept: only the latest head, which the attacker re-posted.
    const reposted = forged.filter((e) => e.type === 'checkpoint').map((e) => e.data as unknown as Witness);
    assert.deepEqual(verifyWitness(reading, w.id, { [w.id]: reposted.at(-1)! }), [], 'a witness of the latest head only is fooled');
    const found = await verifyWitnessLog(reading, w.id, { [w.id]: w.log }, w.key);
    assert.deepEqual(kinds(found), [['rewritten', 4]], 'the first witnessed checkpoint after entry 2 seals entry 4');
    assert.include(found[0]!.message, 'entry 4 differs from the head the control plane witnessed: the ledger was rewritten');
    assert.include(found[0]!.message, 'the first of 3 witnessed checkpoints, of 3, that the local ledger contradicts');
  });

  it('a ledger that does not reach the last witnessed entry is truncated, though every earlier checkpoint matches', async () => {
    const w = await witnessedLedger();
    writeEntries(w.dir, entriesOf(w.dir).slice(0, 12));
    assert.deepEqual(kinds(await verifyWitnessLog(readLedger(w.dir), w.id, { [w.id]: w.log }, w.key)), [['truncated', 13]]);
  });

  it("a forged head in the control plane's answer is reported and not used: it cannot make a rewritten ledger pass", async () => {
    const w = await witnessedLedger();
    const forged = await resign(entriesOf(w.dir), w.key, { change: (e) => (e.seq === 7 ? { ...e, data: { ...e.data, flowRunId: 'run-elsewhere' } } : e) });
    writeEntries(w.dir, forged);
    const reading = readLedger(w.dir);
    const heads = new Map(forged.map((e) => [e.seq, e.hash]));
    // A store that says what the rewritten ledger says, without the key to sign it.
    const lying: WitnessLog = { jwk: w.log.jwk, checkpoints: w.log.checkpoints.map((c) => ({ ...c, head: heads.get(c.upto_seq)! })) };
    const found = await verifyWitnessLog(reading, w.id, { [w.id]: lying }, w.key);
    assert.deepEqual(kinds(found), [['checkpoint-signature', 10], ['checkpoint-signature', 13], ['rewritten', 5]], 'the one genuine witnessed checkpoint names the re-signed one');
    assert.include(found[0]!.message, "the control plane's copy of the checkpoint sealing entry 10 does not verify");
  });

  it('checkpoints the control plane returns out of chain, or under another key than --key, are reported', async () => {
    const w = await witnessedLedger();
    const reading = readLedger(w.dir);
    const gap: WitnessLog = { ...w.log, checkpoints: [w.log.checkpoints[0]!, w.log.checkpoints[2]!] };
    assert.deepEqual(kinds(await verifyWitnessLog(reading, w.id, { [w.id]: gap }, w.key)), [['checkpoint-chain', 13]]);
    const other = await SigningKey.generate();
    const found = await verifyWitnessLog(reading, w.id, { [w.id]: w.log }, other);
    assert.deepEqual(kinds(found), [['unwitnessed', undefined]]);
    assert.include(found[0]!.message, `under another key (kid ${w.key.kid}) than the one given with --key (kid ${other.kid})`);
    assert.deepEqual(kinds(await verifyWitnessLog(reading, w.id, {})), [['unwitnessed', undefined]], 'nothing witnessed: cannot be vouched for');
    assert.deepEqual(kinds(await verifyWitnessLog(reading, undefined, { [w.id]: w.log })), [['unwitnessed', undefined]], 'no ledger.json: cannot be vouched for');
  });

  it('notExtending: a checkpoint extends the last only by naming it and sealing a later entry (or the same head again)', () => {
    const base = { head: 'a'.repeat(64), time: '2026-11-24T00:00:00.000Z', kid: 'k', jws: 'x.y.z' };
    const first = { ...base, upto_seq: 4, prev_checkpoint: '0'.repeat(64) };
    const named = checkpointDigest(first.jws);
    assert.isUndefined(notExtending(undefined, first));
    assert.match(notExtending(undefined, { ...first, prev_checkpoint: named })!, /post the earlier checkpoints first/);
    assert.isUndefined(notExtending(first, { ...base, upto_seq: 9, prev_checkpoint: named, jws: 'x.y.w' }));
    assert.isUndefined(notExtending(first, { ...base, upto_seq: 4, prev_checkpoint: named, jws: 'x.y.w' }), 'the same head sealed again');
    assert.match(notExtending(first, { ...base, upto_seq: 4, head: 'b'.repeat(64), prev_checkpoint: named, jws: 'x.y.w' })!, /never goes back/);
    assert.match(notExtending(first, { ...base, upto_seq: 3, prev_checkpoint: named, jws: 'x.y.w' })!, /never goes back/);
    assert.match(notExtending(first, { ...base, upto_seq: 9, prev_checkpoint: '0'.repeat(64), jws: 'x.y.w' })!, /does not name the last witnessed checkpoint \(entry 4\)/);
  });
});
