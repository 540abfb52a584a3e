/**
 * What drop rules removed, per rule: the Sentry callbacks' `dropped()`.
 *
 * @example const counts = new Counts(); counts.add('^poll '); counts.totals() // { '^poll ': 1 }
 */
export class Counts {
  private readonly counts: Record<string, number> = {};

  /** @example counts.add('^GET /health') */
  add(rule: string): void {
    this.counts[rule] = (this.counts[rule] ?? 0) + 1;
  }

  /** @example counts.totals() // { '^GET /health': 3 } */
  totals(): Record<string, number> {
    return { ...this.counts };
  }
}
