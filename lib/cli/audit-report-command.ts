/**
 * `audit-report`: what reached the control plane, from one or more ledgers, optionally verified.
 * Exit 0 clean (with --verify: proven, or accepted unproven with --allow-unsigned); 1 when verification
 * finds a problem, cannot prove the ledger (unsigned, signatures unchecked, an unsealed tail) or a
 * --fail-on condition holds; 2 on usage errors or unreadable ledgers. Whatever the ledger holds, never a
 * crash: what is not a ledger entry is a named problem.
 */
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { SigningKey } from '../crypto/jose.ts';
import { buildReport, renderJson, renderMarkdown, renderTable, type LedgerInput, type ReportFilters } from '../audit/report.ts';
import { readLedgerId } from '../audit/ledger.ts';
import { readLedger, verifyCheckpoints } from '../audit/verify.ts';
import { parsePublicJwk, verifyWitnessLog, type WitnessLog } from '../audit/witness.ts';
import { fetchWitnesses, parseControlPlaneUrl } from '../cloud/client.ts';
import { renderHtml } from '../audit/html.ts';
import { EXIT_CHECK_FAILED, EXIT_OK, UserError, parseCommandArgs, write, type CommandIO } from './io.ts';
import { packageVersion } from '../package-root.ts';

export const AUDIT_REPORT_USAGE =
  'audit-report [--ledger DIR ...] [--since T] [--until T] [--run ID] [--channel C] [--detector D] [--format table|json|md|html] [--verify [--allow-unsigned]] [--key PUBLIC_JWK] [--cloud URL --token T] [--fail-on tamper,unacked,blocked,refused] [-o FILE]';

const FAIL_ON = ['tamper', 'unacked', 'blocked', 'refused'] as const;
export const DEFAULT_LEDGER_DIR = '.egress-guard/ledger';

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
      format: { type: 'string' },
      verify: { type: 'boolean' },
      'allow-unsigned': { type: 'boolean' },
      key: { type: 'string' },
      cloud: { type: 'string' },
      token: { type: 'string' },
      'fail-on': { type: 'string' },
      output: { type: 'string', short: 'o' },
    },
    AUDIT_REPORT_USAGE,
  );
  const usage = (msg: string) => new UserError(`audit-report: ${msg}\nusage: ${AUDIT_REPORT_USAGE}`);
  if (positionals.length > 0) throw usage(`unexpected argument ${JSON.stringify(positionals[0])}`);
  const format = values.format ?? 'table';
  if (!['table', 'json', 'md', 'html'].includes(format)) throw usage(`--format must be table, json, md or html (got ${JSON.stringify(format)})`);
  const failOn = (values['fail-on'] ?? '').split(',').filter(Boolean);
  for (const f of failOn) if (!(FAIL_ON as readonly string[]).includes(f)) throw usage(`--fail-on takes ${FAIL_ON.join(', ')} (got ${JSON.stringify(f)})`);
  const filters: ReportFilters = {};
  for (const k of ['since', 'until'] as const) {
    const v = values[k];
    if (v === undefined) continue;
    const t = timeOf(v, new Date());
    if (t === undefined) throw usage(`--${k} must be a date, an ISO 8601 time, a duration ago (30m, 24h, 7d, 2w), today or yesterday (got ${JSON.stringify(v)})`);
    filters[k] = t.toISOString();
  }
  for (const k of ['run', 'channel', 'detector'] as const) if (values[k] !== undefined) filters[k] = values[k];

  const dirs = (values.ledger ?? [DEFAULT_LEDGER_DIR]).map((d) => resolve(io.cwd, d));
  for (const dir of dirs) {
    if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new UserError(`audit-report: no ledger at ${dir} (give the directory with --ledger DIR)`);
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
  const ledgers: LedgerInput[] = [];
  for (const dir of dirs) {
    let reading: ReturnType<typeof readLedger>;
    try {
      reading = readLedger(dir);
    } catch (err) {
      throw new UserError(`audit-report: cannot read the ledger at ${dir} (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
    }
    const id = readLedgerId(dir);
    const log = id === undefined ? undefined : witnessed?.[id];
    // Without --key, the key the control plane registered for this ledger (with --cloud) is the one to trust.
    const registered = key === undefined && log !== undefined ? await registeredKey(log) : undefined;
    const checker = key ?? registered;
    const cps = await verifyCheckpoints(reading, checker, key !== undefined ? `--key (${key.kid})` : registered !== undefined ? `the key the control plane registered (${registered.kid})` : undefined);
    const witness = witnessed === undefined ? [] : await verifyWitnessLog(reading, id, witnessed, key);
    ledgers.push({ dir, entries: reading.entries, problems: [...reading.problems, ...cps.problems, ...witness], checkpoints: cps.checkpoints, seal: cps.seal });
  }
  const report = buildReport(ledgers, filters, {
    performed: verify,
    signaturesChecked: ledgers.every((l) => l.seal?.signaturesChecked === true),
    allowUnsigned: values['allow-unsigned'] === true,
  });
  const runs = new Set(report.items.map((i) => i.flow_run_id));
  if (filters.run !== undefined && runs.size > 1) throw usage(`--run ${JSON.stringify(filters.run)} is the start of ${runs.size} run ids; give more of the id`);
  const render = { json: renderJson, md: renderMarkdown, html: renderHtml, table: renderTable }[format as 'json' | 'md' | 'html' | 'table'];
  const text = render(report);
  if (typeof values.output === 'string') {
    const out = resolve(io.cwd, values.output);
    try {
      writeFileSync(out, text);
    } catch (err) {
      throw new UserError(`audit-report: cannot write ${out} (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
    }
  } else await write(io.stdout, text);

  const failed =
    (verify && !report.verification.ok) ||
    (failOn.includes('unacked') && report.summary.unacked.length > 0) ||
    (failOn.includes('blocked') && report.summary.blocked > 0) ||
    (failOn.includes('refused') && report.summary.refused > 0);
  return failed ? EXIT_CHECK_FAILED : EXIT_OK;
}

/** The public key the control plane registered for a ledger, when it is a usable one. */
async function registeredKey(log: WitnessLog): Promise<SigningKey | undefined> {
  const parsed = parsePublicJwk(log.jwk);
  if (!('jwk' in parsed)) return undefined;
  try {
    return await SigningKey.fromJson(JSON.stringify(parsed.jwk), 'the key the control plane registered');
  } catch {
    return undefined;
  }
}
