/**
 * The locations channel: result locations, bucket and directory names, cache keys. Encrypted (JWE),
 * hashed, replaced or removed as a whole, per policy; local code decrypts what the control plane returns.
 */
import type { Engine, TextResult } from '../policy/engine.ts';

export function guardLocation(engine: Engine, location: string): Promise<TextResult> {
  return engine.scrubLocation(location);
}
