/**
 * An error as pino's `err` serializer writes it (`{ type, message, stack, ...props }`, causes appended to the
 * message and to the stack after `caused by:`), through the exceptions rules: its type and message as the
 * policy's exception messages, each stack in the chain as a traceback (frames limited, absolute paths made
 * relative, home directories hidden). Its other properties are left to the caller (the logs rules).
 */
import type { Engine } from '../policy/engine.ts';
import type { Finding } from '../redact/findings.ts';
import { errorFromStack } from '../channels/exceptions.ts';

/**
 * The fields of a serialized error the exceptions rules own (the rest go through the logs rules).
 *
 * @example
 * ERROR_TEXT_FIELDS.includes('stack'); // true
 */
export const ERROR_TEXT_FIELDS = ['type', 'message', 'stack'] as const;

/**
 * An error as pino's `err` serializer writes it.
 *
 * @example
 * const err: SerializedError = { type: 'TypeError', message: 'boom', stack: 'TypeError: boom\n    at f (app.js:1:1)' };
 */
export interface SerializedError {
  type?: string;
  message: string;
  stack?: string;
}

/**
 * The exceptions rules' result for one serialized error.
 *
 * @example
 * const { type, message, stack }: ScrubbedError = scrubSerializedError(err, engine);
 */
export interface ScrubbedError {
  type: string;
  /** Undefined when the policy ships the type only. */
  message: string | undefined;
  /** Undefined when the policy ships no tracebacks. */
  stack: string | undefined;
  findings: Finding[];
}

/**
 * Whether a value has the shape pino's error serializer writes: a string message and stack.
 *
 * @example
 * isSerializedError({ type: 'Error', message: 'boom', stack: 'Error: boom\n    at f (app.js:1:1)' }); // true
 */
export function isSerializedError(value: unknown): value is SerializedError {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const v = value as Record<string, unknown>;
  return typeof v.message === 'string' && typeof v.stack === 'string' && (v.type === undefined || typeof v.type === 'string');
}

const CAUSED_BY = '\ncaused by: ';

/**
 * The type, message and stack of a serialized error, scrubbed by the exceptions rules.
 *
 * @example
 * const out = scrubSerializedError({ type: 'Error', message: 'token ghp_…', stack: 'Error: token ghp_…\n    at …' }, engine);
 * out.message; // 'token [REDACTED]'
 */
export function scrubSerializedError(error: SerializedError, engine: Engine): ScrubbedError {
  const findings: Finding[] = [];
  const rawType = typeof error.type === 'string' && error.type !== '' ? error.type : 'Error';
  const head = engine.scrubError(stackless(rawType, error.message));
  findings.push(...head.findings);
  if (head.blocked !== undefined) return { type: 'Error', message: head.message, stack: undefined, findings };
  const type = typeOf(head.message);
  const message = head.message.startsWith(`${type}: `) ? head.message.slice(type.length + 2) : undefined;
  let stack: string | undefined;
  if (typeof error.stack === 'string' && error.stack !== '') {
    // Each error of the chain has its own header and frames: scrubbed as its own traceback.
    const parts: string[] = [];
    for (const segment of error.stack.split(CAUSED_BY)) {
      const out = engine.scrubError(errorFromStack(segment));
      for (const f of out.findings) findings.push({ ...f, path: 'stack' });
      if (out.stack === undefined || out.blocked !== undefined) break;
      parts.push(out.stack);
    }
    if (parts.length > 0) stack = parts.join(CAUSED_BY);
  }
  return { type, message, stack, findings };
}

/** An Error that carries only a type and a message (its stack is scrubbed apart). */
function stackless(type: string, message: string): Error {
  const error = new Error(message);
  error.name = type;
  error.stack = '';
  return error;
}


/** The type in a scrubbed `Type: message` (or `Type` alone). */
function typeOf(header: string): string {
  const colon = header.indexOf(': ');
  return colon < 0 ? header : header.slice(0, colon);
}
