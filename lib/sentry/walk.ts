/**
 * The parts of a Sentry payload that have no rules of their own (`request`, `user`, `extra`, `contexts`,
 * `tags`, a frame's `vars`, a span's `tags`, whatever a newer SDK adds): walked by the parameters rules,
 * so that key paths (`request.headers.authorization`), secret-named keys and every value detector apply.
 */
import type { Engine } from '../policy/engine.ts';
import type { Finding } from '../redact/findings.ts';

export interface Walked {
  value: Record<string, unknown>;
  findings: Finding[];
}

/**
 * The fields, scrubbed by a channel's structured rules; a policy error leaves none of them (fail closed).
 *
 * @example walkFields(engine, { user: { email: 'alice.smith@example.com', id: '42' } }, 'parameters').value // { user: { email: '*******************.com', id: '42' } }
 */
export function walkFields(engine: Engine, fields: Record<string, unknown>, channel: 'parameters' | 'logs' = 'parameters'): Walked {
  if (Object.keys(fields).length === 0) return { value: {}, findings: [] };
  const r = engine.scrubValue(fields, channel);
  if (r.dropped === undefined) return { value: typeof r.value === 'object' && r.value !== null ? (r.value as Record<string, unknown>) : {}, findings: r.findings };
  // A logs-channel drop rule matched a field named `message`: it drops records, not fields of one. Walked
  // one level down, the field is scrubbed like any other (key paths then start one level down too).
  const wrapped = engine.scrubValue({ fields }, channel);
  const value = (wrapped.value as { fields?: unknown } | null)?.fields;
  return { value: typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {}, findings: wrapped.findings.map((f) => ({ ...f, path: f.path.replace(/^fields\.?/, '') || '$' })) };
}
