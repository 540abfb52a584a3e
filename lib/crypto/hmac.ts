import { createHmac } from 'node:crypto';

/** Keyed hash for the `hash` action: `hash:` + the first 16 hex digits (64 bits) of HMAC-SHA-256. */
export function keyedHash(key: Uint8Array, value: string): string {
  return 'hash:' + createHmac('sha256', key).update(value, 'utf8').digest('hex').slice(0, 16);
}
