/**
 * The parameters channel: flow parameters (and parameters copied into cached states) as JSON, scrubbed by
 * the policy's parameters rules. A value JSON cannot carry goes out as its type name (`[Function]`).
 */
import type { Engine } from '../policy/engine.ts';
import type { Finding } from '../redact/findings.ts';

export function guardParameters(engine: Engine, parameters: unknown): { value: Record<string, unknown>; findings: Finding[]; blocked: boolean } {
  const r = engine.scrubValue(parameters, 'parameters');
  const value = r.value !== null && typeof r.value === 'object' && !Array.isArray(r.value) ? (r.value as Record<string, unknown>) : { value: r.value };
  return { value, findings: r.findings, blocked: r.blocked !== undefined };
}
