/** Shared by the cloud and e2e tests: a cut item holds nothing its original did not. */
import { assert } from 'chai';
import { isDeepStrictEqual } from 'node:util';

/** What the client appends to a string it cut, or puts in place of a payload (see cutToFit). */
export const SIZE_MARKER = /\[size limit: \d+ bytes\]$/;

/**
 * Every string of `cut` is the one at the same place in `original`, or its beginning followed by the size
 * marker; nothing else differs but a `size_limit` placeholder. Failures name the path, never a value (the
 * values may be megabytes, or secrets).
 */
export function assertOnlyRemoves(original: unknown, cut: unknown, path = '$'): void {
  if (typeof cut === 'string') {
    if (cut === original) return;
    assert.isTrue(SIZE_MARKER.test(cut), `${path} changed without a size marker`);
    if (typeof original === 'string') assert.isTrue(original.startsWith(cut.replace(SIZE_MARKER, '')), `${path} is not a beginning of the original`);
    return;
  }
  if (cut === null || typeof cut !== 'object') return assert.isTrue(isDeepStrictEqual(cut, original), `${path} changed`);
  assert.isTrue(original !== null && typeof original === 'object' && Array.isArray(original) === Array.isArray(cut), `${path} changed its type`);
  for (const [k, v] of Object.entries(cut)) {
    if (k === 'size_limit' && path === '$' && typeof v === 'string' && SIZE_MARKER.test(v)) continue;
    assert.isTrue(Object.hasOwn(original as object, k), `${path}.${k} was added`);
    assertOnlyRemoves((original as Record<string, unknown>)[k], v, `${path}.${k}`);
  }
}
