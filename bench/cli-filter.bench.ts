/**
 * `egress-guard scrub --channel logs FILE` as a process, against a naive NDJSON filter doing the same job
 * (readline, JSON lines' string values and text lines through bench/naive-scrubber.ts's 19 regexes, a
 * write per line), on the real-world corpus, alternating the two. Prints one JSON line.
 *
 *   npm run bench:cli-filter            (LINES=200000, RUNS=3 by default; builds first)
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { realWorldCorpus } from './corpus.ts';
import { NAIVE_PATTERNS } from './naive-scrubber.ts';

const LINES = Number(process.env.LINES ?? 200_000);
const RUNS = Number(process.env.RUNS ?? 3);
const dir = mkdtempSync(join(tmpdir(), 'eg-cli-filter-'));
const input = join(dir, 'app.log');
writeFileSync(input, realWorldCorpus(LINES).join('\n') + '\n');

const naive = join(dir, 'naive-filter.mjs');
writeFileSync(
  naive,
  `import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
const NAIVE_PATTERNS = [${NAIVE_PATTERNS.map(String).join(', ')}];
const scrub = (s) => { for (const re of NAIVE_PATTERNS) s = s.replace(re, '[REDACTED]'); return s; };
const walk = (v) => typeof v === 'string' ? scrub(v) : Array.isArray(v) ? v.map(walk) : v && typeof v === 'object' ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)])) : v;
for await (const line of createInterface({ input: createReadStream(process.argv[2]), crlfDelay: Infinity })) {
  let out;
  if (line.startsWith('{')) { try { out = JSON.stringify(walk(JSON.parse(line))); } catch { out = scrub(line); } } else out = scrub(line);
  process.stdout.write(out + '\\n');
}
`,
);

const CLI = join(import.meta.dirname, '../dist/lib/cli/egress-guard.js');
const time = (args: string[]) => {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'], maxBuffer: 1 << 30 });
  if (r.status !== 0) throw new Error(`${args.join(' ')}: exit ${r.status}: ${r.stderr}`);
  return (performance.now() - t0) / 1000;
};
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const guard: number[] = [];
const base: number[] = [];
for (let i = 0; i < RUNS; i++) {
  guard.push(time([CLI, 'scrub', '--channel', 'logs', input]));
  base.push(time([naive, input]));
}
const round = (x: number) => Math.round(x * 1000) / 1000;
console.log(
  JSON.stringify({
    bench: 'cli-filter',
    lines: LINES,
    egressGuardSeconds: round(median(guard)),
    egressGuardLinesPerSec: Math.round(LINES / median(guard)),
    baseline: 'naive NDJSON filter, 19 regexes, readline, a write per line',
    baselineSeconds: round(median(base)),
    baselineLinesPerSec: Math.round(LINES / median(base)),
    ratio: round(median(base) / median(guard)),
  }),
);
