/**
 * ReDoS hardening: adversarial inputs against the builtin policies (builtin:default, builtin:strict,
 * builtin:pci) stay within a per-value time budget, and scanning stays linear in the input.
 *
 * The inputs come from test/helpers/adversarial.ts (shared with bench/redos.bench.ts): for every detector
 * of each policy, shapes derived from its own pattern, keywords and positive examples (long runs of what
 * the pattern repeats, keyword runs with no terminator, near-misses of the examples glued together, the
 * same URL-encoded, base64-encoded and JSON-escaped, digit groups with separators), plus shapes aimed at
 * the encoded scan (lib/redact/encoded.ts), at the work done once per finding (the shortest findings, tens
 * of thousands of them), at the structured walker and at the truncation cut.
 *
 * Each policy gets:
 *   1. every shape at SIZES[policy] characters through `scrubText(v, 'logs')`, each call within
 *      budgetMs(size), and the output correct where it can be known (no finding: unchanged;
 *      builtin:strict: the whole value withheld on any finding; never a policy-error);
 *   2. a growth check on the slowest shapes: k times the size may cost at most 6k times the time (linear
 *      is k, quadratic k^2), which catches super-linear cases too mild to blow the absolute budget;
 *   3. the slowest shapes and the shared shapes through `scrubValue({ v }, 'parameters')`;
 *   4. BIG values (10 MiB): clean realistic text, one repeated character, one repeated character class,
 *      separators only, digit groups: within budget, and what the policy promises about its scan limit
 *      (lib/redact/text.ts, docs/guide.md): the value is cut at the last separator before
 *      `limits.max_scan_length` and ends in `[truncated N chars]`; nothing after the limit goes out.
 * And a policy with a catastrophic custom pattern is refused at load, by the recheck check, including what
 * recheck alone misses or chokes on: back-references (its fuzzer calls `(.+)+\1` safe and crashes on
 * `^(\1a|b)+$`), look-arounds inside a pattern, and ambiguity hidden by bounds (`(?:a{1,10}){1,10}b`);
 * `policy lint` refuses them within a minute, positioned, with no stack trace, and a checker crash is a
 * refusal in a child process, never a hang.
 *
 * EGRESS_GUARD_HARDENING_LONG=1 runs the long variant (many minutes, not for every CI run): each shape of
 * each policy on a ladder of 64 KiB, 256 KiB (the default scan limit) and 1 MiB (through the same policy
 * with its scan limit raised to 4 MiB, so that the detectors really see 1 MiB), the growth check on 40
 * shapes from 64 KiB to 1 MiB, and 100 MiB values. The normal mode runs the same checks, smaller (64 KiB
 * for builtin:default, 32 KiB for the other two, 3 growth shapes from 16 KiB to 128 KiB, 10 MiB values);
 * nothing is skipped.
 *
 * Failure messages describe inputs by shape and size only: positive examples look like real secrets.
 */
import { assert } from 'chai';
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEngine, createEngineSync } from '../../lib/policy/create.ts';
import { DEFAULT_LIMITS, type Engine } from '../../lib/policy/engine.ts';
import type { PolicyError } from '../../lib/policy/errors.ts';
import type { PolicyDocument } from '../../lib/policy/types.ts';
import { REDACTED } from '../../lib/redact/actions.ts';
import { truncationMarker } from '../../lib/redact/text.ts';
import { checkRegexesSync, recheckIsolatedSync } from '../../lib/policy/regex-safety.ts';
import { cleanText, detectorAttacks, MB, repeatTo, sharedAttacks, type Attack } from '../helpers/adversarial.ts';
import { NODE_FLAGS, REPO } from '../helpers/cli.ts';

const LONG = process.env.EGRESS_GUARD_HARDENING_LONG === '1';
const POLICIES = ['builtin:default', 'builtin:strict', 'builtin:pci'] as const;

/**
 * Sizes every shape is run at, a ladder (a shape over budget at one size is not run at the next). The
 * three policies share the detectors and the scanning code, so in normal mode builtin:default gets the
 * larger size and the other two a smaller one, to keep the run under a minute.
 */
const SIZES: Record<string, number[]> = LONG
  ? { 'builtin:default': [64 * 1024, 256 * 1024, MB], 'builtin:strict': [64 * 1024, 256 * 1024, MB], 'builtin:pci': [64 * 1024, 256 * 1024, MB] }
  : { 'builtin:default': [64 * 1024], 'builtin:strict': [32 * 1024], 'builtin:pci': [32 * 1024] };
/** The scan limit of the "raised" engines the long mode uses for sizes above the policy's own limit. */
const RAISED_LIMIT = 4 * MB;
/**
 * The growth check: the GROWTH_SHAPES slowest shapes (by ms/MiB) at GROWTH_SMALL, then at 2, 4, ... up to
 * GROWTH_FACTOR times that: k times the size may cost at most GROWTH_SLACK * k times the time. Linear is k,
 * quadratic k^2 (64x at 8x the size). Measured with the scanning linear, the worst is about 3k (24x at 8x
 * from 16 KiB: small inputs run from the CPU's caches, and shapes whose decoding allocates a lot give the
 * garbage collector a growing share); the quadratic shapes found measure 43x to 91x at 8x, and fail at the
 * first size that shows it, before a slow large run.
 */
const GROWTH_SMALL = LONG ? 64 * 1024 : 16 * 1024;
const GROWTH_FACTOR = LONG ? 16 : 8;
const GROWTH_SHAPES = LONG ? 40 : 3;
const GROWTH_SLACK = 6;
/** How many of the slowest shapes also go through scrubValue. */
const VALUE_SHAPES = LONG ? 40 : 10;
/** Below this the larger run is too quick for its ratio to mean anything (and is within budget anyway). */
const GROWTH_MIN_MS = 20;
const BIG = LONG ? 100 * MB : 10 * MB;

/**
 * The budget of one call on a value of which `scanned` characters get scanned (`total` in all).
 *
 * Measured on this project's 2-core development machine (with other work on the second core): the slowest
 * adversarial shape whose cost grows linearly sustains about 750 ms/MiB at 256 KiB (finding-dense
 * JSON-escaped near-misses, whose every character is decoded and scanned again), clean log text about
 * 50 ms/MiB, the median shape about 30 ms/MiB. MS_PER_MB is 10x the slowest, so a busy CI core does not
 * fail it, while a real ReDoS (quadratic: about 50,000 ms/MiB at 64 KiB and 4x more per doubling;
 * exponential: forever) blows it by orders of magnitude. FLOOR_MS absorbs what does not scale with the
 * input: a major GC pause, a regex's first compilation or tier-up, timer granularity. The unscanned rest of
 * a value over the scan limit may cost PER_MB_UNSCANNED_MS per MiB (it is sliced off, never scanned: a full
 * scan would cost more).
 */
const FLOOR_MS = 100;
const MS_PER_MB = 8000;
const PER_MB_UNSCANNED_MS = 10;
function budgetMs(scanned: number, total = scanned): number {
  return FLOOR_MS + (MS_PER_MB * scanned) / MB + (PER_MB_UNSCANNED_MS * Math.max(0, total - scanned)) / MB;
}

const HASH_ENV = { ...process.env, EGRESS_GUARD_HASH_KEY: 'redos-test-hash-key-0123456789abcdef' };

function kib(chars: number): string {
  return chars >= MB ? `${chars / MB} MiB` : `${Math.round(chars / 1024)} KiB`;
}

function timed<T>(fn: () => T): { ms: number; out: T } {
  const t0 = performance.now();
  const out = fn();
  return { ms: performance.now() - t0, out };
}

/** What one shape cost at the largest size it was run at (for the growth check and scrubValue picks). */
interface Measured {
  attack: Attack;
  chars: number;
  ms: number;
  failed: boolean;
}

function limitOf(engine: Engine): number {
  return engine.policy.limits?.max_scan_length ?? DEFAULT_LIMITS.max_scan_length;
}

/**
 * Runs one shape up the size ladder through scrubText(logs); returns the problems found (by shape and
 * numbers only). A call somewhat over budget is retried once (the minimum counts) before it is a problem; a
 * problem is then also run at a quarter of the size, so that the message shows the growth per doubling.
 */
function runShape(policy: string, engines: (chars: number) => Engine, attack: Attack, strict: boolean, record: (m: Measured) => void): string[] {
  const problems: string[] = [];
  for (const chars of SIZES[policy]!) {
    const engine = engines(chars);
    const v = attack.build(chars);
    let { ms, out } = timed(() => engine.scrubText(v, 'logs'));
    const budget = budgetMs(v.length);
    // A call somewhat over budget is retried (a busy core); one far over it is not noise.
    if (ms > budget && ms < 2 * budget) ms = Math.min(ms, timed(() => engine.scrubText(v, 'logs')).ms);
    if (ms > budget) {
      const quarter = attack.build(Math.floor(chars / 4));
      const quarterMs = Math.max(timed(() => engine.scrubText(quarter, 'logs')).ms, 0.01);
      problems.push(
        `${attack.target}: ${attack.shape}, ${kib(chars)}: ${ms.toFixed(0)} ms > budget ${budget.toFixed(0)} ms ` +
          `(${((ms * MB) / chars).toFixed(0)} ms/MiB; ${quarterMs.toFixed(0)} ms at a quarter of the size: x${Math.sqrt(ms / quarterMs).toFixed(1)} per doubling)`,
      );
      record({ attack, chars, ms, failed: true });
      return problems;
    }
    if (out.blocked !== undefined) problems.push(`${attack.target}: ${attack.shape}, ${kib(chars)}: blocked (${out.blocked}): the scan threw`);
    else if (out.findings.some((f) => f.detector.startsWith('limit:'))) problems.push(`${attack.target}: ${attack.shape}, ${kib(chars)}: hit a limit below the scan limit`);
    else if (out.findings.length === 0 && out.text !== v) problems.push(`${attack.target}: ${attack.shape}, ${kib(chars)}: output changed without any finding`);
    else if (strict && out.findings.length > 0 && out.text !== REDACTED) problems.push(`${attack.target}: ${attack.shape}, ${kib(chars)}: ${policy} shipped part of a value with a finding`);
    record({ attack, chars, ms, failed: false });
    if (problems.length > 0) return problems;
  }
  return problems;
}

function report(problems: string[], what: string): void {
  if (problems.length === 0) return;
  const shown = problems.slice(0, 12).map((p) => `  - ${p}`);
  if (problems.length > shown.length) shown.push(`  - ... and ${problems.length - shown.length} more`);
  assert.fail(`${what}: ${problems.length} problem(s):\n${shown.join('\n')}`);
}

for (const policy of POLICIES) {
  describe(`hardening/redos: ${policy}${LONG ? ' (long)' : ''}`, function () {
    this.timeout(LONG ? 3_600_000 : 120_000);
    const engine = createEngineSync(policy, { env: HASH_ENV });
    const strict = policy === 'builtin:strict';
    let raised: Engine | undefined;
    const engines = (chars: number): Engine => {
      if (chars <= limitOf(engine)) return engine;
      const doc = { name: `${engine.identity.name}-raised`, version: 1, extends: [policy], limits: { max_scan_length: RAISED_LIMIT } } as PolicyDocument;
      return (raised ??= createEngineSync(doc, { env: HASH_ENV }));
    };
    /** Every shape measured so far, by input: a shape shared by several detectors runs once. */
    const measured = new Map<string, Measured>();
    const record = (m: Measured): void => void measured.set(m.attack.key, m);

    before(() => {
      // Warm-up: the first scans compile the detectors' regexes and the keyword automaton.
      for (const a of sharedAttacks().slice(0, 5)) engine.scrubText(a.build(4096), 'logs');
      engine.scrubText(cleanText(64 * 1024), 'logs');
    });

    for (const detector of engine.detectors) {
      const attacks = detectorAttacks(detector);
      it(`${detector.id}: ${attacks.length} adversarial shapes at ${SIZES[policy]!.map(kib).join(', ')} stay within budget`, () => {
        const problems: string[] = [];
        for (const a of attacks) if (!measured.has(a.key)) problems.push(...runShape(policy, engines, a, strict, record));
        report(problems, `${policy} ${detector.id}`);
      });
    }

    const shared = sharedAttacks();
    it(`${shared.length} shapes against the encoded scan, the per-finding work, the walker and the cut stay within budget (scrubText and scrubValue)`, () => {
      const problems: string[] = [];
      for (const a of shared) {
        const before = problems.length;
        problems.push(...runShape(policy, engines, a, strict, record));
        if (problems.length > before) continue;
        const v = a.build(SIZES[policy]![0]!);
        const { ms, out } = timed(() => engine.scrubValue({ v }, 'parameters'));
        if (ms > budgetMs(v.length) && (ms > 2 * budgetMs(v.length) || timed(() => engine.scrubValue({ v }, 'parameters')).ms > budgetMs(v.length))) {
          problems.push(`${a.target}: ${a.shape}, ${kib(v.length)}, scrubValue: ${ms.toFixed(0)} ms > budget ${budgetMs(v.length).toFixed(0)} ms`);
        } else if (out.blocked !== undefined) {
          problems.push(`${a.target}: ${a.shape}, scrubValue: blocked (${out.blocked})`);
        }
      }
      report(problems, `${policy} shared shapes`);
    });

    it(`the ${GROWTH_SHAPES} slowest shapes grow linearly: from ${kib(GROWTH_SMALL)} to ${kib(GROWTH_SMALL * GROWTH_FACTOR)}, k times the size costs at most ${GROWTH_SLACK}k times the time`, () => {
      const slowest = [...measured.values()].filter((m) => !m.failed).sort((a, b) => b.ms / b.chars - a.ms / a.chars).slice(0, GROWTH_SHAPES);
      assert.isAtLeast(slowest.length, Math.min(GROWTH_SHAPES, 1), 'the shapes were measured first');
      const problems: string[] = [];
      const e = engines(GROWTH_SMALL * GROWTH_FACTOR);
      for (const { attack } of slowest) {
        // The minimum of a few runs: noise (another process, a GC pause left by the previous call) only adds.
        const small = attack.build(GROWTH_SMALL);
        e.scrubText(small, 'logs');
        const smallMs = Math.max(Math.min(...[0, 1, 2, 3, 4].map(() => timed(() => e.scrubText(small, 'logs')).ms)), 0.05);
        // Up by doublings, so that a super-linear shape fails at the first size that shows it, not after a
        // minute at the largest.
        for (let k = 2; k <= GROWTH_FACTOR; k *= 2) {
          const chars = GROWTH_SMALL * k;
          const v = attack.build(chars);
          let ms = timed(() => e.scrubText(v, 'logs')).ms;
          const bound = GROWTH_SLACK * k;
          if (ms / smallMs > bound && ms / smallMs < 2 * bound) ms = Math.min(ms, timed(() => e.scrubText(v, 'logs')).ms);
          if (ms >= GROWTH_MIN_MS && ms / smallMs > bound) {
            problems.push(
              `${attack.target}: ${attack.shape}: ${smallMs.toFixed(1)} ms at ${kib(GROWTH_SMALL)}, ${ms.toFixed(0)} ms at ${kib(chars)}: ` +
                `x${(ms / smallMs).toFixed(0)} for x${k} the size (bound x${bound}; about x${Math.pow(ms / smallMs, 1 / Math.log2(k)).toFixed(1)} per doubling)`,
            );
            break;
          }
          if (ms > budgetMs(chars)) {
            problems.push(`${attack.target}: ${attack.shape}: ${ms.toFixed(0)} ms at ${kib(chars)} > budget ${budgetMs(chars).toFixed(0)} ms`);
            break;
          }
        }
      }
      report(problems, `${policy} growth`);
    });

    it(`the ${VALUE_SHAPES} slowest shapes stay within budget as a parameter value (scrubValue)`, () => {
      const slowest = [...measured.values()].filter((m) => !m.failed).sort((a, b) => b.ms / b.chars - a.ms / a.chars).slice(0, VALUE_SHAPES);
      const problems: string[] = [];
      for (const { attack } of slowest) {
        const v = attack.build(SIZES[policy]![0]!);
        let { ms, out } = timed(() => engine.scrubValue({ v }, 'parameters'));
        if (ms > budgetMs(v.length) && ms < 2 * budgetMs(v.length)) ms = Math.min(ms, timed(() => engine.scrubValue({ v }, 'parameters')).ms);
        if (ms > budgetMs(v.length)) problems.push(`${attack.target}: ${attack.shape}, ${kib(v.length)}: ${ms.toFixed(0)} ms > budget ${budgetMs(v.length).toFixed(0)} ms`);
        else if (out.blocked !== undefined) problems.push(`${attack.target}: ${attack.shape}: blocked (${out.blocked})`);
        else if (strict && !isEmptyObject(out.value)) problems.push(`${attack.target}: ${attack.shape}: a parameter off the allow-list left`);
      }
      report(problems, `${policy} scrubValue`);
    });

    describe(`values of ${kib(BIG)} (scan limit ${kib(limitOf(engine))})`, () => {
      const limit = limitOf(engine);

      it('a clean value at the scan limit comes back unchanged, with no finding', () => {
        const v = cleanText(limit);
        const { ms, out } = timed(() => engine.scrubText(v, 'logs'));
        assert.isBelow(ms, budgetMs(v.length), 'time (ms)');
        assert.isTrue(out.text === v, 'the clean text came back changed');
        assert.deepEqual(out.findings, []);
      });

      const big: { name: string; build: () => string; separatorsOnly?: true; clean?: true }[] = [
        { name: 'clean realistic log text', build: () => cleanText(BIG), clean: true },
        { name: "one repeated char ('a')", build: () => repeatTo('a', BIG) },
        { name: 'one repeated char class (the base64 alphabet in turn)', build: () => repeatTo('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/', BIG) },
        { name: "separators only (' ')", build: () => repeatTo(' ', BIG), separatorsOnly: true },
        { name: "digit groups with separators ('4111 1111 ')", build: () => repeatTo('4111 1111 ', BIG) },
      ];
      for (const b of big) {
        it(`${kib(BIG)} of ${b.name}: within budget, cut at the scan limit, nothing after it goes out (scrubText and scrubValue)`, () => {
          const v = b.build();
          assert.equal(v.length, BIG);
          const budget = budgetMs(Math.min(v.length, limit), v.length);
          let { ms, out } = timed(() => engine.scrubText(v, 'logs'));
          if (ms > budget) ms = Math.min(ms, timed(() => engine.scrubText(v, 'logs')).ms);
          assert.isBelow(ms, budget, 'scrubText time (ms)');
          assert.isUndefined(out.blocked, 'blocked');
          assertCut(v, out.text, limit, strict, b);
          assert.isTrue(out.findings.some((f) => f.detector === 'limit:max_scan_length' && f.action === 'truncate'), 'a limit:max_scan_length finding');

          let value = timed(() => engine.scrubValue({ v }, 'parameters'));
          if (value.ms > budget) value = timed(() => engine.scrubValue({ v }, 'parameters'));
          assert.isBelow(value.ms, budget, 'scrubValue time (ms)');
          assert.isUndefined(value.out.blocked, 'blocked');
          if (strict) {
            assert.isTrue(isEmptyObject(value.out.value), 'builtin:strict: a parameter off the allow-list left');
          } else {
            const shipped = (value.out.value as { v?: unknown }).v;
            assert.isString(shipped);
            assertCut(v, shipped as string, limit, false, b);
          }
        });
      }
    });
  });
}

/**
 * What goes out of a value longer than the scan limit: at most the first `limit` characters (scrubbed), cut
 * after a separator, then the marker counting every character not shipped. Values are never printed.
 */
function assertCut(v: string, text: string, limit: number, strict: boolean, b: { clean?: true; separatorsOnly?: true }): void {
  if (strict && text === REDACTED) return; // a finding in the scanned part withholds the whole value
  const m = /\[truncated (\d+) chars\]$/.exec(text);
  assert.isNotNull(m, 'the output ends in a truncation marker');
  const kept = v.length - Number(m![1]);
  assert.isAtMost(kept, limit, 'characters kept from the input (never more than the scan limit)');
  assert.isAtMost(text.length - m![0].length, limit * REDACTED.length, 'length of the scrubbed part');
  if (kept > 0) assert.match(v[kept - 1]!, /[\s"',;<>]/, 'the cut falls right after a separator');
  if (b.clean || b.separatorsOnly) {
    assert.isTrue(text === v.slice(0, kept) + truncationMarker(v.length - kept), 'a clean value: its scanned part unchanged, then the marker');
    assert.isAbove(kept, limit - 1000, 'a clean value is cut at its last separator before the limit');
  }
  if (b.separatorsOnly) assert.equal(kept, limit, 'separators only: exactly the limit is kept');
  if (!b.clean && !b.separatorsOnly && !/[\s"',;<>]/.test(v.slice(0, limit))) assert.equal(text, truncationMarker(v.length), 'no separator before the limit: nothing is kept');
}

function isEmptyObject(v: unknown): boolean {
  return typeof v === 'object' && v !== null && Object.keys(v).length === 0;
}

describe('hardening/redos: catastrophic custom patterns are refused at load', function () {
  this.timeout(120_000);
  // test/policy/load.test.ts covers `(a|a)*$` in a policy file, with its position; here: createEngine on
  // policy objects, three classic shapes of catastrophic backtracking, each refused by recheck.
  for (const pattern of ['(a+)+$', '(x+x+)+y', '(\\d+)*\\.']) {
    it(`refuses ${pattern}, naming the check`, async () => {
      const doc = { name: 'evil', version: 1, extends: ['builtin:default'], detectors: { evil: { pattern, keywords: ['a'] } } } as PolicyDocument;
      let error: unknown;
      try {
        await createEngine(doc);
      } catch (err) {
        error = err;
      }
      assert.instanceOf(error, Error, 'createEngine rejected');
      assert.match((error as Error).message, /unsafe or invalid regex \(recheck\): (exponential|polynomial \(degree \d+\)) backtracking/);
      assert.deepInclude((error as PolicyError).issues?.[0] ?? {}, { check: 'recheck' });
    });
  }
});

/**
 * Runs the CLI from the sources in its own process group, killed with all it started (recheck's checker
 * included) after `ms`: a hang fails the test instead of stalling the run.
 */
function cliWithin(args: string[], ms: number, cwd: string): Promise<{ code: number | null; killed: boolean; out: string; err: string; ms: number }> {
  return new Promise((resolvePromise, reject) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, [...NODE_FLAGS, join(REPO, 'lib/cli/egress-guard.ts'), ...args], { cwd, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    let killed = false;
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
    const timer = setTimeout(() => {
      killed = true;
      process.kill(-child.pid!, 'SIGKILL');
    }, ms);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolvePromise({ code, killed, out, err, ms: performance.now() - t0 });
    });
  });
}

describe('hardening/redos: what recheck alone misses or chokes on is refused, quickly and quietly', function () {
  this.timeout(120_000);

  it('egress-guard policy lint refuses ^(\\1a|b)+$ and (.+)+\\1: exit 2 within 60 s, each positioned, no stack trace', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'eg-redos-'));
    writeFileSync(
      join(dir, 'policy.yaml'),
      ['name: backrefs', 'version: 1', 'detectors:', '  doubled:', "    pattern: '(.+)+\\1'", 'channels:', '  logs:', "    drop: ['^(\\1a|b)+$']", ''].join('\n'),
    );
    const r = await cliWithin(['policy', 'lint', 'policy.yaml'], 60_000, dir);
    assert.isFalse(r.killed, `policy lint still running after 60 s; stderr so far:\n${r.err.slice(0, 2000)}`);
    assert.equal(r.code, 2, r.err);
    const lines = r.err.split('\n').filter((l) => l !== '');
    assert.include(lines, 'policy.yaml:5:14: unsafe or invalid regex (recheck): back-reference \\1 at character 6: freedom from catastrophic backtracking cannot be proven for back-references; rewrite the pattern without it');
    assert.include(lines, 'policy.yaml:8:12: unsafe or invalid regex (recheck): back-reference \\1 at character 3: freedom from catastrophic backtracking cannot be proven for back-references; rewrite the pattern without it');
    const trace = [...lines, ...r.out.split('\n')].filter((l) => /^\s+at\s|Exception in thread|StackOverflow|RangeError/.test(l));
    assert.deepEqual(trace, [], 'stack trace lines on the terminal');
    assert.isAtMost(lines.length, 4, `stderr:\n${r.err}`);
  });

  it("a checker that crashes (recheck's fuzzer on ^(\\1a|b)+$: a stack overflow) is a one-line outcome within its limit, in a child process", () => {
    const t0 = performance.now();
    const [crash, next] = recheckIsolatedSync(
      [
        { source: '^(\\1a|b)+$', flags: '', params: { checker: 'fuzz', timeout: 5_000 }, limitMs: 10_000 },
        { source: '(a+)+$', flags: '', params: { checker: 'automaton', timeout: 10_000 }, limitMs: 15_000 },
      ],
      60_000,
    );
    assert.isBelow(performance.now() - t0, 40_000);
    assert.equal(crash!.status, 'crashed', JSON.stringify(crash));
    assert.match(crash!.status === 'crashed' ? crash!.detail : '', /^(?:java\.lang\.StackOverflowError|RangeError: Maximum call stack size exceeded|no answer within 10 s)$/, 'one line, naming the error');
    assert.equal(next!.status, 'vulnerable', 'the jobs after a crash still run, in a new child');
  });

  it('refuses back-references and look-arounds other than one character at an edge, saying where; accepts those', () => {
    const cases: [string, string | true][] = [
      ['(.+)+\\1', 'back-reference \\1 at character 6'],
      ['(?<q>[\'"])[a-z]{4,64}\\k<q>', 'named back-reference \\k<q> at character 22'],
      ['sid=(?![0-9])[a-z0-9]{24}', 'look-ahead (?! at character 5: it is not at the end of the pattern'],
      ['(?<!EXAMPLE)AKIA[A-Z0-9]{16}', 'look-behind (?<! at character 1: it tests more than one character'],
      ['(?:(?<![a-z])x)+', 'look-behind (?<! at character 4: it is not at the start of the pattern'],
      ['(?<![A-Za-z0-9])EMP-[0-9]{6}(?![0-9])', true],
      ['(?:(?<=/)|(?<![\\w:-]))\\d{8,10}:AA[\\w-]{33}(?![\\w-])', true],
      ['(?:glptt-[0-9a-f]{40}\\b|gl(?:soat|imt)-[\\w-]{20,64}(?![\\w-]))', true],
      // Rewritten, a trailing look-ahead still shows the backtracking it causes.
      ['(?:a|a)*(?=x)', 'exponential backtracking'],
    ];
    const verdicts = checkRegexesSync(cases.map(([pattern]) => ({ pattern })));
    cases.forEach(([pattern, expected], i) => {
      const v = verdicts[i]!;
      if (expected === true) assert.isTrue(v.safe, `${pattern}: ${v.safe ? '' : v.reason}`);
      else assert.include(v.safe ? 'accepted' : v.reason, expected, pattern);
    });
  });

  it('refuses ambiguity that bounds hide from recheck: (?:a{1,10}){1,10}b, which its automaton calls safe', () => {
    const hidden = ['(?:a{1,10}){1,10}b', '(?:a|a){1,30}b', '^(?:\\w{1,64}\\s?){1,40}$', 'x+(?:a{1,10}){1,10}b'];
    const [automaton] = recheckIsolatedSync([{ source: hidden[0]!, flags: '', params: { checker: 'automaton', timeout: 10_000 }, limitMs: 15_000 }], 60_000);
    assert.equal(automaton!.status, 'safe', 'recheck alone calls it safe: the test is meaningful');
    const t0 = performance.now();
    /(?:a{1,10}){1,10}b/.test('a'.repeat(25));
    assert.isAbove(performance.now() - t0, 10, 'matching 25 characters takes milliseconds, not microseconds: the hole is real');
    for (const [i, v] of checkRegexesSync(hidden.map((pattern) => ({ pattern }))).entries()) {
      assert.isFalse(v.safe, hidden[i]);
      assert.include(v.safe ? '' : v.reason, 'exponential backtracking inside a bounded repetition', hidden[i]);
    }
    // Bounds that do cap polynomial work are accepted up to 1024 steps per character; not beyond.
    const [small, large] = checkRegexesSync([{ pattern: '(?:[a-z]{1,8}\\.){1,4}x' }, { pattern: '(?:ab){1,5000}x' }]);
    assert.isTrue(small!.safe);
    assert.include(large!.safe ? '' : large!.reason, 'polynomial (degree 2) backtracking within bounded repetitions: up to about 10001 steps per input character');
  });

  it('refuses side-by-side bounded runs that split one input in too many ways (\\s{0,64}\\s{0,64}\\s{0,64}x: about a millisecond per character)', () => {
    const t0 = performance.now();
    /\s{0,64}\s{0,64}\s{0,64}x/.test(' '.repeat(200));
    assert.isAbove(performance.now() - t0, 5, 'matching 200 spaces takes milliseconds: the hole is real');
    const cases: [string, string, string | true][] = [
      ['\\s{0,64}\\s{0,64}\\s{0,64}x', '', 'polynomial (degree 4) backtracking within bounded repetitions: up to about 274625 steps per input character'],
      ['\\s{0,64}(?:|-)\\s{0,64}=', '', 'polynomial (degree 3) backtracking within bounded repetitions: up to about 4225 steps'],
      ['(?:a|a)'.repeat(12) + 'b', '', 'backtracking through up to 12286 steps at each position of the input'],
      // Side by side but short (21 x 21 ways), or on different characters (their lengths only add up).
      ['\\s{0,20}\\s{0,20}x', '', true],
      ['mailgun[A-Za-z0-9_.-]{0,30}(?:\\\\?["\']){0,1}[ \\t]{0,3}(?:=|:|=>)[ \\t]{0,3}["\']?((?:key-)?[a-f0-9]{32})\\b', 'i', true],
      ['%B\\d{12,19}\\^[^^\\r\\n]{2,26}\\^\\d{4}[^?\\s]{0,79}\\?', '', true],
    ];
    const verdicts = checkRegexesSync(cases.map(([pattern, flags]) => ({ pattern, flags })));
    cases.forEach(([pattern, , expected], i) => {
      const v = verdicts[i]!;
      if (expected === true) assert.isTrue(v.safe, `${pattern}: ${v.safe ? '' : v.reason}`);
      else assert.include(v.safe ? 'accepted' : v.reason, expected, pattern);
    });
  });
});
