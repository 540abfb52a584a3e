/**
 * What survives of records a drop rule removes: their level, their time and how many there were, per rule.
 * The first record a rule drops at a level is replaced by a summary record; after that, one summary per
 * `every` milliseconds counts the records dropped since the last one. `every: 0` leaves one summary per
 * dropped record; `every: Infinity` only counts (see `totals()`).
 */
import { LEVEL, MESSAGE, type Info } from './record.ts';

/**
 * A summary record's `egressGuardDropped` field: which drop rule, how many records, and when.
 *
 * @example
 * const summary: DropSummary = { rule: '^GET /health ', count: 12, first: '2026-12-03T10:00:00.000Z', last: '2026-12-03T10:01:00.000Z' };
 */
export interface DropSummary {
  rule: string;
  count: number;
  /** Timestamps of the first and last record counted (their `timestamp` field, else when they were seen). */
  first: string;
  last: string;
}

interface Window {
  rule: string;
  level: string;
  levelSymbol: unknown;
  /** The dropped records had been formatted already (the guard sits after json() or printf()). */
  formatted: boolean;
  count: number;
  first: string;
  last: string;
  /** When the last summary for this rule and level went out (ms). */
  lastSummary: number;
}

/**
 * How often a rule's summary goes out by default: once a minute.
 *
 * @example
 * guardFormat('builtin:default', { dropSummaryEvery: 10 * DEFAULT_DROP_SUMMARY_MS }); // once every ten minutes
 */
export const DEFAULT_DROP_SUMMARY_MS = 60_000;

export class DropCounter {
  private readonly windows = new Map<string, Window>();
  private readonly total: Record<string, number> = {};

  constructor(
    private readonly every = DEFAULT_DROP_SUMMARY_MS,
    private readonly now: () => number = Date.now,
  ) {}

  /** Counts a dropped record; returns the summary record to send in its place, if one is due. */
  drop(info: Info, rule: string): Info | undefined {
    this.total[rule] = (this.total[rule] ?? 0) + 1;
    const now = this.now();
    const time = typeof info.timestamp === 'string' ? info.timestamp : new Date(now).toISOString();
    const level = String(info[LEVEL] ?? info.level);
    const key = `${rule}\u0000${level}`;
    let window = this.windows.get(key);
    if (window === undefined) {
      window = { rule, level: info.level, levelSymbol: info[LEVEL], formatted: false, count: 0, first: time, last: time, lastSummary: -Infinity };
      this.windows.set(key, window);
    }
    if (window.count === 0) window.first = time;
    window.formatted = typeof info[MESSAGE] === 'string';
    window.count++;
    window.last = time;
    if (this.every === Infinity || now - window.lastSummary < this.every) return undefined;
    window.lastSummary = now;
    return this.take(window);
  }

  /** Summaries of everything counted and not yet summarized (for a transport that is closing). */
  flush(): Info[] {
    return [...this.windows.values()].filter((w) => w.count > 0).map((w) => this.take(w));
  }

  /** Records dropped so far, per rule, since this guard was made. */
  totals(): Record<string, number> {
    return { ...this.total };
  }

  private take(window: Window): Info {
    const summary: DropSummary = { rule: window.rule, count: window.count, first: window.first, last: window.last };
    window.count = 0;
    const noun = summary.count === 1 ? 'record' : 'records';
    const fields = {
      level: window.level,
      message: `egress-guard: ${summary.count} ${noun} dropped by the rule ${JSON.stringify(summary.rule)}`,
      timestamp: summary.last,
      egressGuardDropped: summary,
    };
    return { ...fields, [LEVEL]: window.levelSymbol, ...(window.formatted && { [MESSAGE]: JSON.stringify(fields) }) };
  }
}
