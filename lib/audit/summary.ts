/**
 * The report's summaries, folded one item at a time: counts and bytes per channel, findings per detector,
 * items per policy, the unacknowledged and blocked items, and the chart's items per channel over time.
 * Why a module of its own: a report of millions of items cannot hold them to count them afterwards; it
 * folds each as it is written out. Every map is keyed by what a ledger holds (anyone's text), so each is
 * bounded: past its bound, further keys are counted as omitted, never silently dropped.
 */
import type { Finding } from '../redact/findings.ts';
import type { ReportItem } from './report.ts';

/** Distinct channels, detectors or policies listed; more are counted in `omitted`. */
const KEYS = 10_000;
/** Unacknowledged item ids listed; more are counted (`unacked_omitted`). */
const UNACKED = 100_000;

/** A policy as an item records it. */
export interface PolicyRef {
  name: string;
  version: number | string;
  sha256: string;
}

/** An item as the report folds it: the row, and the policy of the record it shows (for `summary.policies`). */
export interface Row {
  item: ReportItem;
  policy?: PolicyRef;
  /**
   * The item as JSON up to its last two fields: `{"ledger":…` through `payload` (or `payload_sha256`), to
   * which `,"acked":…,"blocked":…}` is added when it is written; made from the ledger's line (rows.ts).
   */
  json?: string;
}

/** The summary section of a report (`summary` in the JSON format). */
export interface ReportSummary {
  items: number;
  bytes: number;
  per_channel: Record<string, { items: number; bytes: number }>;
  findings_per_detector: Record<string, number>;
  policies: { name: string; version: number | string; sha256: string; items: number }[];
  unacked: string[];
  /** Unacknowledged items past the listed ones (present only when there are any). */
  unacked_omitted?: number;
  blocked: number;
  /** Items refused before they left (`refused` entries): altered or injected spool lines, control-plane refusals. */
  refused: number;
  /** Distinct channels, detectors and policies past the listed ones (present only when there are any). */
  omitted?: { channels?: number; detectors?: number; policies?: number };
}

/**
 * Folds items into the report's summaries as they are written, in bounded memory.
 *
 * @example
 * const fold = new SummaryFold();
 * for (const row of rows) fold.add(row);
 * fold.summary(refused); // { items, bytes, per_channel, findings_per_detector, policies, unacked, blocked, refused }
 */
export class SummaryFold {
  items = 0;
  bytes = 0;
  blocked = 0;
  // Maps, not objects: a channel or detector named `__proto__` is a name like any other.
  private readonly perChannel = new Map<string, { items: number; bytes: number }>();
  private readonly perDetector = new Map<string, number>();
  private readonly policies = new Map<string, { name: string; version: number | string; sha256: string; items: number }>();
  private readonly unacked: string[] = [];
  private unackedOmitted = 0;
  private readonly omitted = { channels: 0, detectors: 0, policies: 0 };
  /** Items per channel over time, for the chart. */
  readonly chart = new TimeHistogram();

  /**
   * One item, as it is written out.
   *
   * @example fold.add({ item, policy: { name: 'default', version: 1, sha256 } })
   */
  add(row: Row): void {
    const item = row.item;
    this.items++;
    this.bytes += item.bytes;
    const c = this.perChannel.get(item.channel);
    if (c !== undefined) {
      c.items++;
      c.bytes += item.bytes;
    } else if (this.perChannel.size < KEYS) this.perChannel.set(item.channel, { items: 1, bytes: item.bytes });
    else this.omitted.channels++;
    for (const f of item.findings) this.finding(f);
    const p = row.policy;
    if (p !== undefined) {
      const entry = this.policies.get(p.sha256);
      if (entry !== undefined) entry.items++;
      else if (this.policies.size < KEYS) this.policies.set(p.sha256, { ...p, items: 1 });
      else this.omitted.policies++;
    }
    if (item.blocked) this.blocked++;
    else if (!item.acked) {
      if (this.unacked.length < UNACKED) this.unacked.push(item.item_id);
      else this.unackedOmitted++;
    }
    const t = Date.parse(item.time);
    if (Number.isFinite(t)) this.chart.add(t, item.channel);
  }

  /**
   * The summary, with the refused count (from the ledgers' `refused` entries, which are not items).
   *
   * @example fold.summary(0).per_channel.logs // { items: 3, bytes: 126 }
   */
  summary(refused: number): ReportSummary {
    const omitted = Object.fromEntries(Object.entries(this.omitted).filter(([, n]) => n > 0));
    return {
      items: this.items,
      bytes: this.bytes,
      // fromEntries defines each key as an own property, `__proto__` included.
      per_channel: Object.fromEntries(this.perChannel),
      findings_per_detector: Object.fromEntries(this.perDetector),
      policies: [...this.policies.values()],
      unacked: this.unacked,
      ...(this.unackedOmitted > 0 && { unacked_omitted: this.unackedOmitted }),
      blocked: this.blocked,
      refused,
      ...(Object.keys(omitted).length > 0 && { omitted }),
    };
  }

  private finding(f: Finding): void {
    const n = this.perDetector.get(f.detector);
    if (n !== undefined) this.perDetector.set(f.detector, n + f.count);
    else if (this.perDetector.size < KEYS) this.perDetector.set(f.detector, f.count);
    else this.omitted.detectors++;
  }
}

/** Fine buckets per channel: the chart's 24 bars are drawn from them. */
const FINE = 2048;
/** Channels the chart keeps (each a series of FINE counts). */
const SERIES = 64;

/** Items per channel in time buckets, as the chart draws them: `bars` buckets from the first item to the last. */
export interface ChartBars {
  min: number;
  max: number;
  counts: Map<string, number>[];
}

/**
 * Counts of items per channel over time, in constant memory whatever the span: FINE buckets whose width
 * doubles (adjacent buckets merged) whenever an item falls outside them. While the span is under FINE
 * milliseconds every bucket is one millisecond, and the bars are exactly those of the items themselves.
 *
 * @example
 * const h = new TimeHistogram();
 * h.add(Date.parse('2026-11-24T00:00:00Z'), 'logs');
 * h.bars(24); // { min, max, counts: [Map { 'logs' => 1 }, ...] }
 */
export class TimeHistogram {
  private origin = 0;
  private width = 1;
  private count = 0;
  private min = Infinity;
  private max = -Infinity;
  private readonly series = new Map<string, Float64Array>();

  /**
   * One item at time `t` (milliseconds), in `channel`.
   *
   * @example h.add(Date.now(), 'logs')
   */
  add(t: number, channel: string): void {
    if (this.count === 0) this.origin = Math.floor(t);
    this.count++;
    if (t < this.min) this.min = t;
    if (t > this.max) this.max = t;
    while (t < this.origin || t >= this.origin + FINE * this.width) this.grow(t < this.origin);
    let s = this.series.get(channel);
    if (s === undefined) {
      if (this.series.size >= SERIES) return;
      s = new Float64Array(FINE);
      this.series.set(channel, s);
    }
    s[Math.min(FINE - 1, Math.floor((t - this.origin) / this.width))]!++;
  }

  /**
   * The counts in `n` equal buckets from the first item's time to the last's; undefined when no item.
   *
   * @example h.bars(24)?.counts.length // 24
   */
  bars(n: number): ChartBars | undefined {
    if (this.count === 0) return undefined;
    const span = Math.max(1, this.max - this.min);
    const counts = Array.from({ length: n }, () => new Map<string, number>());
    for (const [channel, s] of this.series) {
      for (let k = 0; k < FINE; k++) {
        const c = s[k]!;
        if (c === 0) continue;
        const t = this.origin + k * this.width;
        const bucket = counts[Math.min(n - 1, Math.max(0, Math.floor(((t - this.min) / span) * n)))]!;
        bucket.set(channel, (bucket.get(channel) ?? 0) + c);
      }
    }
    return { min: this.min, max: this.max, counts };
  }

  /** Doubles the bucket width, extending the range to the left (`left`) or to the right. */
  private grow(left: boolean): void {
    const shift = left ? FINE / 2 : 0;
    for (const s of this.series.values()) {
      const merged = new Float64Array(FINE);
      for (let k = 0; k < FINE; k++) merged[shift + (k >> 1)]! += s[k]!;
      s.set(merged);
    }
    if (left) this.origin -= FINE * this.width;
    this.width *= 2;
  }
}
