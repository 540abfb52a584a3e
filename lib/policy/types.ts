/**
 * The policy DSL as TypeScript types. The JSON Schema in policy.schema.json is the source of truth for
 * what a file may contain; these types mirror it. Keys are snake_case because people write them in YAML.
 */
import type { ValidatorName } from '../detect/types.ts';
import type { Channel, ChannelSection } from '../channels/registry.ts';

export type { Channel };

/**
 * The names of the actions a policy rule can take (see ActionSpec).
 *
 * @example
 * ACTION_NAMES.includes('mask'); // true
 */
export const ACTION_NAMES = ['remove', 'replace', 'mask', 'hash', 'encrypt', 'allow'] as const;
/** One of ACTION_NAMES: `remove`, `replace`, `mask`, `hash`, `encrypt` or `allow`. */
export type ActionName = (typeof ACTION_NAMES)[number];

/**
 * What happens to a selected field or a detected span:
 * - `remove`: a field is deleted; a span inside a string becomes `[REDACTED]`.
 * - `replace` / `{ replace: TEMPLATE }`: replaced by the template (default `[{detector}]`).
 * - `mask` / `{ mask: { keep, char } }`: all but the last `keep` characters masked.
 * - `hash`: keyed HMAC-SHA-256, `hash:` + 16 hex digits (needs the policy's `hash.key`).
 * - `encrypt`: JWE compact (locations channel only).
 * - `allow`: kept as is, and not scanned by value detectors.
 */
export type ActionSpec =
  | ActionName
  | { replace: string }
  | { mask: { keep?: number; char?: string } };

/** Detector selector: `all`, or a list of detector ids and tags (`secret`, `pii`, `cloud`, ...). */
export type DetectorSelector = 'all' | string[];

/** Applies an action to what the selected detectors find inside string values. */
export interface ValueRule {
  detectors: DetectorSelector;
  action: ActionSpec;
  /** `match` (default): only the detected span; `value`: the whole string (a field is then removed). */
  scope?: 'match' | 'value';
}

/** Applies an action to the fields selected by a key path (`a.b`, `*.token`, `**.password`, `a[*].b`). */
export interface FieldRule {
  path: string;
  action: ActionSpec;
}

/** The rules of a channel that carries structured values (parameters; logs, which adds its shipping rules). */
export interface StructuredChannelPolicy {
  /** Field rules, first match wins; a child policy's rules come before its parents'. */
  fields?: FieldRule[];
  /** Allow-list mode: when set, every field not matched by one of these paths is removed. */
  allowlist?: string[];
  /** Value rules, first rule that selects a detector decides its action. */
  values?: ValueRule | ValueRule[];
}

/** A log level: npm's (winston's) levels, most to least severe; `logs.level` ships that level and more severe ones. */
export type LogLevel = 'error' | 'warn' | 'info' | 'http' | 'verbose' | 'debug' | 'silly';

/** The logs channel: field and value rules, plus whether, from which level and which records are shipped. */
export interface LogsChannelPolicy extends StructuredChannelPolicy {
  /** Ship logs to the control plane at all (EGRESS_GUARD_SHIP_LOGS=false wins). */
  ship?: boolean;
  /** Minimum level shipped. */
  level?: LogLevel;
  /** Regexes: a record whose message matches one is not shipped. */
  drop?: string[];
}

/** What is kept of an error's traceback: whether it ships, how many frames, paths and usernames. */
export interface StackPolicy {
  ship?: boolean;
  /** Maximum number of frames kept. */
  frames?: number;
  /** `relative`: absolute paths made relative to the project root; `remove`: paths removed; `keep`. */
  paths?: 'relative' | 'remove' | 'keep';
  /** `remove`: usernames in home-directory paths replaced by `~`. */
  usernames?: 'remove' | 'keep';
}

/** The exceptions channel: rules for error messages and their tracebacks. */
export interface ExceptionsChannelPolicy {
  /** `type-only` reduces the message to the error's type; otherwise value rules for the message text. */
  message?: 'type-only' | ValueRule | ValueRule[];
  stack?: StackPolicy;
}

/** The locations channel (where results are stored): one action for the whole location, `encrypt` with its key. */
export interface LocationsChannelPolicy {
  action: 'encrypt' | 'hash' | 'remove' | 'allow' | { replace: string };
  /** Key reference for `encrypt`: `file:PATH` (relative to the policy file, `${VAR}` expanded). */
  key?: string;
}

/**
 * A policy's `channels`: the rules of each channel (its section type comes from its definition in
 * lib/channels/); a channel left out gets the defaults.
 */
export type ChannelsPolicy = { [K in Channel]?: ChannelSection<K> };

/** A detector written in a policy; same meaning as the builtin DetectorSpec fields. */
export interface CustomDetectorPolicy {
  pattern: string;
  flags?: string;
  keywords?: string[];
  validate?: ValidatorName;
  entropy?: number;
  tags?: string[];
  group?: number | string;
  description?: string;
}

/** The key-name classifier's vocabulary and action (see lib/detect/key-names.ts). */
export interface KeyNamesPolicy {
  /** More words or two-word phrases that mark a secret (`ssn`, `pin code`). */
  secret?: string[];
  /** Builtin words or phrases that no longer mark a secret. */
  not_secret?: string[];
  /** What happens to a value under a secret-named key (default `remove`; `allow` turns it off). */
  action?: ActionSpec;
}

/** Bounds on the work done per value (what exceeds them is cut off or replaced, never sent unscanned). */
export interface LimitsPolicy {
  /** Characters of one string value that are scanned; the rest is cut off (fail closed). */
  max_scan_length?: number;
  /** Characters of string in one structured value, all its strings together; strings past it become `[size limit]`. */
  max_record_scan_length?: number;
  /** Nesting depth of structured values; deeper values become `[depth limit]`. */
  max_depth?: number;
  /** Nodes visited in one structured value; the rest becomes `[size limit]`. */
  max_nodes?: number;
}

/** One of a policy's `tests`: an input, its channel, and what the output must (not) contain. */
export interface PolicyTestCase {
  name?: string;
  channel: Channel;
  /** A string is scrubbed as text; anything else as a structured value. */
  input: unknown;
  /** Strings that must not appear anywhere in the output. */
  expect_absent?: string[];
  /** Strings that must still appear in the output (guards against over-redaction). */
  expect_present?: string[];
  /** Exact expected output. */
  expect?: unknown;
  /** The record must be dropped (logs drop rules). */
  expect_dropped?: boolean;
}

/** A policy file as written. */
export interface PolicyDocument {
  $schema?: string;
  name: string;
  version: number | string;
  description?: string;
  extends?: string[];
  detectors?: Record<string, CustomDetectorPolicy>;
  /** Builtin detector ids turned off. */
  disable?: string[];
  channels?: ChannelsPolicy;
  /** Key for the `hash` action: `env:NAME` (the variable holds the key) or `file:PATH`. */
  hash?: { key: string };
  key_names?: KeyNamesPolicy;
  limits?: LimitsPolicy;
  audit?: { record?: 'payload' | 'digest' };
  tests?: PolicyTestCase[];
}

/** A policy after `extends` was resolved: no `extends`, key references made absolute. */
export type ResolvedPolicy = Omit<PolicyDocument, 'extends' | '$schema'>;

/** What the audit records about the policy in force. */
export interface PolicyIdentity {
  name: string;
  version: number | string;
  /** SHA-256 (hex) of the canonical JSON of the resolved policy. */
  sha256: string;
}

/** A place in a policy file (1-based line and column). */
export interface SourcePosition {
  file: string;
  line: number;
  col: number;
}

/** A policy loaded and resolved, ready to compile: what `loadAny` and `loadPolicy` return. */
export interface LoadedPolicy {
  policy: ResolvedPolicy;
  identity: PolicyIdentity;
  /** Files that made it, the root first, then what it extends, depth first (`builtin:NAME` for builtins). */
  sources: string[];
  /**
   * Where the keys in force were named (`FILE:LINE:COL: `), for the messages of what only fails on use: an
   * unset variable, a key too short. (`<inline>` 1:1 for a policy given as an object.)
   */
  keyOrigins?: { hash?: SourcePosition; location?: SourcePosition };
}
