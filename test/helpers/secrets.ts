/**
 * Assertions about planted secrets that never print them: a failure names the secret (by its label) and
 * where it was found, not its value, so a red test log does not become a leak of its own.
 */
import { assert } from 'chai';
import { isDeepStrictEqual } from 'node:util';

export type PlantedSecrets = readonly string[] | Readonly<Record<string, string>>;

export function assertNoSecret(text: string, secrets: PlantedSecrets | string, where = 'the output'): void {
  const labelled = typeof secrets === 'string' ? { secret: secrets } : Array.isArray(secrets) ? Object.fromEntries(secrets.map((s, i) => [`secret #${i}`, s])) : secrets;
  for (const [label, secret] of Object.entries(labelled as Record<string, string>)) {
    const at = text.indexOf(secret);
    if (at >= 0) assert.fail(`${label} leaked into ${where} (at offset ${at} of ${text.length})`);
  }
}

/** Deep equality that reports only that the values differ (they may hold secrets). */
export function assertSameValue(actual: unknown, expected: unknown, what: string): void {
  if (!isDeepStrictEqual(actual, expected)) assert.fail(`${what}: not deep-equal (values withheld: they may hold secrets)`);
}
