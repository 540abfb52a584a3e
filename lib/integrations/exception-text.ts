/**
 * Exception text outside an Error object: OpenTelemetry's `exception.type`, `exception.message` and
 * `exception.stacktrace` attributes, a span's status message, Sentry's exception type and value and its
 * stack frames' paths, function names and source lines. Each goes through the engine's own `scrubError`,
 * so that a door applies exactly what the flows apply: the message rules (or `message: type-only`), the
 * frame rules, the frame limit, relative paths and hidden home directories, the stack's `ship` setting.
 * Shared by lib/otel and lib/sentry; it imports neither library.
 */
import { DEFAULT_STACK, type Engine } from '../policy/engine.ts';
import type { Finding } from '../redact/findings.ts';

/** What scrubError reads of an Error, without constructing one (a real Error captures a stack trace: slow). */
function errorLike(name: string, message: string, stack: string): Error {
  const error = Object.create(Error.prototype) as Error;
  Object.defineProperties(error, {
    name: { value: name, enumerable: true },
    message: { value: message, enumerable: true },
    stack: { value: stack, enumerable: true },
  });
  return error;
}

export interface ScrubbedText {
  /** The scrubbed text; undefined when the policy sends none of it. */
  text: string | undefined;
  findings: Finding[];
}

/**
 * An exception's type (class name), scanned as the exceptions rules scan a type.
 *
 * @example exceptionType(engine, 'TypeError').text // 'TypeError'
 */
export function exceptionType(engine: Engine, type: string): ScrubbedText {
  if (type === '' || type === 'Error') return { text: type, findings: [] };
  const r = engine.scrubError(errorLike(type, '', ''));
  return { text: r.message, findings: r.findings.filter((f) => f.path === 'name' || f.detector === 'policy-error').map((f) => ({ ...f, path: '$' })) };
}

/**
 * An exception's message under the exceptions rules: scrubbed, or undefined under `message: type-only`
 * (and when nothing is left of it).
 *
 * @example exceptionMessage(engine, 'no user alice.smith@example.com').text // 'no user *******************.com'
 */
export function exceptionMessage(engine: Engine, message: string): ScrubbedText {
  if (message === '') return { text: '', findings: [] };
  const r = engine.scrubError(errorLike('Error', message, ''));
  const findings = r.findings.filter((f) => f.path !== 'name').map((f) => ({ ...f, path: '$' }));
  if (r.blocked !== undefined) return { text: r.message, findings };
  return { text: r.message.startsWith('Error: ') ? r.message.slice('Error: '.length) : undefined, findings };
}

/**
 * A V8 stack trace as text (`Type: message\n    at ...`): the header rebuilt from the scrubbed type and
 * message, frames limited, paths made relative, each frame scanned. Undefined when the policy ships no
 * stacks. Lines that are not V8 frames are not kept.
 *
 * @example stackTrace(engine, 'Error', 'boom', err.stack).text // 'Error: boom\n    at f (lib/x.ts:1:2)'
 */
export function stackTrace(engine: Engine, type: string, message: string, stack: string): ScrubbedText {
  const r = engine.scrubError(errorLike(type === '' ? 'Error' : type, message, stack));
  const findings = r.findings.filter((f) => f.path === 'stack' || f.detector === 'policy-error').map((f) => ({ ...f, path: '$' }));
  return { text: r.stack, findings };
}

/**
 * One line of a stack frame that is not a V8 stack (a Sentry frame's path, function, module or source
 * line): the frame rules and the path rules, as for a line of a traceback. Undefined when the policy ships
 * no stacks, or no frames.
 *
 * @example frameText(engine, '/home/alice/app/lib/x.js').text // '~/app/lib/x.js'
 */
export function frameText(engine: Engine, text: string): ScrubbedText {
  if (text === '') return { text, findings: [] };
  const findings: Finding[] = [];
  // A frame's fields are one line each. Text on several lines is not a frame, and a detector can need
  // several lines of it (a Kubernetes secret's `data:` and `kind: Secret`): the message rules scan it
  // whole first. Under `type-only` there are none, and such text does not go at all.
  if (text.includes('\n')) {
    if (engine.policy.channels?.exceptions?.message === 'type-only') return { text: undefined, findings: [{ detector: 'type-only', path: '$', action: 'remove', count: 1 }] };
    const whole = exceptionMessage(engine, text);
    findings.push(...whole.findings);
    if (whole.text === undefined) return { text: undefined, findings };
    text = whole.text;
  }
  const lines = text.split('\n');
  const out: string[] = [];
  for (const line of lines) {
    const r = engine.scrubError(errorLike('E', '', `E\n    at ${line}`));
    for (const f of r.findings) findings.push({ ...f, path: '$' });
    if (r.blocked !== undefined) return { text: r.message, findings };
    const frame = r.stack?.split('\n')[1];
    if (frame === undefined || !frame.startsWith('    at ')) return { text: undefined, findings };
    out.push(frame.slice('    at '.length));
  }
  return { text: out.join('\n'), findings };
}

/**
 * Whether the policy sends stack traces at all, and how many frames of each.
 *
 * @example stackPolicy(engineFor('builtin:default')) // { ship: true, frames: 20 }
 */
export function stackPolicy(engine: Engine): { ship: boolean; frames: number } {
  const stack = engine.policy.channels?.exceptions?.stack;
  return { ship: stack?.ship ?? true, frames: stack?.frames ?? DEFAULT_STACK.frames };
}
