/**
 * The egress gate: every item bound for the control plane passes here, in order. Each raw item from the
 * core is scrubbed channel by channel, recorded for the audit (intent before sending, ack after delivery),
 * and handed to the sink (the control-plane client) as a GuardedItem. If the policy fails on an item, a
 * fixed placeholder goes out instead and the audit hears `blocked: policy-error` (fail closed).
 */
import { randomUUID } from 'node:crypto';
import { guardError } from '../channels/exceptions.ts';
import { guardLocation } from '../channels/locations.ts';
import { guardLogRecords, logsShipped } from '../channels/logs.ts';
import { guardName, guardNames } from '../channels/names.ts';
import { guardParameters } from '../channels/parameters.ts';
import { canonicalJson, sha256Hex } from '../crypto/canonical.ts';
import type { Engine } from '../policy/engine.ts';
import type { PolicyIdentity } from '../policy/types.ts';
import type { Finding } from '../redact/findings.ts';
import type { Gate, RawOutbound, RawState } from './gate-api.ts';
import type { GuardedItem, OutboundItem } from './types.ts';

/**
 * The payload of an item the policy failed on (fail closed): the raw item never goes out. A state item
 * keeps its state name.
 *
 * @example
 * sent.payload; // { ...BLOCKED_PAYLOAD } = { blocked: 'policy-error' }, or { state: 'Failed', blocked: 'policy-error' }
 */
export const BLOCKED_PAYLOAD = Object.freeze({ blocked: 'policy-error' });

/**
 * What the integrations with existing apps record besides the flows' kinds: OpenTelemetry spans, Sentry
 * events and transactions (their log records and pino's or winston's are `logs`).
 */
export type IntegrationKind = 'span' | 'event' | 'transaction';

/** What the audit learns about one item: never a raw value. */
export interface AuditRecord {
  itemId: string;
  kind: OutboundItem['kind'] | IntegrationKind;
  channel: OutboundItem['channel'];
  flowRunId: string;
  taskRunId?: string;
  time: string;
  policy: PolicyIdentity;
  findings: Finding[];
  /** Where the item is going (the control plane's URL), when the gate was told. */
  destination?: string;
  /** SHA-256 of the canonical JSON of the payload sent, and its size in bytes. */
  payloadSha256: string;
  bytes: number;
  payload: Record<string, unknown>;
  blocked?: 'policy-error';
}

/** The audit interface the ledger implements. */
export interface AuditHook {
  intent(record: AuditRecord): void | Promise<void>;
  ack(itemId: string): void | Promise<void>;
}

/** Where guarded items go: the control-plane client. */
export interface GateSink {
  send(item: GuardedItem): void;
}

/** What an EgressGate needs: the engine, where guarded items go, and optionally the audit. */
export interface GateOptions {
  engine: Engine;
  sink: GateSink;
  /** Records each item before it is sent (write-ahead), e.g. a Ledger. */
  audit?: AuditHook;
  /** Read for EGRESS_GUARD_SHIP_LOGS (default: process.env). */
  env?: NodeJS.ProcessEnv;
  /** Told about policy failures (the item already went out as a placeholder): e.g. print a local warning. */
  onPolicyError?: (error: unknown, item: RawOutbound['kind']) => void;
  /** The clock that stamps items (default: the system clock). */
  now?: () => Date;
  /** Recorded in each audit record: where the items go (e.g. the control plane's URL). */
  destination?: string;
  /**
   * Told when the audit could not record an item (a full disk): the item is withheld, never sent
   * unrecorded, and goes out, in order, once the audit records again (see `withheld`).
   */
  onAuditError?: (error: unknown) => void;
}

/**
 * The egress gate: every raw item the core reports is scrubbed per channel, recorded in the audit before
 * it is sent, and handed to the sink as a GuardedItem, in the order submitted. `submit` never throws nor
 * waits; an item the policy fails on goes out as BLOCKED_PAYLOAD.
 *
 * @example
 * const gate = new EgressGate({ engine: await createEngine('builtin:default'), sink: client, audit: ledger });
 * gate.submit({ kind: 'flow_run', flowRunId: 'run-1', flowName: 'nightly-etl', parameters: { day: '2026-11-23' } });
 * await gate.drain();
 */
export class EgressGate implements Gate {
  private tail: Promise<void> = Promise.resolve();
  /** Guarded items whose audit intent could not be written yet, oldest first. */
  private readonly held: { item: GuardedItem; record: AuditRecord }[] = [];
  private readonly env: NodeJS.ProcessEnv;
  private readonly now: () => Date;

  constructor(private readonly options: GateOptions) {
    this.env = options.env ?? process.env;
    this.now = options.now ?? (() => new Date());
  }

  submit(raw: RawOutbound): void {
    // One chain: items leave in the order the core reported them, even when one waits for encryption.
    this.tail = this.tail.then(() => this.process(raw));
  }

  /** Waits for every submitted item; withheld items get one more try to be recorded and sent. */
  drain(): Promise<void> {
    this.tail = this.tail.then(() => this.release());
    return this.tail;
  }

  /** Items not sent because the audit could not record them. */
  get withheld(): number {
    return this.held.length;
  }

  decryptLocation(token: string): Promise<string> {
    return this.options.engine.decryptLocation(token);
  }

  private async process(raw: RawOutbound): Promise<void> {
    let held: { item: GuardedItem; record: AuditRecord }[];
    try {
      const { items, findings, blocked } = await this.guard(raw);
      // Inside the boundary too: a payload that cannot be serialized must not kill the gate.
      held = items.map((item, i) => ({ item: item as GuardedItem, record: this.auditRecord(item, findings[i] ?? [], blocked) }));
    } catch (err) {
      this.options.onPolicyError?.(err, raw.kind);
      // State names are metadata the policy allows: the control plane still learns what happened.
      const item = this.item(raw, 'metadata', raw.kind === 'state' ? { state: raw.state, ...BLOCKED_PAYLOAD } : { ...BLOCKED_PAYLOAD });
      held = [{ item: item as GuardedItem, record: this.auditRecord(item, [{ detector: 'policy-error', path: '$', action: 'block', count: 1 }], true) }];
    }
    this.held.push(...held);
    await this.release();
  }

  /** Records and sends held items in order; stops at the first the audit cannot record (write-ahead). */
  private async release(): Promise<void> {
    while (this.held.length > 0) {
      const { item, record } = this.held[0]!;
      try {
        await this.options.audit?.intent(record);
      } catch (err) {
        this.options.onAuditError?.(err);
        return;
      }
      this.held.shift();
      this.options.sink.send(item);
    }
  }

  private async guard(raw: RawOutbound): Promise<{ items: OutboundItem[]; findings: Finding[][]; blocked: boolean }> {
    const { engine } = this.options;
    switch (raw.kind) {
      case 'flow_run': {
        const name = guardName(engine, raw.flowName, 'flow_name');
        const p = guardParameters(engine, raw.parameters);
        const restart = raw.restartOf === undefined ? undefined : guardName(engine, raw.restartOf, 'restart_of');
        const payload = { flow_name: name.value, parameters: p.value, ...(restart !== undefined && { restart_of: restart.value }) };
        return {
          items: [this.item(raw, 'parameters', payload)],
          findings: [[...name.findings, ...prefix(p.findings, 'parameters'), ...(restart?.findings ?? [])]],
          blocked: name.blocked || p.blocked || restart?.blocked === true,
        };
      }
      case 'task_run': {
        const name = guardName(engine, raw.taskName, 'task_name');
        const tags = guardNames(engine, raw.tags, 'tags');
        const upstream = guardNames(engine, raw.upstream, 'upstream');
        return {
          items: [
            this.item(raw, 'metadata', {
              task_name: name.value,
              tags: tags.value,
              upstream: upstream.value,
              ...(raw.callIndex !== undefined && { call_index: raw.callIndex }),
            }),
          ],
          findings: [[...name.findings, ...tags.findings, ...upstream.findings]],
          blocked: name.blocked || tags.blocked || upstream.blocked,
        };
      }
      case 'state':
        return this.guardState(raw);
      case 'logs': {
        if (!logsShipped(engine, this.env)) return { items: [], findings: [], blocked: false };
        const g = guardLogRecords(engine, raw.records);
        if (g.records.length === 0 && Object.keys(g.dropped).length === 0) return { items: [], findings: [], blocked: false };
        const payload = { records: g.records, ...(Object.keys(g.dropped).length > 0 && { dropped: g.dropped }) };
        return { items: [this.item(raw, 'logs', payload)], findings: [g.findings], blocked: g.blocked };
      }
    }
  }

  private async guardState(raw: RawState): Promise<{ items: OutboundItem[]; findings: Finding[][]; blocked: boolean }> {
    const { engine } = this.options;
    const payload: Record<string, unknown> = { state: raw.state };
    const findings: Finding[] = [];
    let channel: OutboundItem['channel'] = 'metadata';
    let blocked = false;
    if (raw.attempt !== undefined) payload.attempt = raw.attempt;
    if (raw.cachedParameters !== undefined) {
      const p = guardParameters(engine, raw.cachedParameters);
      payload.cached_parameters = p.value;
      findings.push(...prefix(p.findings, 'cached_parameters'));
      blocked ||= p.blocked;
      channel = 'parameters';
    }
    if (raw.inlineResult === true && raw.resultLocation !== undefined) {
      // An inline result is a value, not a place: the parameters rules decide what of it leaves.
      const p = guardParameters(engine, { value: parseJson(raw.resultLocation) });
      payload.result_location = JSON.stringify(p.value.value ?? null);
      findings.push(...prefix(p.findings, 'result_location'));
      blocked ||= p.blocked;
      channel = 'parameters';
    }
    const locations = [['result_location', raw.inlineResult === true ? undefined : raw.resultLocation], ['cache_key', raw.cacheKey]] as const;
    for (const [field, location] of locations) {
      if (location === undefined) continue;
      const l = await guardLocation(engine, location);
      payload[field] = l.text;
      findings.push(...prefix(l.findings, field));
      channel = 'locations';
    }
    const items: OutboundItem[] = [];
    const itemFindings: Finding[][] = [];
    if (raw.error !== undefined) {
      const e = guardError(engine, raw.error);
      payload.message = e.message;
      findings.push(...prefix(e.findings, 'message'));
      blocked ||= e.blocked !== undefined;
      channel = 'exceptions';
      // The traceback travels with the logs, so it obeys the logs channel's shipping rules too.
      if (e.stack !== undefined && logsShipped(engine, this.env)) {
        const record = { level: 'error', time: this.now().toISOString(), flow_run_id: raw.flowRunId, message: e.message, stack: e.stack };
        if (raw.taskRunId !== undefined) Object.assign(record, { task_run_id: raw.taskRunId });
        items.push(this.item({ kind: 'logs', flowRunId: raw.flowRunId, taskRunId: raw.taskRunId }, 'exceptions', { records: [record] }));
        itemFindings.push(prefix(e.findings, 'records[0]'));
      }
    }
    return { items: [this.item(raw, channel, payload), ...items], findings: [findings, ...itemFindings], blocked };
  }

  private item(
    raw: { kind: OutboundItem['kind']; flowRunId: string; taskRunId?: string | undefined },
    channel: OutboundItem['channel'],
    payload: Record<string, unknown>,
  ): OutboundItem {
    return {
      id: randomUUID(),
      kind: raw.kind,
      channel,
      flowRunId: raw.flowRunId,
      ...(raw.taskRunId !== undefined && { taskRunId: raw.taskRunId }),
      time: this.now().toISOString(),
      payload,
    };
  }

  private auditRecord(item: OutboundItem, findings: Finding[], blocked: boolean): AuditRecord {
    return auditRecordOf(item, findings, this.options.engine.identity, this.options.destination, blocked);
  }
}

/**
 * What the audit records about an item as it goes out (the gate's records, and a record of an item cut to
 * fit the control plane's size limit later).
 *
 * @example auditRecordOf(item, [], engine.identity, 'https://cp.example').payloadSha256 // SHA-256 of the canonical payload
 */
export function auditRecordOf(item: OutboundItem, findings: Finding[], policy: PolicyIdentity, destination?: string, blocked = false): AuditRecord {
  const json = canonicalJson(item.payload);
  return {
    itemId: item.id,
    kind: item.kind,
    channel: item.channel,
    flowRunId: item.flowRunId,
    ...(item.taskRunId !== undefined && { taskRunId: item.taskRunId }),
    time: item.time,
    policy,
    ...(destination !== undefined && { destination }),
    findings,
    payloadSha256: sha256Hex(json),
    bytes: Buffer.byteLength(json),
    payload: item.payload,
    ...(blocked && { blocked: 'policy-error' as const }),
  };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

function prefix(findings: Finding[], path: string): Finding[] {
  return findings.map((f) => ({ ...f, path: f.path === '$' ? path : `${path}.${f.path}` }));
}
