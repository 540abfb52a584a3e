import { assert } from 'chai';
import jose from 'node-jose';
import { CryptoError, LocationKeyring, generateLocationKeySet } from '../../lib/crypto/jose.ts';
import { assertNoSecret } from '../helpers/secrets.ts';

// Only for building hostile tokens: the real node-jose, untyped on purpose (see lib/crypto/jose.ts).
const raw = jose as unknown as {
  JWK: { asKey(jwk: object): Promise<unknown> };
  JWE: { createEncrypt(opts: object, key: unknown): { update(b: Buffer): { final(): Promise<string> } } };
};

async function refusal(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected a refusal');
}

describe('crypto/jose: location keyring', () => {
  const plaintext = 'results/nightly-etl/extract-2026-11-23.json';

  it('round-trips with A256KW/A256GCM and a kid in the header', async () => {
    const text = await generateLocationKeySet();
    const ring = await LocationKeyring.fromJson(text, 'test');
    const token = await ring.encrypt(plaintext);
    const header = JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString()) as Record<string, unknown>;
    assert.deepEqual(header, { alg: 'A256KW', enc: 'A256GCM', kid: ring.activeKid });
    assert.equal(await ring.decrypt(token), plaintext);
    assert.notEqual(await ring.encrypt(plaintext), token, 'a fresh IV every time');
  });

  it('rotation: the new key encrypts, old keys still decrypt', async () => {
    const oldSet = JSON.parse(await generateLocationKeySet()) as { keys: object[] };
    const newSet = JSON.parse(await generateLocationKeySet()) as { keys: object[] };
    const oldRing = await LocationKeyring.fromJson(JSON.stringify(oldSet), 'old');
    const oldToken = await oldRing.encrypt(plaintext);
    const rotated = await LocationKeyring.fromJson(JSON.stringify({ keys: [...newSet.keys, ...oldSet.keys] }), 'rotated');
    assert.equal(await rotated.decrypt(oldToken), plaintext);
    assert.notEqual(rotated.activeKid, oldRing.activeKid);
    const newToken = await rotated.encrypt(plaintext);
    assert.match((await refusal(oldRing.decrypt(newToken))).message, /no key with kid/);
  });

  it('refuses tampered, truncated, compressed and other-algorithm tokens without leaking', async () => {
    const keyText = await generateLocationKeySet();
    const ring = await LocationKeyring.fromJson(keyText, 'test');
    const token = await ring.encrypt(plaintext);
    const parts = token.split('.');
    const flipped = [...parts];
    flipped[4] = (parts[4]![0] === 'A' ? 'B' : 'A') + parts[4]!.slice(1);
    const errors = [
      await refusal(ring.decrypt(flipped.join('.'))),
      await refusal(ring.decrypt(parts.slice(0, 4).join('.'))),
      await refusal(ring.decrypt(token.slice(0, -10))),
    ];
    const jwk = (JSON.parse(keyText) as { keys: Record<string, unknown>[] }).keys[0]!;
    const key = await raw.JWK.asKey(jwk);
    const zipped = await raw.JWE.createEncrypt({ format: 'compact', zip: true, fields: { alg: 'A256KW', enc: 'A256GCM', kid: jwk.kid } }, key)
      .update(Buffer.from(plaintext))
      .final();
    errors.push(await refusal(ring.decrypt(zipped)));
    const otherAlg = await raw.JWE.createEncrypt({ format: 'compact', fields: { alg: 'A256GCMKW', enc: 'A256GCM', kid: jwk.kid } }, await raw.JWK.asKey({ ...jwk, alg: 'A256GCMKW' }))
      .update(Buffer.from(plaintext))
      .final();
    errors.push(await refusal(ring.decrypt(otherAlg)));
    assert.match(errors[0]!.message, /integrity check failed/);
    assert.instanceOf(errors[0]!.cause, Error, "the JOSE library's own error is kept as the cause");
    assert.match(errors[1]!.message, /5 parts/);
    assert.match(errors[3]!.message, /zip/);
    assert.match(errors[4]!.message, /algorithm A256GCMKW\/A256GCM/);
    for (const e of errors) {
      assert.instanceOf(e, CryptoError);
      assertNoSecret(e.message, { plaintext, key: String(jwk.k) }, 'the error message');
    }
  });

  it('refuses a token under the wrong key (even one with the same kid) and alg "dir", without leaking', async () => {
    const keyText = await generateLocationKeySet();
    const ring = await LocationKeyring.fromJson(keyText, 'test');
    const token = await ring.encrypt(plaintext);
    const jwk = (JSON.parse(keyText) as { keys: Record<string, unknown>[] }).keys[0]!;
    const impostorJwk: Record<string, unknown> = { ...(JSON.parse(await generateLocationKeySet()) as { keys: Record<string, unknown>[] }).keys[0]!, kid: jwk.kid };
    const impostor = await LocationKeyring.fromJson(JSON.stringify({ keys: [impostorJwk] }), 'impostor');
    const wrongKey = await refusal(impostor.decrypt(token));
    assert.match(wrongKey.message, /integrity check failed|cannot be decrypted/);
    // node-jose will not make a "dir" token: write its header by hand (the body never gets looked at).
    const b64 = (x: string | Buffer) => Buffer.from(x).toString('base64url');
    const direct = [b64(JSON.stringify({ alg: 'dir', enc: 'A256GCM', kid: jwk.kid })), '', b64(Buffer.alloc(12, 1)), b64('x'.repeat(20)), b64(Buffer.alloc(16, 2))].join('.');
    const dir = await refusal(ring.decrypt(direct));
    assert.match(dir.message, /algorithm dir\/A256GCM/);
    for (const e of [wrongKey, dir]) {
      assert.instanceOf(e, CryptoError);
      assertNoSecret(e.message, { plaintext, key: String(jwk.k), impostorKey: String(impostorJwk.k) }, 'the error message');
    }
  });

  it('refuses key files that are not 256-bit symmetric JWKs, naming the problem, not the key', async () => {
    assert.match((await refusal(LocationKeyring.fromJson('not json', 'f'))).message, /keys new/);
    assert.match((await refusal(LocationKeyring.fromJson('{"keys":[]}', 'f'))).message, /no keys/);
    assert.match((await refusal(LocationKeyring.fromJson('{"kty":"RSA","kid":"a","k":"x"}', 'f'))).message, /symmetric JWK/);
    const short = Buffer.alloc(16, 7).toString('base64url');
    const err = await refusal(LocationKeyring.fromJson(JSON.stringify({ kty: 'oct', kid: 'a', k: short }), 'f'));
    assert.match(err.message, /256 bits/);
    assertNoSecret(err.message, short);
  });
});
