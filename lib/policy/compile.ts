/**
 * Compiling a loaded policy (the first half of compilePolicy, relay-pii's "compiled rules"): everything
 * that can be prepared once, per channel: scanners over exactly the detectors a channel's rules act on,
 * compiled actions, parsed key paths, drop regexes, the exceptions rules, the location action, and the
 * keys (the hash key when a rule hashes, the location key on first use). engine.ts applies the result.
 */
import { BUILTIN_DETECTORS } from '../detect/catalogue/index.ts';
import { keyAssignmentDetectors } from '../detect/catalogue/secrets-key-names.ts';
import { BUILTIN_KEY_NAMES, KeyNameClassifier } from '../detect/key-names.ts';
import { compileScanner, type Scanner } from '../detect/scanner.ts';
import type { DetectorSpec } from '../detect/types.ts';
import { compileAction, type CompiledAction } from '../redact/actions.ts';
import { parsePath } from '../redact/paths.ts';
import { CleanStrings, type CompiledValueRule, type CompiledValueRules } from '../redact/text.ts';
import type { CompiledFieldRule, WalkPolicy } from '../redact/walk.ts';
import { errorAsObject, type ExceptionRules } from '../channels/exceptions.ts';
import { CryptoError, LocationKeyring } from '../crypto/jose.ts';
import { readKeyReference } from '../crypto/keys.ts';
import { PolicyCompileError, positionPrefix } from './errors.ts';
import type { Channel, FieldRule, LoadedPolicy, LogLevel, PolicyIdentity, ResolvedPolicy, StructuredChannelPolicy, ValueRule } from './types.ts';
import type { EngineOptions } from './engine.ts';

/**
 * The limits a policy may lower or raise (`limits:`), by default.
 *
 * @example DEFAULT_LIMITS.max_scan_length // 262144
 */
export const DEFAULT_LIMITS = { max_scan_length: 262_144, max_record_scan_length: 1_048_576, max_depth: 32, max_nodes: 20_000 } as const;
/**
 * The exceptions channel's traceback settings (`exceptions.stack`), by default.
 *
 * @example DEFAULT_STACK.frames // 20
 */
export const DEFAULT_STACK = { frames: 20, paths: 'relative', usernames: 'remove' } as const;
const MIN_HASH_KEY_BYTES = 16;

/** A policy compiled: what engine.ts applies, channel by channel. */
export interface CompiledPolicy {
  identity: PolicyIdentity;
  policy: ResolvedPolicy;
  /** The detectors in force (builtins not disabled, then the policy's own). */
  detectors: readonly DetectorSpec[];
  /** The structured channels' walks (parameters, logs, and values inside exceptions). */
  walks: Readonly<Record<Exclude<Channel, 'locations'>, WalkPolicy>>;
  exceptions: ExceptionRules;
  logs: { ship: boolean; level: LogLevel | undefined; drop: readonly { source: string; regex: RegExp }[] };
  /** The locations channel's action, or undefined when locations are encrypted (asynchronous: the keyring). */
  locationAction: CompiledAction | undefined;
  /** The location key (read on first use, then kept). */
  locationKeyring(): Promise<LocationKeyring>;
}

/**
 * Compiles a loaded policy. Throws a PolicyCompileError when a rule hashes and the hash key is missing or
 * too short.
 *
 * @example const compiled = compileRules(loadPolicySync('builtin:default'), { projectRoot: process.cwd() });
 */
export function compileRules(loaded: LoadedPolicy, options: EngineOptions = {}): CompiledPolicy {
  const { policy, identity } = loaded;
  const env = options.env ?? process.env;
  const limits = { ...DEFAULT_LIMITS, ...policy.limits };
  const keyNames = keyNamesFor(policy);
  const detectors = catalogueFor(policy, options.catalogue ?? BUILTIN_DETECTORS, keyNames);

  let hashKeyBytes: Uint8Array | undefined;
  const hashKey = (): Uint8Array => {
    if (hashKeyBytes !== undefined) return hashKeyBytes;
    if (policy.hash?.key === undefined) {
      throw new PolicyCompileError(`policy ${identity.name}: the hash action needs a key; add hash: { key: env:NAME } to the policy`);
    }
    const key = readKeyReference(policy.hash.key, {
      env,
      purpose: `${positionPrefix(loaded.keyOrigins?.hash)}policy ${identity.name}: hash key`,
      hint: 'set it to at least 32 random bytes, e.g. the output of `openssl rand -hex 32`',
    });
    if (key.length < MIN_HASH_KEY_BYTES) {
      throw new PolicyCompileError(
        `${positionPrefix(loaded.keyOrigins?.hash)}policy ${identity.name}: hash key from ${policy.hash.key} is ${key.length} bytes; use at least 32 random bytes (e.g. \`openssl rand -hex 32\`)`,
      );
    }
    return (hashKeyBytes = key);
  };

  const scanners = new ScannerCache(keyNames);
  const valueRules = (rules: ValueRule | ValueRule[] | undefined): CompiledValueRules =>
    compileValueRules(asList(rules), detectors, hashKey, limits.max_scan_length, scanners);
  const keyAction = compileAction(policy.key_names?.action ?? 'remove', hashKey);
  const secretKeys = keyAction.name === 'allow' ? undefined : { classifier: keyNames, action: keyAction };

  const channels = policy.channels ?? {};
  const exceptionsPolicy = channels.exceptions ?? {};
  const typeOnly = exceptionsPolicy.message === 'type-only';
  const messageRules = valueRules(typeOnly ? undefined : (exceptionsPolicy.message as ValueRule | ValueRule[] | undefined));
  const exceptions: ExceptionRules = {
    message: messageRules,
    // Under type-only there are no message rules, yet frames still get scanned: remove whatever is found.
    frames: typeOnly ? valueRules({ detectors: 'all', action: 'remove' }) : messageRules,
    typeOnly,
    stackShip: exceptionsPolicy.stack?.ship ?? true,
    stack: {
      frames: exceptionsPolicy.stack?.frames ?? DEFAULT_STACK.frames,
      paths: exceptionsPolicy.stack?.paths ?? DEFAULT_STACK.paths,
      usernames: exceptionsPolicy.stack?.usernames ?? DEFAULT_STACK.usernames,
      projectRoot: options.projectRoot ?? process.cwd(),
    },
  };

  const structured = (section: StructuredChannelPolicy | undefined, values: CompiledValueRules): WalkPolicy => ({
    fields: compileFieldRules(section?.fields ?? [], hashKey),
    allowlist: section?.allowlist?.map((p) => parsePath(p)),
    values,
    keys: values,
    secretKeys,
    maxDepth: limits.max_depth,
    maxNodes: limits.max_nodes,
    maxRecordScan: limits.max_record_scan_length,
    error: (error, _path, sink) => errorAsObject(exceptions, error, sink),
  });

  const locations = channels.locations ?? { action: 'allow' as const };
  let keyring: Promise<LocationKeyring> | undefined;
  return {
    identity,
    policy,
    detectors,
    walks: {
      parameters: structured(channels.parameters, valueRules(channels.parameters?.values)),
      logs: structured(channels.logs, valueRules(channels.logs?.values)),
      exceptions: structured(undefined, messageRules),
    },
    exceptions,
    logs: { ship: channels.logs?.ship ?? true, level: channels.logs?.level, drop: (channels.logs?.drop ?? []).map((source) => ({ source, regex: new RegExp(source) })) },
    locationAction: locations.action === 'encrypt' ? undefined : compileAction(locations.action, hashKey),
    locationKeyring: () =>
      (keyring ??= loadLocationKeyring(options.locationKeyFile, locations.key, env, `${options.locationKeyFile === undefined ? positionPrefix(loaded.keyOrigins?.location) : ''}policy ${identity.name}`)),
  };
}

/** The builtin classifier, or one with the policy's words added and taken away. */
function keyNamesFor(policy: ResolvedPolicy): KeyNameClassifier {
  const k = policy.key_names;
  if (k?.secret === undefined && k?.not_secret === undefined) return BUILTIN_KEY_NAMES;
  return new KeyNameClassifier({ secret: k.secret ?? [], notSecret: k.not_secret ?? [] });
}

/**
 * Builtin detectors minus `disable`, then the policy's own (custom detectors default to the `secret` tag).
 * The `key=value` detectors take their keywords from the policy's key-name vocabulary.
 */
function catalogueFor(policy: ResolvedPolicy, builtin: readonly DetectorSpec[], keyNames: KeyNameClassifier): DetectorSpec[] {
  if (keyNames !== BUILTIN_KEY_NAMES) {
    const own = new Map(keyAssignmentDetectors(keyNames).map((d) => [d.id, d]));
    builtin = builtin.map((d) => own.get(d.id) ?? d);
  }
  const disabled = new Set(policy.disable ?? []);
  const custom: DetectorSpec[] = Object.entries(policy.detectors ?? {}).map(([id, d]) => ({
    id,
    description: d.description ?? `custom detector ${id}`,
    tags: d.tags ?? ['secret'],
    pattern: d.pattern,
    ...(d.flags !== undefined && { flags: d.flags }),
    ...(d.keywords !== undefined && { keywords: d.keywords }),
    ...(d.validate !== undefined && { validate: d.validate }),
    ...(d.entropy !== undefined && { entropy: d.entropy }),
    ...(d.group !== undefined && { group: d.group }),
  }));
  return [...builtin.filter((d) => !disabled.has(d.id)), ...custom];
}

function selects(selector: ValueRule['detectors'], detector: DetectorSpec): boolean {
  if (selector === 'all') return true;
  return selector.includes(detector.id) || detector.tags.some((t) => selector.includes(t));
}

function compileValueRules(
  rules: ValueRule[],
  detectors: readonly DetectorSpec[],
  hashKey: () => Uint8Array,
  maxScanLength: number,
  scanners: ScannerCache,
): CompiledValueRules {
  const compiled = rules.map((r): CompiledValueRule => ({ action: compileAction(r.action, hashKey), scope: r.scope ?? 'match' }));
  const ruleFor = new Map<string, CompiledValueRule>();
  const acting: DetectorSpec[] = [];
  for (const d of detectors) {
    const index = rules.findIndex((r) => selects(r.detectors, d));
    if (index < 0 || compiled[index]!.action.name === 'allow') continue;
    ruleFor.set(d.id, compiled[index]!);
    acting.push(d);
  }
  return { scanner: scanners.for(acting), ruleFor, maxScanLength, clean: new CleanStrings() };
}

/**
 * One scanner per set of acting detectors, built on its first scan: channels whose rules select the same
 * detectors share it (actions are looked up per match, not built in), and a command that scrubs one
 * channel compiles no other (most of a small command's start-up otherwise, docs/benchmarks.md).
 */
class ScannerCache {
  private readonly scanners = new Map<string, Scanner>();

  constructor(private readonly keyNames: KeyNameClassifier) {}

  for(detectors: readonly DetectorSpec[]): Scanner {
    const key = detectors.map((d) => d.id).join('\n');
    let scanner = this.scanners.get(key);
    if (scanner === undefined) {
      let compiled: Scanner | undefined;
      const build = () => (compiled ??= compileScanner(detectors, { keyNames: this.keyNames }));
      scanner = { detectors, scan: (text, hints) => build().scan(text, hints) };
      this.scanners.set(key, scanner);
    }
    return scanner;
  }
}

function compileFieldRules(rules: FieldRule[], hashKey: () => Uint8Array): CompiledFieldRule[] {
  return rules.map((r) => ({ source: r.path, pattern: parsePath(r.path), action: compileAction(r.action, hashKey) }));
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

function asList<T>(v: T | T[] | undefined): T[] {
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
}

