/**
 * A Sentry event's exceptions (`exception.values`): each type and value under the exceptions rules (the
 * value removed under `message: type-only`), its module scanned like a frame, its stack trace as
 * lib/sentry/frames.ts says, its mechanism's data walked by the parameters rules.
 */
import type { Engine } from '../policy/engine.ts';
import type { Finding } from '../redact/findings.ts';
import { exceptionMessage, exceptionType, frameText } from '../integrations/exception-text.ts';
import { under } from '../integrations/findings.ts';
import { guardStacktrace } from './frames.ts';
import { walkFields } from './walk.ts';

/**
 * `event.exception` as it may leave.
 *
 * @example guardExceptions(engine, { values: [{ type: 'Error', value: 'token ghp_…' }] }).value // { values: [{ type: 'Error', value: 'token [REDACTED]' }] }
 */
export function guardExceptions(engine: Engine, exception: unknown): { value: Record<string, unknown>; findings: Finding[] } {
  if (typeof exception !== 'object' || exception === null) return { value: {}, findings: [] };
  const findings: Finding[] = [];
  const { values, ...rest } = exception as { values?: unknown };
  const out: Record<string, unknown> = walkFields(engine, rest).value;
  if (Array.isArray(values)) {
    out.values = values.map((value, i) => {
      const g = guardException(engine, value);
      findings.push(...under(g.findings, `values[${i}]`));
      return g.value;
    });
  }
  return { value: out, findings };
}

/**
 * One exception: `Type: value` as the flows' exceptions channel sends it, and its stack trace.
 *
 * @example guardException(engine, { type: 'TypeError', value: 'bad input', stacktrace }).value.type // 'TypeError'
 */
export function guardException(engine: Engine, exception: unknown): { value: Record<string, unknown>; findings: Finding[] } {
  if (typeof exception !== 'object' || exception === null) return { value: {}, findings: [] };
  const findings: Finding[] = [];
  const out: Record<string, unknown> = {};
  const rest: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(exception as Record<string, unknown>)) {
    if (key === 'type' && typeof value === 'string') {
      const t = exceptionType(engine, value);
      findings.push(...under(t.findings, 'type'));
      if (t.text !== undefined) out.type = t.text;
    } else if (key === 'value' && typeof value === 'string') {
      const m = exceptionMessage(engine, value);
      findings.push(...under(m.findings, 'value'));
      if (m.text !== undefined) out.value = m.text;
    } else if (key === 'module' && typeof value === 'string') {
      const t = frameText(engine, value);
      findings.push(...under(t.findings, 'module'));
      if (t.text !== undefined) out.module = t.text;
    } else if (key === 'stacktrace') {
      const s = guardStacktrace(engine, value);
      findings.push(...under(s.findings, 'stacktrace'));
      if (s.value !== undefined) out.stacktrace = s.value;
    } else {
      rest[key] = value; // mechanism (its type, handled, data, description), thread_id
    }
  }
  const walked = walkFields(engine, rest);
  findings.push(...walked.findings);
  Object.assign(out, walked.value);
  return { value: out, findings };
}
