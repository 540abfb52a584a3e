/**
 * A scan report as SARIF 2.1.0, the format code-scanning tools (GitHub code scanning, VS Code's SARIF
 * viewer, DefectDojo) read: one rule per detector that fired, one result per finding, no matched text.
 */
import { isAbsolute, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { packageVersion } from '../package-root.ts';
import type { Engine } from '../policy/engine.ts';
import type { ScanFinding, ScanReport } from './scan.ts';

const SCHEMA = 'https://json.schemastore.org/sarif-2.1.0.json';

/** The rules no detector describes: a secret-named key (by the policy's key-name classifier) and a drop rule. */
const OTHER_RULES: Record<string, string> = {
  'key-name': 'A value under a secret-named key (password, token, api_key, ...)',
  'drop-rule': "A line the policy's drop rules remove entirely",
};

/**
 * The SARIF log of a scan: `tool.driver.rules` are the detectors that fired (ids as in `egress-guard
 * detectors`), each result points at file, line and columns, and its message says what the policy does.
 *
 * @example JSON.stringify(sarifLog(report, engine)) // {"version":"2.1.0","runs":[{"tool":{"driver":{"name":"egress-guard",...
 */
export function sarifLog(report: ScanReport, engine: Engine): Record<string, unknown> {
  const ids = [...new Set(report.findings.map((f) => f.rule))].sort();
  const described = new Map(engine.detectors.map((d) => [d.id, d] as const));
  const rules = ids.map((id) => {
    const detector = described.get(id);
    const text = detector?.description ?? OTHER_RULES[id] ?? `Policy rule ${id}`;
    return { id, shortDescription: { text }, properties: { tags: [...(detector?.tags ?? ['secret'])] } };
  });
  return {
    $schema: SCHEMA,
    version: '2.1.0',
    runs: [
      {
        tool: { driver: { name: 'egress-guard', version: packageVersion(), rules } },
        columnKind: 'utf16CodeUnits',
        properties: { policy: report.policy, channel: report.channel, files: report.files, lines: report.lines, skippedBinary: report.skippedBinary },
        results: report.findings.map((f) => result(f, ids.indexOf(f.rule), rules[ids.indexOf(f.rule)]!.shortDescription.text)),
      },
    ],
  };
}

function result(f: ScanFinding, ruleIndex: number, description: string): Record<string, unknown> {
  const artifactLocation = f.file === '-' ? { uri: 'stdin' } : isAbsolute(f.file) ? { uri: pathToFileURL(f.file).href } : { uri: relativeUri(f.file), uriBaseId: '%SRCROOT%' };
  const region = { startLine: f.line, startColumn: f.column, ...(f.endColumn !== undefined && { endColumn: f.endColumn }) };
  const where = f.path !== undefined ? ` at ${f.path}` : '';
  return {
    ruleId: f.rule,
    ruleIndex,
    level: 'error',
    message: { text: `${description}${where}: the policy would ${f.action} it` },
    locations: [{ physicalLocation: { artifactLocation, region } }],
  };
}

/** A relative path as a URI reference: forward slashes, each segment percent-encoded. */
function relativeUri(file: string): string {
  return file.split(sep).map(encodeURIComponent).join('/');
}
