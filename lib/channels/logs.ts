/**
 * The logs channel: which records ship at all (EGRESS_GUARD_SHIP_LOGS=false and the policy's `ship`, the
 * minimum level, `{ ship: false }` on a record, drop rules), and each shipped record scrubbed. Level, time
 * and run ids survive whatever happens to the message, so the control plane still sees that an error was
 * logged.
 */
import type { Engine } from '../policy/engine.ts';
import type { LogLevel } from '../policy/types.ts';
import type { Finding } from '../redact/findings.ts';
import type { RawLogRecord } from '../egress/gate-api.ts';

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
