/**
 * Start-up cost of the built CLI, as CPU seconds (user + system, from bash's `time`, children included)
 * and as a ratio to bare `node -e 0` measured in the same run, alternating command and baseline so that
 * the machine's drift hits both. Prints one JSON line per command.
 *
 *   npm run bench:startup            (RUNS=15 by default; needs `npm run build` first, which the script does)
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const RUNS = Number(process.env.RUNS ?? 15);
const CLI = join(import.meta.dirname, '../dist/lib/cli/egress-guard.js');
const dir = mkdtempSync(join(tmpdir(), 'eg-startup-'));
const small = join(dir, 'two-lines.log');
writeFileSync(small, `deploy with token ghp_${'R7tKq2mWx9LpZ4vN8sB3cD6fG1hJ5kM0yQeT'}\nok\n`);

const COMMANDS: Record<string, string> = {
  '--help': `node ${CLI} --help`,
  'scrub (2-line file)': `node ${CLI} scrub --channel logs ${small}`,
  'scan (2-line file)': `node ${CLI} scan ${small}`,
  'policy lint (builtin policy file)': `node ${CLI} policy lint ${join(import.meta.dirname, '../policies/default.yaml')}`,
};
const BASELINE = 'node -e 0';

/** CPU seconds (user + sys) of one run of a shell command, as bash's `time` counts them. */
function cpuSeconds(command: string): number {
  const r = spawnSync('bash', ['-c', `TIMEFORMAT='%3U %3S'; time (${command} >/dev/null 2>&1)`], { encoding: 'utf8', cwd: dir });
  const [user, sys] = r.stderr.trim().split('\n').pop()!.split(' ').map(Number);
  return user! + sys!;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const round = (x: number) => Math.round(x * 1000) / 1000;

cpuSeconds(BASELINE); // warm the file cache
for (const [name, command] of Object.entries(COMMANDS)) {
  cpuSeconds(command);
  const ratios: number[] = [];
  const own: number[] = [];
  const base: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const a = cpuSeconds(command);
    const b = cpuSeconds(BASELINE);
    own.push(a);
    base.push(b);
    ratios.push(a / b);
  }
  console.log(JSON.stringify({ bench: 'startup', command: name, runs: RUNS, cpu_s_median: round(median(own)), baseline: BASELINE, baseline_cpu_s_median: round(median(base)), ratio_median: round(median(ratios)) }));
}
