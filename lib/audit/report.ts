/**
 * The audit report: what reached the control plane, from one or more ledgers (one per worker), with
 * summaries and, on request, the verification verdict. `buildReport` makes the stable JSON form
 * (documented in docs/audit.md) from ledgers in memory; `audit-report` makes the same report streaming
 * (pass.ts, fleet.ts, render.ts), from the same row builder (rows.ts) and summary fold (summary.ts).
 * Every renderer shows the verdict of one function, `verdictOf`, and escapes everything the ledger holds:
 * a ledger is input that whoever edits it controls.
 */
import type { Finding } from '../redact/findings.ts';
import type { LedgerEntry } from './ledger.ts';
import { fatesOf, inRange, RowBuilder } from './rows.ts';
import { SummaryFold, type ReportSummary } from './summary.ts';
import type { LedgerProblem, Seal } from './verify.ts';

export { renderMarkdown, renderTable } from './render.ts';
export type { ReportSummary } from './summary.ts';

/**
 * The JSON format's version (`format_version`): fields are only ever added under it.
 *
 * @example JSON.parse(text).format_version === REPORT_FORMAT_VERSION
 */
export const REPORT_FORMAT_VERSION = 1;

/**
 * What a report lists: items from `since` until `until` (ISO 8601), of a run (an id or its start), a
 * channel, a detector, a policy (`name` or `name@version`), a delivery state, a destination.
 */
export interface ReportFilters {
  since?: string;
  until?: string;
  run?: string;
  channel?: string;
  detector?: string;
  /** A policy name, or `name@version` as the report prints it. */
  policy?: string;
  /** Delivery states: acked, unacked, blocked. */
  delivery?: ('acked' | 'unacked' | 'blocked')[];
  /** Where items went (the control plane's URL): this one, or under it (`URL/...`). */
  destination?: string;
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
  /** Where it was going (the control plane's URL), when the gate was told. */
  destination?: string;
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

/** One ledger of a report: its counts, what its checkpoints seal, and (verified) its own verdict. */
export interface ReportLedger {
  dir: string;
  /** Its id (ledger.json): what the control plane's witness knows it by. */
  id?: string;
  entries: number;
  checkpoints: number;
  seal?: ReportSeal;
  /** Problems found in this ledger (listed in `verification.problems`, up to a bound). */
  problems?: number;
  /** This ledger's own verdict, when verified: a fleet's ledgers each have theirs. */
  verdict?: { status: VerdictStatus; ok: boolean; headline: string };
  /** Items whose acknowledgement was no longer tracked (too many awaited theirs at once): shown unacknowledged. */
  acks_untracked?: number;
}

/** Many ledgers at a glance: how many of each verdict, and which did not pass. */
export interface FleetSummary {
  ledgers: number;
  entries: number;
  items: number;
  /** Ledgers per verdict status. */
  by_status: Partial<Record<VerdictStatus, number>>;
  /** The ledgers whose verdict did not pass (up to 100). */
  not_ok: string[];
  /** How items of different ledgers are ordered: by time (a k-way merge), or ledger by ledger. */
  order: 'time' | 'ledger';
}

/** What reached the control plane, per item and in summaries, with the verification's verdict: the JSON format (`format_version` 1). */
export interface Report {
  format_version: number;
  generated_at: string;
  ledgers: ReportLedger[];
  filters: ReportFilters;
  items: ReportItem[];
  summary: ReportSummary;
  /** Each `refused` entry in the time range, by ledger, in the order recorded. */
  refusals: ReportRefusal[];
  /** Refusals past the listed ones (present only when there are any). */
  refusals_omitted?: number;
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
    /** Every problem found, when more were found than are listed. */
    problems_total?: number;
  };
  /** With several ledgers: verdicts per status, and which did not pass. */
  fleet?: FleetSummary;
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
 * Items are in the order the ledgers are given, then as each ledger recorded them.
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
  const fold = new SummaryFold();
  const items: ReportItem[] = [];
  const refusals: ReportRefusal[] = [];
  let refused = 0;
  for (const l of ledgers) {
    const rows = new RowBuilder({ ledger: l.dir, filters, fates: fatesOf(l.entries), emit: (row) => (fold.add(row), items.push(row.item)) });
    for (const e of l.entries) {
      rows.entry(e);
      if (e.type === 'refused' && inRange(e.time, filters)) {
        const r = refusalOf(e, l.dir);
        refused += r.count;
        refusals.push(r);
      }
    }
    rows.finish();
  }
  const report = completeReport({
    generatedAt: now,
    filters,
    summary: fold.summary(refused),
    refusals,
    ledgers: ledgers.map((l) => ({ dir: l.dir, entries: l.entries.length, checkpoints: l.checkpoints, problems: l.problems, ...(l.seal !== undefined && { seal: l.seal }) })),
    verification,
  });
  return { ...report, items };
}

/**
 * A `refused` entry as the report lists it.
 *
 * @example refusalOf(entry, dir) // { ledger: dir, time, by: 'spool', reason, count: 2, item_ids: ['item-9'] }
 */
export function refusalOf(e: LedgerEntry, ledger: string): ReportRefusal {
  return { ledger, time: e.time, by: String(e.data.by), reason: String(e.data.reason), count: Number(e.data.count), item_ids: (e.data.itemIds as unknown[]).map(String) };
}

/** A ledger as a finished report needs it: counts, seal, its problems (listed, and how many in all). */
export interface LedgerFacts {
  dir: string;
  id?: string;
  entries: number;
  checkpoints: number;
  seal?: Seal;
  /** Its problems, in order (at most as many as a report lists). */
  problems: LedgerProblem[];
  /** How many it has in all, when more than listed. */
  problemsTotal?: number;
  acksUntracked?: number;
}

/** Problems a report lists (the verdict counts every one). */
const REPORT_PROBLEMS = 10_000;

/**
 * Everything of a report but its items, from the ledgers' facts, the folded summary and the refusals:
 * the verdict (the report's and each ledger's), the ledgers section and, with several ledgers, the fleet.
 *
 * @example
 * const report = completeReport({ generatedAt: new Date(), filters, summary: fold.summary(0), refusals: [], ledgers, verification: { performed: true, signaturesChecked: true } });
 * report.verification.status; // 'verified'
 */
export function completeReport(parts: {
  generatedAt: Date;
  filters: ReportFilters;
  summary: ReportSummary;
  refusals: ReportRefusal[];
  refusalsOmitted?: number;
  ledgers: LedgerFacts[];
  verification: { performed: boolean; signaturesChecked: boolean; allowUnsigned?: boolean };
  order?: 'time' | 'ledger';
}): Omit<Report, 'items'> & { items: [] } {
  const { verification } = parts;
  const allowUnsigned = verification.allowUnsigned === true;
  const problems: LedgerProblem[] = [];
  let total = 0;
  const reportLedgers: ReportLedger[] = parts.ledgers.map((l) => {
    const count = l.problemsTotal ?? l.problems.length;
    total += count;
    for (const p of l.problems) if (problems.length < REPORT_PROBLEMS) problems.push({ ...p, ledger: l.dir });
    const ledger: ReportLedger = {
      dir: l.dir,
      ...(l.id !== undefined && { id: l.id }),
      entries: l.entries,
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
    };
    if (verification.performed) {
      const own = judge([ledger], { performed: true, allow_unsigned: allowUnsigned, count });
      ledger.problems = count;
      ledger.verdict = { status: own.status, ok: own.ok, headline: own.headline };
    }
    if ((l.acksUntracked ?? 0) > 0) ledger.acks_untracked = l.acksUntracked!;
    return ledger;
  });
  const count = verification.performed ? total : 0;
  const listed = verification.performed ? problems : [];
  const v = judge(reportLedgers, { performed: verification.performed, allow_unsigned: allowUnsigned, count });
  const fleet: FleetSummary | undefined =
    reportLedgers.length > 1
      ? {
          ledgers: reportLedgers.length,
          entries: reportLedgers.reduce((n, l) => n + l.entries, 0),
          items: parts.summary.items,
          by_status: tally(reportLedgers.map((l) => l.verdict?.status ?? 'not-verified')),
          not_ok: reportLedgers.filter((l) => l.verdict !== undefined && !l.verdict.ok).slice(0, 100).map((l) => l.dir),
          order: parts.order ?? 'ledger',
        }
      : undefined;
  return {
    format_version: REPORT_FORMAT_VERSION,
    generated_at: parts.generatedAt.toISOString(),
    ledgers: reportLedgers,
    filters: parts.filters,
    items: [],
    summary: parts.summary,
    refusals: parts.refusals,
    ...((parts.refusalsOmitted ?? 0) > 0 && { refusals_omitted: parts.refusalsOmitted }),
    verification: {
      performed: verification.performed,
      ok: v.ok,
      status: v.status,
      verdict: v.headline,
      notes: v.notes,
      signatures_checked: verification.signaturesChecked,
      allow_unsigned: allowUnsigned,
      problems: listed,
      ...(count > listed.length && { problems_total: count }),
    },
    ...(fleet !== undefined && { fleet }),
  };
}

function tally(statuses: VerdictStatus[]): Partial<Record<VerdictStatus, number>> {
  const out: Partial<Record<VerdictStatus, number>> = {};
  for (const s of statuses) out[s] = (out[s] ?? 0) + 1;
  return out;
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
  return judge(r.ledgers, { performed: r.verification.performed, allow_unsigned: r.verification.allow_unsigned, count: r.verification.problems_total ?? r.verification.problems.length });
}

const RANK: Record<'verified' | 'unsealed' | 'unchecked' | 'unsigned', number> = { verified: 0, unsealed: 1, unchecked: 2, unsigned: 3 };

function judge(ledgers: Report['ledgers'], v: Pick<Report['verification'], 'performed' | 'allow_unsigned'> & { count: number }): Verdict {
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
  const n = v.count;
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
  return jsonVisible(JSON.stringify(r, null, 2)) + '\n';
}

/**
 * JSON text with the control and invisible characters JSON.stringify leaves raw written as `\u` escapes:
 * the same JSON once parsed, and nothing a terminal obeys or a reader does not see.
 *
 * @example jsonVisible(JSON.stringify('a\u202eb')) // '"a\\u202eb"'
 */
export function jsonVisible(json: string): string {
  // ASCII only (its UTF-8 is as long as it is): nothing to write out.
  if (Buffer.byteLength(json, 'utf8') === json.length) return json;
  JSON_INVISIBLE.lastIndex = 0;
  return JSON_INVISIBLE.test(json) ? json.replace(JSON_INVISIBLE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`) : json;
}

