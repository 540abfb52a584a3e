/**
 * Attributes in OpenTelemetry's shape, a flat map of dotted keys to values, as spans, span events, links
 * and log records carry them, and Sentry's spans too (`data`, `attributes`). Every value is walked by the
 * channel's rules: value detectors, key-path rules, and the key-name rules that remove a value under a
 * secret-named key (`http.request.header.authorization`, `db.password`). URLs (`url.full`, `http.url`,
 * `url.query`) and statements (`db.statement`, `db.query.text`) are text to that walk, so a token in a
 * query string or an email in a SQL literal is found where it stands and the rest is kept. The
 * `exception.*` attributes that `recordException` writes follow the exceptions rules instead: the
 * message rules (or `type-only`), and the stack's frame limit, relative paths and `ship` setting.
 * Shared by lib/otel and lib/sentry.
 */
import type { Engine } from '../policy/engine.ts';
import type { Finding } from '../redact/findings.ts';
import { exceptionMessage, exceptionType, stackTrace } from './exception-text.ts';
import { segment, under } from './findings.ts';

/**
 * The attributes `recordException` and `emit({ exception })` write (OpenTelemetry's semantic conventions).
 *
 * @example span.events[0].attributes[EXCEPTION_MESSAGE] // the scrubbed message
 */
export const EXCEPTION_TYPE = 'exception.type';
/** @example attributes[EXCEPTION_MESSAGE] // 'auth failed for [REDACTED]' */
export const EXCEPTION_MESSAGE = 'exception.message';
/** @example attributes[EXCEPTION_STACKTRACE] // 'Error: auth failed for [REDACTED]\n    at login (lib/auth.js:10:5)' */
export const EXCEPTION_STACKTRACE = 'exception.stacktrace';

/** Attributes through the policy: a new map, what the policy did, and a drop rule if one matched. */
export interface GuardedAttributes {
  /** A new object: the caller's attributes are read, never written. */
  value: Record<string, unknown>;
  findings: Finding[];
  /** A logs-channel drop rule matched an attribute named `message`: the item must not go out. */
  dropped?: string;
}

/**
 * The attributes as they may leave, under the parameters rules (spans) or the logs rules (log records).
 *
 * @example
 * guardAttributes(engine, { 'url.full': 'https://x.test/?token=abc123def456', 'http.response.status_code': 200 }, 'parameters').value
 * // { 'url.full': 'https://x.test/?token=[REDACTED]', 'http.response.status_code': 200 }
 */
export function guardAttributes(engine: Engine, attributes: object | undefined, channel: 'parameters' | 'logs'): GuardedAttributes {
  if (attributes === undefined || attributes === null) return { value: {}, findings: [] };
  const source = attributes as Record<string, unknown>;
  const rest: Record<string, unknown> = {};
  const exception = new Map<string, string>();
  for (const key of Object.keys(source)) {
    const value = source[key];
    if ((key === EXCEPTION_TYPE || key === EXCEPTION_MESSAGE || key === EXCEPTION_STACKTRACE) && value !== undefined && value !== null) {
      exception.set(key, typeof value === 'string' ? value : String(value));
    } else {
      rest[key] = value;
    }
  }
  const walked = engine.scrubValue(rest, channel);
  if (walked.dropped !== undefined) return { value: {}, findings: [], dropped: walked.dropped };
  // A policy error leaves a placeholder string in place of the whole value: nothing of it goes out.
  const value = typeof walked.value === 'object' && walked.value !== null ? (walked.value as Record<string, unknown>) : {};
  const findings = [...walked.findings];
  if (exception.size > 0) {
    const type = exception.get(EXCEPTION_TYPE);
    const message = exception.get(EXCEPTION_MESSAGE);
    const stack = exception.get(EXCEPTION_STACKTRACE);
    const parts: [string, ReturnType<typeof exceptionType> | undefined][] = [
      [EXCEPTION_TYPE, type === undefined ? undefined : exceptionType(engine, type)],
      [EXCEPTION_MESSAGE, message === undefined ? undefined : exceptionMessage(engine, message)],
      [EXCEPTION_STACKTRACE, stack === undefined ? undefined : stackTrace(engine, type ?? 'Error', message ?? '', stack)],
    ];
    for (const [key, part] of parts) {
      if (part === undefined) continue;
      findings.push(...under(part.findings, segment(key)));
      if (part.text !== undefined && part.text !== '') value[key] = part.text;
    }
  }
  return { value, findings };
}
