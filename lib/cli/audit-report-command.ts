/**
 * `audit-report`: what reached the control plane, from one or more ledgers, optionally verified.
 * Exit 0 clean; 1 when verification finds a problem or a --fail-on condition holds; 2 on usage errors or
 * unreadable ledgers.
 */
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { SigningKey } from '../crypto/jose.ts';
import { buildReport, renderMarkdown, renderTable, type LedgerInput, type ReportFilters } from '../audit/report.ts';
import { readLedger, verifyCheckpoints, verifyWitness, type WitnessedHead } from '../audit/verify.ts';
import { fetchWitnesses } from '../cloud/client.ts';
import { renderHtml } from '../audit/html.ts';
import { EXIT_CHECK_FAILED, EXIT_OK, UserError, parseCommandArgs, write, type CommandIO } from './io.ts';

export const AUDIT_REPORT_USAGE =
  'audit-report [--ledger DIR ...] [--since T] [--until T] [--run ID] [--channel C] [--detector D] [--format table|json|md|html] [--verify] [--key PUBLIC_JWK] [--cloud URL --token T] [--fail-on tamper,unacked,blocked] [-o FILE]';

const FAIL_ON = ['tamper', 'unacked', 'blocked'] as const;
export const DEFAULT_LEDGER_DIR = '.egress-guard/ledger';

export async function auditReport(args: string[], io: CommandIO): Promise<number> {
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
  const format = (values.format as string | undefined) ?? 'table';
  if (!['table', 'json', 'md', 'html'].includes(format)) throw usage(`--format must be table, json, md or html (got ${JSON.stringify(format)})`);
  const failOn = ((values['fail-on'] as string | undefined) ?? '').split(',').filter(Boolean);
  for (const f of failOn) if (!(FAIL_ON as readonly string[]).includes(f)) throw usage(`--fail-on takes ${FAIL_ON.join(', ')} (got ${JSON.stringify(f)})`);
  const filters: ReportFilters = {};
  for (const k of ['since', 'until'] as const) {
    const v = values[k] as string | undefined;
    if (v === undefined) continue;
    const t = new Date(v);
    if (Number.isNaN(t.getTime())) throw usage(`--${k} must be a date or ISO 8601 time (got ${JSON.stringify(v)})`);
    filters[k] = t.toISOString();
  }
  for (const k of ['run', 'channel', 'detector'] as const) if (typeof values[k] === 'string') filters[k] = values[k] as string;

  const dirs = ((values.ledger as string[] | undefined) ?? [DEFAULT_LEDGER_DIR]).map((d) => resolve(io.cwd, d));
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
  let witnessed: Record<string, WitnessedHead> | undefined;
  if (typeof values.cloud === 'string') {
    const token = typeof values.token === 'string' ? values.token : io.env.EGRESS_GUARD_TOKEN;
    if (token === undefined || token === '') throw usage('--cloud needs --token T (or EGRESS_GUARD_TOKEN)');
    try {
      witnessed = await fetchWitnesses(values.cloud, token);
    } catch (err) {
      throw new UserError(`audit-report: cannot read the witnessed heads from ${values.cloud} (${(err as Error).message})`);
    }
  }
  const ledgers: LedgerInput[] = [];
  for (const dir of dirs) {
    const reading = readLedger(dir);
    const cps = await verifyCheckpoints(reading, key);
    const id = existsSync(join(dir, 'ledger.json')) ? (JSON.parse(readFileSync(join(dir, 'ledger.json'), 'utf8')) as { id: string }).id : undefined;
    const witness = witnessed === undefined ? [] : verifyWitness(reading, id, witnessed);
    ledgers.push({ dir, entries: reading.entries, problems: [...reading.problems, ...cps.problems, ...witness], checkpoints: cps.checkpoints });
  }
  const report = buildReport(ledgers, filters, { performed: verify, signaturesChecked: key !== undefined });
  const render = { json: (r: typeof report) => JSON.stringify(r, null, 2) + '\n', md: renderMarkdown, html: renderHtml, table: renderTable }[format as 'json' | 'md' | 'html' | 'table'];
  const text = render(report);
  if (typeof values.output === 'string') writeFileSync(resolve(io.cwd, values.output), text);
  else await write(io.stdout, text);

  const failed =
    (verify && !report.verification.ok) ||
    (failOn.includes('unacked') && report.summary.unacked.length > 0) ||
    (failOn.includes('blocked') && report.summary.blocked > 0);
  return failed ? EXIT_CHECK_FAILED : EXIT_OK;
}
