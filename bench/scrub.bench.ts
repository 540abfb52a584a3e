/**
 * Scrubbing throughput on a realistic log corpus (about 5% of lines carry a secret or PII), builtin
 * default policy, logs channel, one core. Baseline measured in the same run: the same detectors' regexes
 * applied one by one (no prefilter, no combined scan). Also redact-pii and secretlint (recommended
 * preset) on the same corpus. Prints one JSON line per measurement, then a summary line.
 *
 *   npm run bench:scrub            (LINES=200000 by default)
 */
import { createRequire } from 'node:module';
import { compileScanner } from '../lib/detect/scanner.ts';
import { createEngine } from '../lib/policy/create.ts';
import { REDACTED } from '../lib/redact/actions.ts';
import { corpus } from './corpus.ts';

const LINES = Number(process.env.LINES ?? 200_000);
const REPEAT = Number(process.env.REPEAT ?? 3);
const lines = corpus(LINES);

function measure(name: string, fn: (line: string) => unknown, sample = lines): { name: string; lines: number; seconds: number; linesPerSec: number } {
  for (const line of sample) fn(line); // warm-up: JIT, regex tier-up, lazily built trigger subsets
  const runs: number[] = [];
  for (let r = 0; r < REPEAT; r++) {
    const t0 = performance.now();
    for (const line of sample) fn(line);
    runs.push((performance.now() - t0) / 1000);
  }
  runs.sort((a, b) => a - b);
  const seconds = runs[Math.floor(runs.length / 2)]!;
  return { name, lines: sample.length, seconds: round(seconds), linesPerSec: Math.round(sample.length / seconds) };
}

async function measureAsync(name: string, fn: (line: string) => Promise<unknown>, sample: string[]) {
  for (const line of sample.slice(0, 200)) await fn(line);
  const t0 = performance.now();
  for (const line of sample) await fn(line);
  const seconds = (performance.now() - t0) / 1000;
  return { name, lines: sample.length, seconds: round(seconds), linesPerSec: Math.round(sample.length / seconds) };
}

const round = (x: number) => Math.round(x * 1000) / 1000;

const engine = await createEngine('builtin:default');
const logsDetectors = engine.detectors.filter((d) => d.tags.includes('secret') || d.tags.includes('pii'));

// Baseline: every detector's regex, one after the other, on every line; same merge and replacement.
const oneByOne = compileScanner(logsDetectors, { prefilter: false });
const naive = (line: string): string => {
  let out = '';
  let last = 0;
  for (const m of oneByOne.scan(line)) {
    out += line.slice(last, m.start) + REDACTED;
    last = m.end;
  }
  return out + line.slice(last);
};

// Both must find the same spans, or the comparison means nothing.
const combined = compileScanner(logsDetectors);
let disagreements = 0;
for (const line of lines.slice(0, 20_000)) {
  if (JSON.stringify(combined.scan(line)) !== JSON.stringify(oneByOne.scan(line))) disagreements++;
}

const results = [];
const guarded = measure('egress-guard scrubText (builtin:default, logs)', (line) => engine.scrubText(line, 'logs'));
results.push(guarded);
const baseline = measure('baseline: same regexes one by one', naive);
results.push(baseline);

const require = createRequire(import.meta.url);
const { SyncRedactor } = require('redact-pii') as { SyncRedactor: new () => { redact(s: string): string } };
const redactor = new SyncRedactor();
const redactPii = measure('redact-pii SyncRedactor (default patterns)', (line) => redactor.redact(line), lines.slice(0, Math.min(LINES, 50_000)));
results.push(redactPii);

const { lintSource } = (await import('@secretlint/core')) as typeof import('@secretlint/core');
const { creator: preset } = (await import('@secretlint/secretlint-rule-preset-recommend')) as typeof import('@secretlint/secretlint-rule-preset-recommend');
const secretlintConfig = { rules: [{ id: '@secretlint/secretlint-rule-preset-recommend', rule: preset }] };
const secretlint = await measureAsync(
  'secretlint core + preset-recommend (lintSource per line)',
  (line) => lintSource({ source: { filePath: '/bench/log.txt', content: line, contentType: 'text' }, options: { config: secretlintConfig } }),
  lines.slice(0, Math.min(LINES, 5_000)),
);
results.push(secretlint);

for (const r of results) console.log(JSON.stringify({ bench: 'scrub', ...r, ratioVsBaseline: round(r.linesPerSec / baseline.linesPerSec) }));
console.log(
  JSON.stringify({
    bench: 'scrub',
    summary: true,
    detectors: logsDetectors.length,
    corpusLines: LINES,
    disagreementsWithBaseline: disagreements,
    linesPerSecPerCore: guarded.linesPerSec,
    baselineLinesPerSec: baseline.linesPerSec,
    speedupVsBaseline: round(guarded.linesPerSec / baseline.linesPerSec),
    targets: { linesPerSecPerCore: 1_000_000, speedupVsBaseline: 5 },
    met: guarded.linesPerSec >= 1_000_000 && guarded.linesPerSec / baseline.linesPerSec >= 5,
  }),
);
