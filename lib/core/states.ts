/**
 * Run states and the transitions between them. Every transition the runner makes is checked here and
 * reported to the gate as a `state` item; an impossible transition is a bug in the runner and throws.
 *
 * Task runs:
 * ```
 *            ┌──► Cached                       (restored on restart, or a cache hit)
 * Pending ───┼──► Queued ──► Running ──► Success
 *            └──────────────► Running ──► Failed
 *                               ▲  │
 *                               │  ▼
 *                             Retrying ──► Failed
 * ```
 * Flow runs: Pending ──► Running ──► Success | Failed.
 */
import type { StateName } from '../egress/gate-api.ts';

export type { StateName };

export const STATE_NAMES: readonly StateName[] = ['Pending', 'Running', 'Success', 'Failed', 'Retrying', 'Queued', 'Cached'];

/** Where no transition leads on. */
export const FINAL_STATES: readonly StateName[] = ['Success', 'Failed', 'Cached'];

/** Allowed next states of a task run; `null` is "the task run was just created". */
export const TASK_TRANSITIONS: ReadonlyMap<StateName | null, readonly StateName[]> = new Map<StateName | null, readonly StateName[]>([
  [null, ['Pending']],
  // Failed straight from Pending: the cache key or the inputs write failed before the task could run.
  ['Pending', ['Running', 'Queued', 'Cached', 'Failed']],
  ['Queued', ['Running', 'Failed']],
  ['Running', ['Success', 'Failed', 'Retrying']],
  ['Retrying', ['Running', 'Failed']],
  ['Success', []],
  ['Failed', []],
  ['Cached', []],
]);

/** Allowed next states of a flow run. */
export const FLOW_TRANSITIONS: ReadonlyMap<StateName | null, readonly StateName[]> = new Map<StateName | null, readonly StateName[]>([
  [null, ['Pending']],
  ['Pending', ['Running', 'Failed']],
  ['Running', ['Success', 'Failed']],
  ['Success', []],
  ['Failed', []],
]);

export function isFinal(state: StateName): boolean {
  return FINAL_STATES.includes(state);
}

export function canTransition(kind: 'task' | 'flow', from: StateName | null, to: StateName): boolean {
  return ((kind === 'task' ? TASK_TRANSITIONS : FLOW_TRANSITIONS).get(from) ?? []).includes(to);
}

/** Tracks one run's state; `move` throws on a transition the state machine does not allow. */
export class StateTracker {
  private current: StateName | null = null;
  constructor(private readonly kind: 'task' | 'flow') {}

  get state(): StateName | null {
    return this.current;
  }

  move(to: StateName): void {
    if (!canTransition(this.kind, this.current, to)) {
      throw new Error(`egress-guard internal error: ${this.kind} run cannot go from ${this.current ?? '(new)'} to ${to}`);
    }
    this.current = to;
  }
}
