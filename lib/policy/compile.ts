/**
 * Compiling a loaded policy (the first half of compilePolicy, relay-pii's "compiled rules"): what is
 * policy-wide is prepared here (the detectors in force, actions and the hash key, scanners shared between
 * equal selections, the key-name classifier, limits), and each channel compiles its own section into a
 * processor (lib/channels/, through the registry). engine.ts applies the result.
 */
import { BUILTIN_DETECTORS } from '../detect/catalogue/index.ts';
import { keyAssignmentDetectors } from '../detect/catalogue/secrets-key-names.ts';
import { BUILTIN_KEY_NAMES, KeyNameClassifier } from '../detect/key-names.ts';
import { compileScanner, type Scanner } from '../detect/scanner.ts';
import type { DetectorSpec } from '../detect/types.ts';
import { compileAction } from '../redact/actions.ts';
import { parsePath } from '../redact/paths.ts';
import { CleanStrings, type CompiledValueRule, type CompiledValueRules } from '../redact/text.ts';
import type { WalkPolicy } from '../redact/walk.ts';
import type { ChannelCompileContext } from '../channels/definition.ts';
import { compileExceptionRules, errorAsObject, type ExceptionRules } from '../channels/exceptions.ts';
import { CHANNEL_DEFINITIONS, CHANNELS, type ChannelProcessors } from '../channels/registry.ts';
import { readKeyReference } from '../crypto/keys.ts';
import { asList } from '../channels/definition.ts';
import { PolicyCompileError, positionPrefix } from './errors.ts';
import type { LoadedPolicy, PolicyIdentity, ResolvedPolicy, ValueRule } from './types.ts';
import type { EngineOptions } from './engine.ts';

/**
 * The limits a policy may lower or raise (`limits:`), by default.
 *
 * @example DEFAULT_LIMITS.max_scan_length // 262144
 */
export const DEFAULT_LIMITS = { max_scan_length: 262_144, max_record_scan_length: 1_048_576, max_depth: 32, max_nodes: 20_000 } as const;
const MIN_HASH_KEY_BYTES = 16;

/** A policy compiled: what engine.ts applies, channel by channel. */
export interface CompiledPolicy {
  identity: PolicyIdentity;
  policy: ResolvedPolicy;
  /** The detectors in force (builtins not disabled, then the policy's own). */
  detectors: readonly DetectorSpec[];
  /** Each channel's processor (lib/channels/). */
  channels: ChannelProcessors;
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
  const keyAction = compileAction(policy.key_names?.action ?? 'remove', hashKey);
  const secretKeys = keyAction.name === 'allow' ? undefined : { classifier: keyNames, action: keyAction };
  let exceptions: ExceptionRules | undefined;

  const ctx: ChannelCompileContext = {
    identity,
    options,
    env,
    valueRules: (rules) => compileValueRules(asList(rules), detectors, hashKey, limits.max_scan_length, scanners),
    action: (spec) => compileAction(spec, hashKey),
    walk: (section, values): WalkPolicy => ({
      fields: (section?.fields ?? []).map((r) => ({ source: r.path, pattern: parsePath(r.path), action: compileAction(r.action, hashKey) })),
      allowlist: section?.allowlist?.map((p) => parsePath(p)),
      values,
      keys: values,
      secretKeys,
      maxDepth: limits.max_depth,
      maxNodes: limits.max_nodes,
      maxRecordScan: limits.max_record_scan_length,
      error: (error, _path, sink) => errorAsObject(ctx.exceptions(), error, sink),
    }),
    // Errors turn up inside every channel's values, and obey the exceptions channel's rules there.
    exceptions: () => (exceptions ??= compileExceptionRules(policy.channels?.exceptions, ctx)),
    policyLabel: (origin) => `${positionPrefix(origin === undefined ? undefined : loaded.keyOrigins?.[origin])}policy ${identity.name}`,
  };
  const sections = policy.channels ?? {};
  const channels = Object.fromEntries(
    CHANNELS.map((name) => [name, (CHANNEL_DEFINITIONS[name].compile as (s: unknown, c: ChannelCompileContext) => unknown)(sections[name], ctx)]),
  ) as ChannelProcessors;
  return { identity, policy, detectors, channels };
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
