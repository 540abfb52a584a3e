/**
 * Runs a flow on this machine and reports every step to the gate: the flow run with its parameters, each
 * task run, every state transition (with errors, result locations and cache keys), and the log records of
 * `ctx.logger`. Retries, tag concurrency limits, caching, checkpointing and restart live here. The runner
 * never scrubs anything itself and never talks to the control plane: the gate does both.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { createHash, randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { inspect } from 'node:util';
import type { Gate, RawLogRecord, StateName } from '../egress/gate-api.ts';
import { InlineResult, LocalResult, type Result } from './results.ts';
import type { TemplateContext } from './templating.ts';
import { consoleSink, createTaskLogger, type LocalLogSink, type LogInfo, type TaskLogger } from './logger.ts';

/**
 * Where a flow's task results go when neither the flow nor the task names a Result (relative to the
 * working directory).
 *
 * @example
 * flow({ name: 'etl', result: new LocalResult({ dir: DEFAULT_RESULTS_DIR }) }, body); // the default, spelled out
 */
export const DEFAULT_RESULTS_DIR = '.egress-guard/results';
const LOG_BATCH = 100;

/** How a task runs: its name, retries, tag concurrency, checkpointing, result and caching (docs/core.md). */
export interface TaskOptions<I> {
  name: string;
  /** Times a failed task runs again (default 0); its inputs are written through its result first. */
  retries?: number;
  /** Wait before each retry (ms, default 0). */
  retryDelayMs?: number;
  /** Tags, for concurrency limits (`RunOptions.concurrency`); also shipped as metadata. */
  tags?: string[];
  /** Write the output through the task's result, so a restart can skip the task (EGRESS_GUARD_CHECKPOINTING=false: off). */
  checkpoint?: boolean;
  /** Where outputs and inputs are written (default: the flow's result). */
  result?: Result;
  /** Cache: a hit within `cacheFor` ms returns the stored output without running the task. */
  cacheKey?: (input: I) => string;
  cacheFor?: number;
}

/** What a flow or task body gets besides its input: the run's logger and ids. */
export interface RunContext {
  /** The run's logger (winston's levels and calls): records stay local in full and are shipped, scrubbed, to the control plane. */
  logger: TaskLogger;
  flowRunId: string;
  taskRunId?: string;
}

/** A flow made by `flow()`, for `runFlow`. */
export interface Flow<P, R> {
  readonly name: string;
  readonly result: Result | undefined;
  readonly body: (params: P, ctx: RunContext) => Promise<R>;
}

/** What a restart knows about the earlier run: per task name and call index, its state and output location. */
export interface RestartPlan {
  flowRunId: string;
  tasks: { taskName: string; callIndex: number; state: string; resultLocation?: string }[];
}

/** How `runFlow` runs a flow: the gate every report goes through, concurrency limits, restart, local logs. */
export interface RunOptions {
  gate: Gate;
  /** Most task runs at once per tag, e.g. `{ db: 2 }`. */
  concurrency?: Record<string, number>;
  restart?: RestartPlan;
  env?: NodeJS.ProcessEnv;
  /**
   * Local log sinks (default: JSON lines on stderr, level info): winston transports, or anything with
   * `log(info, next)`. Local logs are never scrubbed.
   */
  localTransports?: LocalLogSink[];
}

/** How a flow run ended: its id, and its result or the error it failed with (unscrubbed: this is local). */
export interface RunOutcome<R> {
  flowRunId: string;
  state: 'Success' | 'Failed';
  result?: R;
  error?: unknown;
}

interface FlowRunState {
  flowRunId: string;
  flowName: string;
  params: Record<string, unknown>;
  gate: Gate;
  env: NodeJS.ProcessEnv;
  defaultResult: Result;
  callCounts: Map<string, number>;
  semaphores: Map<string, Semaphore>;
  concurrency: Record<string, number>;
  restart: RestartPlan | undefined;
  shipper: LogShipper;
  /** One logger per flow run; task runs get children of it (children share its sinks). */
  logger: TaskLogger;
}

const current = new AsyncLocalStorage<FlowRunState>();

/**
 * Runs a flow on this machine, reporting every step through the gate (which scrubs it), and resolves
 * once the gate has drained. Never rejects for a failing flow: the outcome says `Failed` and holds the error.
 *
 * @example
 * const outcome = await runFlow(hello, { who: 'alice.smith@example.com' }, { gate });
 * outcome.state; // 'Success'; outcome.result is local, unscrubbed
 */
export async function runFlow<P extends Record<string, unknown>, R>(flow: Flow<P, R>, params: P, options: RunOptions): Promise<RunOutcome<R>> {
  const flowRunId = randomUUID();
  const gate = options.gate;
  const shipper = new LogShipper(gate, flowRunId);
  const state: FlowRunState = {
    flowRunId,
    flowName: flow.name,
    params,
    gate,
    env: options.env ?? process.env,
    defaultResult: flow.result ?? new LocalResult({ dir: DEFAULT_RESULTS_DIR }),
    callCounts: new Map(),
    semaphores: new Map(),
    concurrency: options.concurrency ?? {},
    restart: options.restart,
    shipper,
    logger: createTaskLogger(options.localTransports ?? [consoleSink('info')], (info) => shipper.ship(info)),
  };
  gate.submit({ kind: 'flow_run', flowRunId, flowName: flow.name, parameters: params, ...(options.restart && { restartOf: options.restart.flowRunId }) });
  gate.submit({ kind: 'state', flowRunId, state: 'Running' });
  let outcome: RunOutcome<R>;
  try {
    const result = await current.run(state, () => flow.body(params, { logger: state.logger, flowRunId }));
    gate.submit({ kind: 'state', flowRunId, state: 'Success' });
    outcome = { flowRunId, state: 'Success', result };
  } catch (error) {
    gate.submit({ kind: 'state', flowRunId, state: 'Failed', error });
    outcome = { flowRunId, state: 'Failed', error };
  }
  shipper.flush();
  await gate.drain();
  return outcome;
}

/** Runs a task inside the current flow run; outside a flow run the function is simply called. */
export async function runTask<I, O>(options: TaskOptions<I>, fn: (input: I, ctx: RunContext) => Promise<O>, input: I): Promise<O> {
  const run = current.getStore();
  if (run === undefined) return fn(input, { logger: createTaskLogger([consoleSink('info')], () => {}), flowRunId: 'local' });
  const { gate, flowRunId } = run;
  const taskRunId = randomUUID();
  const callIndex = run.callCounts.get(options.name) ?? 0;
  run.callCounts.set(options.name, callIndex + 1);
  const result = options.result ?? run.defaultResult;
  const template: TemplateContext = {
    flow_name: run.flowName,
    task_name: options.name,
    flow_run_id: flowRunId,
    task_run_id: taskRunId,
    date: new Date().toISOString().slice(0, 10),
    params: run.params,
    inputs: input !== null && typeof input === 'object' ? (input as Record<string, unknown>) : { value: input },
  };
  const inline = result instanceof InlineResult;
  const report = (
    state: StateName,
    extra: { error?: unknown; resultLocation?: string; cacheKey?: string; attempt?: number; cachedParameters?: Record<string, unknown> } = {},
  ) => gate.submit({ kind: 'state', flowRunId, taskRunId, state, ...extra, ...(inline && extra.resultLocation !== undefined && { inlineResult: true }) });
  gate.submit({ kind: 'task_run', flowRunId, taskRunId, taskName: options.name, tags: options.tags ?? [], upstream: [], callIndex });
  report('Pending');

  // Restart: a task that succeeded in the earlier run is not run again; its output comes from its result.
  const earlier = run.restart?.tasks.find((t) => t.taskName === options.name && t.callIndex === callIndex);
  if (earlier?.state === 'Success' && earlier.resultLocation !== undefined && (await result.exists(earlier.resultLocation))) {
    const output = (await result.read(earlier.resultLocation)) as O;
    report('Cached', { resultLocation: earlier.resultLocation });
    return output;
  }

  const cacheFile = options.cacheKey !== undefined && options.cacheFor !== undefined ? cachePath(options.name, options.cacheKey(input)) : undefined;
  if (cacheFile !== undefined) {
    const hit = readCache(cacheFile.path);
    if (hit !== undefined) {
      // A cached state carries the parameters it was cached for: they go out under the parameters rules.
      report('Cached', { cacheKey: cacheFile.key, cachedParameters: template.inputs });
      return hit as O;
    }
  }

  const release = await acquire(run, options.tags ?? [], async () => {
    const location = await result.write(input, template, '.inputs.json');
    report('Queued', { resultLocation: location });
  });
  try {
    const retries = options.retries ?? 0;
    let output: O;
    for (let attempt = 0; ; attempt++) {
      report('Running', attempt > 0 ? { attempt } : {});
      try {
        output = await fn(input, { logger: run.logger.child({ [TASK_RUN]: taskRunId }), flowRunId, taskRunId });
        break;
      } catch (error) {
        // Shown where the run is (local logs are whole); the control plane gets it scrubbed, in the state.
        const retrying = attempt < retries;
        run.logger.log({
          level: retrying ? 'warn' : 'error',
          message: `task ${options.name} failed${retries > 0 ? ` (attempt ${attempt + 1} of ${retries + 1}${retrying ? ', retrying' : ''})` : ''}: ${describeError(error)}`,
          ship: false,
          [TASK_RUN]: taskRunId,
        });
        if (!retrying) {
          report('Failed', { error });
          throw error;
        }
        // The inputs are needed to run the task again: they go through the task's result first.
        const location = await result.write(input, template, '.inputs.json');
        report('Retrying', { attempt: attempt + 1, resultLocation: location, error });
        await new Promise((r) => setTimeout(r, options.retryDelayMs ?? 0));
      }
    }
    // Outside the retries: the task ran, and its side effects must not run again because a write failed.
    let resultLocation: string | undefined;
    try {
      const checkpoint = (options.checkpoint ?? false) && run.env.EGRESS_GUARD_CHECKPOINTING?.toLowerCase() !== 'false';
      if (checkpoint || cacheFile !== undefined) resultLocation = await result.write(output, template);
      if (cacheFile !== undefined) {
        // Caching keeps the inputs beside the output, as a retry does.
        await result.write(input, template, '.inputs.json');
        writeCache(cacheFile.path, output, options.cacheFor!);
      }
    } catch (cause) {
      const error = new ResultWriteError(`task ${options.name} ran, but its result could not be written (${(cause as Error)?.message ?? String(cause)}); it is not run again`, { cause });
      report('Failed', { error });
      throw error;
    }
    report('Success', { ...(resultLocation !== undefined && { resultLocation }), ...(cacheFile !== undefined && { cacheKey: cacheFile.key }) });
    return output;
  } finally {
    release();
  }
}

/**
 * A task that ran (its side effects happened) but whose result or cache entry could not be written: its
 * state is Failed, and it is not retried.
 *
 * @example
 * const outcome = await runFlow(f, params, options);
 * if (outcome.error instanceof ResultWriteError) console.error(outcome.error.cause); // the disk, not the task
 */
export class ResultWriteError extends Error {
  override name = 'ResultWriteError';
}

/** An error as a local log shows it: its stack (which starts with `Type: message`), else its text. */
function describeError(error: unknown): string {
  try {
    if (error instanceof Error) return error.stack ?? `${error.name}: ${error.message}`;
    return String(error);
  } catch {
    return 'a value that cannot be printed';
  }
}

/** Marks a task run's records; a symbol, so local formats never print it. */
const TASK_RUN = Symbol('egress-guard.taskRunId');

/** Collects records for the gate in batches; `{ ship: false }` records stay local. */
class LogShipper {
  private batch: RawLogRecord[] = [];
  constructor(
    private readonly gate: Gate,
    readonly flowRunId: string,
  ) {}

  add(record: RawLogRecord): void {
    this.batch.push(record);
    if (this.batch.length >= LOG_BATCH) this.flush();
  }

  /** A record of the run's logger: for the control plane, unless it says `ship: false`. */
  ship(info: LogInfo): void {
    const { level, message, ...meta } = info;
    if (meta.ship === false) return;
    const taskRunId = info[TASK_RUN] as string | undefined;
    this.add({
      flowRunId: this.flowRunId,
      ...(taskRunId !== undefined && { taskRunId }),
      level: String(level),
      time: new Date().toISOString(),
      message: typeof message === 'string' ? message : describeMessage(message),
      meta,
    });
  }

  flush(): void {
    if (this.batch.length === 0) return;
    this.gate.submit({ kind: 'logs', flowRunId: this.flowRunId, records: this.batch });
    this.batch = [];
  }
}

/**
 * A message that is not a string, as text (the gate scans it): bounded, and safe for cycles and throwing
 * getters, which must not fail the user's task.
 */
function describeMessage(message: unknown): string {
  try {
    return JSON.stringify(message) ?? '';
  } catch {
    return inspect(message, { depth: 4, maxArrayLength: 100, maxStringLength: 4096, breakLength: Infinity, getters: false });
  }
}

class Semaphore {
  private active = 0;
  private readonly waiting: (() => void)[] = [];
  constructor(private readonly limit: number) {}
  get full(): boolean {
    return this.active >= this.limit;
  }
  async acquire(): Promise<void> {
    if (this.active < this.limit) {
      this.active++;
      return;
    }
    await new Promise<void>((resolve) => this.waiting.push(resolve));
  }
  release(): void {
    const next = this.waiting.shift();
    if (next !== undefined) next();
    else this.active--;
  }
}

/** Takes a slot of every limited tag; when one is full, reports Queued (after `onQueue`) and waits. */
async function acquire(run: FlowRunState, tags: string[], onQueue: () => Promise<void>): Promise<() => void> {
  const sems = tags
    .filter((t) => run.concurrency[t] !== undefined)
    .sort()
    .map((t) => {
      let s = run.semaphores.get(t);
      if (s === undefined) run.semaphores.set(t, (s = new Semaphore(run.concurrency[t]!)));
      return s;
    });
  if (sems.some((s) => s.full)) await onQueue();
  for (const s of sems) await s.acquire();
  return () => sems.forEach((s) => s.release());
}

function cachePath(taskName: string, key: string): { key: string; path: string } {
  const digest = createHash('sha256').update(`${taskName}\u0000${key}`).digest('hex');
  return { key, path: join(DEFAULT_RESULTS_DIR, '.cache', `${digest}.json`) };
}

function readCache(path: string): unknown {
  if (!existsSync(path)) return undefined;
  try {
    const entry = JSON.parse(readFileSync(path, 'utf8')) as { expires: number; output: unknown };
    return entry.expires > Date.now() ? entry.output : undefined;
  } catch {
    return undefined;
  }
}

function writeCache(path: string, output: unknown, ttlMs: number): void {
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, JSON.stringify({ expires: Date.now() + ttlMs, output }), { mode: 0o600 });
}
