/**
 * The actions a policy applies to a selected field or a detected span. Each compiles once into a function
 * from the sensitive text to what goes out instead. `encrypt` is asynchronous and lives with the locations
 * channel (lib/policy/engine.ts); `remove` on a field is the walker's business (the field disappears).
 */
import type { ActionName, ActionSpec } from '../policy/types.ts';
import { keyedHash } from '../crypto/hmac.ts';

export const REDACTED = '[REDACTED]';
export const DEFAULT_REPLACE_TEMPLATE = '[{detector}]';
export const DEFAULT_MASK_KEEP = 4;

export interface CompiledAction {
  name: ActionName;
  /** What replaces `value`, found by `detector` (a detector id, or `field` for field rules). */
  apply(value: string, detector: string): string;
}

export function actionName(spec: ActionSpec): ActionName {
  if (typeof spec === 'string') return spec;
  return 'replace' in spec ? 'replace' : 'mask';
}

/**
 * @param hashKey called the first time a `hash` action is compiled, so policies that never hash never
 *   need a key.
 */
export function compileAction(spec: ActionSpec, hashKey: () => Uint8Array): CompiledAction {
  const name = actionName(spec);
  switch (name) {
    case 'allow':
      return { name, apply: (value) => value };
    case 'remove':
      return { name, apply: () => REDACTED };
    case 'replace': {
      const template = typeof spec === 'object' && 'replace' in spec ? spec.replace : DEFAULT_REPLACE_TEMPLATE;
      return { name, apply: (_value, detector) => template.replaceAll('{detector}', detector) };
    }
    case 'mask': {
      const opts = typeof spec === 'object' && 'mask' in spec ? spec.mask : {};
      const keep = opts.keep ?? DEFAULT_MASK_KEEP;
      const char = opts.char ?? '*';
      return { name, apply: (value) => mask(value, keep, char) };
    }
    case 'hash': {
      const key = hashKey();
      return { name, apply: (value) => keyedHash(key, value) };
    }
    case 'encrypt':
      // The schema allows encrypt only for locations, which the engine encrypts itself.
      throw new Error('the encrypt action applies to the locations channel only');
  }
}

const SURROGATE = /[\uD800-\uDFFF]/;

/**
 * Keeps at most `keep` trailing characters, and never more than a quarter of the value, so a short
 * secret is masked whole rather than half revealed. Masked length equals the original length.
 *
 * @example mask('10.0.134.46', 4) // '*********46'
 */
export function mask(value: string, keep: number, char = '*'): string {
  if (!SURROGATE.test(value)) {
    // One code point a code unit (the common case: an IP, an email): no array of characters to make.
    const shown = Math.min(keep, Math.floor(value.length / 4));
    return char.repeat(value.length - shown) + value.slice(value.length - shown);
  }
  const chars = Array.from(value);
  const shown = Math.min(keep, Math.floor(chars.length / 4));
  return char.repeat(chars.length - shown) + chars.slice(chars.length - shown).join('');
}
