/**
 * `audit-report`: what reached the control plane, from one or more ledgers, optionally verified.
 * Exit 0 clean (with --verify: proven, or accepted unproven with --allow-unsigned); 1 when verification
 * finds a problem, cannot prove the ledger (unsigned, signatures unchecked, an unsealed tail) or a
 * --fail-on condition holds; 2 on usage errors or unreadable ledgers. Whatever the ledger holds, never a
 * crash: what is not a ledger entry is a named problem.
 *
 * Every ledger is read once, line by line, in bounded memory (lib/audit/pass.ts), and the report is
 * written as its items come (lib/audit/render.ts): a fleet of ledgers (directories, globs) is merged by
 * time (lib/audit/fleet.ts), verified on `--jobs N` worker threads.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { SigningKey } from '../crypto/jose.ts';
import { completeReport, type ReportFilters, type ReportRefusal } from '../audit/report.ts';
import { readLedgerId } from '../audit/entry.ts';
import { findLedgers, LedgerNotFound } from '../audit/discover.ts';
import { runFleet } from '../audit/fleet.ts';
import { OutputError, TextOut } from '../audit/output.ts';
import { Progress } from '../audit/progress.ts';
import { createRenderer, REPORT_FORMATS, type ReportFormat } from '../audit/render.ts';
import { runIdsStartingWith } from '../audit/runs.ts';
import { SummaryFold } from '../audit/summary.ts';
import { DEFAULT_MAX_ENTRY_BYTES } from '../audit/stream.ts';
import type { WitnessLog } from '../audit/witness.ts';
import { fetchWitnesses, parseControlPlaneUrl } from '../cloud/client.ts';
import { EXIT_CHECK_FAILED, EXIT_OK, UserError, parseCommandArgs, write, type CommandIO } from './io.ts';
import { packageVersion } from '../package-root.ts';

/**
 * The command line `audit-report` takes, as its usage errors and `--help` print it.
 *
 * @example throw new UserError(`audit-report: …\nusage: ${AUDIT_REPORT_USAGE}`)
 */
export const AUDIT_REPORT_USAGE =
  'audit-report [--ledger DIR|GLOB ...] [--since T] [--until T] [--run ID] [--channel C] [--detector D] [--policy NAME[@VERSION]] [--delivery acked,unacked,blocked] [--destination URL] [--format table|json|ndjson|md|html] [--verify [--allow-unsigned]] [--key PUBLIC_JWK] [--cloud URL --token T] [--fail-on tamper,unacked,blocked,refused] [--order time|ledger] [--jobs N] [--max-entry-bytes N] [-o FILE]';

const FAIL_ON = ['tamper', 'unacked', 'blocked', 'refused'] as const;
const DELIVERY = ['acked', 'unacked', 'blocked'] as const;
/**
 * The ledger audit-report reads without `--ledger`: the one `egress-guard run --ledger` writes by default.
 *
 * @example findLedgers([DEFAULT_LEDGER_DIR], process.cwd())
 */
export const DEFAULT_LEDGER_DIR = '.egress-guard/ledger';
/** Refusals a report lists (the refused count is of all). */
const REFUSALS = 10_000;

/**
 * A `--since`/`--until` value as a time: an ISO 8601 date or time, a duration before `now` (`90s`, `30m`,
 * `24h`, `7d`, `2w`), or `today`/`yesterday` (local midnight). Undefined for anything else.
 *
 * @example timeOf('24h', new Date('2026-12-03T12:00:00Z'))?.toISOString() // '2026-12-02T12:00:00.000Z'
 */
export function timeOf(value: string, now: Date): Date | undefined {
  const ago = /^(\d{1,6})([smhdw])$/.exec(value);
  if (ago !== null) return new Date(now.getTime() - Number(ago[1]) * DURATION_MS[ago[2] as keyof typeof DURATION_MS]);
  if (value === 'today' || value === 'yesterday') {
    const midnight = new Date(now.getFullYear(), now.getMonth(), now.getDate());
    return value === 'today' ? midnight : new Date(midnight.getFullYear(), midnight.getMonth(), midnight.getDate() - 1);
  }
  // Only what looks like a date: `new Date('1')` is the year 2001.
  if (!/^\d{4}-\d{2}-\d{2}/.test(value)) return undefined;
  const t = new Date(value);
  return Number.isNaN(t.getTime()) ? undefined : t;
}

const DURATION_MS = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/**
 * `audit-report ARGS` (lib/cli/audit-report.ts is its entry point): the exit code, the report on stdout or in `-o FILE`.
 *
 * @example process.exitCode = await auditReport(['--ledger', 'fleet/*', '--verify', '--key', 'signing-key.pub.json'], processIO());
 */
export async function auditReport(args: string[], io: CommandIO): Promise<number> {
  if (args[0] === '--version') {
    await write(io.stdout, packageVersion() + '\n');
    return EXIT_OK;
  }
  const { values, positionals } = parseCommandArgs(
    'audit-report',
    args,
    {
      ledger: { type: 'string', multiple: true },
      since: { type: 'string' },
      until: { type: 'string' },
      run: { type: 'string' },
      channel: { type: 'string' },
      detector: { type: 'string' },
      policy: { type: 'string' },
      delivery: { type: 'string' },
      destination: { type: 'string' },
      format: { type: 'string' },
      verify: { type: 'boolean' },
      'allow-unsigned': { type: 'boolean' },
      key: { type: 'string' },
      cloud: { type: 'string' },
      token: { type: 'string' },
      'fail-on': { type: 'string' },
      order: { type: 'string' },
      jobs: { type: 'string' },
      'max-entry-bytes': { type: 'string' },
      output: { type: 'string', short: 'o' },
    },
    AUDIT_REPORT_USAGE,
  );
  const usage = (msg: string) => new UserError(`audit-report: ${msg}\nusage: ${AUDIT_REPORT_USAGE}`);
  if (positionals.length > 0) throw usage(`unexpected argument ${JSON.stringify(positionals[0])}${values.ledger !== undefined ? ' (a pattern the shell expanded? quote it: --ledger \'fleet/*\')' : ''}`);
  const format = values.format ?? 'table';
  if (!(REPORT_FORMATS as readonly string[]).includes(format)) throw usage(`--format must be table, json, md or html, or ndjson (one item per line) (got ${JSON.stringify(format)})`);
  const failOn = (values['fail-on'] ?? '').split(',').filter(Boolean);
  for (const f of failOn) if (!(FAIL_ON as readonly string[]).includes(f)) throw usage(`--fail-on takes ${FAIL_ON.join(', ')} (got ${JSON.stringify(f)})`);
  const order = values.order ?? 'time';
  if (order !== 'time' && order !== 'ledger') throw usage(`--order must be time or ledger (got ${JSON.stringify(order)})`);
  const jobs = wholeNumber(values.jobs, 1, 64, '--jobs', usage) ?? 1;
  const maxEntryBytes = wholeNumber(values['max-entry-bytes'], 1024, 2 ** 30, '--max-entry-bytes', usage) ?? DEFAULT_MAX_ENTRY_BYTES;
  const filters: ReportFilters = {};
  for (const k of ['since', 'until'] as const) {
    const v = values[k];
    if (v === undefined) continue;
    const t = timeOf(v, new Date());
    if (t === undefined) throw usage(`--${k} must be a date, an ISO 8601 time, a duration ago (30m, 24h, 7d, 2w), today or yesterday (got ${JSON.stringify(v)})`);
    filters[k] = t.toISOString();
  }
  for (const k of ['run', 'channel', 'detector', 'policy', 'destination'] as const) if (values[k] !== undefined) filters[k] = values[k];
  if (values.delivery !== undefined) {
    const states = values.delivery.split(',').filter(Boolean);
    for (const d of states) if (!(DELIVERY as readonly string[]).includes(d)) throw usage(`--delivery takes ${DELIVERY.join(', ')} (got ${JSON.stringify(d)})`);
    filters.delivery = states as (typeof DELIVERY)[number][];
  }

  let ledgers: string[];
  try {
    ledgers = findLedgers(values.ledger ?? [DEFAULT_LEDGER_DIR], io.cwd);
  } catch (err) {
    if (err instanceof LedgerNotFound) throw new UserError(`audit-report: ${err.message}`);
    throw new UserError(`audit-report: cannot list the ledgers (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  let key: SigningKey | undefined;
  if (typeof values.key === 'string') {
    const path = resolve(io.cwd, values.key);
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (err) {
      throw new UserError(`audit-report: cannot read key file ${path} (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
    }
    key = await SigningKey.fromJson(text, `key file ${path}`);
  }

  const verify = values.verify === true || failOn.includes('tamper');
  let witnessed: Record<string, WitnessLog> | undefined;
  if (typeof values.cloud === 'string') {
    const token = typeof values.token === 'string' ? values.token : io.env.EGRESS_GUARD_TOKEN;
    if (token === undefined || token === '') throw usage('--cloud needs --token T (or EGRESS_GUARD_TOKEN)');
    let cloud: string;
    try {
      cloud = parseControlPlaneUrl(values.cloud);
    } catch (err) {
      throw usage(`--cloud: ${(err as Error).message}`);
    }
    try {
      witnessed = await fetchWitnesses(cloud, token);
    } catch (err) {
      throw new UserError(`audit-report: cannot read the witnessed heads from ${cloud} (${(err as Error).message})`);
    }
  }
  // A run prefix must name one run: checked before anything is written.
  if (filters.run !== undefined) {
    const runs = runIdsStartingWith(ledgers, filters.run, 2, { maxLineBytes: maxEntryBytes });
    if (runs.length > 1) throw usage(`--run ${JSON.stringify(filters.run)} is the start of ${runs.length} run ids; give more of the id`);
  }

  let out: TextOut;
  if (typeof values.output === 'string') {
    const path = resolve(io.cwd, values.output);
    try {
      out = TextOut.toFile(path);
    } catch (err) {
      throw new UserError(`audit-report: cannot write ${path} (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
    }
  } else out = TextOut.toStream(io.stdout);
  const tmp = mkdtempSync(join(tmpdir(), 'eg-audit-report-'));
  const progress = new Progress(io.stderr as NodeJS.WritableStream & { isTTY?: boolean }, ledgers.length);
  let written = 0;
  try {
    const generatedAt = new Date();
    const renderer = createRenderer(format as ReportFormat, out, { generated_at: generatedAt.toISOString(), filters }, tmp);
    const fold = new SummaryFold();
    const outcomes = await runFleet({
      ledgers,
      input: {
        filters,
        maxEntryBytes,
        // What a report lists in all is bounded (report.ts, REFUSALS): each ledger of a fleet lists its share.
        maxProblems: Math.max(10, Math.min(1_000, Math.ceil(10_000 / ledgers.length))),
        maxRefusals: Math.max(10, Math.ceil(REFUSALS / ledgers.length)),
        json: format === 'json' || format === 'ndjson',
        ...(key !== undefined && { keyJwk: key.toJson(false), keyLabel: `--key (${key.kid})` }),
      },
      witnessOf: witnessed === undefined ? undefined : (dir: string) => {
        const id = readLedgerId(dir);
        const log = id === undefined ? undefined : witnessed[id];
        return log === undefined ? {} : { log };
      },
      order,
      jobs,
      tmpDir: tmp,
      progress,
      pause: () => out.ready(),
      onRow: (row) => {
        fold.add(row);
        renderer.row(row);
        written++;
      },
    });
    progress.end();
    const refusals: ReportRefusal[] = [];
    let refusalsTotal = 0;
    let refused = 0;
    for (const o of outcomes) {
      refused += o.refused;
      refusalsTotal += o.refusalsTotal;
      for (const r of o.refusals) if (refusals.length < REFUSALS) refusals.push(r);
    }
    const tail = completeReport({
      generatedAt,
      filters,
      summary: fold.summary(refused),
      refusals,
      refusalsOmitted: refusalsTotal - refusals.length,
      ledgers: outcomes.map((o) => ({ dir: o.dir, ...(o.id !== undefined && { id: o.id }), entries: o.entries, checkpoints: o.checkpoints, seal: o.seal, problems: o.problems, problemsTotal: o.problemsTotal, acksUntracked: o.acksUntracked })),
      verification: { performed: verify, signaturesChecked: outcomes.every((o) => o.seal.signaturesChecked), allowUnsigned: values['allow-unsigned'] === true },
      order,
    });
    const { items: _items, ...rest } = tail;
    renderer.end(rest, fold.chart.bars(24));
    await out.close();
    const unacked = tail.summary.unacked.length + (tail.summary.unacked_omitted ?? 0);
    const failed =
      (verify && !tail.verification.ok) ||
      (failOn.includes('unacked') && unacked > 0) ||
      (failOn.includes('blocked') && tail.summary.blocked > 0) ||
      (failOn.includes('refused') && tail.summary.refused > 0);
    return failed ? EXIT_CHECK_FAILED : EXIT_OK;
  } catch (err) {
    progress.end();
    out.abort();
    if (err instanceof OutputError) {
      const where = typeof values.output === 'string' ? resolve(io.cwd, values.output) : 'stdout';
      const removed = out.atomic ? `; nothing was left at ${where}` : '';
      throw new UserError(`audit-report: cannot write ${where} (${err.code}): the report stopped at its item ${written}, after ${err.written} bytes${removed}`);
    }
    throw err;
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

/** An optional whole-number option within bounds. */
function wholeNumber(value: string | undefined, min: number, max: number, name: string, usage: (m: string) => UserError): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(n) || n < min || n > max) throw usage(`${name} must be a whole number from ${min} to ${max} (got ${JSON.stringify(value)})`);
  return n;
}
