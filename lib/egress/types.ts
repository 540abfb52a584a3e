/**
 * What crosses the boundary. The core builds OutboundItems; only the gate (lib/egress) turns them into
 * GuardedItems, after the policy; the control-plane client accepts nothing else, so unguarded data does
 * not type-check on its way out (docs/architecture.md#rules, rule 1).
 */
import type { Channel } from '../policy/types.ts';

/** What an outbound item reports: a flow run, a task run, a state change, or log records. */
export type OutboundKind = 'flow_run' | 'task_run' | 'state' | 'logs';

/** One item bound for the control plane, before the gate made it a GuardedItem. */
export interface OutboundItem {
  /** Unique per item (UUID): the idempotency key when the client retries or replays its spool. */
  id: string;
  kind: OutboundKind;
  /** The policy channel the payload was scrubbed under; `metadata` for names, states, counts, times. */
  channel: Channel | 'metadata';
  flowRunId: string;
  taskRunId?: string;
  /** ISO 8601, when the item was made. */
  time: string;
  /** JSON-safe payload. */
  payload: Record<string, unknown>;
}

declare const guardedBrand: unique symbol;

/** An OutboundItem that went through the gate. Only lib/egress creates these. */
export type GuardedItem = OutboundItem & { readonly [guardedBrand]: true };
