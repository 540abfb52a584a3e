/**
 * The pino door's one code path: a line pino wrote in, what may leave in its place out. Both the
 * in-process guard (pino's `streamWrite` hook) and the worker transport run each line through here, so a
 * record is treated the same wherever it is scrubbed: parsed, shipped or not (the transport applies the
 * policy's `ship` and `level`), scrubbed or dropped (a summary in its place), recorded in the ledger, and
 * written back as one JSON line. A line that is not a JSON object is scrubbed as text.
 */
import type { LogLevel } from '../policy/types.ts';
import { BLOCKED_PLACEHOLDER, type Engine } from '../policy/engine.ts';
import type { Finding } from '../redact/findings.ts';
import type { PinoAudit } from './audit.ts';
import { PinoDropCounter, type PinoRecord } from './drops.ts';
import { pinoLevelShipped } from './levels.ts';
import { DEFAULT_MESSAGE_KEY, dropRuleFor, guardPinoRecord } from './record.ts';

/**
 * How a line guard treats lines: the transport's applies the shipping rules, both may audit.
 *
 * @example
 * new PinoLineGuard(engine, { shipping: { ship: true, level: 'info' }, dropSummaryEvery: 0 });
 */
export interface LineGuardOptions {
  /** pino's `messageKey` (default `msg`). */
  messageKey?: string;
  /** See `GuardPinoOptions.dropSummaryEvery`. */
  dropSummaryEvery?: number;
  audit?: PinoAudit;
  /**
   * The policy's shipping rules: nothing under `ship: false` (or EGRESS_GUARD_SHIP_LOGS=false), nothing below
   * its `level`, no record logged with `ship: false`. Undefined: every record goes on (scrubbed).
   */
  shipping?: { ship: boolean; level: LogLevel | undefined };
  /**
   * Told when the policy fails on a record in a way the engine does not contain (a hash action without its
   * key): a placeholder goes out instead of the record (fail closed), and logging goes on.
   */
  onError?: (error: unknown) => void;
}

/**
 * A line to write, and its ledger item id when it was recorded (acknowledge it once written).
 *
 * @example
 * for (const out of lines.guard(line)) { destination.write(out.text); if (out.itemId) audit.ack(out.itemId); }
 */
export interface GuardedLine {
  text: string;
  itemId?: string;
}

/**
 * Guards pino's lines one by one.
 *
 * @example
 * const lines = new PinoLineGuard(engineFor('builtin:default'));
 * lines.guard('{"level":30,"time":1,"msg":"token ghp_…"}\n'); // [{ text: '{"level":30,"time":1,"msg":"token [REDACTED]"}\n' }]
 */
export class PinoLineGuard {
  private readonly drops: PinoDropCounter;
  private readonly messageKey: string;

  constructor(
    private readonly engine: Engine,
    private readonly options: LineGuardOptions = {},
  ) {
    this.messageKey = options.messageKey ?? DEFAULT_MESSAGE_KEY;
    this.drops = new PinoDropCounter(options.dropSummaryEvery, this.messageKey);
  }

  /** What goes out in place of one line (its line ending kept): nothing, the scrubbed line, or a drop summary. */
  guard(line: string): GuardedLine[] {
    const ending = /\r?\n$/.exec(line)?.[0] ?? '';
    const body = ending === '' ? line : line.slice(0, -ending.length);
    if (body === '') return [];
    const record = parseRecord(body);
    try {
      return record === undefined ? this.text(body, ending) : this.record(record, ending);
    } catch (err) {
      this.options.onError?.(err);
      const blocked: PinoRecord = { ...(record !== undefined && 'level' in record && { level: record.level }), ...(record !== undefined && 'time' in record && { time: record.time }), [this.messageKey]: BLOCKED_PLACEHOLDER };
      return [this.emit(blocked, [{ detector: 'policy-error', path: '$', action: 'block', count: 1 }], ending, 'policy-error')];
    }
  }

  /** Summaries of the records dropped since the last summary (for a transport that is closing). */
  flush(): GuardedLine[] {
    return this.drops.flush().map((summary) => this.emit(summary, [], '\n'));
  }

  /** Records dropped so far, per drop rule. */
  dropped(): Record<string, number> {
    return this.drops.totals();
  }

  private record(record: PinoRecord, ending: string): GuardedLine[] {
    const shipping = this.options.shipping;
    if (shipping !== undefined && (!shipping.ship || record.ship === false || !pinoLevelShipped(record.level, shipping.level))) return [];
    const out = guardPinoRecord(record, this.engine, this.messageKey);
    if ('dropped' in out) return this.summary(record, out.dropped, ending);
    return [this.emit(out.record, out.findings, ending, out.blocked)];
  }

  /** A line that is not a JSON object (a custom stringifier, a stray write): scrubbed as text. */
  private text(body: string, ending: string): GuardedLine[] {
    if (this.options.shipping?.ship === false) return [];
    const rule = dropRuleFor(this.engine, body);
    if (rule !== undefined) return this.summary({ [this.messageKey]: body }, rule, ending);
    const out = this.engine.scrubText(body, 'logs');
    const itemId = this.options.audit?.intent({ line: out.text }, out.findings, out.blocked);
    return [{ text: out.text + ending, ...(itemId !== undefined && { itemId }) }];
  }

  private summary(record: PinoRecord, rule: string, ending: string): GuardedLine[] {
    const summary = this.drops.drop(record, rule);
    return summary === undefined ? [] : [this.emit(summary, [], ending)];
  }

  private emit(record: PinoRecord, findings: Finding[], ending: string, blocked?: 'policy-error'): GuardedLine {
    const itemId = this.options.audit?.intent(record, findings, blocked);
    return { text: JSON.stringify(record) + ending, ...(itemId !== undefined && { itemId }) };
  }
}

function parseRecord(body: string): PinoRecord | undefined {
  if (body[0] !== '{') return undefined;
  try {
    const value: unknown = JSON.parse(body);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as PinoRecord) : undefined;
  } catch {
    return undefined;
  }
}
