/**
 * The other callbacks a Sentry client takes: `beforeBreadcrumb`, `beforeSendSpan` and `beforeSendLog`,
 * each applying a policy and failing closed when its own code fails: a breadcrumb or a log is then not
 * kept (the SDK would let an exception out of `addBreadcrumb`), a span goes out as a placeholder (the SDK
 * sends a span unmodified when its callback throws, and does not let the callback drop one).
 */
import { BLOCKED_PLACEHOLDER, type Engine } from '../policy/engine.ts';
import type { Finding } from '../redact/findings.ts';
import { POLICY_ERROR } from '../integrations/findings.ts';
import { doorSetup } from '../integrations/options.ts';
import { guardBreadcrumb } from './breadcrumb.ts';
import { Counts } from './counts.ts';
import type { SentryGuardOptions } from './event-guard.ts';
import { guardLog } from './log.ts';
import { guardSpanJson } from './spans.ts';

/** `beforeBreadcrumb`. */
export interface SentryBreadcrumbGuard {
  <B extends object>(breadcrumb: B, hint?: unknown): B | null;
  readonly engine: Engine;
  /** Breadcrumbs each drop rule removed so far. */
  dropped(): Record<string, number>;
}

/** `beforeSendSpan` (streamed spans; wrapped with `withStaticSpan`, static ones). */
export interface SentrySpanGuard {
  <S extends object>(span: S): S;
  readonly engine: Engine;
  settled(): Promise<void>;
}

/** `beforeSendLog`. */
export interface SentryLogGuard {
  <L extends object>(log: L): L | null;
  readonly engine: Engine;
  /** Logs each drop rule removed so far. */
  dropped(): Record<string, number>;
  settled(): Promise<void>;
}

/**
 * A `beforeBreadcrumb` callback: message and data scrubbed by the logs rules; null (the breadcrumb is not
 * kept) when a drop rule matches its message. Breadcrumbs leave inside events: the event's ledger entry
 * records them.
 *
 * @example Sentry.init({ dsn, beforeBreadcrumb: guardSentryBreadcrumb({ policy: 'builtin:default' }) });
 */
export function guardSentryBreadcrumb(options: SentryGuardOptions = {}): SentryBreadcrumbGuard {
  const { engine } = doorSetup({ ...options, ledger: undefined }, 'sentry');
  const drops = new Counts();
  const guard = <B extends object>(breadcrumb: B): B | null => {
    try {
      const out = guardBreadcrumb(engine, breadcrumb);
      if ('dropped' in out) {
        drops.add(out.dropped);
        return null;
      }
      return out.value as B;
    } catch (err) {
      options.onError?.(err, 'logs');
      return null;
    }
  };
  return Object.assign(guard, { engine, dropped: () => drops.totals() });
}

/**
 * A `beforeSendSpan` callback for the spans @sentry/node 11 streams by default (and, wrapped with
 * `withStaticSpan`, for static spans): name or description and attributes scrubbed. With a ledger,
 * intents only: the SDK reports no delivery of spans.
 *
 * @example Sentry.init({ dsn, tracesSampleRate: 1, beforeSendSpan: guardSentrySpan({ policy: 'builtin:default' }) });
 */
export function guardSentrySpan(options: SentryGuardOptions = {}): SentrySpanGuard {
  const { engine, audit } = doorSetup(options, 'sentry');
  const guard = <S extends object>(span: S): S => {
    let out: { value: Record<string, unknown>; findings: Finding[] };
    try {
      out = guardSpanJson(engine, span);
    } catch (err) {
      options.onError?.(err, 'parameters');
      out = { value: spanPlaceholderOf(span), findings: [POLICY_ERROR] };
    }
    if (audit !== undefined) {
      const traceId = typeof out.value.trace_id === 'string' ? out.value.trace_id : 'sentry';
      const spanId = typeof out.value.span_id === 'string' ? out.value.span_id : undefined;
      audit.intent({ kind: 'span', channel: 'parameters', flowRunId: traceId, ...(spanId !== undefined && { taskRunId: spanId }), findings: out.findings, payload: out.value });
    }
    return out.value as S;
  };
  return Object.assign(guard, { engine, settled: () => audit?.settled() ?? Promise.resolve() });
}

/**
 * A `beforeSendLog` callback (Sentry logs: `Sentry.logger.info(...)`): what the policy's logs channel ships,
 * scrubbed; null when a drop rule matches, below the policy's level, or when the guard's code fails. With
 * a ledger, intents only: the SDK reports no delivery of logs.
 *
 * @example Sentry.init({ dsn, beforeSendLog: guardSentryLog({ policy: 'builtin:default' }) });
 */
export function guardSentryLog(options: SentryGuardOptions & { env?: NodeJS.ProcessEnv } = {}): SentryLogGuard {
  const { engine, audit } = doorSetup(options, 'sentry');
  const drops = new Counts();
  const guard = <L extends object>(log: L): L | null => {
    let out: ReturnType<typeof guardLog>;
    try {
      out = guardLog(engine, log, options.env ?? process.env);
    } catch (err) {
      options.onError?.(err, 'logs');
      return null;
    }
    if ('notShipped' in out) return null;
    if ('dropped' in out) {
      drops.add(out.dropped);
      return null;
    }
    audit?.intent({ kind: 'logs', channel: 'logs', flowRunId: 'sentry', findings: out.findings, payload: out.value });
    return out.value as L;
  };
  return Object.assign(guard, { engine, dropped: () => drops.totals(), settled: () => audit?.settled() ?? Promise.resolve() });
}

/** A span that could not be read: its ids and times, a fixed name, no attributes (fail closed). */
function spanPlaceholderOf(span: object): Record<string, unknown> {
  try {
    const out: Record<string, unknown> = {};
    for (const key of ['span_id', 'trace_id', 'parent_span_id', 'start_timestamp', 'timestamp', 'end_timestamp', 'status', 'is_segment']) {
      const value = (span as Record<string, unknown>)[key];
      if (typeof value !== 'object' && value !== undefined) out[key] = value;
    }
    if ('description' in span) return { ...out, description: BLOCKED_PLACEHOLDER, data: {} };
    return { ...out, name: BLOCKED_PLACEHOLDER, attributes: {} };
  } catch {
    return { name: BLOCKED_PLACEHOLDER, attributes: {} };
  }
}
