/**
 * What survives of log records a drop rule removes, for OpenTelemetry: the same counting as winston's
 * (lib/winston/drops.ts: the first record a rule drops at a severity is replaced by a summary, then one
 * summary per interval counts the rest), each summary a new log record with the dropped records'
 * severity, resource and scope, a body naming the rule and count, and the counts as attributes. Nothing
 * of a dropped record's content, trace context or attributes is kept.
 */
import type { HrTime, SpanContext } from '@opentelemetry/api';
import type { ReadWriteLogRecord } from './log-record.ts';
import { DropCounter, type DropSummary } from '../winston/drops.ts';
import { LEVEL, type Info } from '../winston/record.ts';

/**
 * The attribute a summary record carries its counts under (`rule`, `count`, `first`, `last`).
 *
 * @example record.attributes[`${DROPPED_ATTRIBUTE}.count`] // 3
 */
export const DROPPED_ATTRIBUTE = 'egress_guard.dropped';

/** The severity, resource and scope of the records a summary stands for. */
type Template = Pick<ReadWriteLogRecord, 'severityNumber' | 'severityText' | 'resource' | 'instrumentationScope'>;

/**
 * Counts dropped log records and makes their summary records.
 *
 * @example const drops = new LogDrops(60_000); drops.drop(record, '^GET /health'); drops.totals() // { '^GET /health': 1 }
 */
export class LogDrops {
  private readonly counter: DropCounter;
  private readonly templates = new Map<string, Template>();

  constructor(private readonly every?: number, now?: () => number) {
    this.counter = new DropCounter(every, now);
  }

  /**
   * Counts a dropped record; returns the summary record to send in its place, if one is due.
   *
   * @example const summary = drops.drop(record, '^GET /health'); if (summary) inner.onEmit(summary);
   */
  drop(record: ReadWriteLogRecord, rule: string): ReadWriteLogRecord | undefined {
    const level = `${record.severityNumber ?? ''}/${record.severityText ?? ''}`;
    this.templates.set(`${rule}\u0000${level}`, {
      severityNumber: record.severityNumber,
      severityText: record.severityText,
      resource: record.resource,
      instrumentationScope: record.instrumentationScope,
    });
    const info = { level, message: '', [LEVEL]: level, timestamp: isoOf(record.hrTime) } as Info;
    const summary = this.counter.drop(info, rule);
    return summary === undefined ? undefined : this.recordOf(summary);
  }

  /** Summaries of everything counted and not yet summarized (before a flush or shutdown); none under `Infinity`. */
  flush(): ReadWriteLogRecord[] {
    if (this.every === Infinity) return [];
    return this.counter.flush().map((summary) => this.recordOf(summary));
  }

  /** Records dropped so far, per rule. */
  totals(): Record<string, number> {
    return this.counter.totals();
  }

  private recordOf(info: Info): ReadWriteLogRecord {
    const summary = info.egressGuardDropped as DropSummary;
    const template = this.templates.get(`${summary.rule}\u0000${String(info[LEVEL])}`)!;
    return new SummaryLogRecord(template, String(info.message), {
      [`${DROPPED_ATTRIBUTE}.rule`]: summary.rule,
      [`${DROPPED_ATTRIBUTE}.count`]: summary.count,
      [`${DROPPED_ATTRIBUTE}.first`]: summary.first,
      [`${DROPPED_ATTRIBUTE}.last`]: summary.last,
    }, hrTimeOf(summary.last));
  }
}

// The api-logs types, as sdk-logs uses them (api-logs itself is not a peer of egress-guard).
type LogAttributes = ReadWriteLogRecord['attributes'];
type AnyValue = LogAttributes[string];
type LogBody = NonNullable<ReadWriteLogRecord['body']>;
type SeverityNumber = NonNullable<ReadWriteLogRecord['severityNumber']>;

/** A log record made by the guard: plain fields, setters that set them. */
class SummaryLogRecord implements ReadWriteLogRecord {
  hrTime: HrTime;
  hrTimeObserved: HrTime;
  spanContext?: SpanContext;
  readonly resource: ReadWriteLogRecord['resource'];
  readonly instrumentationScope: ReadWriteLogRecord['instrumentationScope'];
  readonly attributes: LogAttributes;
  severityText?: string;
  severityNumber?: SeverityNumber;
  body?: LogBody;
  eventName?: string;
  droppedAttributesCount = 0;

  constructor(template: Template, body: string, attributes: LogAttributes, time: HrTime) {
    this.hrTime = time;
    this.hrTimeObserved = hrTimeOf(new Date().toISOString());
    this.resource = template.resource;
    this.instrumentationScope = template.instrumentationScope;
    if (template.severityNumber !== undefined) this.severityNumber = template.severityNumber;
    if (template.severityText !== undefined) this.severityText = template.severityText;
    this.body = body;
    this.attributes = attributes;
  }

  setAttribute(key: string, value?: AnyValue): this {
    this.attributes[key] = value;
    return this;
  }

  setAttributes(attributes: LogAttributes): this {
    Object.assign(this.attributes, attributes);
    return this;
  }

  setBody(body: LogBody): this {
    this.body = body;
    return this;
  }

  setEventName(eventName: string): this {
    this.eventName = eventName;
    return this;
  }

  setSeverityNumber(severityNumber: SeverityNumber): this {
    this.severityNumber = severityNumber;
    return this;
  }

  setSeverityText(severityText: string): this {
    this.severityText = severityText;
    return this;
  }
}

function isoOf(time: HrTime | undefined): string {
  if (time === undefined) return new Date().toISOString();
  return new Date(time[0] * 1000 + Math.floor(time[1] / 1e6)).toISOString();
}

function hrTimeOf(iso: string): HrTime {
  const ms = Date.parse(iso);
  const at = Number.isNaN(ms) ? Date.now() : ms;
  return [Math.floor(at / 1000), (at % 1000) * 1e6];
}
