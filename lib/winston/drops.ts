/**
 * What survives of winston records a drop rule removes (lib/integrations/drops.ts counts them), on
 * winston's record shape: `level` and its symbol, `message`, `timestamp`, and the formatted line when the
 * guard sits after a format.
 */
import { DEFAULT_DROP_SUMMARY_MS, DropWindows, droppedMessage, type DropSummary } from '../integrations/drops.ts';
import { LEVEL, MESSAGE, type Info } from './record.ts';

export { DEFAULT_DROP_SUMMARY_MS, type DropSummary };

/** What a summary keeps of the last record it counts. */
interface LastDropped {
  level: string;
  levelSymbol: unknown;
  /** The dropped records had been formatted already (the guard sits after json() or printf()). */
  formatted: boolean;
}

/**
 * Counts the records drop rules remove and makes the summary records that go out in their place.
 *
 * @example
 * const drops = new DropCounter(60_000);
 * drops.drop({ level: 'info', message: 'GET /health 200' }, '^GET /health');
 * // { level: 'info', message: 'egress-guard: 1 record dropped by the rule "^GET /health"', timestamp: …, egressGuardDropped: { … } }
 */
export class DropCounter {
  private readonly windows: DropWindows<LastDropped>;

  constructor(every = DEFAULT_DROP_SUMMARY_MS, now: () => number = Date.now) {
    this.windows = new DropWindows(every, now);
  }

  /** Counts a dropped record; returns the summary record to send in its place, if one is due. */
  drop(info: Info, rule: string): Info | undefined {
    const timeOf = (now: number) => (typeof info.timestamp === 'string' ? info.timestamp : new Date(now).toISOString());
    const last = { level: info.level, levelSymbol: info[LEVEL], formatted: typeof info[MESSAGE] === 'string' };
    const due = this.windows.count(rule, String(info[LEVEL] ?? info.level), timeOf, last);
    return due === undefined ? undefined : record(due.summary, due.last);
  }

  /** Summaries of everything counted and not yet summarized (for a transport that is closing). */
  flush(): Info[] {
    return this.windows.flush().map((due) => record(due.summary, due.last));
  }

  /** Records dropped so far, per rule, since this guard was made. */
  totals(): Record<string, number> {
    return this.windows.totals();
  }
}

function record(summary: DropSummary, last: LastDropped): Info {
  const fields = { level: last.level, message: droppedMessage(summary), timestamp: summary.last, egressGuardDropped: summary };
  return { ...fields, [LEVEL]: last.levelSymbol, ...(last.formatted && { [MESSAGE]: JSON.stringify(fields) }) };
}
