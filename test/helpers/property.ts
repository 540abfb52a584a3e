/** fast-check parameters for the no-leak property tests: a failure never prints its counterexample (it holds the secrets). */
import fc from 'fast-check';

/**
 * `numRuns` cases, stopping at the first failure, which reports our message, the seed and the path only;
 * EGRESS_GUARD_PROPERTY_SEED replays a seed.
 *
 * @example fc.assert(fc.property(text, check), propertyParams(200));
 */
export function propertyParams<Ts>(numRuns: number): fc.Parameters<Ts> {
  const reporter = (out: fc.RunDetails<Ts>) => {
    if (!out.failed) return;
    const cause = out.errorInstance instanceof Error ? out.errorInstance.message : 'the property failed';
    throw new Error(`${cause} (reproduce with seed ${out.seed}, path ${String(out.counterexamplePath)})`);
  };
  const seed = process.env.EGRESS_GUARD_PROPERTY_SEED;
  return { numRuns, endOnFailure: true, reporter, ...(seed !== undefined && { seed: Number(seed) }) };
}
