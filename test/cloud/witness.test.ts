/**
 * The control plane's witness over real HTTP: an append-only log of every signed checkpoint per ledger,
 * per tenant, under the key registered with the ledger's first checkpoint. Whoever holds the tenant's token
 * can post, so everything that is not a validly signed extension of the last checkpoint is refused.
 */
import { assert } from 'chai';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GENESIS, Ledger, type Witness } from '../../lib/audit/ledger.ts';
import { readLedger } from '../../lib/audit/verify.ts';
import { checkpointDigest, witnessesOf } from '../../lib/audit/witness.ts';
import { fetchWitnesses, postWitness, WitnessReporter } from '../../lib/cloud/client.ts';
import { startControlPlane, type ControlPlane } from '../../lib/cloud/server.ts';
import { SigningKey } from '../../lib/crypto/jose.ts';
import { sha256Hex } from '../../lib/crypto/canonical.ts';
import { auditRecord } from '../helpers/audit.ts';
import { assertNoSecret } from '../helpers/secrets.ts';

const TOKEN_A = 'witness-tenant-a-token-0123456789';
const TOKEN_B = 'witness-tenant-b-token-9876543210';
const LEDGER = '3f2b8c1e-7d4a-4e5b-9c6d-0a1b2c3d4e5f';
/** A value no answer may echo: it stands for anything a caller sends. */
const MARKER = 'ghp_' + 'R7tKq2mWx9LpZ4vN8sB3cD6fG1hJ5kM0yQeT';

const publicJwk = (key: SigningKey) => JSON.parse(key.toJson(false)) as Record<string, unknown>;

/** Signs a checkpoint as the ledger does (the claim's fields, in the ledger's order). */
async function sign(key: SigningKey, claim: { upto_seq: number; head: string; prev_checkpoint: string; time: string }, ledger = LEDGER): Promise<Witness> {
  const signed = { upto_seq: claim.upto_seq, head: claim.head, time: claim.time, prev_checkpoint: claim.prev_checkpoint };
  return { ledger_id: ledger, ...claim, kid: key.kid, jws: await key.sign(signed) };
}

/** `n` checkpoints chained as a ledger chains them, every 5 entries, after `after` (default: from the start). */
async function chain(key: SigningKey, n: number, after?: Witness, ledger = LEDGER): Promise<Witness[]> {
  const out: Witness[] = [];
  let prev = after === undefined ? GENESIS : checkpointDigest(after.jws);
  let seq = after === undefined ? 4 : after.upto_seq + 5;
  for (let i = 0; i < n; i++, seq += 5) {
    const w = await sign(key, { upto_seq: seq, head: sha256Hex(`entry ${seq}`), prev_checkpoint: prev, time: new Date(Date.UTC(2026, 10, 24, 0, 0, seq)).toISOString() }, ledger);
    out.push(w);
    prev = checkpointDigest(w.jws);
  }
  return out;
}

interface Answer {
  status: number;
  body: { ok?: boolean; duplicate?: boolean; error?: string; code?: string; last?: { upto_seq: number; checkpoint: string } | null; checkpoints?: number };
  text: string;
}

async function post(url: string, body: unknown, token = TOKEN_A): Promise<Answer> {
  const res = await fetch(`${url}/api/v1/witness`, { method: 'POST', headers: { authorization: `Bearer ${token}` }, body: typeof body === 'string' ? body : JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, body: JSON.parse(text) as Answer['body'], text };
}

async function logOf(url: string, token = TOKEN_A, ledger = LEDGER): Promise<string[]> {
  return ((await fetchWitnesses(url, token))[ledger]?.checkpoints ?? []).map((c) => c.jws);
}

describe('cloud: the witness keeps every checkpoint, and only checkpoints that extend the last', function () {
  this.timeout(30_000);
  let servers: ControlPlane[] = [];
  const start = async (dataDir: string) => {
    const s = await startControlPlane({ port: 0, dataDir, tenants: new Map([[TOKEN_A, 'a'], [TOKEN_B, 'b']]) });
    servers.push(s);
    return s;
  };
  afterEach(async () => {
    for (const s of servers) await s.close();
    servers = [];
  });

  it('keeps every checkpoint of a ledger, in order, append-only, per tenant, durably across restarts', async () => {
    const data = mkdtempSync(join(tmpdir(), 'eg-witness-'));
    const s = await start(data);
    const key = await SigningKey.generate();
    const cps = await chain(key, 3);
    for (const c of cps) {
      const a = await post(s.url, { ...c, jwk: publicJwk(key) });
      assert.equal(a.status, 200, a.text);
    }
    const again = await post(s.url, { ...cps[1], jwk: publicJwk(key) });
    assert.deepEqual([again.status, again.body.duplicate], [200, true], 'a checkpoint posted again is recognised, not stored twice');
    assert.deepEqual(await logOf(s.url), cps.map((c) => c.jws));
    const logs = await fetchWitnesses(s.url, TOKEN_A);
    assert.deepEqual(logs[LEDGER]!.jwk, { kty: 'EC', crv: 'P-256', x: publicJwk(key).x, y: publicJwk(key).y, kid: key.kid } as never, 'the registered public key, and only it');
    assert.deepEqual(logs[LEDGER]!.checkpoints.map((c) => [c.upto_seq, c.head, c.prev_checkpoint]), cps.map((c) => [c.upto_seq, c.head, c.prev_checkpoint]));
    assert.deepEqual(Object.keys(await fetchWitnesses(s.url, TOKEN_B)), [], "another tenant sees none of it");
    assert.equal((await fetch(`${s.url}/api/v1/witness?ledger=${LEDGER}`, { headers: { authorization: `Bearer ${TOKEN_B}` } })).status, 404, "another tenant's ledger looks unknown");
    assert.deepEqual(Object.keys(await fetchWitnesses(s.url, TOKEN_A, LEDGER)), [LEDGER]);
    const lines = readFileSync(join(data, 'a', 'witness.jsonl'), 'utf8').split('\n').filter(Boolean);
    assert.lengthOf(lines, 3, 'one line per checkpoint, appended');
    assert.notInclude(lines[0]!, '"d":', 'never a private key');
    await s.close();
    const restarted = await start(data);
    assert.deepEqual(await logOf(restarted.url), cps.map((c) => c.jws), 'what was witnessed survives a restart');
    const next = (await chain(key, 1, cps[2]))[0]!;
    assert.equal((await post(restarted.url, { ...next, jwk: publicJwk(key) })).status, 200, 'and goes on from where it was');
  });

  it('refuses forged, rewound and pinned heads (upto_seq 1e308) over HTTP with 4xx errors that echo nothing sent; the log stays as it was', async () => {
    const s = await start(mkdtempSync(join(tmpdir(), 'eg-witness-')));
    const key = await SigningKey.generate();
    const jwk = publicJwk(key);
    const cps = await chain(key, 3);
    for (const c of cps) assert.equal((await post(s.url, { ...c, jwk })).status, 200);
    const last = cps[2]!;
    const [next] = await chain(key, 1, last);

    const pinned = await post(s.url, `{"ledger_id":"${LEDGER}","upto_seq":1e308,"head":"${next!.head}","prev_checkpoint":"${next!.prev_checkpoint}","time":"${next!.time}","kid":"${key.kid}","jws":"${next!.jws}","jwk":${JSON.stringify(jwk)}}`);
    assert.equal(pinned.status, 400, pinned.text);
    assert.include(pinned.body.error, 'upto_seq must be a safe integer');
    const attempts: [string, unknown, number, string | undefined][] = [
      ['upto_seq a huge safe integer, signed for something else', { ...next, upto_seq: Number.MAX_SAFE_INTEGER, jwk }, 422, 'bad-signature'],
      ['a forged head (the JWS signs another)', { ...next, head: sha256Hex(MARKER), jwk }, 422, 'bad-signature'],
      ['signed by another key under the ledger key id', { ...(await sign(await SigningKey.generate(), next!)), kid: key.kid, jwk }, 422, 'bad-signature'],
      ['a JWS that is not one', { ...next, jws: `${MARKER}.${MARKER}.${MARKER}`, jwk }, 422, 'bad-signature'],
      ['rewound: signed by the real key, naming the last, sealing an earlier entry', { ...(await sign(key, { ...next!, upto_seq: 3, head: sha256Hex(MARKER) })), jwk }, 409, 'not-extending'],
      ['the same entry as the last with another head', { ...(await sign(key, { ...next!, upto_seq: last.upto_seq, head: sha256Hex(MARKER) })), jwk }, 409, 'not-extending'],
      ['a fork: naming the first checkpoint, not the last', { ...(await sign(key, { ...next!, prev_checkpoint: checkpointDigest(cps[0]!.jws) })), jwk }, 409, 'not-extending'],
      ['a rewritten chain re-signed with the real key, from the start', { ...(await sign(key, { upto_seq: 4, head: sha256Hex(MARKER), prev_checkpoint: GENESIS, time: cps[0]!.time })), jwk }, 409, 'not-extending'],
      ['time is not a time', { ...next, time: MARKER, jwk }, 400, undefined],
      ['head is not a digest', { ...next, head: MARKER, jwk }, 400, undefined],
      ['ledger_id is not an id', { ...next, ledger_id: `../${MARKER}`, jwk }, 400, undefined],
    ];
    for (const [what, body, status, code] of attempts) {
      const a = await post(s.url, body);
      assert.equal(a.status, status, `${what}: ${a.text}`);
      if (code !== undefined) assert.equal(a.body.code, code, what);
      assertNoSecret(a.text, MARKER);
      assert.notInclude(a.text, '1e+308');
      assert.notInclude(a.text, next!.jws, `${what}: the JWS sent is not echoed`);
    }
    const fork = await post(s.url, { ...(await sign(key, { ...next!, prev_checkpoint: checkpointDigest(cps[0]!.jws) })), jwk });
    assert.deepEqual(fork.body.last, { upto_seq: last.upto_seq, checkpoint: checkpointDigest(last.jws) }, 'a refusal says where the witness is, so an honest client can catch it up');
    assert.equal((await post(s.url, { ...next, jwk }, 'not-a-tenant-token-000000000000')).status, 401);
    assert.deepEqual(await logOf(s.url), cps.map((c) => c.jws), 'nothing refused was kept');
    assert.equal((await post(s.url, { ...next, jwk })).status, 200, 'the honest next checkpoint is still taken: nothing was pinned');
    const same = await sign(key, { ...next!, prev_checkpoint: checkpointDigest(next!.jws), time: new Date(Date.parse(next!.time) + 1000).toISOString() });
    assert.equal((await post(s.url, { ...same, jwk })).status, 200, 'the same head sealed again (a periodic checkpoint racing the one on close) extends');
  });

  it('registers the key with a ledger\'s first checkpoint; refuses another key for it (409), a first checkpoint without a key or not first, and private keys', async () => {
    const data = mkdtempSync(join(tmpdir(), 'eg-witness-'));
    const s = await start(data);
    const key = await SigningKey.generate();
    const other = await SigningKey.generate();
    const cps = await chain(key, 2);

    const noKey = await post(s.url, cps[0]);
    assert.deepEqual([noKey.status, noKey.body.code], [400, 'key-required']);
    const notFirst = await post(s.url, { ...cps[1], jwk: publicJwk(key) });
    assert.deepEqual([notFirst.status, notFirst.body.code, notFirst.body.last], [409, 'not-extending', null]);
    const secret = JSON.parse(key.toJson(true)) as { d: string };
    const privateKey = await post(s.url, { ...cps[0], jwk: secret });
    assert.equal(privateKey.status, 400);
    assert.include(privateKey.body.error, 'private key');
    assertNoSecret(privateKey.text, secret.d);
    assert.deepEqual(await logOf(s.url), [], 'none of it registered anything');

    assert.equal((await post(s.url, { ...cps[0], jwk: publicJwk(key) })).status, 200);
    const [otherNext] = await chain(other, 1, cps[0]);
    for (const [what, body] of [
      ['another key, announced', { ...otherNext, jwk: publicJwk(other) }],
      ['another key, with the registered one announced', { ...otherNext, jwk: publicJwk(key) }],
      ['another key, unannounced', otherNext],
      ['the registered key id on another key', { ...cps[1], jwk: { ...publicJwk(other), kid: key.kid } }],
    ] as const) {
      const a = await post(s.url, body);
      assert.deepEqual([a.status, a.body.code], [409, 'key-conflict'], `${what}: ${a.text}`);
      assert.include(a.body.error, `signed by key ${key.kid}`);
    }
    assert.equal((await post(s.url, cps[1])).status, 200, 'the registered key goes on; later checkpoints may leave jwk out');
    assert.equal((await post(s.url, { ...(await chain(other, 1))[0], jwk: publicJwk(other) }, TOKEN_B)).status, 200, 'the same ledger id under another tenant is another ledger');
    assert.deepEqual(await logOf(s.url), cps.map((c) => c.jws));
    assertNoSecret(readFileSync(join(data, 'a', 'witness.jsonl'), 'utf8'), secret.d);
  });

  it('what the old witness stored (heads it never checked, a pinned 1e308) is not trusted after an upgrade: the ledger is witnessed afresh', async () => {
    const data = mkdtempSync(join(tmpdir(), 'eg-witness-'));
    const key = await SigningKey.generate();
    const cps = await chain(key, 2);
    mkdirSync(join(data, 'a'), { recursive: true });
    const old = [{ ...cps[0] }, { ledger_id: LEDGER, upto_seq: 1e308, head: sha256Hex(MARKER), prev_checkpoint: GENESIS, time: 'x', kid: 'k', jws: 'forged' }];
    writeFileSync(join(data, 'a', 'witness.jsonl'), old.map((w) => JSON.stringify(w)).join('\n') + '\n{"ledger_id":"torn');
    const s = await start(data);
    assert.deepEqual(await fetchWitnesses(s.url, TOKEN_A), {});
    for (const c of cps) assert.equal((await post(s.url, { ...c, jwk: publicJwk(key) })).status, 200);
    assert.deepEqual(await logOf(s.url), cps.map((c) => c.jws));
    await s.close();
    assert.deepEqual(await logOf((await start(data)).url), cps.map((c) => c.jws), 'after the torn line, the new lines are whole');
  });

  it('WitnessReporter: checkpoints the control plane missed (it was down) are posted first, in order: the witness holds the whole chain', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'eg-witness-ledger-'));
    const key = await SigningKey.generate();
    const runOnce = async (url: string, from: number) => {
      const reporter = new WitnessReporter({ url, token: TOKEN_A, jwk: publicJwk(key), backlog: () => witnessesOf(readLedger(dir), ledger.id) });
      const ledger = Ledger.open({ dir, signingKey: key, checkpointEvery: 3, checkpointIntervalMs: 600_000, onCheckpoint: (w) => reporter.report(w) });
      for (let i = from; i < from + 7; i++) await ledger.intent(auditRecord(i));
      await ledger.close();
      return { summary: await reporter.settle(), id: ledger.id };
    };
    const down = await runOnce('http://127.0.0.1:9', 0);
    assert.equal(down.summary.witnessed, 0);
    assert.isAbove(down.summary.unreachable, 1, 'every checkpoint of the first run missed the control plane');
    const s = await start(mkdtempSync(join(tmpdir(), 'eg-witness-')));
    const up = await runOnce(s.url, 7);
    const local = witnessesOf(readLedger(dir), up.id);
    assert.deepEqual(up.summary, { witnessed: local.length, unreachable: 0, refused: 0, reasons: [] });
    assert.deepEqual(await logOf(s.url, TOKEN_A, up.id), local.map((c) => c.jws), 'every checkpoint of both runs, in order');
    const answer = await postWitness(s.url, TOKEN_A, { ...local[0], jwk: publicJwk(key) });
    assert.deepEqual(answer, { ok: true, duplicate: true });
  });
});
