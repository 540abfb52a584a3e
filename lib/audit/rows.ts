/**
 * A ledger's entries as the report's items, one row per item, in the order the ledger recorded them, as
 * the entries stream by. Why a module of its own: a row is written as soon as its entry is read, so what
 * decides it later in the ledger (its acknowledgement; a record again, when the item was cut to fit the
 * control plane's limit) is known beforehand, from the item's fate (fates.ts): no row waits in memory for
 * the entries after it.
 *
 * The rule: the records of an item id up to its acknowledgement are one row, placed at the last of them,
 * with the first one's time and the findings of all; an acknowledgement acknowledges the row recorded
 * before it.
 */
import type { Finding } from '../redact/findings.ts';
import type { LedgerEntry } from './entry.ts';
import { FateTracker, type Fates } from './fates.ts';
import type { ScannedLine } from './shape.ts';
import type { ReportFilters, ReportItem } from './report.ts';
import type { PolicyRef, Row } from './summary.ts';

/** Findings kept in one row of an item recorded many times. */
const FINDINGS = 10_000;

/** How rows are made: for which ledger, filtered how, where they go, and what their items' fates are. */
export interface RowOptions {
  /** The ledger directory, as the report names it. */
  ledger: string;
  filters: ReportFilters;
  /** Every row that passes the filters, in order. */
  emit: (row: Row) => void;
  /** The ledger's fates (scanFates, or fatesOf for entries in memory). */
  fates: Fates;
  /** Make each row's item JSON from the ledger's line where it can (Row.json): for the JSON formats. */
  json?: boolean;
}

/**
 * Turns a ledger's well-formed entries, in order, into its rows, each written as its last record is read.
 *
 * @example
 * const { entries } = readLedger(dir);
 * const builder = new RowBuilder({ ledger: dir, filters: {}, fates: fatesOf(entries), emit: (r) => rows.push(r) });
 * for (const e of entries) builder.entry(e);
 * builder.finish();
 */
export class RowBuilder {
  /** Rows emitted (after the filters). */
  emitted = 0;
  /** Findings left out of rows of items recorded many times. */
  findingsOmitted = 0;
  /** Rows of items recorded again, waiting for their last record (few, and only until it comes). */
  private readonly held = new Map<number, Row>();
  /** Findings arrays made by merging, which later merges add to. */
  private readonly owned = new WeakSet<Finding[]>();
  private ledgerJson: string | undefined;

  constructor(private readonly options: RowOptions) {}

  /**
   * The next well-formed entry of the ledger.
   *
   * @example builder.entry(entry)
   */
  entry(e: LedgerEntry, bytes = 0, scanned?: ScannedLine): void {
    if (e.type !== 'intent' && e.type !== 'blocked') return;
    const fates = this.options.fates;
    const row = rowOf(e, this.options.ledger);
    const key = fates.keyOf(e.seq);
    const last = fates.lastOf(key);
    if (last === undefined) {
      // A line in ASCII (as long in bytes as in characters) holds nothing JSON output must write out.
      if (this.options.json === true && scanned !== undefined && bytes === scanned.line.length) {
        const json = itemJson((this.ledgerJson ??= JSON.stringify(this.options.ledger)), row.item, scanned);
        if (json !== undefined) row.json = json;
      }
      this.emit(row, key);
      return;
    }
    const earlier = this.held.get(key);
    if (earlier !== undefined) this.merge(earlier.item, row.item);
    if (e.seq !== last) {
      this.held.set(key, row);
      return;
    }
    this.held.delete(key);
    this.emit(row, key);
  }

  /**
   * The ledger ended: rows still waiting for a last record that was not read as an entry are written.
   *
   * @example builder.finish()
   */
  finish(): void {
    for (const [key, row] of this.held) this.emit(row, key);
    this.held.clear();
  }

  /** Shown as it finally went out: the first record's time, the findings of all, blocked if any was. */
  private merge(earlier: ReportItem, later: ReportItem): void {
    later.time = earlier.time;
    // The first merge copies (an entry's own array is never changed); later ones add to that copy.
    let findings = earlier.findings;
    if (!this.owned.has(findings)) {
      this.findingsOmitted += Math.max(0, findings.length - FINDINGS);
      findings = findings.slice(0, FINDINGS);
      this.owned.add(findings);
    }
    for (const f of later.findings) {
      if (findings.length < FINDINGS) findings.push(f);
      else this.findingsOmitted++;
    }
    later.findings = findings;
    later.blocked = earlier.blocked || later.blocked;
  }

  private emit(row: Row, key: number): void {
    row.item.acked = this.options.fates.acked(key);
    if (!matchesItem(row.item, this.options.filters)) return;
    this.emitted++;
    this.options.emit(row);
  }
}

/**
 * An item's JSON made from its canonical line: the texts of the data's values as the line spells them
 * (canonical JSON is what JSON.stringify writes), in the fields' order of ReportItem, up to `payload`; the
 * same text as JSON.stringify(item) without `acked`, `blocked` and the closing brace. Undefined when a
 * value it needs is not there as a well-formed entry has it.
 *
 * @example itemJson('"/srv/ledger"', item, lastScanned(line)!) // '{"ledger":"/srv/ledger","seq":41,…,"payload":{…}'
 */
export function itemJson(ledgerJson: string, item: ReportItem, src: ScannedLine): string | undefined {
  const line = src.line;
  let time: string | undefined;
  let itemId: string | undefined;
  let kind: string | undefined;
  let channel: string | undefined;
  let flow: string | undefined;
  let task: string | undefined;
  let destination: string | undefined;
  let findings: string | undefined;
  let bytes: string | undefined;
  let sha: string | undefined;
  let payload: string | undefined;
  for (let i = 0; i < src.count; i++) {
    const k0 = src.keyStart(i);
    const length = src.keyEnd(i) - k0;
    const v0 = src.valueStart(i);
    const v1 = src.valueEnd(i);
    switch (length) {
      case 4:
        if (line.startsWith('time', k0)) time = line.slice(v0, v1);
        else if (line.startsWith('kind', k0)) kind = line.slice(v0, v1);
        break;
      case 5:
        if (line.startsWith('bytes', k0)) bytes = line.slice(v0, v1);
        break;
      case 6:
        if (line.startsWith('itemId', k0)) itemId = line.slice(v0, v1);
        break;
      case 7:
        if (line.startsWith('channel', k0)) channel = line.slice(v0, v1);
        else if (line.startsWith('payload', k0)) payload = line.slice(v0, v1);
        break;
      case 8:
        if (line.startsWith('findings', k0)) findings = line.slice(v0, v1);
        break;
      case 9:
        if (line.startsWith('flowRunId', k0)) flow = line.slice(v0, v1);
        else if (line.startsWith('taskRunId', k0)) task = line.slice(v0, v1);
        break;
      case 11:
        if (line.startsWith('destination', k0)) destination = line.slice(v0, v1);
        break;
      case 13:
        if (line.startsWith('payloadSha256', k0)) sha = line.slice(v0, v1);
        break;
    }
  }
  if (time === undefined || itemId === undefined || kind === undefined || channel === undefined || flow === undefined || findings === undefined || bytes === undefined || sha === undefined) return undefined;
  return (
    `{"ledger":${ledgerJson},"seq":${item.seq},"time":${time},"item_id":${itemId},"kind":${kind},"channel":${channel},"flow_run_id":${flow}` +
    (task === undefined ? '' : `,"task_run_id":${task}`) +
    (destination === undefined ? '' : `,"destination":${destination}`) +
    `,"policy":${JSON.stringify(item.policy)},"findings":${findings},"bytes":${bytes},"payload_sha256":${sha}` +
    (payload === undefined ? '' : `,"payload":${payload}`)
  );
}

/**
 * The fates of entries held in memory, in ledger order (what scanFates reads from a ledger's files).
 *
 * @example const fates = fatesOf(readLedger(dir).entries);
 */
export function fatesOf(entries: Iterable<LedgerEntry>): Fates {
  const tracker = new FateTracker();
  for (const e of entries) {
    if (e.type === 'intent' || e.type === 'blocked') tracker.record(String(e.data.itemId), e.seq);
    else if (e.type === 'ack') tracker.ack(String(e.data.itemId));
  }
  return tracker.finish();
}

/**
 * The row of an intent or blocked entry (not yet acknowledged), with the policy it names.
 *
 * @example rowOf(entry, '.egress-guard/ledger').item.item_id // 'item-7'
 */
export function rowOf(e: LedgerEntry, ledger: string): Row {
  const d = e.data;
  const policy = policyOf(d.policy);
  const found = d.findings;
  const item: ReportItem = {
    ledger,
    seq: e.seq,
    time: String(d.time ?? e.time),
    item_id: String(d.itemId),
    kind: String(d.kind),
    channel: String(d.channel),
    flow_run_id: String(d.flowRunId),
  } as ReportItem;
  if (d.taskRunId !== undefined) item.task_run_id = String(d.taskRunId);
  if (d.destination !== undefined) item.destination = String(d.destination);
  item.policy = policy === undefined ? 'unknown' : policy.label;
  // Findings are read, never changed: merging copies them first (RowBuilder).
  item.findings = !Array.isArray(found) ? [] : found.every(isFinding) ? (found as Finding[]) : found.filter(isFinding);
  item.bytes = Number(d.bytes ?? 0);
  item.payload_sha256 = String(d.payloadSha256);
  if (d.payload !== undefined) item.payload = d.payload;
  item.acked = false;
  item.blocked = e.type === 'blocked';
  return policy === undefined ? { item } : { item, policy: policy.ref };
}

/**
 * Whether an item passes the report's filters: time range, run (an id or its start), channel, detector,
 * policy (`name` or `name@version`), delivery state, destination.
 *
 * @example matchesItem(item, { channel: 'logs', delivery: ['unacked'] })
 */
export function matchesItem(item: ReportItem, f: ReportFilters): boolean {
  if (!inRange(item.time, f)) return false;
  // A run id or its start, as the table prints it (12 characters).
  if (f.run !== undefined && !item.flow_run_id.startsWith(f.run)) return false;
  if (f.channel !== undefined && item.channel !== f.channel) return false;
  if (f.detector !== undefined && !item.findings.some((x) => x.detector === f.detector)) return false;
  if (f.policy !== undefined && item.policy !== f.policy && !item.policy.startsWith(`${f.policy}@`)) return false;
  if (f.delivery !== undefined && !f.delivery.includes(deliveryOf(item))) return false;
  if (f.destination !== undefined) {
    const d = item.destination;
    if (d === undefined || (d !== f.destination && !d.startsWith(f.destination.endsWith('/') ? f.destination : `${f.destination}/`))) return false;
  }
  return true;
}

/**
 * Whether a time is within the filters' range (ISO 8601 strings compare in time order).
 *
 * @example inRange('2026-11-24T00:00:00.000Z', { since: '2026-11-23T00:00:00.000Z' }) // true
 */
export function inRange(time: string, f: ReportFilters): boolean {
  return (f.since === undefined || time >= f.since) && (f.until === undefined || time <= f.until);
}

/**
 * An item's delivery state, as the report shows it: acked, blocked (a placeholder was sent) or unacked.
 *
 * @example deliveryOf({ ...item, acked: false, blocked: false }) // 'unacked'
 */
export function deliveryOf(item: Pick<ReportItem, 'acked' | 'blocked'>): 'acked' | 'blocked' | 'unacked' {
  return item.acked ? 'acked' : item.blocked ? 'blocked' : 'unacked';
}

/** The policy of the last row and how rows name it: nearly every row of a ledger names the same one. */
let lastPolicy: { ref: PolicyRef; label: string } | undefined;

function policyOf(p: unknown): { ref: PolicyRef; label: string } | undefined {
  if (typeof p !== 'object' || p === null) return undefined;
  const { name, version, sha256 } = p as Record<string, unknown>;
  if (typeof name !== 'string' || typeof sha256 !== 'string' || (typeof version !== 'string' && typeof version !== 'number')) return undefined;
  const last = lastPolicy;
  if (last !== undefined && last.ref.name === name && last.ref.version === version && last.ref.sha256 === sha256) return last;
  return (lastPolicy = { ref: { name, version, sha256 }, label: `${name}@${version}` });
}

function isFinding(f: unknown): f is Finding {
  if (typeof f !== 'object' || f === null) return false;
  const { detector, path, action, count } = f as Record<string, unknown>;
  return typeof detector === 'string' && typeof path === 'string' && typeof action === 'string' && typeof count === 'number' && Number.isFinite(count);
}
