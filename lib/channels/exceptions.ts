/**
 * The exceptions channel: a thrown value read safely (getters that throw, non-errors, odd names), its type
 * and message scrubbed (`Type: message`, or the type alone under `type-only`), and its traceback scrubbed
 * (relative paths, no usernames, limited frames), which travels with the logs. The rules come compiled
 * (policy/compile.ts); this module only applies them.
 */
import { REDACTED } from '../redact/actions.ts';
import type { FindingSink } from '../redact/findings.ts';
import { scrubStack, type StackOptions } from '../redact/stack.ts';
import { REMOVE, scrubString, type CompiledValueRules } from '../redact/text.ts';
import type { Engine, ErrorResult } from '../policy/engine.ts';

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
