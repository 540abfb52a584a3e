/**
 * The control-plane client. It accepts only GuardedItems (the gate's output), batches them, retries with
 * exponential backoff and full jitter, and while the control plane is unreachable keeps them in a bounded
 * spool on disk, delivering them in order once it is back. `send` never throws and never blocks: the user's
 * flow keeps running either way. Item ids make redelivery idempotent.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { GuardedItem } from '../egress/types.ts';
import type { WitnessedHead } from '../audit/verify.ts';

export interface CloudClientOptions {
  url: string;
  token: string;
  /** Where undelivered items wait (a file `spool.jsonl` inside). */
  spoolDir: string;
  batchSize?: number;
  flushIntervalMs?: number;
  maxSpoolItems?: number;
  retry?: { baseMs?: number; maxMs?: number };
  requestTimeoutMs?: number;
  /** Delivery confirmed by the control plane: the audit's ack. */
  onDelivered?: (ids: string[]) => void;
  /** Oldest items dropped because the spool was full. */
  onDropped?: (ids: string[]) => void;
}

export interface CloseResult {
  delivered: number;
  /** Undelivered items written to the spool, for the next process. */
  spooled: number;
  dropped: number;
  /** Undelivered items the spool could not hold (a full disk): gone with this process. */
  unsaved: number;
  /** Why the spool could not be written (an errno code such as ENOSPC), when it could not. */
  spoolError?: string;
}

export class CloudClient {
  private queue: GuardedItem[] = [];
  private delivered = 0;
  private dropped = 0;
  private attempt = 0;
  private timer: NodeJS.Timeout | undefined;
  private inflight: Promise<void> | undefined;
  private closed = false;
  /** Whether the spool file holds items: only then does each delivery rewrite it. */
  private onDisk = false;
  private readonly spoolFile: string;
  private readonly batchSize: number;
  private readonly flushIntervalMs: number;
  private readonly maxSpoolItems: number;
  private readonly baseMs: number;
  private readonly maxMs: number;
  private readonly timeoutMs: number;

  constructor(private readonly options: CloudClientOptions) {
    this.batchSize = options.batchSize ?? 100;
    this.flushIntervalMs = options.flushIntervalMs ?? 200;
    this.maxSpoolItems = options.maxSpoolItems ?? 100_000;
    this.baseMs = options.retry?.baseMs ?? 100;
    this.maxMs = options.retry?.maxMs ?? 5_000;
    this.timeoutMs = options.requestTimeoutMs ?? 10_000;
    mkdirSync(options.spoolDir, { recursive: true });
    this.spoolFile = join(options.spoolDir, 'spool.jsonl');
    // Items a previous process could not deliver go first.
    if (existsSync(this.spoolFile)) {
      for (const line of readFileSync(this.spoolFile, 'utf8').split('\n')) {
        if (line === '') continue;
        try {
          this.queue.push(JSON.parse(line) as GuardedItem);
        } catch {
          // a torn line from a crash while spooling: the rest is still delivered
        }
      }
      this.onDisk = this.queue.length > 0;
      if (this.queue.length > 0) this.schedule(0);
    }
  }

  /** Queues an item; never throws, never waits. */
  send(item: GuardedItem): void {
    if (this.closed) return;
    this.queue.push(item);
    this.bound();
    if (this.queue.length >= this.batchSize) this.schedule(0);
    else this.schedule(this.flushIntervalMs);
  }

  /** Items not delivered yet. */
  get pending(): number {
    return this.queue.length;
  }

  /** One delivery attempt of everything queued now. */
  async flush(): Promise<void> {
    while (this.inflight !== undefined) await this.inflight;
    if (this.queue.length === 0) return;
    this.inflight = this.deliver().finally(() => (this.inflight = undefined));
    await this.inflight;
  }

  /**
   * Tries to deliver what is queued until the deadline, then writes what is left to the spool for the next
   * process, and says how much that is.
   */
  async close({ deadlineMs = 5_000 }: { deadlineMs?: number } = {}): Promise<CloseResult> {
    this.closed = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    const deadline = Date.now() + deadlineMs;
    while (this.queue.length > 0 && Date.now() < deadline) {
      await this.flush();
      if (this.queue.length > 0) await sleep(Math.min(this.backoff(), Math.max(0, deadline - Date.now())));
    }
    const spoolError = this.persist();
    const left = this.queue.length;
    return {
      delivered: this.delivered,
      spooled: spoolError === undefined ? left : 0,
      dropped: this.dropped,
      unsaved: spoolError === undefined ? 0 : left,
      ...(spoolError !== undefined && { spoolError }),
    };
  }

  private schedule(delayMs: number): void {
    if (this.timer !== undefined && delayMs > 0) return;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.flush().then(() => {
        if (this.queue.length > 0 && !this.closed) this.schedule(this.attempt > 0 ? this.backoff() : 0);
      });
    }, delayMs);
    this.timer.unref();
  }

  private async deliver(): Promise<void> {
    while (this.queue.length > 0) {
      const batch = this.queue.slice(0, this.batchSize);
      const outcome = await this.post(batch);
      if (outcome === 'retry') {
        this.attempt++;
        this.persist();
        return;
      }
      this.attempt = 0;
      this.queue.splice(0, batch.length);
      if (outcome === 'delivered') {
        this.delivered += batch.length;
        this.options.onDelivered?.(batch.map((i) => i.id));
      }
      if (this.onDisk) this.persist();
    }
  }

  /** `retry` on network errors, time-outs, 429 and 5xx; `rejected` on other 4xx (retrying cannot help). */
  private async post(batch: GuardedItem[]): Promise<'delivered' | 'retry' | 'rejected'> {
    try {
      const res = await fetch(`${this.options.url}/api/v1/items`, {
        method: 'POST',
        headers: { authorization: `Bearer ${this.options.token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ items: batch }),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      await res.arrayBuffer();
      if (res.ok) return 'delivered';
      if (res.status === 429 || res.status >= 500) return 'retry';
      // Kept out of the queue so it cannot block what follows; the spool keeps no record of it, the audit
      // keeps the intent without an ack, which audit-report lists as unacknowledged.
      return 'rejected';
    } catch {
      return 'retry';
    }
  }

  /** Exponential backoff with full jitter. */
  private backoff(): number {
    return Math.random() * Math.min(this.maxMs, this.baseMs * 2 ** Math.min(this.attempt, 16));
  }

  private bound(): void {
    const excess = this.queue.length - this.maxSpoolItems;
    if (excess <= 0) return;
    const gone = this.queue.splice(0, excess);
    this.dropped += gone.length;
    this.options.onDropped?.(gone.map((i) => i.id));
  }

  /**
   * The spool file mirrors the undelivered queue (written atomically: a failed write leaves the previous
   * spool whole). Returns the error code when it could not be written; a full disk must not stop the flow,
   * the items stay in memory and close() reports what could not be kept.
   */
  private persist(): string | undefined {
    const tmp = `${this.spoolFile}.tmp`;
    try {
      writeFileSync(tmp, this.queue.map((i) => JSON.stringify(i) + '\n').join(''), { mode: 0o600 });
      renameSync(tmp, this.spoolFile);
      this.onDisk = this.queue.length > 0;
      return undefined;
    } catch (err) {
      rmSync(tmp, { force: true });
      return (err as NodeJS.ErrnoException).code ?? 'error';
    }
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Reports a ledger checkpoint to the control plane, which keeps the latest per ledger: later, a local ledger
 * shorter than what was witnessed is caught by `audit-report --verify --cloud`. Best effort: a run never
 * fails for it; returns whether the control plane took it.
 */
export async function postWitness(url: string, token: string, witness: object): Promise<boolean> {
  try {
    const res = await fetch(`${url}/api/v1/witness`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(witness),
      signal: AbortSignal.timeout(10_000),
    });
    await res.arrayBuffer();
    return res.ok;
  } catch {
    return false;
  }
}

/** The latest witnessed checkpoint per ledger id, as the control plane holds them. */
export async function fetchWitnesses(url: string, token: string): Promise<Record<string, WitnessedHead>> {
  const res = await fetch(`${url}/api/v1/witness`, { headers: { authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(10_000) });
  if (!res.ok) throw new Error(`the control plane answered ${res.status}`);
  return ((await res.json()) as { heads: Record<string, WitnessedHead> }).heads;
}
