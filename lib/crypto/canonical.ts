/**
 * Canonical JSON: object keys sorted recursively, no whitespace, `undefined` fields left out. Two values
 * that mean the same serialize the same, so their hashes can identify a policy (and audit entries, and the payloads the gate sends).
 */
import { createHash } from 'node:crypto';

/**
 * Canonical JSON of a value: keys sorted recursively, no whitespace, `undefined` fields left out; values
 * that mean the same give the same text (and hash). Copies, never mutates.
 *
 * @example
 * canonicalJson({ b: 1, a: [{ d: undefined, c: 2 }] }); // '{"a":[{"c":2}],"b":1}'
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, sortKeys) ?? 'null';
}

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/**
 * JSON.stringify replacer: an object whose keys are not in order is replaced by a sorted copy; objects
 * already in order (the common case, when callers build them sorted) cost only the check.
 */
function sortKeys(_key: string, value: unknown): unknown {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return value;
  const keys = Object.keys(value);
  for (let i = 1; i < keys.length; i++) {
    if (keys[i - 1]! > keys[i]!) {
      // No prototype: a `__proto__` key would set one instead of being copied (and its value lost).
      const sorted: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
      for (const key of keys.sort()) sorted[key] = (value as Record<string, unknown>)[key];
      return sorted;
    }
  }
  return value;
}
