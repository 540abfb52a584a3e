/**
 * What survives of log records a drop rule removes, whatever the logger: their level, their time and how
 * many there were, per rule. The first record a rule drops at a level is replaced by a summary; after
 * that, one summary per `every` milliseconds counts the records dropped since the last one. `every: 0`
 * leaves one summary per dropped record; `every: Infinity` only counts (see `totals()`). Each logger's
 * guard turns a due summary into a record of its own shape (lib/winston/drops.ts, lib/pino/drops.ts).
 */

/**
 * A summary record's `egressGuardDropped` field: which drop rule, how many records, and when.
 *
 * @example
 * const summary: DropSummary = { rule: '^GET /health ', count: 12, first: '2026-12-03T10:00:00.000Z', last: '2026-12-03T10:01:00.000Z' };
 */
export interface DropSummary {
  rule: string;
  count: number;
  /** Times of the first and last record counted (their own time, else when they were seen), ISO 8601. */
  first: string;
  last: string;
}

/**
 * How often a rule's summary goes out by default: once a minute.
 *
 * @example
 * guardFormat('builtin:default', { dropSummaryEvery: 10 * DEFAULT_DROP_SUMMARY_MS }); // once every ten minutes
 */
export const DEFAULT_DROP_SUMMARY_MS = 60_000;

/** A summary that is due, with what the logger's guard remembered of the last record it counts. */
export interface DueSummary<Last> {
  summary: DropSummary;
  last: Last;
}

interface Window<Last> {
  rule: string;
  last: Last;
  count: number;
  first: string;
  latest: string;
  /** When the last summary for this rule and level went out (ms). */
  lastSummary: number;
}

/**
 * Counts dropped records per rule and level, and says when a summary is due.
 *
 * @example
 * const drops = new DropWindows<{ level: string }>(60_000);
 * drops.count('^GET /health', 'info', () => '2026-12-03T10:00:00.000Z', { level: 'info' });
 * // { summary: { rule: '^GET /health', count: 1, first: …, last: … }, last: { level: 'info' } }
 */
export class DropWindows<Last> {
  private readonly windows = new Map<string, Window<Last>>();
  private readonly total: Record<string, number> = {};

  constructor(
    private readonly every = DEFAULT_DROP_SUMMARY_MS,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * Counts one record that `rule` dropped at `level`; `timeOf` gives its time (ISO 8601) from the clock's
   * now, `last` what the summary record will need of it. Returns the summary when one is due.
   */
  count(rule: string, level: string, timeOf: (now: number) => string, last: Last): DueSummary<Last> | undefined {
    this.total[rule] = (this.total[rule] ?? 0) + 1;
    const now = this.now();
    const time = timeOf(now);
    const key = `${rule}\u0000${level}`;
    let window = this.windows.get(key);
    if (window === undefined) {
      window = { rule, last, count: 0, first: time, latest: time, lastSummary: -Infinity };
      this.windows.set(key, window);
    }
    if (window.count === 0) window.first = time;
    window.count++;
    window.latest = time;
    window.last = last;
    if (this.every === Infinity || now - window.lastSummary < this.every) return undefined;
    window.lastSummary = now;
    return this.take(window);
  }

  /** Summaries of everything counted and not yet summarized (for a guard that is closing). */
  flush(): DueSummary<Last>[] {
    return [...this.windows.values()].filter((w) => w.count > 0).map((w) => this.take(w));
  }

  /** Records dropped so far, per rule. */
  totals(): Record<string, number> {
    return { ...this.total };
  }

  private take(window: Window<Last>): DueSummary<Last> {
    const summary: DropSummary = { rule: window.rule, count: window.count, first: window.first, last: window.latest };
    window.count = 0;
    return { summary, last: window.last };
  }
}

/**
 * The message of a summary record.
 *
 * @example droppedMessage({ rule: '^GET /health', count: 2, first: '…', last: '…' }) // 'egress-guard: 2 records dropped by the rule "^GET /health"'
 */
export function droppedMessage(summary: DropSummary): string {
  return `egress-guard: ${summary.count} ${summary.count === 1 ? 'record' : 'records'} dropped by the rule ${JSON.stringify(summary.rule)}`;
}
