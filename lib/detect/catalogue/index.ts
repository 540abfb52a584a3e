/**
 * The builtin detector catalogue: secrets first, then personal data. Every detector carries `secret` or
 * `pii` plus family tags; policies select detectors by id or by tag.
 */
import type { DetectorSpec } from '../types.ts';
import { SECRET_DETECTORS } from './secrets.ts';
import { PII_DETECTORS } from './pii.ts';

function freeze(spec: DetectorSpec): DetectorSpec {
  if (spec.examples !== undefined) {
    Object.freeze(spec.examples.positive);
    Object.freeze(spec.examples.negative);
    Object.freeze(spec.examples);
  }
  if (spec.keywords !== undefined) Object.freeze(spec.keywords);
  Object.freeze(spec.tags);
  return Object.freeze(spec);
}

/**
 * The builtin detector catalogue (frozen): secrets first, then personal data; policies select detectors by
 * id or tag (`secret`, `pii`, `cloud`, ...). docs/detectors.md lists them.
 *
 * @example
 * BUILTIN_DETECTORS.filter((d) => d.tags.includes('pii')).map((d) => d.id); // ['email-address', ...]
 */
export const BUILTIN_DETECTORS: readonly DetectorSpec[] = Object.freeze(
  [...SECRET_DETECTORS, ...PII_DETECTORS].map(freeze),
);

/** Every tag used by a builtin detector. */
export const BUILTIN_TAGS: ReadonlySet<string> = new Set(BUILTIN_DETECTORS.flatMap((d) => d.tags));

export { SECRET_DETECTORS, PII_DETECTORS };
