/**
 * ReDoS: the worst adversarial input per detector. Every shape of test/helpers/adversarial.ts (derived from
 * each detector's pattern, keywords and examples, plus the shapes aimed at the encoded scan, the walker
 * and the cut) goes through `engine.scrubText(v, 'logs')` with builtin:default. Baseline measured in the
 * same run: the same engine on clean, realistic log text (bench/corpus.ts, no sensitive lines) of the same
 * length. Prints one JSON line per detector (and per shared group of shapes), then a summary line.
 *
 *   npm run bench:redos            (CHARS=262144 by default: the default scan limit, so nothing is cut)
 *
 * Method: every shape once at CHARS/4 (the screen), then each detector's TOP slowest shapes at CHARS
 * (median of REPEAT runs; one run when a run takes over a second). A shape whose screen time says that even
 * linear growth would take over STOP_MS at CHARS is reported at CHARS/4 (and listed in the summary as too
 * slow for the full size; it ranks first). `growthPerDoubling` is sqrt(t(n) / t(n/4)): 2 is linear, 4
 * quadratic. Inputs are described by shape, never printed.
 *
 * Then the load-time regex gate (lib/policy/regex-safety.ts), in this process's first use of it: one JSON
 * line per kind of pattern with the time its verdicts took (patterns decided without recheck; patterns
 * recheck analyses in its child process; what recheck alone crashes on or misses).
 */
import { createEngine } from '../lib/policy/create.ts';
import { checkRegexesSync } from '../lib/policy/regex-safety.ts';
import { DEFAULT_LIMITS, type Engine } from '../lib/policy/engine.ts';
import type { PolicyDocument } from '../lib/policy/types.ts';
import { cleanText, detectorAttacks, MB, sharedAttacks, type Attack } from '../test/helpers/adversarial.ts';

const CHARS = Number(process.env.CHARS ?? 262_144);
const TOP = Number(process.env.TOP ?? 2);
const REPEAT = Number(process.env.REPEAT ?? 3);
const STOP_MS = Number(process.env.STOP_MS ?? 5000);
const POLICY = process.env.POLICY ?? 'builtin:default';

const base = await createEngine(POLICY);
const limit = base.policy.limits?.max_scan_length ?? DEFAULT_LIMITS.max_scan_length;
// Larger than the policy's scan limit: the same policy with the limit raised, so that the detectors see it all.
const engine: Engine =
  CHARS <= limit ? base : await createEngine({ name: `${base.identity.name}-raised`, version: 1, extends: [POLICY], limits: { max_scan_length: CHARS } } as PolicyDocument);

const round = (x: number, digits = 1) => Math.round(x * 10 ** digits) / 10 ** digits;

function once(v: string): number {
  const t0 = performance.now();
  engine.scrubText(v, 'logs');
  return performance.now() - t0;
}

function median(v: string, repeat: number): number {
  const first = once(v);
  if (first > 1000 || repeat <= 1) return first;
  const runs = [first, ...Array.from({ length: repeat - 1 }, () => once(v))].sort((a, b) => a - b);
  return runs[Math.floor(runs.length / 2)]!;
}

const baselines = new Map<number, number>();
function baselineMs(chars: number): number {
  let ms = baselines.get(chars);
  if (ms === undefined) {
    const clean = cleanText(chars);
    once(clean);
    ms = median(clean, 5);
    baselines.set(chars, ms);
  }
  return ms;
}

// Warm-up: the detectors' regexes compile and tier up on first use. Then the baselines, before the heap
// holds anything of the run.
for (let i = 0; i < 3; i++) once(cleanText(64 * 1024));
baselineMs(CHARS);
baselineMs(Math.floor(CHARS / 4));

const shared = new Map<string, Attack[]>();
for (const a of sharedAttacks()) shared.set(a.target, [...(shared.get(a.target) ?? []), a]);
const targets: { id: string; shared: boolean; attacks: Attack[] }[] = [
  ...engine.detectors.map((d) => ({ id: d.id, shared: false, attacks: detectorAttacks(d) })),
  ...[...shared].map(([id, attacks]) => ({ id, shared: true, attacks })),
];

// The screen: every distinct input once at CHARS/4.
const quarter = Math.floor(CHARS / 4);
const screened = new Map<string, number>();
for (const t of targets) for (const a of t.attacks) if (!screened.has(a.key)) screened.set(a.key, once(a.build(quarter)));

interface Row {
  bench: 'redos';
  detector: string;
  worstInput: string;
  chars: number;
  ms: number;
  msPerMB: number;
  baselineMsPerMB: number;
  ratio: number;
  growthPerDoubling: number;
  shared?: true;
}

const full = new Map<string, { chars: number; ms: number; growth: number }>();
function measure(a: Attack): { chars: number; ms: number; growth: number } {
  let m = full.get(a.key);
  if (m !== undefined) return m;
  const quarterMs = screened.get(a.key)!;
  if (quarterMs * 4 > STOP_MS) {
    // Too slow to run at CHARS: report the screen's size, and its growth from a sixteenth.
    const sixteenthMs = Math.max(once(a.build(Math.floor(quarter / 4))), 0.01);
    m = { chars: quarter, ms: quarterMs, growth: Math.sqrt(quarterMs / sixteenthMs) };
  } else {
    const ms = median(a.build(CHARS), REPEAT);
    const q = median(a.build(quarter), REPEAT);
    m = { chars: CHARS, ms, growth: Math.sqrt(ms / Math.max(q, 0.01)) };
  }
  full.set(a.key, m);
  return m;
}

// A shape too slow to run at CHARS ranks first: its ms/MiB, measured smaller, understates it.
const byPerMB = (a: Row, b: Row) => Number(b.chars < CHARS) - Number(a.chars < CHARS) || b.msPerMB - a.msPerMB;

const rows: Row[] = [];
for (const t of targets) {
  const top = [...t.attacks].sort((x, y) => screened.get(y.key)! - screened.get(x.key)!).slice(0, TOP);
  let worst: Row | undefined;
  for (const a of top) {
    const m = measure(a);
    const msPerMB = (m.ms * MB) / m.chars;
    const baselineMsPerMB = (baselineMs(m.chars) * MB) / m.chars;
    const row: Row = {
      bench: 'redos',
      detector: t.id,
      worstInput: a.shape,
      chars: m.chars,
      ms: round(m.ms, 2),
      msPerMB: round(msPerMB),
      baselineMsPerMB: round(baselineMsPerMB),
      ratio: round(msPerMB / baselineMsPerMB),
      growthPerDoubling: round(m.growth, 2),
      ...(t.shared && { shared: true as const }),
    };
    if (worst === undefined || byPerMB(row, worst) < 0) worst = row;
  }
  rows.push(worst!);
  console.log(JSON.stringify(worst));
}

const worstDetector = rows.filter((r) => !r.shared).sort(byPerMB)[0]!;
const worst = [...rows].sort(byPerMB)[0]!;
console.log(
  JSON.stringify({
    bench: 'redos',
    summary: true,
    policy: POLICY,
    detectors: rows.filter((r) => !r.shared).length,
    shapes: screened.size,
    chars: CHARS,
    baselineMsPerMB: round((baselineMs(CHARS) * MB) / CHARS),
    worstMsPerMB: worst.msPerMB,
    worstRatio: worst.ratio,
    worst: `${worst.detector}: ${worst.worstInput}`,
    worstChars: worst.chars,
    worstDetectorMsPerMB: worstDetector.msPerMB,
    worstDetectorRatio: worstDetector.ratio,
    worstDetector: `${worstDetector.detector}: ${worstDetector.worstInput}`,
    tooSlowForFullSize: rows.filter((r) => r.chars < CHARS).map((r) => `${r.detector}: ${r.worstInput}`),
    // Growth of 3 or more per doubling (2 is linear, 4 quadratic): how many, and the slowest of them.
    superLinear: rows.filter((r) => r.growthPerDoubling >= 3).length,
    superLinearSlowest: rows
      .filter((r) => r.growthPerDoubling >= 3)
      .sort(byPerMB)
      .slice(0, 5)
      .map((r) => `${r.detector} (x${r.growthPerDoubling})`),
  }),
);

// The gate: each kind at once, as a policy's patterns are checked (one batch per policy file).
const gateKinds: { kind: string; patterns: string[] }[] = [
  {
    kind: 'builtin:pci custom detectors (no loop: decided without recheck)',
    patterns: ['%B\\d{12,19}\\^[^^\\r\\n]{2,26}\\^\\d{4}[^?\\s]{0,79}\\?', ';\\d{12,19}=\\d{4}\\d{0,33}\\?', '\\bcvv2?["\']?\\s{0,3}[:=]\\s{0,3}["\']?(\\d{3,4})\\b'],
  },
  { kind: 'back-references and inner look-arounds (refused without recheck)', patterns: ['(.+)+\\1', '^(\\1a|b)+$', 'sid=(?![0-9])[a-z0-9]{24}'] },
  {
    kind: 'loops and repeated groups (recheck, in its child process)',
    patterns: ['(a|a)*$', '(?:a{1,10}){1,10}b', '\\b[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9-]{1,63}(?:\\.[A-Za-z0-9-]{1,63}){0,8}\\.[A-Za-z]{2,24}\\b'],
  },
];
for (const { kind, patterns } of gateKinds) {
  const t0 = performance.now();
  const verdicts = checkRegexesSync(patterns.map((pattern) => ({ pattern })));
  console.log(JSON.stringify({ bench: 'redos-gate', kind, patterns: patterns.length, refused: verdicts.filter((v) => !v.safe).length, ms: round(performance.now() - t0) }));
}
