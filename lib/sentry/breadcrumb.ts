/**
 * A Sentry breadcrumb: a log line of what happened before an event (a console message, an HTTP request,
 * a navigation). Its message is scanned by the logs rules, and a drop rule that matches it removes the
 * breadcrumb; its data is walked by the logs rules (URLs as text: a token in a query string is removed,
 * the rest of the URL kept).
 */
import type { Engine } from '../policy/engine.ts';
import type { Finding } from '../redact/findings.ts';
import { under } from '../integrations/findings.ts';
import { walkFields } from './walk.ts';

/** Breadcrumb fields that describe it rather than hold content. */
const KEPT = new Set(['type', 'category', 'level', 'timestamp', 'event_id']);

export type GuardedBreadcrumb = { value: Record<string, unknown>; findings: Finding[] } | { dropped: string };

/**
 * The breadcrumb as it may leave, or the drop rule that removes it.
 *
 * @example guardBreadcrumb(engine, { category: 'console', message: 'token ghp_…' }) // { value: { category: 'console', message: 'token [REDACTED]' }, findings }
 */
export function guardBreadcrumb(engine: Engine, breadcrumb: unknown): GuardedBreadcrumb {
  if (typeof breadcrumb !== 'object' || breadcrumb === null) return { value: {}, findings: [] };
  const findings: Finding[] = [];
  const out: Record<string, unknown> = {};
  const rest: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(breadcrumb as Record<string, unknown>)) {
    if (key === 'message' && typeof value === 'string') {
      const m = engine.scrubText(value, 'logs');
      if (m.dropped !== undefined) return { dropped: m.dropped };
      findings.push(...under(m.findings, 'message'));
      out.message = m.text;
    } else if (KEPT.has(key) && (typeof value !== 'object' || value === null)) {
      out[key] = value;
    } else {
      rest[key] = value; // data, and what a newer SDK adds
    }
  }
  const walked = walkFields(engine, rest, 'logs');
  findings.push(...walked.findings);
  Object.assign(out, walked.value);
  return { value: out, findings };
}
