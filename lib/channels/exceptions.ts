/**
 * The exceptions channel: a thrown value read safely (getters that throw, non-errors, odd names), its type
 * and message scrubbed (`Type: message`, or the type alone under `type-only`), and its traceback scrubbed
 * (relative paths, no usernames, limited frames), which travels with the logs. Errors found inside other
 * channels' values obey these rules too (ChannelCompileContext.exceptions).
 */
import { REDACTED } from '../redact/actions.ts';
import type { FindingSink } from '../redact/findings.ts';
import { scrubStack, type StackOptions } from '../redact/stack.ts';
import { REMOVE, scrubString, type CompiledValueRules } from '../redact/text.ts';
import type { Engine, ErrorResult } from '../policy/engine.ts';
import type { ExceptionsChannelPolicy, ValueRule } from '../policy/types.ts';
import { asList, type ChannelCompileContext, type ChannelDefinition, type ChannelProcessor } from './definition.ts';
import { structuredProcessor } from './structured.ts';

/**
 * The exceptions channel's traceback settings (`exceptions.stack`), by default.
 *
 * @example DEFAULT_STACK.frames // 20
 */
export const DEFAULT_STACK = { frames: 20, paths: 'relative', usernames: 'remove' } as const;

/** The exceptions channel compiled: a message text or value scrubbed by the message rules, and whole errors. */
export interface ExceptionsProcessor extends ChannelProcessor {
  /** An error's `Type: message` and its traceback, scrubbed. */
  scrubError(error: Error, sink: FindingSink): { type: string; message: string; stack: string | undefined };
}

/**
 * The exceptions channel's rules (`channels.exceptions`): `message` (value rules, or `type-only`) and
 * `stack` (ship, frames, paths, usernames). A child's message rules come before its parent's.
 *
 * @example compilePolicy(loaded).scrubError(new Error('password=hunter2 rejected')).message // 'Error: password=[REDACTED] rejected'
 */
export const EXCEPTIONS_CHANNEL: ChannelDefinition<ExceptionsChannelPolicy, ExceptionsProcessor> = {
  name: 'exceptions',
  merge(parent, child) {
    const pm = parent.message;
    const cm = child.message;
    return {
      ...parent,
      ...child,
      ...(pm !== undefined && cm !== undefined && pm !== 'type-only' && cm !== 'type-only' && { message: [...asList(cm), ...asList(pm)] }),
      ...((parent.stack || child.stack) && { stack: { ...parent.stack, ...child.stack } }),
    };
  },
  check: (own, _merged, check) => check.valueRules(['message'], own.message),
  compile(_section, ctx) {
    // The rules were compiled once for the whole policy: values of every channel can hold errors.
    const rules = ctx.exceptions();
    return {
      ...structuredProcessor(ctx.walk(undefined, rules.message)),
      scrubError: (error, sink) => scrubErrorParts(rules, error, sink),
    };
  },
};

/**
 * The exceptions section compiled into the rules that scrub errors (wherever they turn up).
 *
 * @example compileExceptionRules({ message: 'type-only' }, ctx).typeOnly // true
 */
export function compileExceptionRules(section: ExceptionsChannelPolicy | undefined, ctx: ChannelCompileContext): ExceptionRules {
  const typeOnly = section?.message === 'type-only';
  const message = ctx.valueRules(typeOnly ? undefined : (section?.message as ValueRule | ValueRule[] | undefined));
  return {
    message,
    // Under type-only there are no message rules, yet frames still get scanned: remove whatever is found.
    frames: typeOnly ? ctx.valueRules({ detectors: 'all', action: 'remove' }) : message,
    typeOnly,
    stackShip: section?.stack?.ship ?? true,
    stack: {
      frames: section?.stack?.frames ?? DEFAULT_STACK.frames,
      paths: section?.stack?.paths ?? DEFAULT_STACK.paths,
      usernames: section?.stack?.usernames ?? DEFAULT_STACK.usernames,
      projectRoot: ctx.options.projectRoot ?? process.cwd(),
    },
  };
}

/** The exceptions channel's compiled rules. */
export interface ExceptionRules {
  /** The message's value rules (none under `type-only`). */
  message: CompiledValueRules;
  /** The rules for the type and the traceback's lines: the message's, or under `type-only` every detector removing. */
  frames: CompiledValueRules;
  typeOnly: boolean;
  /** Whether tracebacks ship at all (`stack.ship`). */
  stackShip: boolean;
  stack: StackOptions;
}

/**
 * A failure as it leaves: the engine's scrubError.
 *
 * @example guardError(engine, new Error('login failed for alice@example.com')).message // 'Error: login failed for *************.com'
 */
export function guardError(engine: Engine, error: unknown): ErrorResult {
  return engine.scrubError(error);
}

/**
 * An error's type, message and traceback under the exceptions rules, findings into `sink`.
 *
 * @example scrubErrorParts(rules, new TypeError('bad token ghp_…'), sink) // { type: 'TypeError', message: 'TypeError: bad token [REDACTED]', stack: '…' }
 */
export function scrubErrorParts(rules: ExceptionRules, error: Error, sink: FindingSink): { type: string; message: string; stack: string | undefined } {
  // Even the type is scanned: an error class can be named after anything.
  const rawType = errorType(error);
  const scannedType = scrubString(rawType, rules.frames, 'name', sink);
  const type = scannedType === REMOVE ? 'Error' : scannedType;
  let message = type;
  const raw = safeString(() => error.message);
  if (!rules.typeOnly) {
    const scrubbed = scrubString(raw, rules.message, 'message', sink);
    if (scrubbed !== REMOVE && scrubbed !== '') message = `${type}: ${scrubbed}`;
  } else {
    sink.add('type-only', 'message', 'remove');
  }
  let stack: string | undefined;
  const rawStack = safeString(() => error.stack);
  if (rules.stackShip && rawStack !== '') {
    stack = scrubStack(rawStack, message, rules.stack, (line) => {
      const out = scrubString(line, rules.frames, 'stack', sink);
      return out === REMOVE ? `    at ${REDACTED}` : out;
    }, raw);
  }
  return { type, message, stack };
}

/**
 * An Error inside a structured value, as an object the walker goes on into: name, scrubbed message and
 * stack, cause, and the error's own properties (read safely).
 *
 * @example errorAsObject(rules, new Error('x'), sink) // { name: 'Error', message: 'Error: x', stack: '…' }
 */
export function errorAsObject(rules: ExceptionRules, error: Error, sink: FindingSink): Record<string, unknown> {
  const { type, message, stack } = scrubErrorParts(rules, error, sink);
  const out: Record<string, unknown> = { name: type, message };
  if (stack !== undefined) out.stack = stack;
  const cause = safeGet(() => (error as { cause?: unknown }).cause);
  if (cause !== undefined) out.cause = cause;
  for (const key of safeKeys(error)) {
    if (!(key in out)) out[key] = safeGet(() => (error as unknown as Record<string, unknown>)[key]);
  }
  return out;
}

/**
 * What was thrown when it is not an Error (a string, a number, an object): an Error with its text.
 *
 * @example new NonErrorThrown('boom').message // 'boom'
 */
export class NonErrorThrown extends Error {
  constructor(value: unknown) {
    super(typeof value === 'string' ? value : `non-error value thrown (${typeof value})`);
    this.name = 'NonErrorThrown';
  }
}

/** An error's type as shown: its name, else its class's, else `Error`. */
function errorType(error: Error): string {
  const name = safeString(() => error.name);
  if (name !== '' && name !== 'Error') return name;
  const ctor = safeString(() => error.constructor?.name);
  return ctor !== '' ? ctor : 'Error';
}

/**
 * A property read that cannot throw: a getter that throws reads as `[Thrown]`.
 *
 * @example safeGet(() => proxy.message) // '[Thrown]' when the proxy throws
 */
export function safeGet(get: () => unknown): unknown {
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

/**
 * An Error rebuilt from a stack string (`Type: message\n    at ...`: what a logger's error serializer leaves),
 * so that the exceptions rules apply to it.
 *
 * @example errorFromStack('TypeError: bad\n    at f (/srv/a.js:1:1)').name // 'TypeError'
 */
export function errorFromStack(stack: string): Error {
  const header = stack.split('\n', 1)[0]!;
  const match = /^([A-Za-z_$][\w$]*)(?:: ([^]*))?$/.exec(header);
  const error = new Error(match?.[2] ?? header);
  error.name = match?.[1] ?? 'Error';
  error.stack = stack;
  return error;
}
