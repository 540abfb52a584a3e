/**
 * `egress-guard canary`: plants fake secrets of every builtin detector (raw and disguised), secret-named keys,
 * token-named tasks and tags, and oversized, cyclic and amplified values in every channel; exit 1 on any leak.
 */
import { runCanary, CANARY_CHANNELS, type CanaryReport } from './canary-run.ts';
import { EXIT_CHECK_FAILED, EXIT_OK, UserError, parseCommandArgs, write, type CommandIO } from './io.ts';
import { engineFromOptions } from './policy-options.ts';
import { generateLocationKeySet } from '../crypto/jose.ts';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { COMMAND_HELP } from './usage.ts';

/** Forms listed per leaked cell in the table, at most (the JSON report has them all). */
const MAX_FORMS_SHOWN = 8;

export async function canaryCommand(args: string[], io: CommandIO): Promise<number> {
  const { values } = parseCommandArgs('canary', args, { policy: { type: 'string' }, key: { type: 'string' }, format: { type: 'string' } }, COMMAND_HELP.canary.usage);
  if (values.format !== undefined && values.format !== 'table' && values.format !== 'json') {
    throw new UserError(`canary: --format must be table or json (got ${JSON.stringify(values.format)})\nusage: ${COMMAND_HELP.canary.usage}`);
  }
  // Encrypted locations need a key: a throwaway one unless --key gives the real one.
  const scratch = mkdtempSync(join(tmpdir(), 'egress-guard-canary-key-'));
  try {
    if (typeof values.key !== 'string') {
      writeFileSync(join(scratch, 'k.jwk'), await generateLocationKeySet(), { mode: 0o600 });
      values.key = join(scratch, 'k.jwk');
    }
    const engine = await engineFromOptions(values, io);
    const report = await runCanary(engine);
    await write(io.stdout, values.format === 'json' ? JSON.stringify(report, null, 2) + '\n' : table(report));
    return report.leaks === 0 ? EXIT_OK : EXIT_CHECK_FAILED;
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

/** The grid (row by channel), then one line per leaked cell naming its row, channel and forms. */
function table(report: CanaryReport): string {
  const width = Math.max(...report.rows.map((d) => d.length), 8);
  const cell = (row: string, channel: string) => report.cells.find((x) => x.detector === row && x.channel === channel);
  let out = `policy ${report.policy}: ${report.planted} detectors planted raw and disguised, with key names, names and tags and value shapes (${report.plants} plants) in ${CANARY_CHANNELS.length - 1} channels and metadata; ${report.items} items reached the control plane\n\n`;
  out += `${'row'.padEnd(width)}  ${CANARY_CHANNELS.map((c) => c.padEnd(10)).join(' ')}\n`;
  for (const row of report.rows) out += `${row.padEnd(width)}  ${CANARY_CHANNELS.map((c) => (cell(row, c)?.leaked ? 'LEAK' : 'ok').padEnd(10)).join(' ')}\n`;
  const leaked = report.cells.filter((c) => c.leaked);
  if (leaked.length > 0) {
    out += '\nleaked:\n';
    for (const c of leaked) {
      const shown = c.forms.slice(0, MAX_FORMS_SHOWN).join(', ');
      const more = c.forms.length > MAX_FORMS_SHOWN ? ` (+${c.forms.length - MAX_FORMS_SHOWN} more)` : '';
      out += `  ${c.detector} in ${c.channel}: ${shown}${more}\n`;
    }
  }
  out += `\n${report.leaks === 0 ? 'no leaks: nothing planted reached the control plane' : `${report.leaks} LEAK(S): planted values reached the control plane`}\n`;
  return out;
}
