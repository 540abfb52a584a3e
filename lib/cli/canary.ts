/** `egress-guard canary`: plants fake secrets of every builtin detector in every channel; exit 1 on any leak. */
import { runCanary, CANARY_CHANNELS } from '../audit/canary.ts';
import { EXIT_CHECK_FAILED, EXIT_OK, parseCommandArgs, write, type CommandIO } from './io.ts';
import { engineFromOptions } from './policy-options.ts';
import { generateLocationKeySet } from '../crypto/jose.ts';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const CANARY_USAGE = 'egress-guard canary [--policy P] [--key FILE] [--format table|json]';

export async function canaryCommand(args: string[], io: CommandIO): Promise<number> {
  const { values } = parseCommandArgs('canary', args, { policy: { type: 'string' }, key: { type: 'string' }, format: { type: 'string' } }, CANARY_USAGE);
  // Encrypted locations need a key: a throwaway one unless --key gives the real one.
  const scratch = mkdtempSync(join(tmpdir(), 'egress-guard-canary-key-'));
  try {
    if (typeof values.key !== 'string') {
      writeFileSync(join(scratch, 'k.jwk'), await generateLocationKeySet(), { mode: 0o600 });
      values.key = join(scratch, 'k.jwk');
    }
    const engine = await engineFromOptions(values, io);
    const report = await runCanary(engine);
    if (values.format === 'json') {
      await write(io.stdout, JSON.stringify(report, null, 2) + '\n');
    } else {
      const detectors = [...new Set(report.cells.map((c) => c.detector))];
      const width = Math.max(...detectors.map((d) => d.length), 8);
      await write(io.stdout, `policy ${report.policy}: ${report.planted} detectors planted in ${CANARY_CHANNELS.length - 1} channels, ${report.items} items reached the control plane\n\n`);
      await write(io.stdout, `${'detector'.padEnd(width)}  ${CANARY_CHANNELS.map((c) => c.padEnd(10)).join(' ')}\n`);
      for (const d of detectors) {
        const row = CANARY_CHANNELS.map((c) => (report.cells.find((x) => x.detector === d && x.channel === c)?.leaked ? 'LEAK' : 'ok').padEnd(10));
        await write(io.stdout, `${d.padEnd(width)}  ${row.join(' ')}\n`);
      }
      await write(io.stdout, `\n${report.leaks === 0 ? 'no leaks: nothing planted reached the control plane' : `${report.leaks} LEAK(S): planted values reached the control plane`}\n`);
    }
    return report.leaks === 0 ? EXIT_OK : EXIT_CHECK_FAILED;
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}
