/**
 * compilePolicy: a resolved policy becomes an engine that scrubs text and structured values per channel.
 * Everything that can be prepared once is prepared here: per-channel scanners over exactly the detectors
 * the channel's rules act on, compiled actions, parsed key paths, drop regexes, the hash key.
 */
import { BUILTIN_DETECTORS } from '../detect/catalogue/index.ts';
import { keyAssignmentDetectors } from '../detect/catalogue/secrets-key-names.ts';
import { BUILTIN_KEY_NAMES, KeyNameClassifier } from '../detect/key-names.ts';
import { compileScanner, type Scanner } from '../detect/scanner.ts';
import type { DetectorSpec } from '../detect/types.ts';
import { compileAction, REDACTED, type CompiledAction } from '../redact/actions.ts';
import { FindingSink, type Finding } from '../redact/findings.ts';
import { parsePath } from '../redact/paths.ts';
import { scrubStack, type StackOptions } from '../redact/stack.ts';
import { CleanStrings, REMOVE, scrubString, type CompiledValueRule, type CompiledValueRules } from '../redact/text.ts';
import { walkValue, type CompiledFieldRule, type WalkPolicy } from '../redact/walk.ts';
import { CryptoError, LocationKeyring } from '../crypto/jose.ts';
import { readKeyReference } from '../crypto/keys.ts';
import { PolicyCompileError, positionPrefix } from './errors.ts';
import type {
  Channel,
  FieldRule,
  LoadedPolicy,
  LogLevel,
  PolicyIdentity,
  ResolvedPolicy,
  StructuredChannelPolicy,
  ValueRule,
} from './types.ts';

export const DEFAULT_LIMITS = { max_scan_length: 262_144, max_record_scan_length: 1_048_576, max_depth: 32, max_nodes: 20_000 } as const;
export const DEFAULT_STACK = { frames: 20, paths: 'relative', usernames: 'remove' } as const;
/**
 * What goes out instead of an item the policy failed on (fail closed): the cause is never in the output.
 *
 * @example
 * const hostile = new Proxy({}, { getPrototypeOf() { throw new Error('no'); } });
 * engine.scrubValue(hostile, 'parameters'); // { value: BLOCKED_PLACEHOLDER, blocked: 'policy-error', findings: [...] }
 */
export const BLOCKED_PLACEHOLDER = '[blocked: policy-error]';
const MIN_HASH_KEY_BYTES = 16;

/** What `scrubText` and `scrubLocation` return: the scrubbed text and what was found in it. */
export interface TextResult {
  text: string;
  findings: Finding[];
  /** The drop rule (its regex) that removed the record; the record must not be shipped. */
  dropped?: string;
  /** The policy failed on this item: the output is the fixed placeholder (fail closed). */
  blocked?: 'policy-error';
}

/** What `scrubValue` returns: a scrubbed, JSON-safe copy of the value (the input is never modified) and what was found. */
export interface ValueResult {
  value: unknown;
  findings: Finding[];
  dropped?: string;
  blocked?: 'policy-error';
}

/** What `scrubError` returns: the error's type and scrubbed message, and its scrubbed traceback. */
export interface ErrorResult {
  /** `Type: message`, the message scrubbed (or `Type` alone under `message: type-only`). */
  message: string;
  /** The scrubbed traceback, or undefined when the policy ships none. */
  stack: string | undefined;
  findings: Finding[];
  blocked?: 'policy-error';
}

/** Where a detector matched in a text (`start`..`end`, UTF-16 offsets) and the action the policy applies there. */
export interface ExplainedSpan {
  detector: string;
  start: number;
  end: number;
  action: string;
}

/** Options for compiling a policy (`createEngine`, `compilePolicy`, the logger guards). */
export interface EngineOptions {
  /** Absolute paths in tracebacks are made relative to this directory (default: the working directory). */
  projectRoot?: string;
  /** The environment that `env:` key references are read from (default: process.env). */
  env?: NodeJS.ProcessEnv;
  /** A location key file that overrides the policy's `locations.key` (the CLI's `--key`). */
  locationKeyFile?: string;
  /** The detector catalogue to start from (default: the builtin catalogue). */
  catalogue?: readonly DetectorSpec[];
  /**
   * Told the cause whenever the policy fails on a value and a placeholder goes out instead (fail closed):
   * the output never holds it. A hook that throws is ignored.
   */
  onError?: (error: unknown, channel: Channel) => void;
}

/**
 * A compiled policy: scrubs text, structured values, errors and locations per channel. The scrub methods
 * never return what the policy failed on: such an item comes back as BLOCKED_PLACEHOLDER (fail closed).
 * Make one with `createEngine`.
 */
export interface Engine {
  readonly identity: PolicyIdentity;
  readonly policy: ResolvedPolicy;
  /** The logs channel's shipping settings, for the log shippers. */
  readonly logs: { ship: boolean; level: LogLevel | undefined };
  /** The detectors in force (builtins not disabled, then the policy's own). */
  readonly detectors: readonly DetectorSpec[];
  scrubText(text: string, channel: Channel): TextResult;
  scrubValue(value: unknown, channel: Channel): ValueResult;
  scrubError(error: unknown): ErrorResult;
  /** Where the channel's value rules act in a text: detector, span and action (for `policy explain`). */
  explainText(text: string, channel: Exclude<Channel, 'locations'>): ExplainedSpan[];
  /** Locations may be encrypted, which is asynchronous; the key is read on first use. */
  scrubLocation(location: string): Promise<TextResult>;
  /** Local side: the plaintext of a location this engine's key encrypted. */
  decryptLocation(token: string): Promise<string>;
  /**
   * Reads the location key now, when the policy encrypts locations, and throws what is wrong with it: a run
   * checks before it starts, rather than sending every location of the run as a placeholder.
   */
  checkLocationKey(): Promise<void>;
}

export { PolicyCompileError };

/**
 * Compiles a loaded policy into an engine: scanners per channel, actions, key paths and drop regexes are
 * prepared once here. The hash key is read here when a rule hashes (missing or too short: a
 * PolicyCompileError); the location key on first use.
 *
 * @example
 * const engine = compilePolicy(await loadPolicy('policies/app.yaml'), { projectRoot: '/srv/app' });
 */
export function compilePolicy(loaded: LoadedPolicy, options: EngineOptions = {}): Engine {
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
  const exceptions = channels.exceptions ?? {};
  const typeOnly = exceptions.message === 'type-only';
  const messageRules = valueRules(typeOnly ? undefined : (exceptions.message as ValueRule | ValueRule[] | undefined));
  // Under type-only there are no message rules, yet frames still get scanned: remove whatever is found.
  const frameRules = typeOnly ? valueRules({ detectors: 'all', action: 'remove' }) : messageRules;
  const stackShip = exceptions.stack?.ship ?? true;
  const stackOptions: StackOptions = {
    frames: exceptions.stack?.frames ?? DEFAULT_STACK.frames,
    paths: exceptions.stack?.paths ?? DEFAULT_STACK.paths,
    usernames: exceptions.stack?.usernames ?? DEFAULT_STACK.usernames,
    projectRoot: options.projectRoot ?? process.cwd(),
  };

  function scrubErrorInto(error: Error, sink: FindingSink): { type: string; message: string; stack: string | undefined } {
    // Even the type is scanned: an error class can be named after anything.
    const rawType = errorType(error);
    const scannedType = scrubString(rawType, frameRules, 'name', sink);
    const type = scannedType === REMOVE ? 'Error' : scannedType;
    let message = type;
    const raw = safeString(() => error.message);
    if (!typeOnly) {
      const scrubbed = scrubString(raw, messageRules, 'message', sink);
      if (scrubbed !== REMOVE && scrubbed !== '') message = `${type}: ${scrubbed}`;
    } else {
      sink.add('type-only', 'message', 'remove');
    }
    let stack: string | undefined;
    const rawStack = safeString(() => error.stack);
    if (stackShip && rawStack !== '') {
      stack = scrubStack(rawStack, message, stackOptions, (line) => {
        const out = scrubString(line, frameRules, 'stack', sink);
        return out === REMOVE ? `    at ${REDACTED}` : out;
      }, raw);
    }
    return { type, message, stack };
  }

  const errorToObject = (error: Error, _path: string, sink: FindingSink): Record<string, unknown> => {
    const { type, message, stack } = scrubErrorInto(error, sink);
    const out: Record<string, unknown> = { name: type, message };
    if (stack !== undefined) out.stack = stack;
    const cause = safeGet(() => (error as { cause?: unknown }).cause);
    if (cause !== undefined) out.cause = cause;
    for (const key of safeKeys(error)) {
      if (!(key in out)) out[key] = safeGet(() => (error as unknown as Record<string, unknown>)[key]);
    }
    return out;
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
    error: errorToObject,
  });

  const parameters = structured(channels.parameters, valueRules(channels.parameters?.values));
  const logs = structured(channels.logs, valueRules(channels.logs?.values));
  const exceptionValues = structured(undefined, messageRules);
  const dropRules = (channels.logs?.drop ?? []).map((source) => ({ source, regex: new RegExp(source) }));
  const dropRuleFor = (text: string): string | undefined => {
    for (const r of dropRules) if (r.regex.test(text)) return r.source;
    return undefined;
  };

  const locations = channels.locations ?? { action: 'allow' as const };
  const locationAction: CompiledAction | undefined =
    locations.action === 'encrypt' ? undefined : compileAction(locations.action, hashKey);
  let keyring: Promise<LocationKeyring> | undefined;
  const locationKeyring = (): Promise<LocationKeyring> =>
    (keyring ??= loadLocationKeyring(options.locationKeyFile, locations.key, env, `${options.locationKeyFile === undefined ? positionPrefix(loaded.keyOrigins?.location) : ''}policy ${identity.name}`));

  const structuredFor = (channel: Channel): WalkPolicy =>
    channel === 'parameters' ? parameters : channel === 'logs' ? logs : exceptionValues;

  function syncLocation(text: string, sink: FindingSink): string {
    if (locationAction === undefined) {
      throw new PolicyCompileError('locations are encrypted under this policy: use scrubLocation(), which is asynchronous');
    }
    if (locationAction.name !== 'allow') sink.add('location', '$', locationAction.name);
    return locationAction.apply(text, 'location');
  }

  /** Tells options.onError the cause of a placeholder; a hook that throws must not undo the fail-closed. */
  const told = (err: unknown, channel: Channel): void => {
    try {
      options.onError?.(err, channel);
    } catch {
      // ignored: the placeholder goes out either way
    }
  };

  const engine: Engine = {
    identity,
    policy,
    detectors,
    logs: { ship: channels.logs?.ship ?? true, level: channels.logs?.level },

    scrubText(text, channel) {
      const sink = new FindingSink();
      try {
        if (channel === 'locations') return { text: syncLocation(text, sink), findings: sink.list() };
        if (channel === 'logs') {
          const dropped = dropRuleFor(text);
          if (dropped !== undefined) return { text: '', findings: [], dropped };
        }
        const rules = channel === 'exceptions' ? messageRules : structuredFor(channel).values;
        const out = scrubString(text, rules, '$', sink);
        return { text: out === REMOVE ? REDACTED : out, findings: sink.list() };
      } catch (err) {
        if (err instanceof PolicyCompileError) throw err;
        told(err, channel);
        return { text: BLOCKED_PLACEHOLDER, findings: [blockedFinding()], blocked: 'policy-error' };
      }
    },

    scrubValue(value, channel) {
      const sink = new FindingSink();
      try {
        if (channel === 'locations') {
          const out = walkValue(value, { ...parameters, fields: [], allowlist: undefined, values: locationValues(syncLocation, sink), keys: undefined, secretKeys: undefined }, sink);
          return { value: out === REMOVE ? null : out, findings: sink.list() };
        }
        if (channel === 'logs' && dropRules.length > 0) {
          const message = typeof value === 'string' ? value : messageOf(value);
          const dropped = message === undefined ? undefined : dropRuleFor(message);
          if (dropped !== undefined) return { value: null, findings: [], dropped };
        }
        const out = walkValue(value, structuredFor(channel), sink);
        return { value: out === REMOVE ? null : out, findings: sink.list() };
      } catch (err) {
        if (err instanceof PolicyCompileError) throw err;
        told(err, channel);
        return { value: BLOCKED_PLACEHOLDER, findings: [blockedFinding()], blocked: 'policy-error' };
      }
    },

    scrubError(error) {
      const sink = new FindingSink();
      try {
        const err = error instanceof Error ? error : new NonErrorThrown(error);
        const { message, stack } = scrubErrorInto(err, sink);
        return { message, stack, findings: sink.list() };
      } catch (err) {
        told(err, 'exceptions');
        return { message: BLOCKED_PLACEHOLDER, stack: undefined, findings: [blockedFinding()], blocked: 'policy-error' };
      }
    },

    explainText(text, channel) {
      const rules = channel === 'exceptions' ? messageRules : structuredFor(channel).values;
      return rules.scanner
        .scan(text.slice(0, rules.maxScanLength))
        .map((m) => ({ ...m, action: rules.ruleFor.get(m.detector)!.action.name }));
    },

    async scrubLocation(location) {
      const sink = new FindingSink();
      if (locationAction !== undefined) return { text: syncLocation(location, sink), findings: sink.list() };
      const ring = await locationKeyring();
      sink.add('location', '$', 'encrypt');
      return { text: await ring.encrypt(location), findings: sink.list() };
    },

    async decryptLocation(token) {
      return (await locationKeyring()).decrypt(token);
    },

    async checkLocationKey() {
      if (locationAction === undefined) await locationKeyring();
    },
  };
  return engine;
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

/** In the locations channel every string leaf is a location: a scanner-free rule set that acts on all of it. */
function locationValues(apply: (text: string, sink: FindingSink) => string, sink: FindingSink): CompiledValueRules {
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

class NonErrorThrown extends Error {
  constructor(value: unknown) {
    super(typeof value === 'string' ? value : `non-error value thrown (${typeof value})`);
    this.name = 'NonErrorThrown';
  }
}

function errorType(error: Error): string {
  const name = safeString(() => error.name);
  if (name !== '' && name !== 'Error') return name;
  const ctor = safeString(() => error.constructor?.name);
  return ctor !== '' ? ctor : 'Error';
}

function messageOf(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const m = safeGet(() => (value as { message?: unknown }).message);
  return typeof m === 'string' ? m : undefined;
}

function safeGet(get: () => unknown): unknown {
  try {
    return get();
  } catch {
    return '[Thrown]';
  }
}

function safeString(get: () => unknown): string {
  const v = safeGet(get);
  return typeof v === 'string' ? v : v === undefined || v === null ? '' : String(v);
}

function safeKeys(value: object): string[] {
  try {
    return Object.keys(value);
  } catch {
    return [];
  }
}

function asList<T>(v: T | T[] | undefined): T[] {
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
}

function blockedFinding(): Finding {
  return { detector: 'policy-error', path: '$', action: 'block', count: 1 };
}

