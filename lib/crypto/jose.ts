/**
 * Our typed wrapper over node-jose: location encryption (JWE compact, A256KW + A256GCM, with `kid` so
 * keys can rotate) and the key files behind it. Nothing here ever puts key material or plaintext into an
 * error message.
 */
import { randomBytes } from 'node:crypto';

interface JoseKey {
  kid: string;
  kty: string;
  alg?: string;
  toJSON(exportPrivate?: boolean): Record<string, unknown>;
}
interface JoseKeyStore {
  add(jwk: Record<string, unknown>): Promise<JoseKey>;
  get(kid: string): JoseKey | null;
  all(filter?: Record<string, unknown>): JoseKey[];
}
interface JoseApi {
  JWK: {
    createKeyStore(): JoseKeyStore;
    createKey(kty: 'oct' | 'EC', size: number | 'P-256', props: Record<string, unknown>): Promise<JoseKey>;
    asKey(jwk: Record<string, unknown>): Promise<JoseKey>;
  };
  JWS: {
    createSign(opts: { format: 'compact'; fields: Record<string, unknown> }, key: JoseKey): { update(data: Buffer): { final(): Promise<string> } };
    createVerify(
      keystore: JoseKeyStore | JoseKey,
      opts: { algorithms: string[] },
    ): { verify(token: string): Promise<{ payload: Buffer; header: Record<string, unknown> }> };
  };
  JWE: {
    createEncrypt(
      opts: { format: 'compact'; fields: Record<string, unknown> },
      key: JoseKey,
    ): { update(data: Buffer): { final(): Promise<string> } };
    createDecrypt(
      keystore: JoseKeyStore,
      opts: { algorithms: string[] },
    ): { decrypt(token: string): Promise<{ plaintext: Buffer; header: Record<string, unknown> }> };
  };
}
let joseApi: Promise<JoseApi> | undefined;
/** node-jose loads on first use: most commands never encrypt, sign or verify, and it costs start-up time. */
function jose(): Promise<JoseApi> {
  return (joseApi ??= import('node-jose').then((m) => m.default as unknown as JoseApi));
}

export const LOCATION_KEY_ALG = 'A256KW';
export const LOCATION_CONTENT_ENC = 'A256GCM';

import { CryptoError } from './errors.ts';

export { CryptoError };

/**
 * Keys for location encryption (JWE compact, A256KW + A256GCM): the first key encrypts, every key decrypts
 * (rotation). Tokens with another algorithm, compression, an unknown `kid` or a failed integrity check are
 * refused with a CryptoError.
 *
 * @example
 * const ring = await LocationKeyring.fromJson(await generateLocationKeySet(), 'location.jwk');
 * const token = await ring.encrypt('results/etl/extract.json');
 * await ring.decrypt(token); // 'results/etl/extract.json'
 */
export class LocationKeyring {
  private constructor(
    private readonly store: JoseKeyStore,
    private readonly active: JoseKey,
  ) {}

  get activeKid(): string {
    return this.active.kid;
  }

  get kids(): string[] {
    return this.store.all().map((k) => k.kid);
  }

  /** From a JWK (`{"kty":"oct",...}`) or a JWKS (`{"keys":[...]}`, the first key active) as JSON text. */
  static async fromJson(text: string, source: string): Promise<LocationKeyring> {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new CryptoError(`${source}: not a JSON Web Key (JSON did not parse); make one with \`egress-guard keys new --out FILE\``);
    }
    const jwks = isRecord(parsed) && Array.isArray(parsed.keys) ? parsed.keys : [parsed];
    if (jwks.length === 0) throw new CryptoError(`${source}: the key set has no keys`);
    const store = (await jose()).JWK.createKeyStore();
    const keys: JoseKey[] = [];
    for (const [i, jwk] of jwks.entries()) {
      if (!isRecord(jwk) || jwk.kty !== 'oct' || typeof jwk.k !== 'string' || typeof jwk.kid !== 'string') {
        throw new CryptoError(`${source}: key ${i} must be a symmetric JWK with "kty":"oct", "k" and "kid"`);
      }
      if (Buffer.from(jwk.k, 'base64url').length !== 32) {
        throw new CryptoError(`${source}: key ${i} (kid ${jwk.kid}) must be 256 bits for A256KW`);
      }
      try {
        keys.push(await store.add({ ...jwk, alg: LOCATION_KEY_ALG }));
      } catch (cause) {
        throw new CryptoError(`${source}: key ${i} (kid ${jwk.kid}) was refused by the JOSE library`, { cause });
      }
    }
    return new LocationKeyring(store, keys[0]!);
  }

  async encrypt(plaintext: string): Promise<string> {
    const { JWE } = await jose();
    return JWE.createEncrypt(
      { format: 'compact', fields: { alg: LOCATION_KEY_ALG, enc: LOCATION_CONTENT_ENC, kid: this.active.kid } },
      this.active,
    )
      .update(Buffer.from(plaintext, 'utf8'))
      .final();
  }

  /**
   * Decrypts a JWE compact token made by `encrypt`. Refuses anything else before touching the key: other
   * algorithms, compression (`zip`), unknown `kid`, and any token whose integrity check fails.
   */
  async decrypt(token: string): Promise<string> {
    const header = parseProtectedHeader(token);
    if (header.alg !== LOCATION_KEY_ALG || header.enc !== LOCATION_CONTENT_ENC) {
      throw new CryptoError(
        `refused JWE: algorithm ${String(header.alg)}/${String(header.enc)}, expected ${LOCATION_KEY_ALG}/${LOCATION_CONTENT_ENC}`,
      );
    }
    if (header.zip !== undefined) throw new CryptoError('refused JWE: compressed tokens (zip) are not accepted');
    if (typeof header.kid !== 'string' || this.store.get(header.kid) === null) {
      throw new CryptoError(`refused JWE: no key with kid ${JSON.stringify(header.kid ?? null)} in the key file`);
    }
    const { JWE } = await jose();
    try {
      const result = await JWE.createDecrypt(this.store, {
        algorithms: [LOCATION_KEY_ALG, LOCATION_CONTENT_ENC],
      }).decrypt(token);
      return result.plaintext.toString('utf8');
    } catch (cause) {
      throw new CryptoError('refused JWE: integrity check failed (tampered, truncated or made with another key)', { cause });
    }
  }
}

export const CHECKPOINT_ALG = 'ES256';

/**
 * An ES256 key pair for signing ledger checkpoints (JWS compact, `kid` in the header); its public half
 * verifies them. `verify` refuses anything but a compact ES256 token signed by this key (CryptoError).
 *
 * @example
 * const key = await SigningKey.generate();
 * const token = await key.sign({ seq: 12 });
 * await (await SigningKey.fromJson(key.toJson(false), 'public key')).verify(token); // { seq: 12 }
 */
export class SigningKey {
  private constructor(private readonly key: JoseKey) {}

  get kid(): string {
    return this.key.kid;
  }

  /**
   * Whether this is the private key (it can sign), not only its public half (it can verify).
   *
   * @example
   * (await SigningKey.fromJson(key.toJson(false), 'public key')).canSign; // false
   */
  get canSign(): boolean {
    return typeof this.key.toJSON(true).d === 'string';
  }

  static async fromJson(text: string, source: string): Promise<SigningKey> {
    let jwk: unknown;
    try {
      jwk = JSON.parse(text);
    } catch {
      throw new CryptoError(`${source}: not a JSON Web Key; make one with \`egress-guard keys new --signing --out FILE\``);
    }
    if (isRecord(jwk) && Array.isArray(jwk.keys)) jwk = jwk.keys[0];
    if (!isRecord(jwk) || jwk.kty !== 'EC' || jwk.crv !== 'P-256' || typeof jwk.kid !== 'string') {
      throw new CryptoError(`${source}: must be an EC P-256 JWK with a "kid"`);
    }
    const { JWK } = await jose();
    try {
      return new SigningKey(await JWK.asKey({ ...jwk, alg: CHECKPOINT_ALG }));
    } catch (cause) {
      throw new CryptoError(`${source}: the key was refused by the JOSE library`, { cause });
    }
  }

  static async generate(): Promise<SigningKey> {
    const kid = 'ckpt-' + new Date().toISOString().slice(0, 10) + '-' + randomBytes(4).toString('hex');
    const { JWK } = await jose();
    return new SigningKey(await JWK.createKey('EC', 'P-256', { alg: CHECKPOINT_ALG, use: 'sig', kid }));
  }

  /** The private JWK (keep it local, mode 0600) or the public one (for auditors who verify). */
  toJson(includePrivate: boolean): string {
    return JSON.stringify(this.key.toJSON(includePrivate), null, 2) + '\n';
  }

  async sign(payload: Record<string, unknown>): Promise<string> {
    const { JWS } = await jose();
    return JWS.createSign({ format: 'compact', fields: { alg: CHECKPOINT_ALG, kid: this.key.kid, typ: 'egress-guard-checkpoint' } }, this.key)
      .update(Buffer.from(JSON.stringify(payload), 'utf8'))
      .final();
  }

  /** The payload of a checkpoint this key (or its public half) signed; refuses anything else. */
  async verify(token: string): Promise<Record<string, unknown>> {
    // base64url decoding skips what is not base64url: without this, `sig{nature` would verify as
    // `signature`, and one checkpoint could be written many ways.
    if (!token.split('.').every((part) => /^[A-Za-z0-9_-]+$/.test(part) && Buffer.from(part, 'base64url').toString('base64url') === part)) {
      throw new CryptoError('refused JWS: not in compact serialization (only base64url, each part as it encodes)');
    }
    const header = parseHeader(token, 3, 'JWS');
    if (header.alg !== CHECKPOINT_ALG) throw new CryptoError(`refused JWS: algorithm ${String(header.alg)}, expected ${CHECKPOINT_ALG}`);
    if (header.kid !== this.key.kid) throw new CryptoError(`refused JWS: signed by key ${JSON.stringify(header.kid ?? null)}, not ${this.key.kid}`);
    const { JWS } = await jose();
    let payload: Buffer;
    try {
      payload = (await JWS.createVerify(this.key, { algorithms: [CHECKPOINT_ALG] }).verify(token)).payload;
    } catch (cause) {
      throw new CryptoError('refused JWS: signature check failed (tampered, or signed with another key)', { cause });
    }
    const parsed: unknown = JSON.parse(payload.toString('utf8'));
    if (!isRecord(parsed)) throw new CryptoError('refused JWS: the payload is not a JSON object');
    return parsed;
  }
}

/**
 * A new 256-bit location key as a JWK set (JSON text), with a random `kid`: what `egress-guard keys new`
 * writes. Keep it local (mode 0600).
 *
 * @example
 * writeFileSync('location.jwk', await generateLocationKeySet(), { mode: 0o600 });
 */
export async function generateLocationKeySet(): Promise<string> {
  const kid = 'loc-' + new Date().toISOString().slice(0, 10) + '-' + randomBytes(4).toString('hex');
  const { JWK } = await jose();
  const key = await JWK.createKey('oct', 256, { alg: LOCATION_KEY_ALG, use: 'enc', kid });
  return JSON.stringify({ keys: [key.toJSON(true)] }, null, 2) + '\n';
}

function parseProtectedHeader(token: string): Record<string, unknown> {
  return parseHeader(token, 5, 'JWE');
}

function parseHeader(token: string, partCount: number, what: 'JWE' | 'JWS'): Record<string, unknown> {
  const parts = token.split('.');
  if (parts.length !== partCount) throw new CryptoError(`refused ${what}: compact serialization has ${partCount} parts, got ${parts.length}`);
  try {
    const header: unknown = JSON.parse(Buffer.from(parts[0]!, 'base64url').toString('utf8'));
    if (isRecord(header)) return header;
  } catch {
    // fall through to the error below
  }
  throw new CryptoError(`refused ${what}: the protected header is not base64url JSON`);
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
