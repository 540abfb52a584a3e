/**
 * The control-plane client. It accepts only GuardedItems (the gate's output), batches them by count and
 * size, retries with exponential backoff and full jitter, and while the control plane is unreachable keeps
 * them in a bounded spool on disk, delivering them in order once it is back. `send` never throws and never
 * blocks: the user's flow keeps running either way. Item ids make redelivery idempotent. An item too large
 * for one request is cut to fit (a recorded finding), and what the control plane refuses is counted and
 * reported, never retried forever nor lost silently. Each spooled line carries a MAC, and a spooled item is
 * delivered only if its MAC verifies and, with an audit ledger, it matches an intent the ledger recorded:
 * what was altered or added in the spool is refused and reported, never sent.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { appendFileSync, existsSync, linkSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { GuardedItem } from '../egress/types.ts';
import type { LedgerEntry, Witness } from '../audit/ledger.ts';
import { checkpointDigest, type PublicJwk, type WitnessedCheckpoint, type WitnessLog } from '../audit/witness.ts';
import { canonicalJson, sha256Hex } from '../crypto/canonical.ts';
import { FindingSink, type Finding } from '../redact/findings.ts';
import { formatPath } from '../redact/paths.ts';

/**
 * The default `maxBatchBytes`: request bodies safely under the reference control plane's 5 MiB limit
 * (server.ts MAX_BODY_BYTES). A control plane with a smaller limit is learnt from its 413 answers.
 */
export const DEFAULT_MAX_BATCH_BYTES = 4 * 1024 * 1024;
/** What `{"items":[` and `]}` add to a request body around its items. */
const ENVELOPE_BYTES = Buffer.byteLength('{"items":[]}');
/** The finding a cut records (Finding.detector is `limit:NAME` for limits). */
const CUT_DETECTOR = 'limit:max_item_bytes';

/**
 * Checks a control-plane URL and returns its base form: scheme, host, port and path, without a trailing
 * slash. Refuses what is not http(s), and credentials (`USER:PASSWORD@`), a query or a fragment: they
 * would travel in every request and be written into every audit record. Error messages never echo those
 * parts (`http://***@host:port`), nor input that is not a URL at all (it may be a secret given to the wrong
 * flag).
 *
 * @example
 * parseControlPlaneUrl('https://cp.example.com:8443/eg/'); // 'https://cp.example.com:8443/eg'
 * parseControlPlaneUrl('http://ci:hunter2@cp.example.com'); // throws: ... http://***@cp.example.com carries credentials ...
 */
export function parseControlPlaneUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new Error('the control-plane URL is not an absolute URL: give http(s)://HOST[:PORT][/PATH]');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    // `user:pass@host` parses with the scheme `user:`: the scheme is named only when it looks like one.
    const named = raw.toLowerCase().startsWith(`${url.protocol}//`) ? ` (not ${url.protocol}//)` : '';
    throw new Error(`the control-plane URL must start with http:// or https://${named}`);
  }
  // An @ in the path is a password holding a / (http://user:pa/ss@host parses as host `user`, port `pa`).
  const at = url.pathname.lastIndexOf('@');
  const credentials = url.username !== '' || url.password !== '' || at >= 0;
  const base = `${url.protocol}//${url.host}${url.pathname.replace(/\/+$/, '')}`;
  // As messages show it: never the userinfo, the query or the fragment.
  const rest = at >= 0 ? url.pathname.slice(at + 1) : base.slice(`${url.protocol}//`.length);
  const shown = `${url.protocol}//${credentials ? '***@' : ''}${rest}${url.search !== '' ? '?***' : ''}${url.hash !== '' ? '#***' : ''}`;
  const token = 'pass the token with --token T or EGRESS_GUARD_TOKEN';
  if (credentials) {
    throw new Error(`the control-plane URL ${shown} carries credentials (USER:PASSWORD@ before the host); they would be sent in every request and written into the audit ledger: remove them from the URL and ${token}`);
  }
  if (url.search !== '' || url.hash !== '') throw new Error(`the control-plane URL ${shown} has a query or a fragment: give the base URL only and ${token}`);
  return base;
}

/** Where a CloudClient delivers (URL, token), where it spools, and how it batches, retries and reports. */
export interface CloudClientOptions {
  /** The control plane's base URL, checked by parseControlPlaneUrl (the constructor throws on a bad one). */
  url: string;
  /** The bearer token the control plane knows this tenant by. */
  token: string;
  /** Where undelivered items wait (a file `spool.jsonl` inside). */
  spoolDir: string;
  /**
   * The key that authenticates each spool line (HMAC-SHA-256; 32 random bytes as hex), created on first use
   * with mode 0600 and refused when other users can read or write it. Default: `SPOOLDIR.key`, beside the
   * spool directory rather than in it (`.egress-guard/spool.key` for `egress-guard run`), so that what can
   * write only the spool directory (a cache restored into it, a shared mount) cannot read it.
   */
  spoolKeyFile?: string;
  /**
   * The intents the audit ledger recorded (see intentIndex). Given, a spooled item is delivered only if it
   * matches one recorded for its id: the same payload digest, kind, channel, run ids and time. Called once,
   * and only when the spool holds items.
   */
  intents?: () => IntentIndex;
  /**
   * Spooled items refused when the spool is read: their line is not an item, its MAC does not verify, or (with
   * `intents`) no intent matches. Never delivered, counted in CloseResult.rejected, and their lines moved to
   * `spool.rejected.jsonl` for inspection. Told once per reason, with the number of lines; lines without a
   * readable id are counted but not named.
   */
  onSpoolRejected?: (ids: string[], reason: string, lines: number) => void;
  /** Items per request at most (default 100). */
  batchSize?: number;
  /**
   * Bytes per request body at most (default DEFAULT_MAX_BATCH_BYTES); an item larger on its own is cut to
   * fit (see cutToFit). Keep it under the control plane's limit: each 413 halves it for the rest of the
   * client's life, so the next request holds fewer items, or its lone item cut smaller.
   */
  maxBatchBytes?: number;
  flushIntervalMs?: number;
  maxSpoolItems?: number;
  retry?: { baseMs?: number; maxMs?: number };
  requestTimeoutMs?: number;
  /** Delivery confirmed by the control plane: the audit's ack. */
  onDelivered?: (ids: string[]) => void;
  /** Oldest items dropped because the spool was full. */
  onDropped?: (ids: string[]) => void;
  /**
   * Told before an item cut to fit is sent, with what was cut: record it (the audit's intent for what
   * actually leaves). The cut item waits for it; when it rejects, the item is kept whole and tried again
   * later, so nothing leaves unrecorded.
   */
  onCut?: (item: GuardedItem, findings: Finding[]) => void | Promise<void>;
  /**
   * Items the control plane refused (a 4xx other than 408, 413 and 429, e.g. `HTTP 401`), or that are too
   * large even when cut: taken off the queue, never retried, counted in CloseResult.refused.
   */
  onRefused?: (ids: string[], reason: string) => void;
}

/** What `CloudClient.close()` says became of the items: delivered, spooled for the next process, or lost (and why). */
export interface CloseResult {
  delivered: number;
  /** Undelivered items written to the spool, for the next process. */
  spooled: number;
  dropped: number;
  /** Undelivered items the spool could not hold (a full disk): gone with this process. */
  unsaved: number;
  /**
   * Why the spool could not be written (an errno code such as ENOSPC, or what is wrong with the spool key),
   * when it could not.
   */
  spoolError?: string;
  /**
   * Items cut to fit the size limit (see cutToFit), counted in the other fields too by what became of them
   * (delivered, spooled or refused). Present, like `refused`, only when not zero.
   */
  cut?: number;
  /** Items refused (see onRefused): not delivered, kept nowhere. */
  refused?: number;
  /** Spooled items refused as altered or injected (see onSpoolRejected): never delivered. */
  rejected?: number;
}

/** A recorded intent's fields a spooled item must match (the ledger's `intent` and `blocked` entries). */
export interface RecordedIntent {
  kind: string;
  channel: string;
  flowRunId: string;
  taskRunId?: string;
  time: string;
  payloadSha256: string;
}

/** Intents by item id: an item cut to fit has two, the whole item's and the cut one's. */
export type IntentIndex = ReadonlyMap<string, readonly RecordedIntent[]>;

/**
 * The intents of a ledger's entries, by item id: what CloudClient's `intents` option wants.
 *
 * @example
 * const client = new CloudClient({ url, token, spoolDir, intents: () => intentIndex(readLedger(ledgerDir).entries) });
 */
export function intentIndex(entries: readonly LedgerEntry[]): IntentIndex {
  const index = new Map<string, RecordedIntent[]>();
  for (const e of entries) {
    if (e.type !== 'intent' && e.type !== 'blocked') continue;
    const d = e.data as Partial<Record<'itemId' | keyof RecordedIntent, unknown>>;
    if (typeof d.itemId !== 'string' || typeof d.payloadSha256 !== 'string') continue;
    const intent: RecordedIntent = {
      kind: String(d.kind),
      channel: String(d.channel),
      flowRunId: String(d.flowRunId),
      ...(typeof d.taskRunId === 'string' && { taskRunId: d.taskRunId }),
      time: String(d.time),
      payloadSha256: d.payloadSha256,
    };
    const known = index.get(d.itemId);
    if (known === undefined) index.set(d.itemId, [intent]);
    else known.push(intent);
  }
  return index;
}

/** The fields of a GuardedItem, and only those: a spooled line with any other is refused. */
const ITEM_FIELDS = new Set(['id', 'kind', 'channel', 'flowRunId', 'taskRunId', 'time', 'payload']);
const ITEM_KINDS = new Set(['flow_run', 'task_run', 'state', 'logs']);
/** A spool line: `{"v":1,"mac":"<64 hex>","item":<the item's JSON, as sent>}`; the MAC covers the item's bytes. */
const LINE_PREFIX = '{"v":1,"mac":"';
const LINE_ITEM = '","item":';
const MAC_CONTEXT = 'egress-guard spool v1\n';

/**
 * The control-plane client: takes GuardedItems only (the gate's output), batches them, retries with backoff,
 * and spools what it cannot deliver (authenticated, bounded) for the next process. `send` never throws and
 * never waits; `close()` says what became of everything.
 *
 * @example
 * const client = new CloudClient({ url: 'https://cp.example.com', token: process.env.EGRESS_GUARD_TOKEN!, spoolDir: '.egress-guard/spool' });
 * const gate = new EgressGate({ engine, sink: client });
 * await client.close(); // { delivered: 8, spooled: 0, dropped: 0, unsaved: 0 }
 */
export class CloudClient {
  private queue: GuardedItem[] = [];
  private delivered = 0;
  private dropped = 0;
  private refused = 0;
  private rejected = 0;
  /** Each item's spool line, made once: the spool is rewritten after every delivered batch. */
  private readonly lines = new WeakMap<GuardedItem, string>();
  private macKey: Buffer | undefined;
  private readonly spoolKeyFile: string;
  /** Ids of the items cut: one cut again (after a 413) counts once. */
  private readonly cutIds = new Set<string>();
  private attempt = 0;
  private timer: NodeJS.Timeout | undefined;
  private inflight: Promise<void> | undefined;
  private closed = false;
  /** Whether the spool file holds items: only then does each delivery rewrite it. */
  private onDisk = false;
  private readonly url: string;
  private readonly spoolFile: string;
  private readonly batchSize: number;
  /** maxBatchBytes, halved by each 413 (a control plane with a smaller limit than assumed). */
  private batchBytes: number;
  private readonly flushIntervalMs: number;
  private readonly maxSpoolItems: number;
  private readonly baseMs: number;
  private readonly maxMs: number;
  private readonly timeoutMs: number;

  constructor(private readonly options: CloudClientOptions) {
    this.url = parseControlPlaneUrl(options.url);
    this.batchSize = options.batchSize ?? 100;
    this.batchBytes = options.maxBatchBytes ?? DEFAULT_MAX_BATCH_BYTES;
    this.flushIntervalMs = options.flushIntervalMs ?? 200;
    this.maxSpoolItems = options.maxSpoolItems ?? 100_000;
    this.baseMs = options.retry?.baseMs ?? 100;
    this.maxMs = options.retry?.maxMs ?? 5_000;
    this.timeoutMs = options.requestTimeoutMs ?? 10_000;
    mkdirSync(options.spoolDir, { recursive: true });
    this.spoolFile = join(options.spoolDir, 'spool.jsonl');
    this.spoolKeyFile = options.spoolKeyFile ?? `${resolve(options.spoolDir)}.key`;
    // Items a previous process could not deliver go first.
    if (existsSync(this.spoolFile)) this.readSpool();
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
      ...(this.cutIds.size > 0 && { cut: this.cutIds.size }),
      ...(this.refused > 0 && { refused: this.refused }),
      ...(this.rejected > 0 && { rejected: this.rejected }),
    };
  }

  /**
   * Takes back what an earlier process spooled, line by line, refusing what it did not write: a line that is
   * not one, whose MAC does not verify, or (with `intents`) that matches no recorded intent. The spool is
   * written at once without the refused lines, which go to spool.rejected.jsonl.
   */
  private readSpool(): void {
    const lines = readFileSync(this.spoolFile, 'utf8').split('\n').filter((l) => l !== '');
    if (lines.length === 0) return;
    let key: Buffer | undefined;
    let keyProblem = '';
    try {
      key = this.spoolKey();
    } catch (err) {
      keyProblem = `the spool key cannot be used: ${(err as Error).message}`;
    }
    let intents: IntentIndex | undefined;
    let intentsProblem = '';
    if (key !== undefined && this.options.intents !== undefined) {
      try {
        intents = this.options.intents();
      } catch (err) {
        intentsProblem = `the audit ledger could not be read to match it (${(err as NodeJS.ErrnoException).code ?? 'error'})`;
      }
    }
    const refused = new Map<string, { ids: string[]; lines: string[] }>();
    const seen = new Set<string>();
    for (const line of lines) {
      const checked = key === undefined ? { reason: keyProblem } : intentsProblem !== '' ? { reason: intentsProblem } : checkSpoolLine(line, key, intents, seen);
      if ('item' in checked) {
        seen.add(checked.item.id);
        this.queue.push(checked.item);
        this.lines.set(checked.item, line);
        continue;
      }
      const group = refused.get(checked.reason) ?? { ids: [], lines: [] };
      if (checked.id !== undefined) group.ids.push(checked.id);
      group.lines.push(line);
      refused.set(checked.reason, group);
    }
    this.onDisk = true;
    if (refused.size > 0) {
      const all = [...refused.values()].flatMap((g) => g.lines);
      this.rejected += all.length;
      try {
        appendFileSync(join(this.options.spoolDir, 'spool.rejected.jsonl'), all.map((l) => l + '\n').join(''), { mode: 0o600 });
      } catch {
        // Kept for inspection when it can be; refused either way.
      }
      // Gone from the spool now, not when the next delivery rewrites it: a crash must not bring them back.
      this.persist();
      for (const [reason, group] of refused) this.options.onSpoolRejected?.(group.ids, reason, group.lines.length);
    }
    if (this.queue.length > 0) this.schedule(0);
  }

  /** The spool key, created on first use (see CloudClientOptions.spoolKeyFile). */
  private spoolKey(): Buffer {
    this.macKey ??= loadSpoolKey(this.spoolKeyFile);
    return this.macKey;
  }

  private spoolLine(item: GuardedItem, key: Buffer): string {
    let line = this.lines.get(item);
    if (line === undefined) {
      const text = JSON.stringify(item);
      line = `${LINE_PREFIX}${spoolMac(key, text)}${LINE_ITEM}${text}}`;
      this.lines.set(item, line);
    }
    return line;
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
      const fit = await this.fitFirst();
      if (fit === 'next') continue;
      const outcome = fit === 'fits' ? await this.post(this.nextBatch()) : 'retry';
      if (outcome === 'retry') {
        this.attempt++;
        this.persist();
        return;
      }
      this.attempt = 0;
      if ('tooLarge' in outcome) {
        // The control plane's limit is smaller than assumed. Half the bytes of this request always means
        // fewer items in the next one, or its lone item cut smaller: this ends.
        this.batchBytes = Math.floor(outcome.tooLarge / 2);
        continue;
      }
      this.dequeue(outcome.batch);
      if (outcome.refused === undefined) {
        this.delivered += outcome.batch.length;
        this.options.onDelivered?.(outcome.batch.map((i) => i.id));
      } else {
        this.refuse(outcome.batch, outcome.refused);
      }
      if (this.onDisk) this.persist();
    }
  }

  /**
   * Cuts the first queued item when it alone is over the size limit, once onCut has recorded the cut.
   * `next` when the first item changed (refused as too large even when cut, or dropped by `bound`
   * meanwhile); `unrecorded` when onCut failed: the item stays whole, to be tried again.
   */
  private async fitFirst(): Promise<'fits' | 'next' | 'unrecorded'> {
    const item = this.queue[0]!;
    const room = this.batchBytes - ENVELOPE_BYTES;
    if (Buffer.byteLength(JSON.stringify(item)) <= room) return 'fits';
    const cut = cutToFit(item, room);
    if (cut === undefined) {
      this.queue.shift();
      this.refuse([item], `larger than ${room} bytes even when cut`);
      return 'next';
    }
    try {
      await this.options.onCut?.(cut.item, cut.findings);
    } catch {
      return 'unrecorded';
    }
    if (this.queue[0] !== item) return 'next';
    this.queue[0] = cut.item;
    this.cutIds.add(item.id);
    return 'fits';
  }

  /** The first queued items, as many as fit batchSize and batchBytes (the first always fits: fitFirst). */
  private nextBatch(): { batch: GuardedItem[]; body: string } {
    const parts: string[] = [];
    let bytes = ENVELOPE_BYTES;
    for (const item of this.queue) {
      if (parts.length === this.batchSize) break;
      const text = JSON.stringify(item);
      const size = Buffer.byteLength(text) + (parts.length > 0 ? 1 : 0);
      if (parts.length > 0 && bytes + size > this.batchBytes) break;
      parts.push(text);
      bytes += size;
    }
    return { batch: this.queue.slice(0, parts.length), body: `{"items":[${parts.join(',')}]}` };
  }

  /**
   * `retry` on network errors, time-outs, 408, 429 and 5xx; `tooLarge` (the body's bytes) on 413; otherwise
   * the batch was delivered or, on other 4xx (retrying cannot help), refused with that status.
   */
  private async post({ batch, body }: { batch: GuardedItem[]; body: string }): Promise<'retry' | { tooLarge: number } | { batch: GuardedItem[]; refused?: string }> {
    try {
      const res = await fetch(`${this.url}/api/v1/items`, {
        method: 'POST',
        headers: { authorization: `Bearer ${this.options.token}`, 'content-type': 'application/json' },
        body,
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      await res.arrayBuffer();
      if (res.ok) return { batch };
      if (res.status === 413) return { tooLarge: Buffer.byteLength(body) };
      if (res.status === 408 || res.status === 429 || res.status >= 500) return 'retry';
      return { batch, refused: `HTTP ${res.status}` };
    } catch {
      return 'retry';
    }
  }

  /** Takes a delivered or refused batch off the queue; `bound` may have dropped its first items meanwhile. */
  private dequeue(batch: GuardedItem[]): void {
    const first = batch.indexOf(this.queue[0]!);
    if (first >= 0) this.queue.splice(0, batch.length - first);
  }

  /**
   * Kept out of the queue so they cannot block what follows; the audit keeps their intents without an ack
   * (and, told by onRefused, records the refusal), and close() counts them.
   */
  private refuse(items: GuardedItem[], reason: string): void {
    this.refused += items.length;
    this.options.onRefused?.(items.map((i) => i.id), reason);
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
    let key: Buffer | undefined;
    try {
      // An empty spool needs no key: a process that never spools creates none.
      if (this.queue.length > 0) key = this.spoolKey();
    } catch (err) {
      return `spool key: ${(err as Error).message}`;
    }
    try {
      writeFileSync(tmp, this.queue.map((i) => this.spoolLine(i, key!) + '\n').join(''), { mode: 0o600 });
      renameSync(tmp, this.spoolFile);
      this.onDisk = this.queue.length > 0;
      return undefined;
    } catch (err) {
      rmSync(tmp, { force: true });
      return (err as NodeJS.ErrnoException).code ?? 'error';
    }
  }
}

function spoolMac(key: Buffer, itemText: string): string {
  return createHmac('sha256', key).update(MAC_CONTEXT + itemText, 'utf8').digest('hex');
}

/**
 * One spool line checked: the item it holds, or why it is refused (reasons never quote the line). The item
 * must be exactly what was MAC'd (its JSON re-serializes to the same bytes) with a GuardedItem's fields only,
 * seen once, and match a recorded intent when there are intents.
 */
function checkSpoolLine(line: string, key: Buffer, intents: IntentIndex | undefined, seen: ReadonlySet<string>): { item: GuardedItem } | { reason: string; id?: string } {
  const notALine = { reason: 'not a spool line this client wrote (edited, injected, or left by a version without MACs)' };
  const macEnd = LINE_PREFIX.length + 64;
  if (!line.startsWith(LINE_PREFIX) || line.slice(macEnd, macEnd + LINE_ITEM.length) !== LINE_ITEM || !line.endsWith('}')) return notALine;
  const mac = line.slice(LINE_PREFIX.length, macEnd);
  const text = line.slice(macEnd + LINE_ITEM.length, -1);
  let item: Record<string, unknown>;
  try {
    // `__proto__` keys are refused: canonical JSON (the payload digest) would not see them.
    item = JSON.parse(text, (k, v: unknown) => {
      if (k === '__proto__') throw new Error('__proto__');
      return v;
    }) as Record<string, unknown>;
  } catch {
    return notALine;
  }
  if (item === null || typeof item !== 'object' || Array.isArray(item)) return notALine;
  const id = typeof item.id === 'string' && item.id !== '' && item.id.length <= 200 ? item.id : undefined;
  const expected = Buffer.from(spoolMac(key, text), 'hex');
  const given = /^[0-9a-f]{64}$/.test(mac) ? Buffer.from(mac, 'hex') : Buffer.alloc(0);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    return { reason: 'its MAC does not verify (altered or injected, or the spool key was replaced)', ...(id !== undefined && { id }) };
  }
  const wellFormed =
    id !== undefined &&
    Object.keys(item).every((k) => ITEM_FIELDS.has(k)) &&
    typeof item.kind === 'string' &&
    ITEM_KINDS.has(item.kind) &&
    typeof item.channel === 'string' &&
    typeof item.flowRunId === 'string' &&
    (item.taskRunId === undefined || typeof item.taskRunId === 'string') &&
    typeof item.time === 'string' &&
    item.payload !== null &&
    typeof item.payload === 'object' &&
    !Array.isArray(item.payload) &&
    JSON.stringify(item) === text;
  if (!wellFormed) return { ...notALine, ...(id !== undefined && { id }) };
  if (seen.has(id)) return { reason: 'a second line for an item already in the spool', id };
  if (intents !== undefined) {
    const digest = sha256Hex(canonicalJson(item.payload));
    const match = (intents.get(id) ?? []).some(
      (r) => r.payloadSha256 === digest && r.kind === item.kind && r.channel === item.channel && r.flowRunId === item.flowRunId && r.taskRunId === item.taskRunId && r.time === item.time,
    );
    if (!match) return { reason: 'it matches no intent recorded in the audit ledger (altered or injected, or spooled under another ledger)', id };
  }
  // Checked field by field above; the gate made it, and only its bytes came back.
  return { item: item as unknown as GuardedItem };
}

/**
 * Reads the spool key, creating it first when there is none (32 random bytes as hex, mode 0600). Made in a
 * temporary file and linked into place, so that two processes starting at once end up with the same key and
 * neither reads a half-written one. Refuses a key other users can read or write, or that is not the user's.
 */
function loadSpoolKey(file: string): Buffer {
  try {
    return readSpoolKey(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  mkdirSync(dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    writeFileSync(tmp, randomBytes(32).toString('hex') + '\n', { mode: 0o600, flag: 'wx' });
    linkSync(tmp, file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw spoolKeyError(file, `cannot be created (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  } finally {
    rmSync(tmp, { force: true });
  }
  return readSpoolKey(file);
}

function readSpoolKey(file: string): Buffer {
  let text: string;
  try {
    const st = statSync(file);
    if (process.platform !== 'win32') {
      if ((st.mode & 0o077) !== 0) throw spoolKeyError(file, `is open to other users (mode ${(st.mode & 0o777).toString(8)}): chmod 600 it`);
      if (typeof process.getuid === 'function' && st.uid !== process.getuid()) throw spoolKeyError(file, 'belongs to another user: remove it (a new one is made)');
    }
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT' || (err as Error).name === 'SpoolKeyError') throw err;
    throw spoolKeyError(file, `cannot be read (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  const hex = text.trim();
  if (!/^[0-9a-f]{64}$/.test(hex)) throw spoolKeyError(file, 'is not a spool key (64 hex digits): remove it (a new one is made; what is spooled now is then refused)');
  return Buffer.from(hex, 'hex');
}

function spoolKeyError(file: string, what: string): Error {
  const err = new Error(`${file} ${what}`);
  err.name = 'SpoolKeyError';
  return err;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Cuts an item to at most `maxBytes` of JSON, keeping its id, kind, channel, run ids and time. It only
 * removes, never adds a value: the longest strings of the payload keep their beginning, followed by
 * `[size limit: N bytes]` (N: the string's size before); when that is not enough, the payload keeps only
 * its short top-level values (such as `state`) and `size_limit: "[size limit: N bytes]"`. Each cut is a
 * finding (`limit:max_item_bytes`, with the path, never the value). Undefined when even that is too large.
 *
 * @example
 * const cut = cutToFit(item, 4096);
 * // cut.item.payload.records[0].message: 'Traceback (most recent call last): ...[size limit: 9000000 bytes]'
 * // cut.findings: [{ detector: 'limit:max_item_bytes', path: 'records[0].message', action: 'truncate', count: 1 }]
 */
export function cutToFit(item: GuardedItem, maxBytes: number): { item: GuardedItem; findings: Finding[] } | undefined {
  const text = JSON.stringify(item);
  let excess = Buffer.byteLength(text) - maxBytes;
  if (excess <= 0) return { item, findings: [] };
  // A copy that only loses parts of a guarded item is still guarded.
  const cut = JSON.parse(text) as GuardedItem;
  const findings = new FindingSink();
  const found: StringAt[] = [];
  strings(cut.payload, [], found);
  for (const s of found.sort((a, b) => b.bytes - a.bytes)) {
    if (excess <= 0) break;
    const marker = sizeMarker(Buffer.byteLength(s.value));
    // Sorted largest first: once a string is no longer than its marker, no later one can shrink.
    if (s.bytes <= jsonBytes(marker)) break;
    const value = jsonPrefix(s.value, s.bytes - excess - jsonBytes(marker)) + marker;
    s.holder[s.key] = value;
    excess -= s.bytes - jsonBytes(value);
    findings.add(CUT_DETECTOR, formatPath(s.path), 'truncate');
  }
  if (excess <= 0 && Buffer.byteLength(JSON.stringify(cut)) <= maxBytes) return { item: cut, findings: findings.list() };
  const original = (JSON.parse(text) as GuardedItem).payload;
  const short = Object.entries(original).filter(([, v]) => typeof v === 'number' || typeof v === 'boolean' || (typeof v === 'string' && v.length <= SHORT_VALUE));
  const placeholder = { ...cut, payload: { ...Object.fromEntries(short), size_limit: sizeMarker(jsonBytes(original)) } };
  if (Buffer.byteLength(JSON.stringify(placeholder)) > maxBytes) return undefined;
  return { item: placeholder, findings: [{ detector: CUT_DETECTOR, path: '$', action: 'replace', count: 1 }] };
}

/** Top-level payload strings up to this length (a state, a task name) survive a payload replaced whole. */
const SHORT_VALUE = 200;

function sizeMarker(bytes: number): string {
  return `[size limit: ${bytes} bytes]`;
}

function jsonBytes(value: unknown): number {
  return Buffer.byteLength(JSON.stringify(value));
}

/** A string in a JSON value: where it is, and its size as JSON. */
interface StringAt {
  holder: Record<string, unknown>;
  key: string;
  path: string[];
  value: string;
  bytes: number;
}

function strings(value: unknown, path: string[], out: StringAt[]): void {
  if (value === null || typeof value !== 'object') return;
  for (const [key, v] of Object.entries(value)) {
    if (typeof v === 'string') out.push({ holder: value as Record<string, unknown>, key, path: [...path, key], value: v, bytes: jsonBytes(v) });
    else strings(v, [...path, key], out);
  }
}

/**
 * The longest beginning of `text` whose JSON form, without its quotes, takes at most `room` bytes (as
 * JSON.stringify escapes it, in UTF-8); never splits a surrogate pair.
 */
function jsonPrefix(text: string, room: number): string {
  let used = 0;
  let i = 0;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    let width = 3;
    let units = 1;
    if (c === 0x22 || c === 0x5c || c === 0x08 || c === 0x09 || c === 0x0a || c === 0x0c || c === 0x0d) width = 2;
    else if (c < 0x20) width = 6;
    else if (c < 0x80) width = 1;
    else if (c < 0x800) width = 2;
    else if (c >= 0xd800 && c <= 0xdbff && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) [width, units] = [4, 2];
    else if (c >= 0xd800 && c <= 0xdfff) width = 6; // a lone surrogate: escaped as \uXXXX
    if (used + width > room) break;
    used += width;
    i += units;
  }
  return text.slice(0, i);
}

/** What the control plane answered a checkpoint: taken (`duplicate` when it had it already), or why not. */
export type WitnessAnswer =
  | { ok: true; duplicate?: boolean }
  | {
      ok: false;
      /** The HTTP status; absent when the control plane could not be reached. */
      status?: number;
      /** `not-extending`, `key-conflict`, `key-required`, `bad-signature`, or absent. */
      code?: string;
      error: string;
      /** With `not-extending`: the last checkpoint the control plane holds for the ledger (null: none). */
      last?: { upto_seq: number; checkpoint: string } | null;
    };

/**
 * Posts one ledger checkpoint to the control plane's witness (POST /api/v1/witness), with the public key
 * that signs it as `jwk` (registered with the ledger's first checkpoint). Never throws: says whether it was
 * taken, or why not.
 *
 * @example
 * const answer = await postWitness(url, token, { ...witness, jwk: JSON.parse(signingKey.toJson(false)) });
 * if (!answer.ok) console.error(answer.error); // 'the checkpoint was refused: it does not name the last witnessed checkpoint (entry 41) ...'
 */
export async function postWitness(url: string, token: string, witness: object): Promise<WitnessAnswer> {
  let base: string;
  try {
    base = parseControlPlaneUrl(url);
  } catch (err) {
    return { ok: false, error: (err as Error).message };
  }
  let res: Response;
  try {
    res = await fetch(`${base}/api/v1/witness`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(witness),
      signal: AbortSignal.timeout(10_000),
    });
  } catch (err) {
    return { ok: false, error: (err as Error).name === 'TimeoutError' ? 'the control plane did not answer in time' : 'the control plane cannot be reached' };
  }
  let body: { duplicate?: unknown; error?: unknown; code?: unknown; last?: unknown } = {};
  try {
    body = (await res.json()) as typeof body;
  } catch {
    // not JSON: the status says enough
  }
  if (res.ok) return { ok: true, ...(body.duplicate === true && { duplicate: true }) };
  const last = body.last as { upto_seq?: unknown; checkpoint?: unknown } | null | undefined;
  return {
    ok: false,
    status: res.status,
    error: typeof body.error === 'string' ? body.error.slice(0, 500) : `HTTP ${res.status}`,
    ...(typeof body.code === 'string' && { code: body.code }),
    ...(last === null && { last: null }),
    ...(last != null && typeof last.upto_seq === 'number' && typeof last.checkpoint === 'string' && { last: { upto_seq: last.upto_seq, checkpoint: last.checkpoint } }),
  };
}

export interface WitnessReporterOptions {
  url: string;
  token: string;
  /** The public JWK of the key that signs the checkpoints (`JSON.parse(signingKey.toJson(false))`). */
  jwk: PublicJwk | Record<string, unknown>;
  /**
   * The ledger's checkpoints so far, oldest first (witnessesOf(readLedger(dir), id)): read only when the
   * control plane misses some, to post them first.
   */
  backlog: () => readonly Witness[];
}

/** What became of the checkpoints reported. */
export interface WitnessSummary {
  /** Checkpoints the control plane took, those posted to catch it up included. */
  witnessed: number;
  /** Checkpoints that could not reach it: a later report (this run's or the next one's) posts them. */
  unreachable: number;
  /** Checkpoints it refused, with its reasons: see `reasons`. */
  refused: number;
  reasons: string[];
}

/**
 * Reports a ledger's checkpoints to the control plane's witness, one at a time and in order, best effort: a
 * run never fails for it. When the control plane misses earlier checkpoints (it was down, a post failed, in
 * this process or an earlier one), it answers `not-extending` with the last one it holds, and the reporter
 * posts the ledger's checkpoints after that one first: the witness holds a ledger's whole checkpoint chain.
 *
 * @example
 * const reporter = new WitnessReporter({ url, token, jwk: JSON.parse(key.toJson(false)), backlog: () => witnessesOf(readLedger(dir), id) });
 * const ledger = Ledger.open({ dir, signingKey: key, onCheckpoint: (w) => reporter.report(w) });
 * // ... the run ...
 * await ledger.close();
 * const { witnessed, refused, reasons } = await reporter.settle();
 */
export class WitnessReporter {
  private chain: Promise<void> = Promise.resolve();
  private readonly summary: WitnessSummary = { witnessed: 0, unreachable: 0, refused: 0, reasons: [] };

  constructor(private readonly options: WitnessReporterOptions) {}

  /** Queues a checkpoint; never throws, never waits. */
  report(witness: Witness): void {
    this.chain = this.chain.then(() => this.deliver(witness)).catch(() => undefined);
  }

  /** Once every report queued so far is done: what became of them. */
  async settle(): Promise<WitnessSummary> {
    await this.chain;
    return { ...this.summary, reasons: [...this.summary.reasons] };
  }

  private async deliver(witness: Witness): Promise<void> {
    const answer = await this.post(witness);
    if (answer.ok) return;
    if (answer.code !== 'not-extending' || answer.last === undefined) return this.failed(answer);
    let backlog: readonly Witness[];
    try {
      backlog = this.options.backlog();
    } catch {
      return this.failed(answer);
    }
    let from = 0;
    if (answer.last !== null) {
      const held = answer.last.checkpoint;
      from = backlog.findIndex((c) => checkpointDigest(c.jws) === held) + 1;
      if (from === 0) {
        return this.failed({ ok: false, error: 'the control plane holds a checkpoint of this ledger that the local ledger does not have: audit-report --verify --cloud says where they differ' });
      }
    }
    const upto = backlog.findIndex((c) => c.jws === witness.jws);
    const todo = upto < 0 ? [...backlog.slice(from), witness] : backlog.slice(from, upto + 1);
    for (const c of todo) {
      const a = await this.post(c);
      if (!a.ok) return this.failed(a);
    }
  }

  private async post(witness: Witness): Promise<WitnessAnswer> {
    const answer = await postWitness(this.options.url, this.options.token, { ...witness, jwk: this.options.jwk });
    if (answer.ok && answer.duplicate !== true) this.summary.witnessed++;
    return answer;
  }

  private failed(answer: WitnessAnswer): void {
    if (answer.ok) return;
    if (answer.status === undefined || answer.status >= 500 || answer.status === 408 || answer.status === 429) {
      this.summary.unreachable++;
      return;
    }
    this.summary.refused++;
    if (!this.summary.reasons.includes(answer.error)) this.summary.reasons.push(answer.error);
  }
}

/**
 * Everything the control plane witnessed for the token's tenant (GET /api/v1/witness), or for one ledger:
 * per ledger id, the registered public key and every checkpoint, oldest first. Checks the answer's form
 * only: verifyWitnessLog checks the signatures and the chain.
 *
 * @example
 * const logs = await fetchWitnesses(url, token); // { 'LEDGER-ID': { jwk, checkpoints: [{ upto_seq, head, jws, ... }] } }
 */
export async function fetchWitnesses(url: string, token: string, ledgerId?: string): Promise<Record<string, WitnessLog>> {
  const query = ledgerId === undefined ? '' : `?ledger=${encodeURIComponent(ledgerId)}`;
  const res = await fetch(`${parseControlPlaneUrl(url)}/api/v1/witness${query}`, { headers: { authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(10_000) });
  if (res.status === 404 && ledgerId !== undefined) return {};
  if (!res.ok) throw new Error(`the control plane answered ${res.status}`);
  let body: unknown;
  try {
    body = await res.json();
  } catch {
    body = undefined;
  }
  const logs = asWitnessLogs(body);
  if (logs === undefined) throw new Error('the control plane answered something else than witness logs ({ "ledgers": { ID: { "jwk", "checkpoints": [...] } } })');
  return logs;
}

function asWitnessLogs(body: unknown): Record<string, WitnessLog> | undefined {
  const ledgers = isObject(body) ? body.ledgers : undefined;
  if (!isObject(ledgers)) return undefined;
  const out: Record<string, WitnessLog> = {};
  for (const [id, log] of Object.entries(ledgers)) {
    if (!isObject(log) || !isObject(log.jwk) || !Array.isArray(log.checkpoints)) return undefined;
    const checkpoints: WitnessedCheckpoint[] = [];
    for (const c of log.checkpoints as unknown[]) {
      if (!isObject(c)) return undefined;
      const { upto_seq, head, prev_checkpoint, time, kid, jws, witnessed_at } = c;
      if (typeof upto_seq !== 'number' || typeof head !== 'string' || typeof prev_checkpoint !== 'string' || typeof time !== 'string' || typeof kid !== 'string' || typeof jws !== 'string') return undefined;
      checkpoints.push({ upto_seq, head, prev_checkpoint, time, kid, jws, ...(typeof witnessed_at === 'string' && { witnessed_at }) });
    }
    out[id] = { jwk: log.jwk as unknown as PublicJwk, checkpoints };
  }
  return out;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
