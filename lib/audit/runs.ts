/**
 * The run ids a `--run` prefix names across ledgers, found before a report is written: a prefix that
 * names two runs is a usage error, and a streamed report cannot take back what it wrote. Why a module of
 * its own: it is a second, light reading of the ledgers (only the lines that name such a run are parsed),
 * done only when `--run` is given.
 */
import { join } from 'node:path';
import { segmentName, segmentNumbers } from './entry.ts';
import { isRecord } from './shape.ts';
import { segmentLines, type LineOptions } from './stream.ts';

/**
 * Up to `limit` distinct run ids starting with `prefix` that intent and blocked entries of `ledgers` name,
 * in the order found.
 *
 * @example runIdsStartingWith(['.egress-guard/ledger'], 'run-', 2) // ['run-A', 'run-B']: ambiguous
 */
export function runIdsStartingWith(ledgers: readonly string[], prefix: string, limit: number, options: LineOptions = {}): string[] {
  const found = new Set<string>();
  // As canonical JSON spells the start of such a run id (what the ledger writes).
  const needle = `"flowRunId":${JSON.stringify(prefix).slice(0, -1)}`;
  for (const dir of ledgers) {
    let numbers: number[];
    try {
      numbers = segmentNumbers(dir);
    } catch {
      continue;
    }
    for (const n of numbers) {
      for (const ev of segmentLines(join(dir, segmentName(n)), options)) {
        if (ev.type !== 'line' || !ev.text.includes(needle)) continue;
        let e: unknown;
        try {
          e = JSON.parse(ev.text);
        } catch {
          continue;
        }
        if (!isRecord(e) || (e.type !== 'intent' && e.type !== 'blocked') || !isRecord(e.data)) continue;
        const run = e.data.flowRunId;
        if (typeof run !== 'string' || !run.startsWith(prefix)) continue;
        found.add(run);
        if (found.size >= limit) return [...found];
      }
    }
  }
  return [...found];
}
