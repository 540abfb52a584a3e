/**
 * One Sentry event (an error, a message, a transaction) through the policy, field by field: the message
 * under the logs rules (a drop rule that matches it drops the event), exceptions and stack traces under
 * the exceptions rules, breadcrumbs as log lines, a transaction's name and spans under the parameters
 * rules, and everything else that carries content (`request`: url, query string, headers, cookies, data;
 * `user`, `extra`, `contexts`, `tags`, `server_name`, `fingerprint`, and fields a newer SDK adds) walked by
 * the parameters rules. The SDK's own metadata is kept. The result is a new event: the caller's objects
 * are read, never written.
 */
import type { Engine } from '../policy/engine.ts';
import type { Finding } from '../redact/findings.ts';
import { under } from '../integrations/findings.ts';
import { guardBreadcrumb } from './breadcrumb.ts';
import { guardExceptions } from './exceptions.ts';
import { guardStacktrace } from './frames.ts';
import { guardSpanJson } from './spans.ts';
import { walkFields } from './walk.ts';

/**
 * What the SDK writes about itself and the event's delivery: no content (`sdkProcessingMetadata` never leaves).
 *
 * @example METADATA.has('release') // true: kept as it is
 */
export const METADATA = new Set([
  'event_id', 'timestamp', 'start_timestamp', 'level', 'platform', 'logger', 'release', 'dist', 'environment', 'sdk',
  'type', 'modules', 'debug_meta', 'measurements', 'transaction_info', 'sdkProcessingMetadata', 'received',
]);

/** An event through the policy: the new event and what the policy did; or the drop rule that matched its message. */
export type GuardedEvent = { event: Record<string, unknown>; findings: Finding[] } | { dropped: string };

/**
 * The event as it may leave, or the drop rule that matched its message.
 *
 * @example guardEvent(engine, { message: 'charged 4111 1111 1111 1111', extra: { token: 'x' } }) // { event: { message: 'charged ***************1111', extra: {} }, findings }
 */
export function guardEvent(engine: Engine, event: object): GuardedEvent {
  const findings: Finding[] = [];
  const out: Record<string, unknown> = {};
  const rest: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(event as Record<string, unknown>)) {
    if (key === 'sdkProcessingMetadata') {
      out[key] = processingMetadata(engine, value);
    } else if (METADATA.has(key)) {
      out[key] = value;
    } else if (key === 'message' && typeof value === 'string') {
      const m = engine.scrubText(value, 'logs');
      if (m.dropped !== undefined) return { dropped: m.dropped };
      findings.push(...under(m.findings, 'message'));
      out.message = m.text;
    } else if (key === 'logentry' && typeof value === 'object' && value !== null) {
      const l = guardLogentry(engine, value as Record<string, unknown>);
      if ('dropped' in l) return l;
      findings.push(...under(l.findings, 'logentry'));
      out.logentry = l.value;
    } else if (key === 'exception') {
      const e = guardExceptions(engine, value);
      findings.push(...under(e.findings, 'exception'));
      out.exception = e.value;
    } else if (key === 'threads' && typeof value === 'object' && value !== null) {
      const t = guardThreads(engine, value as Record<string, unknown>);
      findings.push(...under(t.findings, 'threads'));
      out.threads = t.value;
    } else if (key === 'stacktrace') {
      const s = guardStacktrace(engine, value);
      findings.push(...under(s.findings, 'stacktrace'));
      if (s.value !== undefined) out.stacktrace = s.value;
    } else if (key === 'breadcrumbs' && Array.isArray(value)) {
      out.breadcrumbs = value.flatMap((crumb: unknown, i) => {
        const b = guardBreadcrumb(engine, crumb);
        if ('dropped' in b) return [];
        findings.push(...under(b.findings, `breadcrumbs[${i}]`));
        return [b.value];
      });
    } else if (key === 'spans' && Array.isArray(value)) {
      out.spans = value.map((span: unknown, i) => {
        const s = guardSpanJson(engine, span);
        findings.push(...under(s.findings, `spans[${i}]`));
        return s.value;
      });
    } else if (key === 'transaction' && typeof value === 'string') {
      const t = engine.scrubText(value, 'parameters');
      findings.push(...under(t.findings, 'transaction'));
      out.transaction = t.text;
    } else {
      rest[key] = value;
    }
  }
  const walked = walkFields(engine, rest);
  findings.push(...walked.findings);
  Object.assign(out, walked.value);
  return { event: out, findings };
}

/**
 * The SDK's processing metadata never leaves, but the dynamic sampling context in it becomes the
 * envelope's `trace` header, with the root span's name: that name is scrubbed like a transaction's.
 */
function processingMetadata(engine: Engine, value: unknown): unknown {
  const dsc = (value as { dynamicSamplingContext?: { transaction?: unknown } } | undefined)?.dynamicSamplingContext;
  if (typeof dsc?.transaction !== 'string') return value;
  const transaction = engine.scrubText(dsc.transaction, 'parameters').text;
  return { ...(value as object), dynamicSamplingContext: { ...dsc, transaction } };
}

/** `logentry`: a message template and its parameters (and the SDK's formatted text). */
function guardLogentry(engine: Engine, logentry: Record<string, unknown>): { value: Record<string, unknown>; findings: Finding[] } | { dropped: string } {
  const findings: Finding[] = [];
  const out: Record<string, unknown> = {};
  const rest: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(logentry)) {
    if ((key === 'message' || key === 'formatted') && typeof value === 'string') {
      const m = engine.scrubText(value, 'logs');
      if (m.dropped !== undefined) return { dropped: m.dropped };
      findings.push(...under(m.findings, key));
      out[key] = m.text;
    } else {
      rest[key] = value; // params
    }
  }
  const walked = walkFields(engine, rest, 'logs');
  findings.push(...walked.findings);
  Object.assign(out, walked.value);
  return { value: out, findings };
}

/** `threads.values`: each thread's stack trace as an exception's; its name and the rest walked. */
function guardThreads(engine: Engine, threads: Record<string, unknown>): { value: Record<string, unknown>; findings: Finding[] } {
  const findings: Finding[] = [];
  const { values, ...rest } = threads;
  const out = walkFields(engine, rest).value;
  if (Array.isArray(values)) {
    out.values = values.map((thread: unknown, i) => {
      if (typeof thread !== 'object' || thread === null) return thread;
      const { stacktrace, ...fields } = thread as Record<string, unknown>;
      const walked = walkFields(engine, fields);
      findings.push(...under(walked.findings, `values[${i}]`));
      const s = guardStacktrace(engine, stacktrace);
      findings.push(...under(s.findings, `values[${i}].stacktrace`));
      return { ...walked.value, ...(s.value !== undefined && { stacktrace: s.value }) };
    });
  }
  return { value: out, findings };
}
