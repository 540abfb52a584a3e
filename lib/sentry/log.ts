/**
 * A Sentry log (`Sentry.logger.info(...)`; `enableLogs: true` in SDKs before 11): what the policy's logs
 * channel ships (its `ship`, its minimum `level`), its message scanned by the logs rules (a drop rule that
 * matches removes it), its attributes walked by them (the template's parameters,
 * `sentry.message.parameter.N`, included).
 */
import { levelShipped, logsShipped } from '../channels/logs.ts';
import type { Engine } from '../policy/engine.ts';
import type { Finding } from '../redact/findings.ts';
import { guardAttributes } from '../integrations/attributes.ts';
import { under } from '../integrations/findings.ts';
import { npmLevel } from '../integrations/severity.ts';

export type GuardedLog = { value: Record<string, unknown>; findings: Finding[] } | { dropped: string } | { notShipped: true };

/**
 * The log as it may leave, the drop rule that removes it, or that the policy does not ship it.
 *
 * @example guardLog(engine, { level: 'info', message: 'paid with 4111 1111 1111 1111' }, process.env) // { value: { level: 'info', message: 'paid with ***************1111' }, findings }
 */
export function guardLog(engine: Engine, log: unknown, env: NodeJS.ProcessEnv): GuardedLog {
  if (typeof log !== 'object' || log === null) return { value: {}, findings: [] };
  const source = log as { level?: unknown; message?: unknown; attributes?: unknown; severityNumber?: unknown };
  const severity = typeof source.severityNumber === 'number' ? source.severityNumber : undefined;
  if (!logsShipped(engine, env) || !levelShipped(npmLevel(severity, typeof source.level === 'string' ? source.level : undefined), engine.logs.level)) return { notShipped: true };
  const findings: Finding[] = [];
  const out: Record<string, unknown> = { ...source };
  if (source.message !== undefined) {
    // A template string (`logger.fmt`) is a String object with its parameters attached: its text is what goes out.
    const m = engine.scrubText(String(source.message), 'logs');
    if (m.dropped !== undefined) return { dropped: m.dropped };
    findings.push(...under(m.findings, 'message'));
    out.message = m.text;
  }
  if (typeof source.attributes === 'object' && source.attributes !== null) {
    const a = guardAttributes(engine, source.attributes, 'logs');
    if (a.dropped !== undefined) return { dropped: a.dropped };
    findings.push(...under(a.findings, 'attributes'));
    out.attributes = a.value;
  }
  return { value: out, findings };
}
