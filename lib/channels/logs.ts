/**
 * The logs channel: which records ship at all (EGRESS_GUARD_SHIP_LOGS=false and the policy's `ship`, the
 * minimum level, `{ ship: false }` on a record, drop rules), and each shipped record scrubbed. Level, time
 * and run ids survive whatever happens to the message, so the control plane still sees that an error was
 * logged.
 */
import type { Engine } from '../policy/engine.ts';
import type { LogLevel, LogsChannelPolicy } from '../policy/types.ts';
import type { Finding, FindingSink } from '../redact/findings.ts';
import type { RawLogRecord } from '../egress/gate-api.ts';
import type { ChannelDefinition, ChannelProcessor } from './definition.ts';
import { safeGet } from './exceptions.ts';
import { checkStructured, mergeStructured, structuredProcessor } from './structured.ts';

/** The logs channel compiled: its scrubbing (drop rules first), and whether and from which level logs ship. */
export interface LogsProcessor extends ChannelProcessor {
  readonly ship: boolean;
  readonly level: LogLevel | undefined;
}

/**
 * The logs channel's rules (`channels.logs`): the structured rules, plus `ship`, `level` and `drop`
 * (regexes: a record whose message matches one is not shipped; a child's drop rules add to its parent's).
 *
 * @example compilePolicy(loaded).scrubText('GET /health 200', 'logs') // { text: '', dropped: '^GET /health' } under drop: ['^GET /health']
 */
export const LOGS_CHANNEL: ChannelDefinition<LogsChannelPolicy, LogsProcessor> = {
  name: 'logs',
  merge(parent, child) {
    const merged = mergeStructured(parent, child);
    if (parent.drop || child.drop) merged.drop = [...new Set([...(parent.drop ?? []), ...(child.drop ?? [])])];
    return merged;
  },
  check: checkStructured,
  regexes: (own) => (own.drop ?? []).map((pattern, i) => ({ path: ['drop', i], pattern })),
  compile(section, ctx) {
    const scrub = structuredProcessor(ctx.walk(section, ctx.valueRules(section?.values)));
    const drops = (section?.drop ?? []).map((source) => ({ source, regex: new RegExp(source) }));
    const dropRuleFor = (text: string): string | undefined => drops.find((r) => r.regex.test(text))?.source;
    return {
      ship: section?.ship ?? true,
      level: section?.level,
      valueRules: scrub.valueRules,
      scrubText(text: string, sink: FindingSink) {
        const dropped = dropRuleFor(text);
        return dropped !== undefined ? { dropped } : scrub.scrubText(text, sink);
      },
      scrubValue(value: unknown, sink: FindingSink) {
        if (drops.length > 0) {
          const message = typeof value === 'string' ? value : messageOf(value);
          const dropped = message === undefined ? undefined : dropRuleFor(message);
          if (dropped !== undefined) return { dropped };
        }
        return scrub.scrubValue(value, sink);
      },
    };
  },
};

/** A record's `message`, read safely (a getter can throw). */
function messageOf(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const m = safeGet(() => (value as { message?: unknown }).message);
  return typeof m === 'string' ? m : undefined;
}

/** winston's npm levels: lower is more severe. */
const SEVERITY: Record<string, number> = { error: 0, warn: 1, info: 2, http: 3, verbose: 4, debug: 5, silly: 6 };

export interface ShippedLogRecord {
  level: string;
  time: string;
  flow_run_id: string;
  task_run_id?: string;
  message: string;
  [field: string]: unknown;
}

export interface GuardedLogs {
  records: ShippedLogRecord[];
  findings: Finding[];
  /** Records removed by each drop rule (the rule's regex), for the run's metadata. */
  dropped: Record<string, number>;
  blocked: boolean;
}

export function logsShipped(engine: Engine, env: NodeJS.ProcessEnv): boolean {
  return env.EGRESS_GUARD_SHIP_LOGS?.toLowerCase() !== 'false' && engine.logs.ship;
}

export function levelShipped(level: string, minimum: LogLevel | undefined): boolean {
  if (minimum === undefined) return true;
  // Levels outside npm's (syslog's `notice`, an app's own) are not filtered: their content is still scrubbed.
  const severity = SEVERITY[level];
  return severity === undefined || severity <= SEVERITY[minimum]!;
}

export function guardLogRecords(engine: Engine, records: readonly RawLogRecord[]): GuardedLogs {
  const out: GuardedLogs = { records: [], findings: [], dropped: {}, blocked: false };
  for (const [i, record] of records.entries()) {
    if (!levelShipped(record.level, engine.logs.level)) continue;
    if (record.meta?.ship === false) continue;
    const { ship: _ship, ...meta } = record.meta ?? {};
    const r = engine.scrubValue({ ...meta, message: record.message }, 'logs');
    if (r.dropped !== undefined) {
      out.dropped[r.dropped] = (out.dropped[r.dropped] ?? 0) + 1;
      continue;
    }
    out.blocked ||= r.blocked !== undefined;
    const scrubbed = (r.value !== null && typeof r.value === 'object' ? r.value : { message: r.value }) as Record<string, unknown>;
    const shipped: ShippedLogRecord = {
      ...scrubbed,
      message: typeof scrubbed.message === 'string' ? scrubbed.message : '',
      level: record.level,
      time: record.time,
      flow_run_id: record.flowRunId,
      ...(record.taskRunId !== undefined && { task_run_id: record.taskRunId }),
    };
    out.records.push(shipped);
    for (const f of r.findings) out.findings.push({ ...f, path: `records[${i}].${f.path}` });
  }
  return out;
}
