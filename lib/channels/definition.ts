/**
 * What a channel is to the policy engine, in one place (docs/architecture.md, "Channels"): the section of
 * a policy it reads (`channels.<name>`), how a child policy's section goes on top of its parent's, the
 * checks the schema cannot make, and how the section compiles into a processor that scrubs the channel's
 * text and values. policy/load.ts, policy/merge.ts, policy/compile.ts and policy/engine.ts go through
 * these definitions (lib/channels/registry.ts) and name no channel themselves: adding a channel is its
 * module, the schema and its docs.
 */
import type { CompiledAction } from '../redact/actions.ts';
import type { FindingSink } from '../redact/findings.ts';
import type { CompiledValueRules } from '../redact/text.ts';
import type { WalkPolicy } from '../redact/walk.ts';
import type { EngineOptions } from '../policy/engine.ts';
import type { ActionSpec, FieldRule, PolicyIdentity, ValueRule } from '../policy/types.ts';
import type { PathKey } from '../policy/yaml-source.ts';
import type { ExceptionRules } from './exceptions.ts';

/** A scrubbed text of a channel, or the drop rule that removed it (it must not ship). */
export type TextOutcome = { text: string; dropped?: undefined } | { dropped: string; text?: undefined };
/** A scrubbed value of a channel (a JSON-safe copy), or the drop rule that removed it. */
export type ValueOutcome = { value: unknown; dropped?: undefined } | { dropped: string; value?: undefined };

/**
 * A channel's compiled rules, ready to apply: what the engine calls for the channel's text and values.
 * Findings go into the sink; a throw is a policy failure, which the engine turns into a placeholder.
 *
 * @example
 * const out = processor.scrubText('token=ghp_…', new FindingSink()); // { text: 'token=[REDACTED]' }
 */
export interface ChannelProcessor {
  scrubText(text: string, sink: FindingSink): TextOutcome;
  scrubValue(value: unknown, sink: FindingSink): ValueOutcome;
  /** The value rules a text of this channel is scanned with (`policy explain`); absent where none are. */
  readonly valueRules?: CompiledValueRules;
}

/**
 * What compiling a channel's section may use: the policy-wide parts (detectors, actions and their keys,
 * limits, the key-name classifier, the exceptions rules that errors inside values obey).
 *
 * @example const rules = ctx.valueRules(section?.values);
 */
export interface ChannelCompileContext {
  readonly identity: PolicyIdentity;
  readonly options: EngineOptions;
  readonly env: NodeJS.ProcessEnv;
  /** Value rules compiled against the detectors in force, with a scanner shared between equal selections. */
  valueRules(rules: ValueRule | ValueRule[] | undefined): CompiledValueRules;
  /** An action; a `hash` reads the policy's hash key (a PolicyCompileError when it is missing). */
  action(spec: ActionSpec): CompiledAction;
  /** A structured walk (fields, allow-list, values, secret-named keys, the policy's limits) over a section. */
  walk(section: { fields?: FieldRule[]; allowlist?: string[] } | undefined, values: CompiledValueRules): WalkPolicy;
  /** The exceptions channel's rules: errors found inside any channel's values are scrubbed by them. */
  exceptions(): ExceptionRules;
  /** `FILE:LINE:COL: policy NAME` for a key the policy names at `origin` (`hash`, `location`), for errors. */
  policyLabel(origin: 'hash' | 'location' | undefined): string;
}

/**
 * The semantic checks of a section: positioned at the policy's nodes, under `channels.<name>`.
 *
 * @example check.action(['action'], section.action, { encrypt: true });
 */
export interface SectionChecker {
  /** A problem at `path` (relative to the section). */
  issue(path: PathKey[], message: string): void;
  /** An action: `hash` needs the policy's hash key; `encrypt` only where `encrypt` is allowed. */
  action(path: PathKey[], action: unknown, allow?: { encrypt?: boolean }): void;
  /** Value rules: every selector names a known detector or tag, every action is valid here. */
  valueRules(path: PathKey[], rules: unknown): void;
  /** A key path (`**.password`) that must parse. */
  keyPath(path: PathKey[], keyPath: string): void;
}

/**
 * One channel, everything the policy engine knows about it.
 *
 * @example
 * const PARAMETERS: ChannelDefinition<StructuredChannelPolicy, ChannelProcessor> = {
 *   name: 'parameters', merge: mergeStructured, check: checkStructured,
 *   compile: (section, ctx) => structuredProcessor(ctx.walk(section, ctx.valueRules(section?.values))),
 * };
 */
export interface ChannelDefinition<Section, Processor extends ChannelProcessor> {
  readonly name: string;
  /** `extends`: the child's section on top of its parent's (both present). */
  merge(parent: Section, child: Section): Section;
  /** What the schema cannot check in this source's own section; `merged` is the section after `extends`. */
  check(own: Section, merged: Section | undefined, check: SectionChecker): void;
  /** The section's regexes (paths relative to the section), checked for ReDoS with the policy's others. */
  regexes?(own: Section): { path: PathKey[]; pattern: string }[];
  /** Compiled once per engine; a channel left out of the policy compiles from `undefined` (its defaults). */
  compile(section: Section | undefined, ctx: ChannelCompileContext): Processor;
}

/**
 * A rule or a list of rules as a list (the DSL accepts one rule where a list is expected).
 *
 * @example asList({ detectors: 'all', action: 'remove' }).length // 1
 */
export function asList<T>(v: T | readonly T[] | undefined): T[] {
  return v === undefined ? [] : Array.isArray(v) ? [...(v as T[])] : [v as T];
}
