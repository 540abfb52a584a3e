/**
 * The checks every coverage table of another scanner's rules gets (gitleaks, secretlint, TruffleHog; see
 * lib/detect/catalogue/*-coverage.ts): one sample of ours per covered id, only builtin detectors named,
 * a reason as a sentence for every id not covered, and each sample losing its marked secret (⟦…⟧) to one
 * of the detectors the table names, under builtin:default.
 */
import { assert } from 'chai';
import { BUILTIN_DETECTORS } from '../../lib/detect/catalogue/index.ts';
import { createEngineSync } from '../../lib/policy/create.ts';

/** What covers one id of another scanner: our detectors, or why none does. */
export type Coverage = { readonly detectors: readonly string[] } | { readonly reason: string };

const MARKED = /⟦([^⟧]+)⟧/g;

/**
 * The sample as it is scanned, and the secrets marked in it.
 *
 * @example parseMarked('key=⟦abc⟧') // { text: 'key=abc', secrets: ['abc'] }
 */
export function parseMarked(sample: string): { text: string; secrets: string[] } {
  return { text: sample.replace(/[⟦⟧]/g, ''), secrets: [...sample.matchAll(MARKED)].map((m) => m[1]!) };
}

/**
 * Defines, inside the current `describe`, the tests of a coverage table: `entries` are the table's ids
 * (with what covers each), `samples` one marked sample per covered id.
 *
 * @example checkCoverageTable('rule', Object.entries(GITLEAKS_COVERAGE), SAMPLES);
 */
export function checkCoverageTable(what: string, entries: readonly (readonly [string, Coverage])[], samples: Readonly<Record<string, string>>): void {
  const engine = createEngineSync('builtin:default', { env: { ...process.env, EGRESS_GUARD_HASH_KEY: 'coverage-table-hash-key-0123456789' } });
  const known = new Set(BUILTIN_DETECTORS.map((d) => d.id));
  const covered = entries.flatMap(([id, c]) => ('detectors' in c ? [[id, c.detectors] as const] : []));

  it(`has one sample for each covered ${what}, and none for the others`, function () {
    assert.sameMembers(Object.keys(samples), covered.map(([id]) => id));
  });

  it(`names only builtin detectors, at least one per covered ${what}`, function () {
    for (const [id, detectors] of covered) {
      assert.isAtLeast(detectors.length, 1, `${id}: no detector named`);
      for (const d of detectors) assert.isTrue(known.has(d), `${id}: unknown detector ${d}`);
    }
  });

  it(`gives every ${what} it does not cover a reason, as a sentence, naming only builtin detectors`, function () {
    for (const [id, c] of entries) {
      if (!('reason' in c)) continue;
      assert.match(c.reason, /^[A-Z].{30,}\.$/s, `${id}: the reason is not a sentence`);
      assert.isFalse(/\s{2}|\n/.test(c.reason), `${id}: the reason has a line break or double space`);
      // A detector id is written in backticks (`secret-assignment`); a token prefix (`key-`) is no id.
      for (const [, word] of c.reason.matchAll(/`([a-z0-9]+(?:-[a-z0-9]+)+)`/g)) assert.isTrue(known.has(word!), `${id}: the reason names an unknown detector ${word}`);
    }
  });

  for (const [id, named] of covered) {
    it(`${id}: a sample loses its secret to ${named.join(' or ')}`, function () {
      const sample = samples[id];
      assert.isString(sample, `${id}: no sample`);
      const { text, secrets } = parseMarked(sample!);
      assert.isAtLeast(secrets.length, 1, `${id}: the sample marks no secret`);
      const out = engine.scrubText(text, 'logs');
      const fired = [...new Set(out.findings.map((f) => f.detector))];
      assert.isTrue(secrets.every((s) => !out.text.includes(s)), `${id}: the secret is still in the output (findings: ${fired.join(', ') || 'none'})`);
      assert.isTrue(named.some((d) => fired.includes(d)), `${id}: none of ${named.join(', ')} fired (findings: ${fired.join(', ') || 'none'})`);
    });
  }
}
