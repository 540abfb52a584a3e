/**
 * Where a real-world line's time goes, stage by stage, in one process (bench/corpus.ts realWorldCorpus):
 * a bare character loop, the prefilter's pass alone (in JavaScript, and as the scanner runs it: in
 * WebAssembly for ASCII text), the scanner (pass and detectors' regexes; with the pass kept in JavaScript
 * too), the
 * scanner with the encoded scans (redact/encoded.ts scanAll), and the whole scrubText; the same-run
 * baseline is the 19 naive regexes (bench/naive-scrubber.ts). Stages alternate within each round, and
 * each figure is a median over rounds, so that the machine's slow phases hit every stage alike. Prints one
 * JSON line per stage: microseconds a line, and the naive baseline's microseconds over it.
 *
 *   node --import tsx bench/stages.bench.ts      (LINES=50000 ROUNDS=9 by default)
 */
import { BUILTIN_DETECTORS } from '../lib/detect/catalogue/index.ts';
import { KeywordIndex } from '../lib/detect/keywords.ts';
import { compilePrefilter } from '../lib/detect/prefilter.ts';
import { compileScanner } from '../lib/detect/scanner.ts';
import { createEngine } from '../lib/policy/create.ts';
import { scanAll } from '../lib/redact/encoded.ts';
import { realWorldCorpus } from './corpus.ts';
import { naiveScrub } from './naive-scrubber.ts';

const LINES = Number(process.env.LINES ?? 50_000);
const ROUNDS = Number(process.env.ROUNDS ?? 9);

const lines = realWorldCorpus(LINES);
const engine = await createEngine('builtin:default');
const scanner = compileScanner(BUILTIN_DETECTORS);
const javascriptScanner = compileScanner(BUILTIN_DETECTORS, { webAssembly: false });
// The scanner's own pass, built the way compileScanner builds it.
const keywords = new KeywordIndex<number>();
const triggers = new Set<string>();
BUILTIN_DETECTORS.forEach((d, i) => {
  if ((d.keywords ?? []).length > 0) for (const k of d.keywords!) keywords.add(k, i);
  else if (d.trigger !== undefined) triggers.add(d.trigger);
});
keywords.build();
const prefilter = compilePrefilter(keywords, [...triggers], BUILTIN_DETECTORS.length);
const javascriptPrefilter = compilePrefilter(keywords, [...triggers], BUILTIN_DETECTORS.length, undefined, Infinity);
const hits: number[] = [];
const pass = { fired: 0, base64From: 0 };

let sink = 0;
const stages: Record<string, (line: string) => void> = {
  'bare charCodeAt loop': (line) => {
    let x = 0;
    for (let i = 0; i < line.length; i++) x ^= line.charCodeAt(i);
    sink ^= x;
  },
  'prefilter pass, JavaScript loop': (line) => {
    hits.length = 0;
    javascriptPrefilter(line, hits, pass);
    sink ^= pass.fired;
  },
  'prefilter pass (WebAssembly for ASCII)': (line) => {
    hits.length = 0;
    prefilter(line, hits, pass);
    sink ^= pass.fired;
  },
  'scanner.scan, pass in JavaScript': (line) => (sink ^= javascriptScanner.scan(line).length),
  'scanner.scan (pass + detectors)': (line) => (sink ^= scanner.scan(line).length),
  'scanAll (+ encoded, normalised)': (line) => (sink ^= scanAll(line, scanner).length),
  'engine.scrubText (+ actions, findings)': (line) => (sink ^= engine.scrubText(line, 'logs').text.length),
  'baseline: 19 naive regexes': (line) => (sink ^= naiveScrub(line).length),
};

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const perLine: Record<string, number[]> = {};
for (let round = -1; round < ROUNDS; round++) {
  for (const [name, fn] of Object.entries(stages)) {
    const t0 = performance.now();
    for (const line of lines) fn(line);
    if (round >= 0) (perLine[name] ??= []).push(((performance.now() - t0) * 1000) / lines.length); // round -1: warm-up
  }
}
const naive = median(perLine['baseline: 19 naive regexes']!);
const round = (x: number) => Math.round(x * 1000) / 1000;
for (const [name, xs] of Object.entries(perLine)) {
  console.log(JSON.stringify({ bench: 'stages', stage: name, lines: LINES, microsecondsPerLine: round(median(xs)), baseline: '19 naive regexes one by one', baselineMicrosecondsPerLine: round(naive), ratio: round(naive / median(xs)) }));
}
if (sink === 0.5) console.log(''); // keeps the stages' results alive
