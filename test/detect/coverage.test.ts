/**
 * Recall and kept rate per detector family, on a corpus generated here: every builtin detector's positive
 * examples in many contexts (a log line, JSON, YAML, a query string, an exception message, a structured
 * parameter) through every channel, and innocent lines (fp-corpus.ts, the glued-innocent corpus, every
 * detector's negative examples in the same contexts). A regression shows up by family name, with the
 * numbers, never with a secret.
 */
import { assert } from 'chai';
import { BUILTIN_DETECTORS } from '../../lib/detect/catalogue/index.ts';
import { createEngineSync } from '../../lib/policy/create.ts';
import type { DetectorSpec } from '../../lib/detect/types.ts';
import { compileScanner } from '../../lib/detect/scanner.ts';
import { FALSE_POSITIVE_CORPUS } from './fp-corpus.ts';
import { INNOCENT_GLUED_CORPUS } from './glued-corpus.ts';

/** Where a value is written in what leaves: each one a way real apps put text in logs and errors. */
const CONTEXTS: Record<string, (text: string) => string> = {
  'log line': (t) => `2026-12-03T10:00:00.000Z INFO worker-3 ${t} (took 12 ms)`,
  json: (t) => JSON.stringify({ level: 'info', msg: t, n: 1 }),
  yaml: (t) => `step:\n  note: |\n    ${t.replaceAll('\n', '\n    ')}\n  ok: true`,
  'query string': (t) => `GET /hook?src=ci&note=${encodeURIComponent(t)}&page=2 200`,
  'exception message': (t) => `Error: request failed: ${t}`,
};
const CHANNELS = ['logs', 'parameters', 'exceptions'] as const;

/** The family of a detector: its first tag after `secret`/`pii` (the catalogue's own grouping). */
function familyOf(d: DetectorSpec): string {
  const kind = d.tags.includes('pii') ? 'pii' : 'secret';
  return `${kind}:${d.tags.find((t) => t !== 'secret' && t !== 'pii' && t !== 'generic') ?? 'generic'}`;
}

interface Tally {
  planted: number;
  caught: number;
  innocent: number;
  kept: number;
}

describe('detect: recall and kept rate per family, on a generated corpus', function () {
  this.timeout(120_000);
  const engine = createEngineSync('builtin:default', { env: { ...process.env, EGRESS_GUARD_HASH_KEY: 'coverage-test-hash-key-0123456789' } });
  const enabled = new Set(engine.detectors.map((d) => d.id));
  const byFamily = new Map<string, Tally>();
  const tally = (family: string): Tally => {
    let t = byFamily.get(family);
    if (t === undefined) byFamily.set(family, (t = { planted: 0, caught: 0, innocent: 0, kept: 0 }));
    return t;
  };
  const families = new Map<string, ReturnType<typeof compileScanner>>();
  const familyScanner = (family: string) => {
    let scanner = families.get(family);
    if (scanner === undefined) families.set(family, (scanner = compileScanner(BUILTIN_DETECTORS.filter((d) => enabled.has(d.id) && familyOf(d) === family && !d.tags.includes('generic')))));
    return scanner;
  };
  const missed: string[] = [];
  const damaged: string[] = [];

  before(() => {
    for (const d of BUILTIN_DETECTORS.filter((x) => enabled.has(x.id))) {
      const own = compileScanner([d]);
      const family = familyOf(d);
      for (const [i, example] of (d.examples?.positive ?? []).entries()) {
        // What the detector itself finds in its example must not be in what leaves, in any context.
        const secrets = own.scan(example).map((m) => example.slice(m.start, m.end).trim()).filter((s) => s.length >= 4);
        if (secrets.length === 0) continue;
        for (const [context, wrap] of Object.entries(CONTEXTS)) {
          for (const channel of CHANNELS) {
            const input = wrap(example);
            const out = channel === 'parameters' ? JSON.stringify(engine.scrubValue({ note: input }, channel).value) : engine.scrubText(input, channel).text;
            const leaked = secrets.some((s) => out.includes(s) || out.includes(JSON.stringify(s).slice(1, -1)) || out.includes(encodeURIComponent(s)));
            const t = tally(family);
            t.planted++;
            if (leaked) missed.push(`${d.id} positive #${i} in ${context}, ${channel}`);
            else t.caught++;
          }
        }
      }
      for (const [i, example] of (d.examples?.negative ?? []).entries()) {
        // A near miss of this detector (a wrong length, a placeholder) in every context: the family's
        // specific detectors leave it. (The generic ones may still take a near-miss token under a
        // secret-named key, `token=eyJ…`: that is their job.)
        for (const [context, wrap] of Object.entries(CONTEXTS)) {
          const t = tally(family);
          t.innocent++;
          const found = familyScanner(family).scan(wrap(example));
          if (found.length === 0) t.kept++;
          else damaged.push(`${d.id} negative #${i} in ${context}: ${[...new Set(found.map((m) => m.detector))].join(', ')}`);
        }
      }
    }
    for (const line of [...FALSE_POSITIVE_CORPUS, ...INNOCENT_GLUED_CORPUS]) {
      const t = tally('innocent corpus');
      t.innocent++;
      const out = engine.scrubText(line, 'logs');
      if (out.findings.length === 0) t.kept++;
      else damaged.push(`innocent line ${JSON.stringify(line.slice(0, 12))}…: ${out.findings.map((f) => f.detector).join(', ')}`);
    }
  });

  after(() => {
    // EGRESS_GUARD_COVERAGE_TABLE=1 npx mocha test/detect/coverage.test.ts: the figures per family.
    if (process.env.EGRESS_GUARD_COVERAGE_TABLE !== '1') return;
    const pct = (a: number, b: number) => (b === 0 ? '-' : `${((100 * a) / b).toFixed(1)}% (${a}/${b})`);
    console.table(Object.fromEntries([...byFamily].sort().map(([f, t]) => [f, { recall: pct(t.caught, t.planted), kept: pct(t.kept, t.innocent) }])));
    for (const line of [...missed, ...damaged]) console.log(line);
  });

  it('finds at least 99% of planted examples overall, and at least 95% in every family', () => {
    const rows = [...byFamily].filter(([, t]) => t.planted > 0);
    const planted = rows.reduce((n, [, t]) => n + t.planted, 0);
    const caught = rows.reduce((n, [, t]) => n + t.caught, 0);
    assert.isAbove(planted, 2000, 'the corpus is not trivially small');
    const weak = rows.filter(([, t]) => t.caught / t.planted < 0.95).map(([f, t]) => `${f}: ${t.caught}/${t.planted}`);
    assert.deepEqual(weak, [], `families under 95% recall; misses: ${missed.slice(0, 20).join('; ')}`);
    assert.isAtLeast(caught / planted, 0.99, `overall recall ${caught}/${planted}; misses: ${missed.slice(0, 20).join('; ')}`);
  });

  it('keeps at least 97% of innocent lines overall, and every line of the innocent corpus', () => {
    const rows = [...byFamily].filter(([, t]) => t.innocent > 0);
    const innocent = rows.reduce((n, [, t]) => n + t.innocent, 0);
    const kept = rows.reduce((n, [, t]) => n + t.kept, 0);
    const corpus = byFamily.get('innocent corpus')!;
    assert.equal(corpus.kept, corpus.innocent, damaged.filter((x) => x.startsWith('innocent line')).join('; '));
    assert.isAtLeast(kept / innocent, 0.97, `kept ${kept}/${innocent}; damaged: ${damaged.slice(0, 20).join('; ')}`);
  });
});
