/**
 * The structured-value walker: builds a scrubbed, JSON-safe copy of any value and never touches the
 * original. Handles cycles, throwing getters and proxies, BigInt, Buffers and typed arrays (contents never
 * copied out), Maps, Sets, Dates, class instances, `toJSON`, and Errors (non-enumerable message/stack).
 */
import type { CompiledAction } from './actions.ts';
import type { FindingSink } from './findings.ts';
import { matchPath, PathMatch, formatPath, type PathSegment } from './paths.ts';
import { REMOVE, scrubString, type CompiledValueRules } from './text.ts';

export interface CompiledFieldRule {
  source: string;
  pattern: PathSegment[];
  action: CompiledAction;
}

export interface WalkPolicy {
  fields: readonly CompiledFieldRule[];
  allowlist: readonly PathSegment[][] | undefined;
  values: CompiledValueRules;
  /** Rules for object keys (keys can carry secrets too); undefined leaves keys as they are. */
  keys: CompiledValueRules | undefined;
  maxDepth: number;
  maxNodes: number;
  /** Turns an Error into the plain object that goes out (exceptions channel rules). */
  error(err: Error, path: string, sink: FindingSink): Record<string, unknown>;
}

export const CIRCULAR = '[Circular]';
export const DEPTH_LIMIT = '[depth limit]';
export const SIZE_LIMIT = '[size limit]';

/** Returns the scrubbed copy, or REMOVE when the root itself is removed. */
export function walkValue(value: unknown, policy: WalkPolicy, sink: FindingSink): unknown {
  return new Walker(policy, sink).visit(value, 0, true, policy.allowlist === undefined);
}

class Walker {
  private readonly path: string[] = [];
  private readonly ancestors = new Set<object>();
  private nodes = 0;

  constructor(
    private readonly policy: WalkPolicy,
    private readonly sink: FindingSink,
  ) {}

  private where(): string {
    return formatPath(this.path);
  }

  /**
   * @param scan whether value detectors run (false below an `allow` field rule)
   * @param allowed whether this subtree is inside the allow-list (always true without allow-list mode)
   */
  visit(value: unknown, depth: number, scan: boolean, allowed: boolean): unknown {
    if (++this.nodes > this.policy.maxNodes) {
      this.sink.add('limit:max_nodes', this.where(), 'replace');
      return SIZE_LIMIT;
    }
    switch (typeof value) {
      case 'string':
        return scan ? scrubString(value, this.policy.values, this.where(), this.sink) : value;
      case 'number':
        return this.number(value, scan);
      case 'bigint':
        return this.visit(value.toString(), depth, scan, allowed);
      case 'boolean':
        return value;
      case 'undefined':
        return REMOVE;
      case 'function':
        return '[Function]';
      case 'symbol':
        return '[Symbol]';
    }
    if (value === null) return null;
    return this.object(value as object, depth, scan, allowed);
  }

  private number(value: number, scan: boolean): unknown {
    if (!Number.isFinite(value)) return String(value);
    // A long number can be a card or an account number: scan its digits like a string.
    if (scan && Math.abs(value) >= 1e8) {
      const text = String(value);
      const out = scrubString(text, this.policy.values, this.where(), this.sink);
      if (out !== text) return out === REMOVE ? REMOVE : out;
    }
    return value;
  }

  private object(value: object, depth: number, scan: boolean, allowed: boolean): unknown {
    if (this.ancestors.has(value)) return CIRCULAR;
    if (depth >= this.policy.maxDepth) {
      this.sink.add('limit:max_depth', this.where(), 'replace');
      return DEPTH_LIMIT;
    }
    const special = this.special(value, depth, scan, allowed);
    if (special !== NOT_SPECIAL) return special;
    this.ancestors.add(value);
    try {
      if (Array.isArray(value)) return this.entries(arrayEntries(value), depth, scan, allowed, true);
      if (value instanceof Map) {
        const entries: [string, () => unknown][] = [];
        for (const [k, v] of value) entries.push([mapKey(k), () => v]);
        return this.entries(entries, depth, scan, allowed, false);
      }
      if (value instanceof Set) return this.entries(arrayEntries([...value]), depth, scan, allowed, true);
      let keys: string[];
      try {
        keys = Object.keys(value);
      } catch {
        return '[Unreadable]';
      }
      return this.entries(
        keys.map((k) => [k, () => (value as Record<string, unknown>)[k]]),
        depth,
        scan,
        allowed,
        false,
      );
    } finally {
      this.ancestors.delete(value);
    }
  }

  private special(value: object, depth: number, scan: boolean, allowed: boolean): unknown {
    if (value instanceof Date) return Number.isNaN(value.getTime()) ? '[Invalid Date]' : value.toISOString();
    if (value instanceof Error) {
      const out = this.policy.error(value, this.where(), this.sink);
      return this.visit(out, depth, scan, allowed);
    }
    if (ArrayBuffer.isView(value)) return `[${value.constructor.name} ${value.byteLength} bytes]`;
    if (value instanceof ArrayBuffer || value instanceof SharedArrayBuffer) return `[${value.constructor.name} ${value.byteLength} bytes]`;
    if (value instanceof RegExp || value instanceof URL) return this.visit(String(value), depth, scan, allowed);
    if (value instanceof WeakMap || value instanceof WeakSet || value instanceof Promise) return `[${value.constructor.name}]`;
    if (!Array.isArray(value) && !(value instanceof Map) && !(value instanceof Set)) {
      let toJSON: unknown;
      try {
        toJSON = (value as { toJSON?: unknown }).toJSON;
      } catch {
        return '[Unreadable]';
      }
      if (typeof toJSON === 'function') {
        let json: unknown;
        try {
          json = toJSON.call(value);
        } catch {
          return '[toJSON threw]';
        }
        if (json !== value) {
          this.ancestors.add(value);
          try {
            return this.visit(json, depth, scan, allowed);
          } finally {
            this.ancestors.delete(value);
          }
        }
      }
    }
    return NOT_SPECIAL;
  }

  private entries(
    entries: [string, () => unknown][],
    depth: number,
    scan: boolean,
    allowed: boolean,
    isArray: boolean,
  ): unknown {
    const out: unknown[] | Record<string, unknown> = isArray ? [] : {};
    for (const [key, get] of entries) {
      this.path.push(key);
      try {
        let childAllowed = allowed;
        if (!allowed) {
          const m = this.allowlistMatch();
          if (m === PathMatch.None) {
            this.sink.add('allowlist', this.where(), 'remove');
            continue;
          }
          childAllowed = m === PathMatch.Full;
        }
        let child: unknown;
        try {
          child = get();
        } catch {
          child = '[Thrown]';
        }
        if (!childAllowed && (typeof child !== 'object' || child === null)) {
          // A leaf on the way to an allowed path, not itself allowed.
          this.sink.add('allowlist', this.where(), 'remove');
          continue;
        }
        const result = this.field(child, depth, scan, childAllowed);
        if (result === REMOVE) {
          if (isArray) (out as unknown[]).push(null);
          continue;
        }
        if (isArray) (out as unknown[]).push(result);
        else (out as Record<string, unknown>)[this.scrubKey(key, scan)] = result;
      } finally {
        this.path.pop();
      }
    }
    return out;
  }

  /** Applies the first field rule that selects the current path, else walks the value. */
  private field(child: unknown, depth: number, scan: boolean, allowed: boolean): unknown {
    for (const rule of this.policy.fields) {
      if (matchPath(rule.pattern, this.path) !== PathMatch.Full) continue;
      const name = rule.action.name;
      if (name === 'allow') return this.visit(child, depth + 1, false, true);
      this.sink.add(`field:${rule.source}`, this.where(), name);
      if (name === 'remove') return REMOVE;
      return rule.action.apply(stringify(child), 'field');
    }
    return this.visit(child, depth + 1, scan, allowed);
  }

  /** Keys can carry secrets too (`{"ghp_...": true}`). */
  private scrubKey(key: string, scan: boolean): string {
    if (!scan || this.policy.keys === undefined) return key;
    const out = scrubString(key, this.policy.keys, this.where(), this.sink);
    return out === REMOVE ? '[REDACTED]' : out;
  }

  private allowlistMatch(): PathMatch {
    let best = PathMatch.None;
    for (const pattern of this.policy.allowlist!) {
      const m = matchPath(pattern, this.path);
      if (m === PathMatch.Full) return m;
      if (m > best) best = m;
    }
    return best;
  }
}

const NOT_SPECIAL = Symbol('not special');

function arrayEntries(values: readonly unknown[]): [string, () => unknown][] {
  const out: [string, () => unknown][] = [];
  for (let i = 0; i < values.length; i++) out.push([String(i), () => values[i]]);
  return out;
}

function mapKey(key: unknown): string {
  if (typeof key === 'string') return key;
  if (typeof key === 'number' || typeof key === 'boolean' || typeof key === 'bigint') return String(key);
  return `[${typeof key}]`;
}

/** The text a field action acts on: strings as they are, everything else as JSON. */
function stringify(value: unknown): string {
  if (typeof value === 'string') return value;
  try {
    return JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v)) ?? String(value);
  } catch {
    return `[${typeof value}]`;
  }
}
