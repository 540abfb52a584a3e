/**
 * What survives of pino records a drop rule removes (lib/integrations/drops.ts counts them), on pino's
 * record shape: numeric level, `time`, the message under `msg`.
 */
import { DEFAULT_DROP_SUMMARY_MS, DropWindows, droppedMessage, type DropSummary } from '../integrations/drops.ts';

export { DEFAULT_DROP_SUMMARY_MS, type DropSummary };

/**
 * A pino record as it is parsed from its line.
 *
 * @example
 * const record: PinoRecord = JSON.parse('{"level":30,"time":1796300000000,"msg":"hi"}');
 */
export type PinoRecord = Record<string, unknown>;

/** What a summary keeps of the last record it counts: its level and its `time`, as pino wrote them. */
interface LastDropped {
  level: unknown;
  time: unknown;
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
  private readonly windows: DropWindows<LastDropped>;

  constructor(
    every = DEFAULT_DROP_SUMMARY_MS,
    private readonly messageKey = 'msg',
    now: () => number = Date.now,
  ) {
    this.windows = new DropWindows(every, now);
  }

  /** Counts a dropped record; returns the summary record to send in its place, if one is due. */
  drop(record: PinoRecord, rule: string): PinoRecord | undefined {
    const due = this.windows.count(rule, String(record.level), (now) => timeOf(record.time, now), { level: record.level, time: record.time });
    return due === undefined ? undefined : this.record(due.summary, due.last);
  }

  /** Summaries of everything counted and not yet summarized (for a transport that is closing). */
  flush(): PinoRecord[] {
    return this.windows.flush().map((due) => this.record(due.summary, due.last));
  }

  /** Records dropped so far, per rule. */
  totals(): Record<string, number> {
    return this.windows.totals();
  }

  private record(summary: DropSummary, last: LastDropped): PinoRecord {
    return {
      ...(last.level !== undefined && { level: last.level }),
      ...(last.time !== undefined && { time: last.time }),
      [this.messageKey]: droppedMessage(summary),
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
