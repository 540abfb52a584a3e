/**
 * Many ledgers in one report: each verified by its own pass (pass.ts), in this thread or on worker threads
 * (`--jobs N`), their items merged by time in a k-way merge, or listed ledger by ledger. Why a module of
 * its own: a fleet (a ledger per worker and day) is a thousand ledgers; each is read once, in bounded
 * memory, and what the report writes out does not depend on how many threads verified them.
 *
 * The merge keeps each ledger's own order (the order it recorded its items, whatever their clocks say)
 * and interleaves ledgers by item time, ties in the order the ledgers were given: the same report for any
 * `--jobs`. Rows of a ledger wait for the merge in a temporary file of their own, read back a chunk at a
 * time, so a thousand ledgers merge in the memory of a thousand small buffers.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { runLedgerPass, type LedgerOutcome, type PassInput } from './pass.ts';
import type { Progress } from './progress.ts';
import { LineWriter, segmentLines } from './stream.ts';
import type { Row } from './summary.ts';

/** How a fleet is read and merged. */
export interface FleetOptions {
  /** The ledger directories, in the order given. */
  ledgers: readonly string[];
  /** What each ledger's pass takes (its `dir` is set from `ledgers`). */
  input: Omit<PassInput, 'dir'>;
  /** With `--cloud`: what the control plane witnessed of each ledger (its `witness` input). */
  witnessOf?: ((dir: string) => PassInput['witness']) | undefined;
  /** Items by time across ledgers (a k-way merge) or ledger by ledger. */
  order: 'time' | 'ledger';
  /** Passes at once: 1 verifies in this thread; more run on worker threads. */
  jobs: number;
  /** A directory of this report's own, for rows waiting to be merged. */
  tmpDir: string;
  /** Every row, in report order. */
  onRow: (row: Row) => void;
  /** Awaited every so often: the output waiting for its reader. */
  pause?: () => Promise<void> | void;
  progress?: Progress;
}

/** Rows between two pauses while merging. */
const ROWS_PER_PAUSE = 1024;

/**
 * Verifies and reports every ledger, handing rows to `onRow` in report order; returns each ledger's
 * outcome, in the order given.
 *
 * @example
 * const outcomes = await runFleet({ ledgers, input: { filters: {} }, order: 'time', jobs: 2, tmpDir, onRow: (row) => out.row(row.item) });
 */
export async function runFleet(o: FleetOptions): Promise<LedgerOutcome[]> {
  const hooks = { ...(o.pause !== undefined && { pause: o.pause }), onBytes: (n: number) => o.progress?.bytes(n) };
  const inputOf = (i: number): PassInput => {
    const dir = o.ledgers[i]!;
    const witness = o.witnessOf?.(dir);
    return { ...o.input, dir, ...(witness !== undefined && { witness }) };
  };
  const done = (outcome: LedgerOutcome) => {
    o.progress?.ledgerDone(outcome.problemsTotal > 0);
    return outcome;
  };
  // One ledger (a worker would only add a copy of its rows), or ledger by ledger in this thread: rows go straight out.
  if (o.ledgers.length === 1 || (o.jobs <= 1 && o.order === 'ledger')) {
    const outcomes: LedgerOutcome[] = [];
    for (let i = 0; i < o.ledgers.length; i++) outcomes.push(done(await runLedgerPass(inputOf(i), o.onRow, hooks)));
    return outcomes;
  }
  const rowsFile = (i: number) => join(o.tmpDir, `rows-${String(i).padStart(6, '0')}.ndjson`);
  const chunkBytes = Math.max(16 * 1024, Math.min(256 * 1024, Math.floor((64 * 1024 * 1024) / o.ledgers.length)));
  let pending: Promise<LedgerOutcome>[];
  let pool: WorkerPool | undefined;
  if (o.jobs > 1) {
    pool = new WorkerPool(Math.min(o.jobs, o.ledgers.length), (n) => o.progress?.bytes(n));
    pending = o.ledgers.map((_, i) => pool!.run(inputOf(i), rowsFile(i)).then(done));
    // A failed pass must not go unobserved while an earlier one is awaited.
    for (const p of pending) p.catch(() => undefined);
  } else {
    pending = [];
    for (let i = 0; i < o.ledgers.length; i++) pending.push(Promise.resolve(done(await passToFile(inputOf(i), rowsFile(i), hooks))));
  }
  try {
    const outcomes: LedgerOutcome[] = [];
    if (o.order === 'ledger') {
      // Each ledger's rows as soon as it and those before it are verified.
      for (let i = 0; i < o.ledgers.length; i++) {
        outcomes.push(await pending[i]!);
        await drain(readRows(rowsFile(i), chunkBytes), o);
        rmSync(rowsFile(i), { force: true });
      }
      return outcomes;
    }
    for (const p of pending) outcomes.push(await p);
    await drain(mergeByTime(o.ledgers.map((_, i) => readRows(rowsFile(i), chunkBytes))), o);
    return outcomes;
  } finally {
    await pool?.close();
  }
}

async function drain(rows: Iterable<Row>, o: FleetOptions): Promise<void> {
  let n = 0;
  for (const row of rows) {
    o.onRow(row);
    if (++n % ROWS_PER_PAUSE === 0) await o.pause?.();
  }
}

/**
 * One ledger's pass with its rows written to `file` (for the merge), in this thread.
 *
 * @example const outcome = await passToFile({ dir, filters: {} }, join(tmp, 'rows-000000.ndjson'));
 */
export async function passToFile(input: PassInput, file: string, hooks: { pause?: () => Promise<void> | void; onBytes?: (n: number) => void } = {}): Promise<LedgerOutcome> {
  const out = new LineWriter(file);
  try {
    return await runLedgerPass(input, (row) => out.line(JSON.stringify(row)), hooks);
  } finally {
    out.close();
  }
}

/** The rows of a file written by passToFile, in order, a chunk at a time. */
function* readRows(file: string, chunkBytes: number): Generator<Row> {
  for (const ev of segmentLines(file, { chunkBytes, maxLineBytes: Number.MAX_SAFE_INTEGER })) {
    if (ev.type === 'line') yield JSON.parse(ev.text) as Row;
    else if (ev.type === 'error') throw new Error(`the report's temporary file ${file} could not be read (${ev.code})`);
  }
}

/**
 * A k-way merge of row streams by item time: each stream's order is kept, heads are compared by time,
 * ties go to the earlier stream. Memory: one row per stream; time: log(k) per row.
 *
 * @example [...mergeByTime([rowsOfLedgerA, rowsOfLedgerB])] // interleaved by item.time
 */
export function* mergeByTime(sources: Iterable<Row>[]): Generator<Row> {
  const iters = sources.map((s) => s[Symbol.iterator]());
  const heads: (Row | undefined)[] = [];
  const heap: number[] = [];
  const before = (a: number, b: number) => {
    const ta = heads[a]!.item.time;
    const tb = heads[b]!.item.time;
    return ta < tb || (ta === tb && a < b);
  };
  const up = (k: number) => {
    while (k > 0) {
      const parent = (k - 1) >> 1;
      if (!before(heap[k]!, heap[parent]!)) break;
      [heap[k], heap[parent]] = [heap[parent]!, heap[k]!];
      k = parent;
    }
  };
  const down = (k: number) => {
    for (;;) {
      const l = 2 * k + 1;
      const r = l + 1;
      let m = k;
      if (l < heap.length && before(heap[l]!, heap[m]!)) m = l;
      if (r < heap.length && before(heap[r]!, heap[m]!)) m = r;
      if (m === k) return;
      [heap[k], heap[m]] = [heap[m]!, heap[k]!];
      k = m;
    }
  };
  for (let i = 0; i < iters.length; i++) {
    const next = iters[i]!.next();
    heads[i] = next.done === true ? undefined : next.value;
    if (heads[i] !== undefined) {
      heap.push(i);
      up(heap.length - 1);
    }
  }
  while (heap.length > 0) {
    const i = heap[0]!;
    yield heads[i]!;
    const next = iters[i]!.next();
    if (next.done === true) {
      heads[i] = undefined;
      const last = heap.pop()!;
      if (heap.length > 0) {
        heap[0] = last;
        down(0);
      }
    } else {
      heads[i] = next.value;
      down(0);
    }
  }
}

/**
 * The worker thread: fleet-worker.js beside this module; run from the TypeScript sources (a checkout, the
 * tests), fleet-worker.ts, loaded through tsx, registered in the worker first (loaders of the main thread
 * do not reach worker threads in Node 20).
 */
function startWorker(): Worker {
  if (!import.meta.url.endsWith('.ts')) return new Worker(new URL('./fleet-worker.js', import.meta.url));
  const tsx = import.meta.resolve('tsx/esm/api');
  const entry = new URL('./fleet-worker.ts', import.meta.url).href;
  return new Worker(`import(${JSON.stringify(tsx)}).then((api) => { api.register(); return import(${JSON.stringify(entry)}); });`, { eval: true });
}

interface Task {
  input: PassInput;
  file: string;
  resolve: (o: LedgerOutcome) => void;
  reject: (e: unknown) => void;
}

/** Message from a worker (fleet-worker.ts). */
type FromWorker = { type: 'bytes'; n: number } | { type: 'done'; outcome: LedgerOutcome } | { type: 'error'; message: string };

/**
 * Worker threads that each run one pass at a time (fleet-worker.ts), writing its rows to a file.
 *
 * @example
 * const pool = new WorkerPool(2, (n) => progress.bytes(n));
 * const outcome = await pool.run({ dir, filters: {} }, join(tmp, 'rows-000000.ndjson'));
 * await pool.close();
 */
export class WorkerPool {
  private readonly queue: Task[] = [];
  private readonly idle: Worker[] = [];
  private readonly all: Worker[] = [];
  private readonly busy = new Map<Worker, Task>();

  constructor(
    private readonly size: number,
    private readonly onBytes: (n: number) => void,
  ) {}

  /**
   * Runs a pass on a worker thread; resolves with its outcome once its rows are in `file`.
   *
   * @example await pool.run({ dir, filters: {} }, file)
   */
  run(input: PassInput, file: string): Promise<LedgerOutcome> {
    return new Promise((resolve, reject) => {
      this.queue.push({ input, file, resolve, reject });
      this.next();
    });
  }

  /**
   * Stops every worker.
   *
   * @example await pool.close()
   */
  async close(): Promise<void> {
    const all = this.all.splice(0);
    await Promise.all(all.map((w) => w.terminate()));
  }

  private next(): void {
    while (this.queue.length > 0) {
      const worker = this.idle.pop() ?? (this.all.length < this.size ? this.spawn() : undefined);
      if (worker === undefined) return;
      const task = this.queue.shift()!;
      this.busy.set(worker, task);
      worker.postMessage({ input: task.input, file: task.file });
    }
  }

  private spawn(): Worker {
    const worker = startWorker();
    this.all.push(worker);
    worker.on('message', (msg: FromWorker) => {
      if (msg.type === 'bytes') {
        this.onBytes(msg.n);
        return;
      }
      const task = this.busy.get(worker);
      this.busy.delete(worker);
      if (task !== undefined) {
        if (msg.type === 'done') task.resolve(msg.outcome);
        else task.reject(new Error(msg.message));
      }
      this.idle.push(worker);
      this.next();
    });
    worker.on('error', (err) => {
      const task = this.busy.get(worker);
      this.busy.delete(worker);
      task?.reject(err);
      const i = this.all.indexOf(worker);
      if (i >= 0) this.all.splice(i, 1);
      this.next();
    });
    return worker;
  }
}
