/**
 * Runs a policy's embedded `tests`. Failure messages never repeat an `expect_absent` string (it is, by
 * definition, something sensitive); they show the scrubbed output, which is what would leave anyway.
 */
import { isDeepStrictEqual } from 'node:util';
import type { Engine } from './engine.ts';
import type { PolicyTestCase } from './types.ts';

/** The outcome of one of a policy's `tests` (`index` in the list); `failures` say what did not hold, never a secret. */
export interface PolicyTestResult {
  index: number;
  name: string;
  ok: boolean;
  failures: string[];
}

/**
 * Runs a policy's embedded `tests` against an engine, in order; never throws for a failing case (a scrub
 * that throws is a failure). Failure messages never quote an `expect_absent` string.
 *
 * @example
 * const loaded = await loadPolicy('policy.yaml');
 * const results = await runPolicyTests(loaded.policy.tests ?? [], compilePolicy(loaded));
 * results.filter((r) => !r.ok); // [{ index: 2, name: 'tests[2] (logs)', ok: false, failures: [...] }]
 */
export async function runPolicyTests(tests: readonly PolicyTestCase[], engine: Engine): Promise<PolicyTestResult[]> {
  const results: PolicyTestResult[] = [];
  for (const [index, test] of tests.entries()) {
    const name = test.name ?? `tests[${index}] (${test.channel})`;
    const failures: string[] = [];
    try {
      const { output, dropped } = await scrub(test, engine);
      const shown = typeof output === 'string' ? output : (JSON.stringify(output) ?? 'undefined');
      test.expect_absent?.forEach((s, i) => {
        if (shown.includes(s)) failures.push(`expect_absent[${i}] (${s.length} chars) is still in the output`);
      });
      test.expect_present?.forEach((s, i) => {
        if (!shown.includes(s)) failures.push(`expect_present[${i}] ${JSON.stringify(s)} is missing from the output: ${clip(shown)}`);
      });
      if (test.expect !== undefined && !isDeepStrictEqual(output, test.expect)) {
        failures.push(`output ${clip(shown)} is not the expected ${clip(JSON.stringify(test.expect))}`);
      }
      if (test.expect_dropped !== undefined && test.expect_dropped !== dropped) {
        failures.push(test.expect_dropped ? 'the record was shipped, expected it dropped' : 'the record was dropped, expected it shipped');
      }
      const hasExpectation = [test.expect_absent, test.expect_present, test.expect, test.expect_dropped].some((e) => e !== undefined);
      if (!hasExpectation) failures.push('the case has no expectation (expect, expect_absent, expect_present or expect_dropped)');
    } catch (err) {
      failures.push(`scrubbing failed: ${(err as Error).message}`);
    }
    results.push({ index, name, ok: failures.length === 0, failures });
  }
  return results;
}

async function scrub(test: PolicyTestCase, engine: Engine): Promise<{ output: unknown; dropped: boolean }> {
  if (test.channel === 'locations' && typeof test.input === 'string') {
    return { output: (await engine.scrubLocation(test.input)).text, dropped: false };
  }
  if (typeof test.input === 'string') {
    const r = engine.scrubText(test.input, test.channel);
    return { output: r.text, dropped: r.dropped !== undefined };
  }
  const r = engine.scrubValue(test.input, test.channel);
  return { output: r.value, dropped: r.dropped !== undefined };
}

function clip(s: string, max = 200): string {
  return s.length <= max ? s : s.slice(0, max) + `... (${s.length} chars)`;
}
