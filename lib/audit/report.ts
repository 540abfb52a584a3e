/**
 * The audit report: what reached the control plane, from one or more ledgers (one per worker), with
 * summaries and, on request, the verification verdict. `buildReport` makes the stable JSON form
 * (documented in docs/audit.md); the renderers turn it into a table or Markdown.
 */
import type { Finding } from '../redact/findings.ts';
import type { LedgerEntry } from './ledger.ts';
import type { LedgerProblem } from './verify.ts';

export const REPORT_FORMAT_VERSION = 1;

export interface ReportFilters {
  since?: string;
  until?: string;
  run?: string;
  channel?: string;
  detector?: string;
}

export interface ReportItem {
  ledger: string;
  seq: number;
  time: string;
  item_id: string;
  kind: string;
  channel: string;
  flow_run_id: string;
  task_run_id?: string;
  policy: string;
  findings: Finding[];
  bytes: number;
  payload_sha256: string;
  /** The scrubbed payload, unless the policy records digests only. */
  payload?: unknown;
  acked: boolean;
  blocked: boolean;
}

export interface Report {
  format_version: number;
  generated_at: string;
  ledgers: { dir: string; entries: number; checkpoints: number }[];
  filters: ReportFilters;
  items: ReportItem[];
  summary: {
    items: number;
    bytes: number;
    per_channel: Record<string, { items: number; bytes: number }>;
    findings_per_detector: Record<string, number>;
    policies: { name: string; version: number | string; sha256: string; items: number }[];
    unacked: string[];
    blocked: number;
  };
  verification: { performed: boolean; ok: boolean; signatures_checked: boolean; problems: LedgerProblem[] };
}

export interface LedgerInput {
  dir: string;
  entries: LedgerEntry[];
  problems: LedgerProblem[];
  checkpoints: number;
}

export function buildReport(
  ledgers: LedgerInput[],
  filters: ReportFilters,
  verification: { performed: boolean; signaturesChecked: boolean },
  now = new Date(),
): Report {
  const items: ReportItem[] = [];
  for (const l of ledgers) {
    const acked = new Set(l.entries.filter((e) => e.type === 'ack').map((e) => String(e.data.itemId)));
    for (const e of l.entries) {
      if (e.type !== 'intent' && e.type !== 'blocked') continue;
      const d = e.data as Record<string, unknown> & { policy?: { name: string; version: number | string; sha256: string } };
      const item: ReportItem = {
        ledger: l.dir,
        seq: e.seq,
        time: String(d.time ?? e.time),
        item_id: String(d.itemId),
        kind: String(d.kind),
        channel: String(d.channel),
        flow_run_id: String(d.flowRunId),
        ...(d.taskRunId !== undefined && { task_run_id: String(d.taskRunId) }),
        policy: d.policy === undefined ? 'unknown' : `${d.policy.name}@${d.policy.version}`,
        findings: (d.findings as Finding[] | undefined) ?? [],
        bytes: Number(d.bytes ?? 0),
        payload_sha256: String(d.payloadSha256),
        ...(d.payload !== undefined && { payload: d.payload }),
        acked: acked.has(String(d.itemId)),
        blocked: e.type === 'blocked',
      };
      if (matches(item, filters)) items.push(item);
    }
  }
  items.sort((a, b) => a.time.localeCompare(b.time) || a.ledger.localeCompare(b.ledger) || a.seq - b.seq);

  const perChannel: Record<string, { items: number; bytes: number }> = {};
  const perDetector: Record<string, number> = {};
  const policies = new Map<string, { name: string; version: number | string; sha256: string; items: number }>();
  for (const item of items) {
    const c = (perChannel[item.channel] ??= { items: 0, bytes: 0 });
    c.items++;
    c.bytes += item.bytes;
    for (const f of item.findings) perDetector[f.detector] = (perDetector[f.detector] ?? 0) + f.count;
  }
  for (const l of ledgers) {
    for (const e of l.entries) {
      if (e.type !== 'intent' && e.type !== 'blocked') continue;
      const p = e.data.policy as { name: string; version: number | string; sha256: string } | undefined;
      if (p === undefined || !items.some((i) => i.ledger === l.dir && i.seq === e.seq)) continue;
      const entry = policies.get(p.sha256) ?? { ...p, items: 0 };
      entry.items++;
      policies.set(p.sha256, entry);
    }
  }
  const problems = ledgers.flatMap((l) => l.problems.map((p) => ({ ...p, ledger: l.dir })));
  return {
    format_version: REPORT_FORMAT_VERSION,
    generated_at: now.toISOString(),
    ledgers: ledgers.map((l) => ({ dir: l.dir, entries: l.entries.length, checkpoints: l.checkpoints })),
    filters,
    items,
    summary: {
      items: items.length,
      bytes: items.reduce((n, i) => n + i.bytes, 0),
      per_channel: perChannel,
      findings_per_detector: perDetector,
      policies: [...policies.values()],
      unacked: items.filter((i) => !i.acked && !i.blocked).map((i) => i.item_id),
      blocked: items.filter((i) => i.blocked).length,
    },
    verification: {
      performed: verification.performed,
      ok: verification.performed && problems.length === 0,
      signatures_checked: verification.signaturesChecked,
      problems: verification.performed ? problems : [],
    },
  };
}

function matches(item: ReportItem, f: ReportFilters): boolean {
  if (f.since !== undefined && item.time < f.since) return false;
  if (f.until !== undefined && item.time > f.until) return false;
  if (f.run !== undefined && item.flow_run_id !== f.run) return false;
  if (f.channel !== undefined && item.channel !== f.channel) return false;
  if (f.detector !== undefined && !item.findings.some((x) => x.detector === f.detector)) return false;
  return true;
}

const changes = (i: ReportItem): string =>
  i.blocked ? 'BLOCKED (policy error: placeholder sent)' : i.findings.map((f) => `${f.path}: ${f.detector} -> ${f.action}${f.count > 1 ? ` x${f.count}` : ''}`).join('; ') || '-';

export function renderTable(r: Report): string {
  const rows = r.items.map((i) => [i.time, i.channel, i.kind, i.flow_run_id.slice(0, 12), i.policy, i.acked ? 'acked' : i.blocked ? 'blocked' : 'UNACKED', changes(i)]);
  const header = ['time', 'channel', 'kind', 'run', 'policy', 'delivery', 'what the policy changed'];
  const widths = header.map((h, c) => Math.min(60, Math.max(h.length, ...rows.map((row) => row[c]!.length))));
  const line = (cells: string[]) => cells.map((x, c) => (c === cells.length - 1 ? x : x.padEnd(widths[c]!))).join('  ');
  return [line(header), ...rows.map(line), '', ...summaryLines(r)].join('\n') + '\n';
}

export function renderMarkdown(r: Report): string {
  const cell = (s: string) => s.replaceAll('|', '\\|');
  const out = [
    '# egress-guard audit report',
    '',
    `Generated ${r.generated_at} from ${r.ledgers.map((l) => `\`${l.dir}\` (${l.entries} entries)`).join(', ')}.`,
    '',
    '## Verification',
    '',
    verdict(r),
    ...r.verification.problems.map((p) => `- ${cell(p.message)}`),
    '',
    '## Summary',
    '',
    '| channel | items | bytes |',
    '| --- | ---: | ---: |',
    ...Object.entries(r.summary.per_channel).map(([c, v]) => `| ${c} | ${v.items} | ${v.bytes} |`),
    '',
    '| detector or rule | findings |',
    '| --- | ---: |',
    ...Object.entries(r.summary.findings_per_detector).map(([d, n]) => `| \`${cell(d)}\` | ${n} |`),
    '',
    '| policy | sha256 | items |',
    '| --- | --- | ---: |',
    ...r.summary.policies.map((p) => `| ${cell(p.name)} v${p.version} | \`${p.sha256.slice(0, 16)}\` | ${p.items} |`),
    '',
    `Sent but never acknowledged: ${r.summary.unacked.length}. Blocked by a policy error: ${r.summary.blocked}.`,
    '',
    '## Items',
    '',
    '| time | channel | kind | run | policy | delivery | what the policy changed | payload sha256 |',
    '| --- | --- | --- | --- | --- | --- | --- | --- |',
    ...r.items.map(
      (i) =>
        `| ${i.time} | ${i.channel} | ${i.kind} | ${cell(i.flow_run_id)} | ${cell(i.policy)} | ${i.acked ? 'acked' : i.blocked ? 'blocked' : '**unacked**'} | ${cell(changes(i))} | \`${i.payload_sha256.slice(0, 16)}\` |`,
    ),
  ];
  return out.join('\n') + '\n';
}

function verdict(r: Report): string {
  if (!r.verification.performed) return 'Not verified (run with --verify).';
  if (r.verification.ok) return `Verified: every chain, sequence and checkpoint${r.verification.signatures_checked ? ' signature' : ''} checks out.`;
  return `FAILED: ${r.verification.problems.length} problem(s).`;
}

function summaryLines(r: Report): string[] {
  return [
    `items: ${r.summary.items}, bytes: ${r.summary.bytes}, unacked: ${r.summary.unacked.length}, blocked: ${r.summary.blocked}`,
    `per channel: ${Object.entries(r.summary.per_channel).map(([c, v]) => `${c} ${v.items}`).join(', ') || '-'}`,
    `findings: ${Object.entries(r.summary.findings_per_detector).map(([d, n]) => `${d} ${n}`).join(', ') || '-'}`,
    `policies: ${r.summary.policies.map((p) => `${p.name}@${p.version} (${p.sha256.slice(0, 12)})`).join(', ') || '-'}`,
    `verification: ${verdict(r)}`,
    ...r.verification.problems.map((p) => `  ${p.ledger ?? ''}: ${p.message}`),
  ];
}
