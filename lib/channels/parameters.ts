/**
 * The parameters channel: flow parameters (and parameters copied into cached states) as JSON, scrubbed by
 * the policy's parameters rules. A value JSON cannot carry goes out as its type name (`[Function]`).
 */
import type { Engine } from '../policy/engine.ts';
import type { StructuredChannelPolicy } from '../policy/types.ts';
import type { Finding } from '../redact/findings.ts';
import type { ChannelDefinition, ChannelProcessor } from './definition.ts';
import { checkStructured, mergeStructured, structuredProcessor } from './structured.ts';

/**
 * The parameters channel's rules (`channels.parameters`: fields, allowlist, values). Names and tags are
 * scanned by its value rules too (lib/channels/names.ts).
 *
 * @example compilePolicy(loaded).scrubValue({ token: 'ghp_…' }, 'parameters').value // { token: '[REDACTED]' }
 */
export const PARAMETERS_CHANNEL: ChannelDefinition<StructuredChannelPolicy, ChannelProcessor> = {
  name: 'parameters',
  merge: mergeStructured,
  check: checkStructured,
  compile: (section, ctx) => structuredProcessor(ctx.walk(section, ctx.valueRules(section?.values))),
};

/**
 * A flow's parameters as they leave: always an object (a non-object is wrapped as `{ value }`).
 *
 * @example guardParameters(engine, { day: '2026-11-23' }).value // { day: '2026-11-23' }
 */
export function guardParameters(engine: Engine, parameters: unknown): { value: Record<string, unknown>; findings: Finding[]; blocked: boolean } {
  const r = engine.scrubValue(parameters, 'parameters');
  const value = r.value !== null && typeof r.value === 'object' && !Array.isArray(r.value) ? (r.value as Record<string, unknown>) : { value: r.value };
  return { value, findings: r.findings, blocked: r.blocked !== undefined };
}
