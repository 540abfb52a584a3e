/**
 * `egress-guard scan`: what the policy would change in files (log archives, exported job output), without
 * changing them: the gitleaks-style report, for a review or a CI gate. Findings name the detector, the
 * place and the action, never the matched text (its length only), in any format.
 */
import type { Engine } from '../policy/engine.ts';
import { EXIT_CHECK_FAILED, EXIT_OK, UserError, parseCommandArgs, write, type CommandIO } from './io.ts';
import { parseRecord } from './input.ts';
import { engineFromOptions } from './policy-options.ts';
import { scanInputs } from './scan-files.ts';
import { sarifLog } from './sarif.ts';
import { COMMAND_HELP, usageError } from './usage.ts';

/** One place the policy would change: 1-based line and columns (UTF-16 code units, as SARIF counts). */
export interface ScanFinding {
  file: string;
  line: number;
  column: number;
  /** One past the last column of the match; absent when the place is the whole line (a drop rule). */
  endColumn?: number;
  /** A detector id, `key-name` for a secret-named key, or `drop-rule` for a line a drop rule removes. */
  rule: string;
  action: string;
  /** For a structured (JSON) record: the path of the value. */
  path?: string;
}

/** What a scan found, with what it looked at. */
export interface ScanReport {
  policy: string;
  channel: ScanChannel;
  files: number;
  lines: number;
  skippedBinary: number;
  findings: ScanFinding[];
}

type ScanChannel = 'logs' | 'parameters' | 'exceptions';
const SCAN_CHANNELS: readonly ScanChannel[] = ['logs', 'parameters', 'exceptions'];
const FORMATS = ['table', 'json', 'sarif'] as const;
const PROGRESS_EVERY_MS = 1000;

export async function scanCommand(args: string[], io: CommandIO): Promise<number> {
  const { values, positionals } = parseCommandArgs(
    'scan',
    args,
    { policy: { type: 'string' }, channel: { type: 'string' }, format: { type: 'string' } },
    COMMAND_HELP.scan.usage,
  );
  const channel = (values.channel ?? 'logs') as ScanChannel;
  if (!SCAN_CHANNELS.includes(channel)) throw new UserError(usageError('scan', `--channel must be ${SCAN_CHANNELS.join(', ')} (got ${JSON.stringify(values.channel)})`));
  const format = (values.format ?? 'table') as (typeof FORMATS)[number];
  if (!FORMATS.includes(format)) throw new UserError(usageError('scan', `--format must be ${FORMATS.join(', ')} (got ${JSON.stringify(values.format)})`));
  if (positionals.length === 0) throw new UserError(usageError('scan', 'name the files or directories to scan, or - for standard input'));
  const engine = await engineFromOptions(values, io);
  const report = await scan(engine, channel, positionals, io);
  const out = format === 'json' ? JSON.stringify(report, null, 2) + '\n' : format === 'sarif' ? JSON.stringify(sarifLog(report, engine), null, 2) + '\n' : table(report);
  await write(io.stdout, out);
  return report.findings.length === 0 ? EXIT_OK : EXIT_CHECK_FAILED;
}

async function scan(engine: Engine, channel: ScanChannel, args: readonly string[], io: CommandIO): Promise<ScanReport> {
  const report: ScanReport = { policy: `${engine.identity.name} v${engine.identity.version}`, channel, files: 0, lines: 0, skippedBinary: 0, findings: [] };
  const skipped = { binary: 0 };
  const progress = (io.stderr as { isTTY?: boolean }).isTTY === true;
  let shownAt = Date.now();
  for await (const input of scanInputs(args, io, skipped)) {
    report.files++;
    let lineNo = 0;
    for await (const line of input.lines()) {
      lineNo++;
      report.findings.push(...lineFindings(engine, channel, line).map((f) => ({ file: input.name, line: lineNo, ...f })));
      if (progress && Date.now() - shownAt >= PROGRESS_EVERY_MS) {
        shownAt = Date.now();
        await write(io.stderr, `\rscanned ${report.files} file(s), ${report.lines + lineNo} line(s), ${report.findings.length} finding(s)`);
      }
    }
    report.lines += lineNo;
  }
  if (progress) await write(io.stderr, '\r\x1b[K');
  report.skippedBinary = skipped.binary;
  return report;
}

type LineFinding = Omit<ScanFinding, 'file' | 'line'>;

/**
 * Where the policy would change one line: each finding of the scrub, placed at the span the channel's
 * value rules match (text), or at its key (a structured record's secret-named field); a finding with
 * no place of its own (a value found decoded) gets the whole line.
 */
function lineFindings(engine: Engine, channel: ScanChannel, line: string): LineFinding[] {
  const record = parseRecord(line);
  const result = record.structured ? engine.scrubValue(record.value, channel) : engine.scrubText(line, channel);
  if (result.dropped !== undefined) return [{ column: 1, rule: 'drop-rule', action: 'drop' }];
  const spans = engine.explainText(line, channel);
  const out: LineFinding[] = [];
  for (const f of result.findings) {
    // A key can itself be a secret ({"ghp_...": 1}): the path is shown as the policy would ship it.
    const path = record.structured ? { path: engine.scrubText(f.path, channel).text } : {};
    let placed = 0;
    for (let i = 0; i < spans.length && placed < f.count; ) {
      if (spans[i]!.detector !== f.detector) i++;
      else {
        const [s] = spans.splice(i, 1);
        out.push({ column: s!.start + 1, endColumn: s!.end + 1, rule: f.detector, action: f.action, ...path });
        placed++;
      }
    }
    if (placed > 0) continue;
    const key = record.structured ? keyColumn(line, f.path) : undefined;
    out.push({ column: key ?? 1, rule: f.detector, action: f.action, ...path });
  }
  return out.sort((a, b) => a.column - b.column);
}

/** The column of a path's last key in a JSON line (`user.password` -> `"password"`), if it is there. */
function keyColumn(line: string, path: string): number | undefined {
  const last = path.split('.').pop();
  if (last === undefined || last === '') return undefined;
  const at = line.indexOf(JSON.stringify(last) + ':');
  const spaced = at >= 0 ? at : line.indexOf(JSON.stringify(last));
  return spaced >= 0 ? spaced + 1 : undefined;
}

function table(report: ScanReport): string {
  const rows = report.findings.map((f) => {
    const place = `${f.file}:${f.line}:${f.column}`;
    const what = f.endColumn !== undefined ? `${f.endColumn - f.column} chars` : f.path !== undefined ? 'the value' : 'the line';
    return `${place}  ${f.rule} -> ${f.action}${f.path !== undefined ? ` at ${f.path}` : ''} (${what})`;
  });
  const binary = report.skippedBinary > 0 ? `, ${report.skippedBinary} binary file(s) skipped` : '';
  const summary = `${report.files} file(s), ${report.lines} line(s)${binary}: ${report.findings.length === 0 ? 'nothing the policy would change' : `${report.findings.length} finding(s)`} (policy ${report.policy}, channel ${report.channel})`;
  return [...rows, summary].join('\n') + '\n';
}
