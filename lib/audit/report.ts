/**
 * The audit report: what reached the control plane, from one or more ledgers (one per worker), with
 * summaries and, on request, the verification verdict. `buildReport` makes the stable JSON form
 * (documented in docs/audit.md); the renderers turn it into JSON, a table or Markdown (html.ts: HTML).
 * Every renderer shows the verdict of one function, `verdictOf`, and escapes everything the ledger holds:
 * a ledger is input that whoever edits it controls.
 */
import type { Finding } from '../redact/findings.ts';
import type { LedgerEntry } from './ledger.ts';
import type { LedgerProblem, Seal } from './verify.ts';

export const REPORT_FORMAT_VERSION = 1;

/** What a report lists: items from `since` until `until` (ISO 8601), of a run (an id or its start), a channel, a detector. */
export interface ReportFilters {
  since?: string;
  until?: string;
  run?: string;
  channel?: string;
  detector?: string;
}

export interface ReportRefusal {
  ledger: string;
  time: string;
  by: string;
  reason: string;
  count: number;
  item_ids: string[];
}

/** One item that left (or was about to), as the report lists it: never a value, only findings, size and digest (and the scrubbed payload when the ledger kept it). */
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

/** What the checkpoints of one ledger vouch for (from `verifyCheckpoints`). */
export interface ReportSeal {
  signatures_checked: boolean;
  /** Which key checked the signatures, when one did. */
  checked_with?: string;
  /** The key ids the checkpoints name. */
  kids: string[];
  /** Checkpoints that check out (signature included, when checked). */
  sealing_checkpoints: number;
  /** The last entry they seal (-1: none). */
  sealed_upto: number;
  /** Entries after it: the unsealed tail. */
  unsealed_entries: number;
}

/** How a verification ended: proven, not proven (accepted or not), failed, or not run. */
export type VerdictStatus = 'not-verified' | 'verified' | 'unsealed' | 'unchecked' | 'unsigned' | 'failed';

export interface Verdict {
  status: VerdictStatus;
  /** Whether `--verify` passes: verified, or not proven and accepted with `--allow-unsigned`. */
  ok: boolean;
  /** How to show it: `ok` only for what was proven; `warn` for what was accepted unproven. */
  tone: 'ok' | 'warn' | 'bad' | 'neutral';
  headline: string;
  /** Per ledger: what is not proven, why, and what to do. */
  notes: string[];
}

/** What reached the control plane, per item and in summaries, with the verification's verdict: the JSON format (`format_version` 1). */
export interface Report {
  format_version: number;
  generated_at: string;
  ledgers: { dir: string; entries: number; checkpoints: number; seal?: ReportSeal }[];
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
    /** Items refused before they left (`refused` entries): altered or injected spool lines, control-plane refusals. */
    refused: number;
  };
  /** Each `refused` entry in the time range, by ledger, in the order recorded. */
  refusals: ReportRefusal[];
  verification: {
    performed: boolean;
    ok: boolean;
    status: VerdictStatus;
    /** The verdict's headline, as every format shows it. */
    verdict: string;
    notes: string[];
    signatures_checked: boolean;
    allow_unsigned: boolean;
    problems: LedgerProblem[];
  };
}

export interface LedgerInput {
  dir: string;
  entries: LedgerEntry[];
  problems: LedgerProblem[];
  checkpoints: number;
  /** What the checkpoints seal (`verifyCheckpoints(...).seal`); without it the ledger counts as unsigned. */
  seal?: Seal;
}

/**
 * Builds the report. With `performed`, its verdict: `ok` only when every ledger is sealed by checkpoints
 * whose signatures were checked, or, with `allowUnsigned`, when nothing but that proof is missing.
 *
 * @example
 * const reading = readLedger(dir);
 * const cps = await verifyCheckpoints(reading, publicKey);
 * const report = buildReport([{ dir, entries: reading.entries, problems: [...reading.problems, ...cps.problems], checkpoints: cps.checkpoints, seal: cps.seal }], {}, { performed: true, signaturesChecked: true });
 * report.verification.status; // 'verified'
 */
export function buildReport(
  ledgers: LedgerInput[],
  filters: ReportFilters,
  verification: { performed: boolean; signaturesChecked: boolean; allowUnsigned?: boolean },
  now = new Date(),
): Report {
  // One row per item: an item recorded again (cut to fit the control plane's size limit after it was
  // first recorded) is shown as it finally went out, with the findings of both records.
  const byItem = new Map<string, ReportItem>();
  for (const l of ledgers) {
    const acked = new Set(l.entries.filter((e) => e.type === 'ack').map((e) => String(e.data.itemId)));
    for (const e of l.entries) {
      if (e.type !== 'intent' && e.type !== 'blocked') continue;
      const d = e.data;
      const policy = policyOf(d.policy);
      const item: ReportItem = {
        ledger: l.dir,
        seq: e.seq,
        time: String(d.time ?? e.time),
        item_id: String(d.itemId),
        kind: String(d.kind),
        channel: String(d.channel),
        flow_run_id: String(d.flowRunId),
        ...(d.taskRunId !== undefined && { task_run_id: String(d.taskRunId) }),
        policy: policy === undefined ? 'unknown' : `${policy.name}@${policy.version}`,
        findings: Array.isArray(d.findings) ? d.findings.filter(isFinding) : [],
        bytes: Number(d.bytes ?? 0),
        payload_sha256: String(d.payloadSha256),
        ...(d.payload !== undefined && { payload: d.payload }),
        acked: acked.has(String(d.itemId)),
        blocked: e.type === 'blocked',
      };
      const key = `${l.dir}\u0000${item.item_id}`;
      const earlier = byItem.get(key);
      byItem.set(key, earlier === undefined ? item : { ...item, time: earlier.time, findings: [...earlier.findings, ...item.findings], blocked: earlier.blocked || item.blocked });
    }
  }
  const items = [...byItem.values()].filter((item) => matches(item, filters));
  const refusals: ReportRefusal[] = ledgers
    .flatMap((l) =>
      l.entries
        .filter((e) => e.type === 'refused' && inRange(e.time, filters))
        .map((e) => ({ ledger: l.dir, time: e.time, by: String(e.data.by), reason: String(e.data.reason), count: Number(e.data.count), item_ids: (e.data.itemIds as unknown[]).map(String) })),
    );
  // In the order the ledgers were given, then as each recorded them: times are the writers' clocks, to the
  // millisecond, and an item can be stamped before one recorded ahead of it.
  const ledgerOrder = new Map(ledgers.map((l, i) => [l.dir, i]));
  items.sort((a, b) => ledgerOrder.get(a.ledger)! - ledgerOrder.get(b.ledger)! || a.seq - b.seq);

  // Maps, not objects: a channel or detector named `__proto__` is a name like any other.
  const perChannel = new Map<string, { items: number; bytes: number }>();
  const perDetector = new Map<string, number>();
  const policies = new Map<string, { name: string; version: number | string; sha256: string; items: number }>();
  for (const item of items) {
    const c = perChannel.get(item.channel) ?? { items: 0, bytes: 0 };
    c.items++;
    c.bytes += item.bytes;
    perChannel.set(item.channel, c);
    for (const f of item.findings) perDetector.set(f.detector, (perDetector.get(f.detector) ?? 0) + f.count);
  }
  const shown = new Set(items.map((i) => `${i.ledger}\u0000${i.seq}`));
  for (const l of ledgers) {
    for (const e of l.entries) {
      if (e.type !== 'intent' && e.type !== 'blocked') continue;
      const p = policyOf(e.data.policy);
      if (p === undefined || !shown.has(`${l.dir}\u0000${e.seq}`)) continue;
      const entry = policies.get(p.sha256) ?? { ...p, items: 0 };
      entry.items++;
      policies.set(p.sha256, entry);
    }
  }
  const problems = ledgers.flatMap((l) => l.problems.map((p) => ({ ...p, ledger: l.dir })));
  const reportLedgers: Report['ledgers'] = ledgers.map((l) => ({
    dir: l.dir,
    entries: l.entries.length,
    checkpoints: l.checkpoints,
    ...(l.seal !== undefined && {
      seal: {
        signatures_checked: l.seal.signaturesChecked,
        ...(l.seal.checkedWith !== undefined && { checked_with: l.seal.checkedWith }),
        kids: l.seal.kids,
        sealing_checkpoints: l.seal.sealing,
        sealed_upto: l.seal.sealedUpto,
        unsealed_entries: l.seal.unsealed,
      },
    }),
  }));
  const judged = { performed: verification.performed, signatures_checked: verification.signaturesChecked, allow_unsigned: verification.allowUnsigned === true, problems: verification.performed ? problems : [] };
  const v = judge(reportLedgers, judged);
  return {
    format_version: REPORT_FORMAT_VERSION,
    generated_at: now.toISOString(),
    ledgers: reportLedgers,
    filters,
    items,
    summary: {
      items: items.length,
      bytes: items.reduce((n, i) => n + i.bytes, 0),
      // fromEntries defines each key as an own property, `__proto__` included.
      per_channel: Object.fromEntries(perChannel),
      findings_per_detector: Object.fromEntries(perDetector),
      policies: [...policies.values()],
      unacked: items.filter((i) => !i.acked && !i.blocked).map((i) => i.item_id),
      blocked: items.filter((i) => i.blocked).length,
      refused: refusals.reduce((n, r) => n + r.count, 0),
    },
    refusals,
    verification: { performed: judged.performed, ok: v.ok, status: v.status, verdict: v.headline, notes: v.notes, signatures_checked: judged.signatures_checked, allow_unsigned: judged.allow_unsigned, problems: judged.problems },
  };
}

/**
 * The verdict of a report: the one function behind what every format says (JSON, table, Markdown, HTML),
 * so none can call verified what another calls unproven.
 *
 * @example
 * const v = verdictOf(report);
 * // { status: 'unsigned', ok: false, tone: 'bad', headline: 'NOT PROVEN: the ledger is unsigned. …', notes: ['no signed checkpoint covers its 12 entries …'] }
 */
export function verdictOf(r: Pick<Report, 'ledgers' | 'verification'>): Verdict {
  return judge(r.ledgers, r.verification);
}

const RANK: Record<'verified' | 'unsealed' | 'unchecked' | 'unsigned', number> = { verified: 0, unsealed: 1, unchecked: 2, unsigned: 3 };

function judge(ledgers: Report['ledgers'], v: Pick<Report['verification'], 'performed' | 'allow_unsigned' | 'problems'>): Verdict {
  if (!v.performed) return { status: 'not-verified', ok: false, tone: 'neutral', headline: 'Not verified (run with --verify).', notes: [] };
  let worst: keyof typeof RANK = 'verified';
  const notes: string[] = [];
  const checkedWith = new Set<string>();
  for (const l of ledgers) {
    const s = l.seal;
    const name = ledgers.length > 1 ? `${l.dir}: ` : '';
    const entries = plural(l.entries, 'entry', 'entries');
    let status: keyof typeof RANK;
    if (s === undefined || l.checkpoints === 0 || (s.signatures_checked && s.sealing_checkpoints === 0)) {
      status = 'unsigned';
      const which = s?.checked_with === undefined ? 'signed checkpoint' : `checkpoint signed with ${s.checked_with}`;
      notes.push(
        l.checkpoints > 0
          ? `${name}unsigned: none of its ${plural(l.checkpoints, 'checkpoint', 'checkpoints')} checks out (see the problems), so nothing proves its ${entries}.`
          : `${name}unsigned: no ${which} covers its ${entries}. Anyone who can edit the ledger can rewrite it and recompute every hash. egress-guard run --ledger signs by default (docs/audit.md).`,
      );
    } else if (!s.signatures_checked) {
      status = 'unchecked';
      notes.push(`${name}signatures not checked: ${plural(l.checkpoints, 'checkpoint', 'checkpoints')} name key ${s.kids.join(', ') || '(none)'}, but anyone can sign checkpoints with a key of their own. Give --key with that key's public JWK (egress-guard run keeps it beside the private key, as signing-key.jwk.pub.json), or --cloud to check them against the key the control plane registered.`);
    } else if (s.unsealed_entries > 0) {
      status = 'unsealed';
      notes.push(`${name}unsealed tail: the last ${plural(s.unsealed_entries, 'entry', 'entries')} come after entry ${s.sealed_upto}, the last one a signed checkpoint seals. A crash (a killed run) leaves such a tail; so does cutting off the checkpoint that sealed it: nothing proves these entries.`);
    } else {
      status = 'verified';
      if (s.checked_with !== undefined) checkedWith.add(s.checked_with);
    }
    if (RANK[status] > RANK[worst]) worst = status;
  }
  const n = v.problems.length;
  if (n > 0) return { status: 'failed', ok: false, tone: 'bad', headline: `FAILED: ${plural(n, 'problem', 'problems')}: the ledger was changed after it was written, or is damaged.`, notes };
  if (worst === 'verified') {
    const by = checkedWith.size > 0 ? ` signed with ${[...checkedWith].join(', ')}` : '';
    return { status: 'verified', ok: true, tone: 'ok', headline: `Verified: every chain, sequence and checkpoint signature checks out, and checkpoints${by} seal every entry.`, notes };
  }
  const what = {
    unsigned: 'NOT PROVEN: unsigned; nothing proves the ledger was not rewritten',
    unchecked: 'NOT PROVEN: the checkpoint signatures were not checked (no --key)',
    unsealed: 'NOT PROVEN: entries after the last signed checkpoint are unsealed',
  }[worst];
  if (v.allow_unsigned) return { status: worst, ok: true, tone: 'warn', headline: `${what}. Accepted with --allow-unsigned: the chain is intact, nothing more.`, notes };
  return { status: worst, ok: false, tone: 'bad', headline: `${what}. The chain is intact, but that alone proves nothing (see below; --allow-unsigned accepts it as it is).`, notes };
}

function plural(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}

function policyOf(p: unknown): { name: string; version: number | string; sha256: string } | undefined {
  if (typeof p !== 'object' || p === null) return undefined;
  const { name, version, sha256 } = p as Record<string, unknown>;
  if (typeof name !== 'string' || typeof sha256 !== 'string' || (typeof version !== 'string' && typeof version !== 'number')) return undefined;
  return { name, version, sha256 };
}

function isFinding(f: unknown): f is Finding {
  if (typeof f !== 'object' || f === null) return false;
  const { detector, path, action, count } = f as Record<string, unknown>;
  return typeof detector === 'string' && typeof path === 'string' && typeof action === 'string' && typeof count === 'number' && Number.isFinite(count);
}

function matches(item: ReportItem, f: ReportFilters): boolean {
  if (!inRange(item.time, f)) return false;
  // A run id or its start, as the table prints it (12 characters).
  if (f.run !== undefined && !item.flow_run_id.startsWith(f.run)) return false;
  if (f.channel !== undefined && item.channel !== f.channel) return false;
  if (f.detector !== undefined && !item.findings.some((x) => x.detector === f.detector)) return false;
  return true;
}

function inRange(time: string, f: ReportFilters): boolean {
  return (f.since === undefined || time >= f.since) && (f.until === undefined || time <= f.until);
}

/**
 * Control characters, invisible and direction-changing characters, and the backslash (so that what this
 * writes is unambiguous): what a terminal would obey, or a reader would not see.
 */
const INVISIBLE = /[\\\u0000-\u001f\u007f-\u009f\u00ad\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb]/g;
const SHORT: Record<string, string> = { '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/**
 * Text shown as it is, with control and invisible characters written out (`\u001b`, `\n`) and backslashes
 * doubled: nothing in a ledger can move the cursor, recolour a terminal or reorder what is shown.
 *
 * @example
 * visible('a\u001b[31mb\u202ec'); // 'a\\u001b[31mb\\u202ec'
 */
export function visible(s: string): string {
  return s.replace(INVISIBLE, (c) => SHORT[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/**
 * Text for Markdown, inline or in a table cell, read as text by any renderer: control characters written out
 * (visible), HTML's `< > &` as entities, Markdown's punctuation backslash-escaped (emphasis, code, links and
 * images, tables, strikethrough, math, mentions), and autolinks (`https://`, `www.`) broken.
 *
 * @example
 * markdownText('![x](https://evil.example/b.png) <img src=x> a|b'); // '\\!\\[x\\]\\(https\\://evil.example/b.png\\) &lt;img src=x&gt; a\\|b'
 */
export function markdownText(s: string): string {
  return visible(s)
    .replace(/[\\`*_[\]()!|~$^@<>&]/g, (c) => (c === '<' ? '&lt;' : c === '>' ? '&gt;' : c === '&' ? '&amp;' : `\\${c}`))
    .replace(/:(?=\/\/)/g, '\\:')
    .replace(/(?<=www)\./gi, '\\.');
}

/** Characters JSON.stringify leaves as they are that a terminal obeys or a reader does not see. */
const JSON_INVISIBLE = /[\u007f-\u009f\u00ad\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb]/g;

/**
 * The report as JSON (`--format json`): the values exactly as recorded, with the control and invisible
 * characters JSON.stringify leaves raw written as `\u` escapes (the same JSON once parsed).
 *
 * @example
 * JSON.parse(renderJson(report)).verification.status; // 'verified'
 */
export function renderJson(r: Report): string {
  return JSON.stringify(r, null, 2).replace(JSON_INVISIBLE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`) + '\n';
}

const changes = (i: ReportItem): string =>
  i.blocked ? 'BLOCKED (policy error: placeholder sent)' : i.findings.map((f) => `${f.path}: ${f.detector} -> ${f.action}${f.count > 1 ? ` x${f.count}` : ''}`).join('; ') || '-';

const delivery = (i: ReportItem): string => (i.acked ? 'acked' : i.blocked ? 'blocked' : 'UNACKED');

/**
 * The report as a terminal table: one row per item, then the summary and the verdict.
 *
 * @example process.stdout.write(renderTable(buildReport(ledgers, {}, { performed: false })));
 */
export function renderTable(r: Report): string {
  const rows = r.items.map((i) => [i.time, i.channel, i.kind, i.flow_run_id.slice(0, 12), i.policy, delivery(i), changes(i)].map(visible));
  const header = ['time', 'channel', 'kind', 'run', 'policy', 'delivery', 'what the policy changed'];
  const widths = header.map((h, c) => Math.min(60, Math.max(h.length, ...rows.map((row) => row[c]!.length))));
  const line = (cells: string[]) => cells.map((x, c) => (c === cells.length - 1 ? x : x.padEnd(widths[c]!))).join('  ');
  return [line(header), ...rows.map(line), '', ...summaryLines(r)].join('\n') + '\n';
}

/**
 * The report as Markdown, for a review or a ticket: verdict, summary tables, then one row per item.
 *
 * @example writeFileSync('audit.md', renderMarkdown(report));
 */
export function renderMarkdown(r: Report): string {
  const md = markdownText;
  const v = verdictOf(r);
  const out = [
    '# egress-guard audit report',
    '',
    `Generated ${md(r.generated_at)} from ${r.ledgers.map((l) => `${md(l.dir)} (${l.entries} entries, ${l.checkpoints} checkpoints)`).join(', ')}.`,
    '',
    '## Verification',
    '',
    `**${md(v.headline)}**`,
    '',
    ...v.notes.map((n) => `- ${md(n)}`),
    ...r.verification.problems.map((p) => `- ${md(p.ledger !== undefined && r.ledgers.length > 1 ? `${p.ledger}: ${p.message}` : p.message)}`),
    '',
    '## Summary',
    '',
    '| channel | items | bytes |',
    '| --- | ---: | ---: |',
    ...Object.entries(r.summary.per_channel).map(([c, x]) => `| ${md(c)} | ${x.items} | ${x.bytes} |`),
    '',
    '| detector or rule | findings |',
    '| --- | ---: |',
    ...Object.entries(r.summary.findings_per_detector).map(([d, n]) => `| ${md(d)} | ${n} |`),
    '',
    '| policy | sha256 | items |',
    '| --- | --- | ---: |',
    ...r.summary.policies.map((p) => `| ${md(`${p.name} v${p.version}`)} | ${md(p.sha256.slice(0, 16))} | ${p.items} |`),
    '',
    `Sent but never acknowledged: ${r.summary.unacked.length}. Blocked by a policy error: ${r.summary.blocked}. Refused before they left: ${r.summary.refused}.`,
    '',
    ...(r.refusals.length === 0
      ? []
      : ['## Refused', '', '| time | by | reason | items | ids |', '| --- | --- | --- | ---: | --- |', ...r.refusals.map((x) => `| ${[x.time, x.by, x.reason].map(md).join(' | ')} | ${x.count} | ${md(x.item_ids.join(', ') || '-')} |`), '']),
    '## Items',
    '',
    '| time | channel | kind | run | policy | delivery | what the policy changed | payload sha256 |',
    '| --- | --- | --- | --- | --- | --- | --- | --- |',
    ...r.items.map((i) => `| ${[i.time, i.channel, i.kind, i.flow_run_id, i.policy].map(md).join(' | ')} | ${i.acked ? 'acked' : i.blocked ? 'blocked' : '**unacked**'} | ${md(changes(i))} | ${md(i.payload_sha256.slice(0, 16))} |`),
  ];
  return out.join('\n') + '\n';
}

function summaryLines(r: Report): string[] {
  const v = verdictOf(r);
  return [
    `items: ${r.summary.items}, bytes: ${r.summary.bytes}, unacked: ${r.summary.unacked.length}, blocked: ${r.summary.blocked}, refused: ${r.summary.refused}`,
    ...r.refusals.map((x) => `  refused by ${visible(x.by)} at ${visible(x.time)}: ${x.count} item(s), ${visible(x.reason)}`),
    `per channel: ${Object.entries(r.summary.per_channel).map(([c, x]) => `${visible(c)} ${x.items}`).join(', ') || '-'}`,
    `findings: ${Object.entries(r.summary.findings_per_detector).map(([d, n]) => `${visible(d)} ${n}`).join(', ') || '-'}`,
    `policies: ${r.summary.policies.map((p) => visible(`${p.name}@${p.version} (${p.sha256.slice(0, 12)})`)).join(', ') || '-'}`,
    `verification: ${visible(v.headline)}`,
    ...v.notes.map((n) => `  ${visible(n)}`),
    ...r.verification.problems.map((p) => `  ${visible(`${p.ledger ?? ''}: ${p.message}`)}`),
  ];
}
