/**
 * The gate as the execution core sees it. The core describes what happened in raw terms (real parameter
 * values, real errors, real result locations, real log records); the gate applies the policy per channel,
 * records the item for the audit, and hands the GuardedItem to the control-plane client. The core never
 * talks to the client directly (docs/architecture.md#one-item-end-to-end).
 */

/** A flow run starts: its name and parameters as given (the gate scrubs them). */
export interface RawFlowRun {
  kind: 'flow_run';
  flowRunId: string;
  flowName: string;
  /** The flow's parameters as given: the gate scrubs them (parameters channel). */
  parameters: Record<string, unknown>;
  /** Set when this run restarts an earlier one. */
  restartOf?: string;
}

/** A task run is created: its name, tags and upstream task runs (metadata). */
export interface RawTaskRun {
  kind: 'task_run';
  flowRunId: string;
  taskRunId: string;
  taskName: string;
  tags: string[];
  /** Names of upstream task runs this one depends on (metadata). */
  upstream: string[];
  /** Which call of this task within the flow run (0, 1, ...): identifies it across runs, for restarts. */
  callIndex?: number;
}

/** The states a flow or task run goes through. */
export type StateName = 'Pending' | 'Running' | 'Success' | 'Failed' | 'Retrying' | 'Queued' | 'Cached';

/** A flow or task run changes state, with what the state carries (an error, a result location, a cache key). */
export interface RawState {
  kind: 'state';
  flowRunId: string;
  /** Absent for the flow run's own states. */
  taskRunId?: string;
  state: StateName;
  /** Failed: the error itself; the gate makes `Type: message` and the scrubbed traceback. */
  error?: unknown;
  /** Where the result was written (locations channel: encrypted, hashed or removed by policy). */
  resultLocation?: string;
  /** The location is the result itself (InlineResult, JSON): it goes out under the parameters rules. */
  inlineResult?: boolean;
  /** Cache key of a cached or caching task (locations channel). */
  cacheKey?: string;
  /** Parameters copied into a cached state (parameters channel). */
  cachedParameters?: Record<string, unknown>;
  /** Retry attempt number, for Retrying/Running after a retry. */
  attempt?: number;
}

/** One log record as the job wrote it; `meta.ship: false` keeps it local. */
export interface RawLogRecord {
  flowRunId: string;
  taskRunId?: string;
  level: string;
  time: string;
  message: string;
  /** Any other fields the record carried (winston metadata). */
  meta?: Record<string, unknown>;
}

/** A batch of a flow run's log records (logs channel). */
export interface RawLogs {
  kind: 'logs';
  flowRunId: string;
  records: RawLogRecord[];
}

/** Anything the core submits to the gate, told apart by `kind`. */
export type RawOutbound = RawFlowRun | RawTaskRun | RawState | RawLogs;

/** What the core calls. Never throws and never blocks the run: delivery happens in the background. */
export interface Gate {
  submit(item: RawOutbound): void;
  /** Resolves once everything submitted so far went through the policy and was handed to the client. */
  drain(): Promise<void>;
  /** Local side of the locations channel: the plaintext of a location the control plane returned. */
  decryptLocation(token: string): Promise<string>;
}
