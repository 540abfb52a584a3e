/**
 * Scrubbing speed on the lines that cost most (bench/corpus.ts realWorldCorpus: UUIDs, hex digests, host
 * names, IPs, JSON lines, stack traces, base64 ids, lines without letters), per kind of line and mixed:
 * egress-guard's scrubText (builtin:default, logs channel) against 19 naive regexes applied one by one
 * (bench/naive-scrubber.ts), in the same process, one core. Prints one JSON line per workload.
 *
 *   npm run bench:realworld            (LINES=200000 by default; REPEAT=5 medians)
 */
import { createEngine } from '../lib/policy/create.ts';
import { corpus, realWorldCorpus } from './corpus.ts';
import { naiveScrub } from './naive-scrubber.ts';

const LINES = Number(process.env.LINES ?? 200_000);
const REPEAT = Number(process.env.REPEAT ?? 5);

const round = (x: number) => Math.round(x * 1000) / 1000;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** Seconds for one pass of fn over the lines: the median of REPEAT passes after a warm-up. */
function seconds(lines: readonly string[], fn: (line: string) => unknown): number {
  for (const line of lines) fn(line);
  const runs: number[] = [];
  for (let i = 0; i < REPEAT; i++) {
    const t0 = performance.now();
    for (const line of lines) fn(line);
    runs.push((performance.now() - t0) / 1000);
  }
  return median(runs);
}

const engine = await createEngine('builtin:default');
const mixed = realWorldCorpus(LINES);
const kindOf = (line: string): string =>
  line.startsWith('{') ? 'json' : line.startsWith('    at ') ? 'stack trace' : !/[A-Za-z]/.test(line.replace(/\d{4}-\d\d-\d\dT[\d:.]+Z/, '')) ? 'no letters' : /[0-9a-f]{40}/.test(line) ? 'hex digests' : 'uuids, hosts, ids';
const workloads: Record<string, string[]> = { 'real-world mix': mixed, 'bench/corpus.ts (earlier corpus)': corpus(LINES) };
for (const line of mixed) (workloads[kindOf(line)] ??= []).push(line);

for (const [name, lines] of Object.entries(workloads)) {
  const guard = seconds(lines, (line) => engine.scrubText(line, 'logs'));
  const naive = seconds(lines, naiveScrub);
  console.log(
    JSON.stringify({
      bench: 'realworld',
      workload: name,
      lines: lines.length,
      egressGuardLinesPerSec: Math.round(lines.length / guard),
      baseline: '19 naive regexes one by one',
      baselineLinesPerSec: Math.round(lines.length / naive),
      ratio: round(naive / guard),
    }),
  );
}
