/**
 * The locations channel: result locations, bucket and directory names, cache keys. Encrypted (JWE),
 * hashed, replaced or removed as a whole, per policy; local code decrypts what the control plane returns.
 */
import { CryptoError, LocationKeyring } from '../crypto/jose.ts';
import { readKeyReference } from '../crypto/keys.ts';
import { PolicyCompileError } from '../policy/errors.ts';
import type { Engine, TextResult } from '../policy/engine.ts';
import type { LocationsChannelPolicy } from '../policy/types.ts';
import type { FindingSink } from '../redact/findings.ts';
import { REMOVE, type CompiledValueRule, type CompiledValueRules } from '../redact/text.ts';
import { walkValue } from '../redact/walk.ts';
import type { ChannelDefinition, ChannelProcessor } from './definition.ts';

/** The locations channel compiled: whole locations scrubbed, synchronously unless they are encrypted. */
export interface LocationsProcessor extends ChannelProcessor {
  /** A location as it leaves; encryption is asynchronous (the key is read on first use). */
  scrubLocation(location: string, sink: FindingSink): Promise<string>;
  /** Local side: the plaintext of a location this policy's key encrypted. */
  decrypt(token: string): Promise<string>;
  /** Reads the location key now when locations are encrypted, and throws what is wrong with it. */
  checkKey(): Promise<void>;
}

/**
 * The locations channel's rules (`channels.locations`): one action for every location (`encrypt` with its
 * `key`, `hash`, `remove`, `allow`, `{ replace }`).
 *
 * @example await compilePolicy(loaded).scrubLocation('s3://bucket/alice/2026-11-23.json') // { text: 'eyJhbGciOi…' } under encrypt
 */
export const LOCATIONS_CHANNEL: ChannelDefinition<LocationsChannelPolicy, LocationsProcessor> = {
  name: 'locations',
  merge: (parent, child) => ({ ...parent, ...child }),
  check(own, merged, check) {
    check.action(['action'], own.action, { encrypt: true });
    if (merged?.action === 'encrypt' && merged.key === undefined) {
      check.issue(['action'], 'locations are encrypted but no key is given: add key: file:PATH (make one with `egress-guard keys new --out FILE`)');
    }
  },
  compile(section, ctx) {
    const { action: spec, key } = section ?? { action: 'allow' as const };
    const action = spec === 'encrypt' ? undefined : ctx.action(spec);
    let keyring: Promise<LocationKeyring> | undefined;
    const ring = () =>
      (keyring ??= loadLocationKeyring(ctx.options.locationKeyFile, key, ctx.env, ctx.policyLabel(ctx.options.locationKeyFile === undefined ? 'location' : undefined)));
    const apply = (text: string, sink: FindingSink): string => {
      if (action === undefined) {
        throw new PolicyCompileError('locations are encrypted under this policy: use scrubLocation(), which is asynchronous');
      }
      if (action.name !== 'allow') sink.add('location', '$', action.name);
      return action.apply(text, 'location');
    };
    return {
      scrubText: (text, sink) => ({ text: apply(text, sink) }),
      scrubValue(value, sink) {
        // Keys are not locations: only the string leaves are, each one whole.
        const out = walkValue(value, { ...ctx.walk(undefined, wholeValue(apply, sink)), keys: undefined, secretKeys: undefined }, sink);
        return { value: out === REMOVE ? null : out };
      },
      async scrubLocation(location, sink) {
        if (action !== undefined) return apply(location, sink);
        const keys = await ring();
        sink.add('location', '$', 'encrypt');
        return keys.encrypt(location);
      },
      decrypt: async (token) => (await ring()).decrypt(token),
      async checkKey() {
        if (action === undefined) await ring();
      },
    };
  },
};

/**
 * A location as it leaves: the engine's scrubLocation.
 *
 * @example (await guardLocation(engine, 'results/2026-11-23.json')).text // 'eyJhbGciOi…' under encrypt
 */
export function guardLocation(engine: Engine, location: string): Promise<TextResult> {
  return engine.scrubLocation(location);
}

/** In the locations channel every string leaf is a location: a scanner-free rule set that acts on all of it. */
function wholeValue(apply: (text: string, sink: FindingSink) => string, sink: FindingSink): CompiledValueRules {
  const whole: CompiledValueRule = { action: { name: 'replace', apply: (text) => apply(text, sink) }, scope: 'value' };
  return {
    scanner: { detectors: [], scan: (text) => (text === '' ? [] : [{ detector: 'location', start: 0, end: text.length }]) },
    ruleFor: new Map([['location', whole]]),
    maxScanLength: Number.MAX_SAFE_INTEGER,
  };
}

async function loadLocationKeyring(
  overrideFile: string | undefined,
  ref: string | undefined,
  env: NodeJS.ProcessEnv,
  /** `policy NAME`, after where the policy names its key when it does (`FILE:LINE:COL: policy NAME`). */
  policy: string,
): Promise<LocationKeyring> {
  const reference = overrideFile !== undefined ? `file:${overrideFile}` : ref ?? env.EGRESS_GUARD_LOCATION_KEY;
  const hint =
    'make a key with `egress-guard keys new --out FILE`, then pass --key FILE or set EGRESS_GUARD_LOCATION_KEY=FILE';
  if (reference === undefined) {
    throw new PolicyCompileError(`${policy}: locations are encrypted but no location key is configured; ${hint}`);
  }
  const text = readKeyReference(reference.startsWith('env:') || reference.startsWith('file:') ? reference : `file:${reference}`, {
    env,
    purpose: `${policy}: location key`,
    hint,
  }).toString('utf8');
  try {
    return await LocationKeyring.fromJson(text, `location key (${reference})`);
  } catch (err) {
    throw err instanceof CryptoError ? new CryptoError(`${err.message}; ${hint}`) : err;
  }
}
