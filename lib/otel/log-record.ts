/**
 * One OpenTelemetry log record through the policy's logs rules: its body (a string, scanned as a log line;
 * or structured, walked like winston's fields), its attributes (the `exception.*` ones that `emit({
 * exception })` writes under the exceptions rules) and its event name. Drop rules match the body (a
 * structured body's `message`). Other processors may hold the same record, so it is never written: the
 * result is a new object whose prototype is the original record, with its own copies of every field of
 * ReadWriteLogRecord; its setters work on the copy.
 */
import type { LogRecordProcessor } from '@opentelemetry/sdk-logs';
import { BLOCKED_PLACEHOLDER, type Engine } from '../policy/engine.ts';
import type { Finding } from '../redact/findings.ts';
import { guardAttributes } from '../integrations/attributes.ts';
import { POLICY_ERROR, under } from '../integrations/findings.ts';

/**
 * The record a LogRecordProcessor gets (`ReadWriteLogRecord` in sdk-logs 0.22x, `SdkLogRecord` before):
 * named after the processor's own signature, so that egress-guard's types follow the installed SDK.
 *
 * @example const view: ReadWriteLogRecord = guardLogRecord(engine, record).record;
 */
export type ReadWriteLogRecord = Parameters<LogRecordProcessor['onEmit']>[0];

/** A log record through the policy: the view, what the policy did and the ledger's payload; or the drop rule that removed it. */
export type GuardedLogRecord =
  | { record: ReadWriteLogRecord; findings: Finding[]; payload: Record<string, unknown> }
  /** A drop rule matched: nothing of the record's content goes anywhere. */
  | { dropped: string };

interface Scrubbed {
  body: unknown;
  attributes: Record<string, unknown>;
  eventName: string | undefined;
}

/**
 * The record as it may leave, or the drop rule that removes it. If the policy or this code fails on it,
 * the view carries a placeholder body and no attributes (fail closed).
 *
 * @example guardLogRecord(engine, record) // { record, findings, payload } or { dropped: '^GET /health' }
 */
export function guardLogRecord(engine: Engine, record: ReadWriteLogRecord, onError?: (error: unknown) => void): GuardedLogRecord {
  const findings: Finding[] = [];
  let scrubbed: Scrubbed | { dropped: string };
  try {
    scrubbed = scrub(engine, record, findings);
  } catch (err) {
    onError?.(err);
    findings.length = 0;
    findings.push(POLICY_ERROR);
    scrubbed = { body: BLOCKED_PLACEHOLDER, attributes: {}, eventName: undefined };
  }
  if ('dropped' in scrubbed) return scrubbed;
  const view = viewOf(record, scrubbed);
  return { record: view, findings, payload: payloadOf(view) };
}

function scrub(engine: Engine, record: ReadWriteLogRecord, findings: Finding[]): Scrubbed | { dropped: string } {
  let body: unknown = record.body;
  if (typeof body === 'string') {
    const r = engine.scrubText(body, 'logs');
    if (r.dropped !== undefined) return { dropped: r.dropped };
    findings.push(...under(r.findings, 'body'));
    body = r.text;
  } else if (body !== undefined && body !== null) {
    const r = engine.scrubValue(body, 'logs');
    if (r.dropped !== undefined) return { dropped: r.dropped };
    findings.push(...under(r.findings, 'body'));
    body = r.value;
  }
  const attributes = guardAttributes(engine, record.attributes, 'logs');
  if (attributes.dropped !== undefined) return { dropped: attributes.dropped };
  findings.push(...under(attributes.findings, 'attributes'));
  let eventName = record.eventName;
  if (typeof eventName === 'string') {
    const r = engine.scrubText(eventName, 'parameters');
    findings.push(...under(r.findings, 'eventName'));
    eventName = r.text;
  }
  return { body, attributes: attributes.value, eventName };
}

/** Fields of ReadWriteLogRecord copied as they are (times, trace context, severity, resource, scope). */
const KEPT = ['hrTime', 'hrTimeObserved', 'spanContext', 'severityText', 'severityNumber', 'resource', 'instrumentationScope', 'droppedAttributesCount'] as const;

function viewOf(record: ReadWriteLogRecord, scrubbed: Scrubbed): ReadWriteLogRecord {
  const fields: PropertyDescriptorMap = {
    body: data(scrubbed.body),
    attributes: data(scrubbed.attributes),
    eventName: data(scrubbed.eventName),
  };
  for (const key of KEPT) fields[key] = data(record[key]);
  return Object.create(record, fields) as ReadWriteLogRecord;
}

function data(value: unknown): PropertyDescriptor {
  return { value, enumerable: true, writable: true, configurable: true };
}

function payloadOf(view: ReadWriteLogRecord): Record<string, unknown> {
  return {
    time: view.hrTime,
    ...(view.spanContext !== undefined && { traceId: view.spanContext.traceId, spanId: view.spanContext.spanId }),
    ...(view.severityNumber !== undefined && { severityNumber: view.severityNumber }),
    ...(view.severityText !== undefined && { severityText: view.severityText }),
    ...(view.eventName !== undefined && { eventName: view.eventName }),
    ...(view.body !== undefined && { body: view.body }),
    attributes: view.attributes,
  };
}
