/**
 * compilePolicy: a resolved policy becomes an engine that scrubs text and structured values per channel.
 * compile.ts prepares the rules once; this module applies them (relay-pii's processor), failing closed:
 * an item the policy fails on goes out as a fixed placeholder, and the cause goes to `onError`.
 */
import type { DetectorSpec } from '../detect/types.ts';
import { FindingSink, type Finding } from '../redact/findings.ts';
import type { ChannelProcessor } from '../channels/definition.ts';
import { DEFAULT_STACK, NonErrorThrown } from '../channels/exceptions.ts';
import { compileRules, DEFAULT_LIMITS } from './compile.ts';
import { PolicyCompileError } from './errors.ts';
import type { Channel, LoadedPolicy, LogLevel, PolicyIdentity, ResolvedPolicy } from './types.ts';

export { DEFAULT_LIMITS, DEFAULT_STACK };
/**
 * What goes out instead of an item the policy failed on (fail closed): the cause is never in the output.
 *
 * @example
 * const hostile = new Proxy({}, { getPrototypeOf() { throw new Error('no'); } });
 * engine.scrubValue(hostile, 'parameters'); // { value: BLOCKED_PLACEHOLDER, blocked: 'policy-error', findings: [...] }
 */
export const BLOCKED_PLACEHOLDER = '[blocked: policy-error]';

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
  const { identity, policy, detectors, channels } = compileRules(loaded, options);
  const processor = (channel: Channel): ChannelProcessor => channels[channel];

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
    logs: { ship: channels.logs.ship, level: channels.logs.level },

    scrubText(text, channel) {
      const sink = new FindingSink();
      try {
        const out = processor(channel).scrubText(text, sink);
        return out.dropped !== undefined ? { text: '', findings: [], dropped: out.dropped } : { text: out.text, findings: sink.list() };
      } catch (err) {
        if (err instanceof PolicyCompileError) throw err;
        told(err, channel);
        return { text: BLOCKED_PLACEHOLDER, findings: [blockedFinding()], blocked: 'policy-error' };
      }
    },

    scrubValue(value, channel) {
      const sink = new FindingSink();
      try {
        const out = processor(channel).scrubValue(value, sink);
        return out.dropped !== undefined ? { value: null, findings: [], dropped: out.dropped } : { value: out.value, findings: sink.list() };
      } catch (err) {
        if (err instanceof PolicyCompileError) throw err;
        told(err, channel);
        return { value: BLOCKED_PLACEHOLDER, findings: [blockedFinding()], blocked: 'policy-error' };
      }
    },

    scrubError(error) {
      const sink = new FindingSink();
      try {
        const { message, stack } = channels.exceptions.scrubError(error instanceof Error ? error : new NonErrorThrown(error), sink);
        return { message, stack, findings: sink.list() };
      } catch (err) {
        told(err, 'exceptions');
        return { message: BLOCKED_PLACEHOLDER, stack: undefined, findings: [blockedFinding()], blocked: 'policy-error' };
      }
    },

    explainText(text, channel) {
      const rules = processor(channel).valueRules;
      if (rules === undefined) return [];
      return rules.scanner
        .scan(text.slice(0, rules.maxScanLength))
        .map((m) => ({ ...m, action: rules.ruleFor.get(m.detector)!.action.name }));
    },

    async scrubLocation(location) {
      const sink = new FindingSink();
      return { text: await channels.locations.scrubLocation(location, sink), findings: sink.list() };
    },

    decryptLocation: (token) => channels.locations.decrypt(token),
    checkLocationKey: () => channels.locations.checkKey(),
  };
  return engine;
}

function blockedFinding(): Finding {
  return { detector: 'policy-error', path: '$', action: 'block', count: 1 };
}
