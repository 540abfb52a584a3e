/**
 * Sentry spans, in both of the SDK's shapes: the spans of a transaction event and what `beforeSendSpan`
 * gets under `traceLifecycle: 'static'` (SpanJSON: `description`, `op`, `data`), and streamed spans, the
 * default of @sentry/node 11 (StreamedSpanJSON: `name`, `attributes`, `links`). The name or description
 * is scanned by the parameters rules; the attributes follow the OpenTelemetry door's rules
 * (lib/otel/attributes.ts: URLs and statements as text, secret-named keys, `exception.*`). Ids, times,
 * status and origin are kept.
 */
import type { Engine } from '../policy/engine.ts';
import type { Finding } from '../redact/findings.ts';
import { guardAttributes } from '../integrations/attributes.ts';
import { under } from '../integrations/findings.ts';
import { walkFields } from './walk.ts';

/** Span fields that identify, time or classify it: no content. */
const KEPT = new Set([
  'span_id', 'trace_id', 'parent_span_id', 'segment_id', 'start_timestamp', 'timestamp', 'end_timestamp', 'status',
  'origin', 'is_segment', 'exclusive_time', 'measurements', 'profile_id', 'kind',
]);
const TEXT = new Set(['name', 'description', 'op']);
const ATTRIBUTES = new Set(['data', 'attributes']);

/**
 * One span, in either shape, as it may leave.
 *
 * @example guardSpanJson(engine, { name: 'GET /?token=ghp_…', attributes: {} }).value.name // 'GET /?token=[REDACTED]'
 */
export function guardSpanJson(engine: Engine, span: unknown): { value: Record<string, unknown>; findings: Finding[] } {
  if (typeof span !== 'object' || span === null) return { value: {}, findings: [] };
  const findings: Finding[] = [];
  const out: Record<string, unknown> = {};
  const rest: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(span as Record<string, unknown>)) {
    if (KEPT.has(key) && (typeof value !== 'object' || value === null || key === 'measurements')) {
      out[key] = value;
    } else if (TEXT.has(key) && typeof value === 'string') {
      const t = engine.scrubText(value, 'parameters');
      findings.push(...under(t.findings, key));
      out[key] = t.text;
    } else if (ATTRIBUTES.has(key) && typeof value === 'object' && value !== null) {
      const a = attributesOf(engine, value);
      findings.push(...under(a.findings, key));
      out[key] = a.value;
    } else if (key === 'links' && Array.isArray(value)) {
      out.links = value.map((link: unknown, i) => {
        if (typeof link !== 'object' || link === null) return link;
        const { attributes, ...ids } = link as { attributes?: unknown };
        if (typeof attributes !== 'object' || attributes === null) return { ...ids };
        const a = attributesOf(engine, attributes);
        findings.push(...under(a.findings, `links[${i}].attributes`));
        return { ...ids, attributes: a.value };
      });
    } else {
      rest[key] = value; // tags, and what a newer SDK adds
    }
  }
  const walked = walkFields(engine, rest);
  findings.push(...walked.findings);
  Object.assign(out, walked.value);
  return { value: out, findings };
}

/**
 * Attributes, some of them typed objects (`{ value, unit }`, `{ value, type }`): an object whose value the
 * policy removed goes entirely, so that no attribute without a value reaches the SDK's serializer.
 */
function attributesOf(engine: Engine, attributes: object): { value: Record<string, unknown>; findings: Finding[] } {
  const a = guardAttributes(engine, attributes, 'parameters');
  for (const [key, value] of Object.entries(a.value)) {
    const original = (attributes as Record<string, unknown>)[key];
    const typed = typeof original === 'object' && original !== null && !Array.isArray(original) && 'value' in original;
    if (typed && (typeof value !== 'object' || value === null || !('value' in value))) delete a.value[key];
  }
  return a;
}
