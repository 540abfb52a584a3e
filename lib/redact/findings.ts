/** What the policy did, for the audit: detector or rule, where, which action, how often. Never a value. */
export interface Finding {
  /** A detector id, `field:PATH-RULE` for a field rule, `allowlist`, or `limit:NAME`. */
  detector: string;
  /** Where in the value (`$` for the whole text, `db.password`, `items[2].note`). */
  path: string;
  action: string;
  count: number;
}

export class FindingSink {
  private byKey: Map<string, Finding> | undefined;
  /** How many findings were added so far (a caller can tell whether a step found anything). */
  added = 0;

  add(detector: string, path: string, action: string, count = 1): void {
    this.added += count;
    this.byKey ??= new Map();
    const key = `${detector}\u0000${path}\u0000${action}`;
    const existing = this.byKey.get(key);
    if (existing === undefined) this.byKey.set(key, { detector, path, action, count });
    else existing.count += count;
  }

  list(): Finding[] {
    return this.byKey === undefined ? [] : [...this.byKey.values()];
  }
}
