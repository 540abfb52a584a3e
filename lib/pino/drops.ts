/**
 * What survives of pino records a drop rule removes: their level, their time and how many there were, per
 * rule, as winston's guard does it (lib/winston/drops.ts), on pino's record shape (numeric level, `time`,
 * the message under `msg`). The first record a rule drops at a level is replaced by a summary record; after
 * that, one summary per `every` milliseconds counts the records dropped since the last one. `every: 0`
 * leaves one summary per dropped record; `every: Infinity` only counts (see `totals()`).
 */
/**
 * A summary's `egressGuardDropped` field: the same shape as the winston guard's.
 *
 * @example
 * const summary: DropSummary = { rule: '^GET /health ', count: 12, first: '2026-12-03T10:00:00.000Z', last: '2026-12-03T10:01:00.000Z' };
 */
export interface DropSummary {
  rule: string;
  count: number;
  /** Times of the first and last record counted (their `time`, else when they were seen), ISO 8601. */
  first: string;
  last: string;
}

/**
 * How often a rule's summary goes out by default: once a minute.
 *
 * @example
 * guardPino({ dropSummaryEvery: 10 * DEFAULT_DROP_SUMMARY_MS }); // once every ten minutes
 */
export const DEFAULT_DROP_SUMMARY_MS = 60_000;

/**
 * A pino record as it is parsed from its line.
 *
 * @example
 * const record: PinoRecord = JSON.parse('{"level":30,"time":1796300000000,"msg":"hi"}');
 */
export type PinoRecord = Record<string, unknown>;

interface Window {
  rule: string;
  level: unknown;
  /** The last dropped record's `time`, as pino wrote it (epoch ms by default, or a string). */
  time: unknown;
  count: number;
  first: string;
  last: string;
  /** When the last summary for this rule and level went out (ms). */
  lastSummary: number;
}

/**
 * Counts the records drop rules remove and makes the summary records that go out in their place.
 *
 * @example
 * const drops = new PinoDropCounter(60_000);
 * drops.drop({ level: 30, time: Date.now(), msg: 'GET /health' }, '^GET /health');
 * // { level: 30, time: …, msg: 'egress-guard: 1 record dropped by the rule "^GET /health"', egressGuardDropped: { … } }
 */
export class PinoDropCounter {
  private readonly windows = new Map<string, Window>();
  private readonly total: Record<string, number> = {};

  constructor(
    private readonly every = DEFAULT_DROP_SUMMARY_MS,
    private readonly messageKey = 'msg',
    private readonly now: () => number = Date.now,
  ) {}

  /** Counts a dropped record; returns the summary record to send in its place, if one is due. */
  drop(record: PinoRecord, rule: string): PinoRecord | undefined {
    this.total[rule] = (this.total[rule] ?? 0) + 1;
    const now = this.now();
    const seen = timeOf(record.time, now);
    const key = `${rule}\u0000${String(record.level)}`;
    let window = this.windows.get(key);
    if (window === undefined) {
      window = { rule, level: record.level, time: record.time, count: 0, first: seen, last: seen, lastSummary: -Infinity };
      this.windows.set(key, window);
    }
    if (window.count === 0) window.first = seen;
    window.count++;
    window.last = seen;
    window.time = record.time;
    if (this.every === Infinity || now - window.lastSummary < this.every) return undefined;
    window.lastSummary = now;
    return this.take(window);
  }

  /** Summaries of everything counted and not yet summarized (for a transport that is closing). */
  flush(): PinoRecord[] {
    return [...this.windows.values()].filter((w) => w.count > 0).map((w) => this.take(w));
  }

  /** Records dropped so far, per rule. */
  totals(): Record<string, number> {
    return { ...this.total };
  }

  private take(window: Window): PinoRecord {
    const summary: DropSummary = { rule: window.rule, count: window.count, first: window.first, last: window.last };
    window.count = 0;
    const noun = summary.count === 1 ? 'record' : 'records';
    return {
      ...(window.level !== undefined && { level: window.level }),
      ...(window.time !== undefined && { time: window.time }),
      [this.messageKey]: `egress-guard: ${summary.count} ${noun} dropped by the rule ${JSON.stringify(summary.rule)}`,
      egressGuardDropped: summary,
    };
  }
}

/** A record's time as an ISO string: pino writes epoch milliseconds by default, seconds or a string when told. */
function timeOf(time: unknown, now: number): string {
  if (typeof time === 'string' && time !== '') return time;
  if (typeof time === 'number' && Number.isFinite(time)) {
    const ms = Math.abs(time) < 1e11 ? time * 1000 : time; // epochTime/unixTime write seconds
    const date = new Date(ms);
    if (!Number.isNaN(date.getTime())) return date.toISOString();
  }
  return new Date(now).toISOString();
}
