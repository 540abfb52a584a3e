/**
 * The structured-value walker: builds a scrubbed, JSON-safe copy of any value and never touches the
 * original. Handles cycles, throwing getters and proxies, BigInt, Buffers and typed arrays (contents never
 * copied out), Maps, Sets, Dates, class instances, `toJSON`, and Errors (non-enumerable message/stack).
 */
import { shapedForKey, type KeyNameClassifier, type KeyVerdict } from '../detect/key-names.ts';
import type { CompiledAction } from './actions.ts';
import { FindingSink, type Finding } from './findings.ts';
import { argvSecrets, namedValue, tupleName } from './pairs.ts';
import { FirstPathMatch, matchLoweredPath, PathMatch, formatPath, type PathSegment } from './paths.ts';
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
  /**
   * Values under secret-named keys (`db_password`, `GITHUB_TOKEN`) get `action`; inside a secret-named
   * object, so do the values under plain names (`auth: { user, pass }`). Undefined turns this off.
   */
  secretKeys: { classifier: KeyNameClassifier; action: CompiledAction } | undefined;
  maxDepth: number;
  maxNodes: number;
  /**
   * Characters of string in one value, all its strings together (each counts up to maxScanLength, a
   * string seen before too: it goes out again): strings past it become `[size limit]`.
   */
  maxRecordScan: number;
  /** Turns an Error into the plain object that goes out (exceptions channel rules). */
  error(err: Error, path: string, sink: FindingSink): Record<string, unknown>;
}

export const CIRCULAR = '[Circular]';
export const DEPTH_LIMIT = '[depth limit]';
export const SIZE_LIMIT = '[size limit]';

/** Returns the scrubbed copy, or REMOVE when the root itself is removed. */
export function walkValue(value: unknown, policy: WalkPolicy, sink: FindingSink): unknown {
  // One walker per policy, reused: a logger walks a record per call, and allocations show up there. A
  // walk that re-enters (a toJSON that logs) gets a walker of its own.
  let walker = walkers.get(policy);
  if (walker === undefined) walkers.set(policy, (walker = new Walker(policy)));
  if (walker.busy) walker = new Walker(policy);
  walker.busy = true;
  try {
    return walker.walk(value, sink);
  } finally {
    walker.busy = false;
  }
}

const walkers = new WeakMap<WalkPolicy, Walker>();

const fieldMatchers = new WeakMap<readonly CompiledFieldRule[], FirstPathMatch<CompiledFieldRule>>();

class Walker {
  private readonly path: string[] = [];
  /** `path` lower-cased, kept alongside: path patterns compare keys case-insensitively. */
  private readonly lowered: string[] = [];
  /** The objects being walked, outermost first (at most maxDepth: an array beats a Set here). */
  private readonly ancestors: object[] = [];
  private readonly fieldRules: FirstPathMatch<CompiledFieldRule>;
  private nodes = 0;
  /** Characters of string so far in this value (see WalkPolicy.maxRecordScan). */
  private scanned = 0;
  /**
   * Long strings already scrubbed in this value, with what they came out as and what was found: a value
   * that references one big string many times is scanned once.
   */
  private readonly seen = new Map<string, { out: string | typeof REMOVE; found: Finding[] }>();
  /** How many secret-named keys the current path passes through (see WalkPolicy.secretKeys). */
  private secretDepth = 0;
  private sink!: FindingSink;
  busy = false;
  /**
   * Whether for-in lists exactly a plain object's own keys: true unless something made a property of
   * Object.prototype enumerable (checked once per walk). Then for-in is used: it allocates no key array.
   */
  private forInIsOwnKeys = true;
  /** The current path rendered (keys as scrubbed), built only when a finding needs it. */
  private readonly where = (): string => formatPath(this.path);

  constructor(private readonly policy: WalkPolicy) {
    let matcher = fieldMatchers.get(policy.fields);
    if (matcher === undefined) {
      matcher = new FirstPathMatch(policy.fields, (rule) => rule.pattern);
      fieldMatchers.set(policy.fields, matcher);
    }
    this.fieldRules = matcher;
  }

  walk(value: unknown, sink: FindingSink): unknown {
    this.sink = sink;
    this.nodes = 0;
    this.scanned = 0;
    this.seen.clear();
    this.secretDepth = 0;
    this.forInIsOwnKeys = !hasEnumerableKey(Object.prototype);
    return this.visit(value, 0, true, this.policy.allowlist === undefined);
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
        return scan ? this.string(value, depth, allowed) : value;
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

  /**
   * A string that holds JSON (a payload logged as text, a config blob) is walked as the value it encodes,
   * so key-path rules and detectors act inside it; what goes out is the scrubbed JSON. The text is
   * scanned as it is too, for what only shows across its fields.
   */
  private string(value: string, depth: number, allowed: boolean): unknown {
    // Charged for every sighting, remembered or not: each goes out, and what goes out must stay bounded
    // (4000 references to one 260 KB string would make a gigabyte of JSON).
    const cost = Math.min(value.length, this.policy.values.maxScanLength);
    if (this.scanned + cost > this.policy.maxRecordScan) {
      this.sink.add('limit:max_record_scan', this.where(), 'replace');
      return SIZE_LIMIT;
    }
    this.scanned += cost;
    const remembered = value.length >= SEEN_MIN_LENGTH ? this.seen.get(value) : undefined;
    if (remembered !== undefined) {
      const where = this.where();
      for (const f of remembered.found) this.sink.add(f.detector, where, f.action, f.count);
      return remembered.out;
    }
    const parsed = embeddedJson(value, this.policy.values.maxScanLength);
    if (parsed !== undefined) {
      const before = this.sink.added;
      const walked = this.object(parsed, depth, true, allowed);
      if (this.sink.added !== before) return JSON.stringify(walked === REMOVE ? null : walked);
    }
    if (value.length < SEEN_MIN_LENGTH) return scrubString(value, this.policy.values, this.where, this.sink);
    // Found in a sink of its own, so that a later sighting can report the same findings at its own path.
    const local = new FindingSink();
    const out = scrubString(value, this.policy.values, this.where, local);
    const found = local.list();
    for (const f of found) this.sink.add(f.detector, f.path, f.action, f.count);
    this.seen.set(value, { out, found });
    return out;
  }

  private number(value: number, scan: boolean): unknown {
    if (!Number.isFinite(value)) return String(value);
    // A long number can be a card or an account number: scan its digits like a string.
    if (scan && Math.abs(value) >= 1e8) {
      const text = String(value);
      const out = scrubString(text, this.policy.values, this.where, this.sink);
      if (out !== text) return out === REMOVE ? REMOVE : out;
    }
    return value;
  }

  private object(value: object, depth: number, scan: boolean, allowed: boolean): unknown {
    if (this.ancestors.includes(value)) return CIRCULAR;
    if (depth >= this.policy.maxDepth) {
      this.sink.add('limit:max_depth', this.where(), 'replace');
      return DEPTH_LIMIT;
    }
    const plain = isPlainData(value);
    if (!plain) {
      const special = this.special(value, depth, scan, allowed);
      if (special !== NOT_SPECIAL) return special;
    }
    this.ancestors.push(value);
    try {
      if (plain && this.forInIsOwnKeys) return this.plainEntries(value as Record<string, unknown>, depth, scan, allowed);
      if (Array.isArray(value)) return this.entries(indexKeys(value.length), value, value, depth, scan, allowed, true);
      if (value instanceof Map) {
        const keys: string[] = [];
        const values: unknown[] = [];
        for (const [k, v] of value) {
          keys.push(mapKey(k));
          values.push(v);
        }
        return this.entries(keys, values, values, depth, scan, allowed, false);
      }
      if (value instanceof Set) {
        const values = [...value];
        return this.entries(indexKeys(values.length), values, values, depth, scan, allowed, true);
      }
      let keys: string[];
      try {
        keys = Object.keys(value);
      } catch {
        return '[Unreadable]';
      }
      return this.entries(keys, value as Record<string, unknown>, undefined, depth, scan, allowed, false);
    } finally {
      this.ancestors.pop();
    }
  }

  private special(value: object, depth: number, scan: boolean, allowed: boolean): unknown {
    if (value instanceof Date) return Number.isNaN(value.getTime()) ? '[Invalid Date]' : value.toISOString();
    if (value instanceof Error) {
      const out = this.policy.error(value, this.where(), this.sink);
      return this.visit(out, depth, scan, allowed);
    }
    if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer || value instanceof SharedArrayBuffer) {
      return `[${this.typeName(value, scan)} ${value.byteLength} bytes]`;
    }
    if (value instanceof RegExp || value instanceof URL) return this.visit(String(value), depth, scan, allowed);
    if (value instanceof WeakMap || value instanceof WeakSet || value instanceof Promise) return `[${this.typeName(value, scan)}]`;
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
          this.ancestors.push(value);
          try {
            return this.visit(json, depth, scan, allowed);
          } finally {
            this.ancestors.pop();
          }
        }
      }
    }
    return NOT_SPECIAL;
  }

  /** Children are `values[i]` when given (arrays, Maps, Sets), else `source[key]` (objects). */
  private entries(
    keys: readonly string[],
    source: Record<string, unknown> | unknown[],
    values: readonly unknown[] | undefined,
    depth: number,
    scan: boolean,
    allowed: boolean,
    isArray: boolean,
  ): unknown {
    const out: unknown[] | Record<string, unknown> = isArray ? [] : {};
    const named = isArray && values !== undefined ? this.itemNames(values, scan) : undefined;
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i]!;
      this.entry(key, values !== undefined ? i : -1, source, values, out, depth, scan, allowed, isArray, named?.(i));
    }
    return out;
  }

  /**
   * What names the items of a list, where something does (pairs.ts): the first element of an entry
   * tuple names the second, and in an argument list a flag names what follows it.
   */
  private itemNames(values: readonly unknown[], scan: boolean): ((index: number) => KeyVerdict | undefined) | undefined {
    if (!scan || this.policy.secretKeys === undefined) return undefined;
    const parent = this.ancestors[this.ancestors.length - 2];
    const name = Array.isArray(parent) ? tupleName(parent, values) : undefined;
    if (name !== undefined) {
      const verdict = this.policy.secretKeys.classifier.classify(name);
      return verdict.kind === 'secret' ? (i) => (i === 1 ? verdict : undefined) : undefined;
    }
    const secret = argvSecrets(values, this.policy.values.scanner);
    return secret === undefined ? undefined : (i) => (secret.has(i) ? ARGUMENT : undefined);
  }

  /** The verdict on a `…value` field's sibling name (`{ name: 'DB_PASSWORD', value: … }`), if it names a secret. */
  private valueNamed(key: string, source: Record<string, unknown>): KeyVerdict | undefined {
    // Every key of every record passes here: its last letter first (`…value`, `…val`), then the regex.
    const last = key.charCodeAt(key.length - 1) | 0x20;
    if ((last !== 0x65 && last !== 0x6c) || !VALUE_KEY_END.test(key)) return undefined;
    let keys: string[];
    try {
      keys = Object.keys(source);
    } catch {
      return undefined;
    }
    const pair = namedValue(source, keys);
    if (pair === undefined || pair.valueKey !== key) return undefined;
    const verdict = this.policy.secretKeys!.classifier.classify(pair.name);
    return verdict.kind === 'secret' ? verdict : undefined;
  }

  /** A plain object's entries, listed by for-in (see forInIsOwnKeys); a proxy that throws is unreadable. */
  private plainEntries(source: Record<string, unknown>, depth: number, scan: boolean, allowed: boolean): unknown {
    const out: Record<string, unknown> = {};
    let inEntry = false;
    try {
      for (const key in source) {
        inEntry = true;
        this.entry(key, -1, source, undefined, out, depth, scan, allowed, false);
        inEntry = false;
      }
    } catch (err) {
      if (inEntry) throw err; // not the listing: what failed below fails the whole value, as anywhere else
      return '[Unreadable]';
    }
    return out;
  }

  /** One child, `values[index]` when index >= 0, else `source[key]`, into `out`. */
  private entry(
    key: string,
    index: number,
    source: Record<string, unknown> | unknown[],
    values: readonly unknown[] | undefined,
    out: unknown[] | Record<string, unknown>,
    depth: number,
    scan: boolean,
    allowed: boolean,
    isArray: boolean,
    /** What its name says of the child when the name is not its key (pairs.ts). */
    named?: KeyVerdict,
  ): void {
    // Findings name the key as it goes out: a secret used as a key must not reach the audit by its path.
    const shownKey = isArray ? key : this.scrubKey(key, scan);
    this.path.push(shownKey);
    this.lowered.push(key.toLowerCase());
    try {
      let childAllowed = allowed;
      if (!allowed) {
        const m = this.allowlistMatch();
        if (m === PathMatch.None) {
          this.sink.add('allowlist', this.where(), 'remove');
          return;
        }
        childAllowed = m === PathMatch.Full;
      }
      let child: unknown;
      try {
        child = index >= 0 ? values![index] : (source as Record<string, unknown>)[key];
      } catch {
        child = '[Thrown]';
      }
      if (!childAllowed && (typeof child !== 'object' || child === null)) {
        // A leaf on the way to an allowed path, not itself allowed.
        this.sink.add('allowlist', this.where(), 'remove');
        return;
      }
      if (!isArray && scan && this.policy.secretKeys !== undefined) named = this.valueNamed(key, source as Record<string, unknown>);
      const result = this.field(child, isArray ? undefined : key, depth, scan, childAllowed, named);
      if (result === REMOVE) {
        if (isArray) (out as unknown[]).push(null);
        return;
      }
      if (isArray) (out as unknown[]).push(result);
      else (out as Record<string, unknown>)[shownKey] = result;
    } finally {
      this.path.pop();
      this.lowered.pop();
    }
  }

  /**
   * Applies the first field rule that selects the current path, else the secret-key rule when the key
   * names a secret, else walks the value. `key` is undefined for array items.
   */
  private field(child: unknown, key: string | undefined, depth: number, scan: boolean, allowed: boolean, named?: KeyVerdict): unknown {
    const rule = this.fieldRules.first(this.lowered);
    if (rule !== undefined) {
      const name = rule.action.name;
      if (name === 'allow') return this.visit(child, depth + 1, false, true);
      this.sink.add(`field:${rule.source}`, this.where(), name);
      if (name === 'remove') return REMOVE;
      return rule.action.apply(stringify(child), 'field');
    }
    if (scan && this.policy.secretKeys !== undefined) {
      const verdict = named ?? this.secretVerdict(key);
      if (verdict !== undefined) return this.secretValue(child, verdict, depth, allowed);
    }
    return this.visit(child, depth + 1, scan, allowed);
  }

  /** Whether the key (undefined: an array item) holds a secret: by its name, or by a secret-named parent. */
  private secretVerdict(key: string | undefined): KeyVerdict | undefined {
    if (key === undefined) return this.secretDepth > 0 ? INHERITED : undefined;
    const verdict = this.policy.secretKeys!.classifier.classify(key);
    if (verdict.kind === 'secret') return verdict;
    return this.secretDepth > 0 && verdict.kind === 'plain' ? INHERITED : undefined;
  }

  /**
   * A value under a secret-named key: flags and nulls carry nothing and stay, a number under a plural
   * (`prompt_tokens: 87`) is a count and stays, an object is walked with its plain-named values treated
   * as secret, and everything else (or what an object turns into: a toJSON string) gets the action.
   */
  private secretValue(child: unknown, verdict: KeyVerdict, depth: number, allowed: boolean): unknown {
    // A vendor's key name (`RAPIDAPI_KEY`, `adafruit`): a secret when the value looks like a credential, else scanned.
    if (verdict.shaped === true && !(typeof child === 'string' && shapedForKey(verdict, child))) return this.visit(child, depth + 1, true, allowed);
    let value = child;
    if (typeof child === 'boolean' || child === null || child === undefined) return this.visit(child, depth + 1, true, allowed);
    if ((typeof child === 'number' || typeof child === 'bigint') && verdict.plural === true) return this.visit(child, depth + 1, true, allowed);
    if (typeof child === 'object') {
      this.secretDepth++;
      try {
        value = this.visit(child, depth + 1, true, allowed);
      } finally {
        this.secretDepth--;
      }
      if (typeof value === 'object' || value === REMOVE) return value;
    }
    const action = this.policy.secretKeys!.action;
    this.sink.add('key-name', this.where(), action.name);
    return action.name === 'remove' ? REMOVE : action.apply(stringify(value), 'key-name');
  }

  /** The class name shown for a value whose contents do not go out: a class can be named after anything. */
  private typeName(value: object, scan: boolean): string {
    let name: unknown;
    try {
      name = value.constructor?.name;
    } catch {
      name = undefined;
    }
    if (typeof name !== 'string' || name === '') return 'Object';
    if (!scan) return name;
    const out = scrubString(name, this.policy.values, this.where, this.sink);
    return out === REMOVE ? '[REDACTED]' : out;
  }

  /** Keys can carry secrets too (`{"ghp_...": true}`). */
  private scrubKey(key: string, scan: boolean): string {
    const rules = this.policy.keys;
    if (!scan || rules === undefined) return key;
    const out = scrubString(key, rules, this.where, this.sink);
    return out === REMOVE ? '[REDACTED]' : out;
  }


  private allowlistMatch(): PathMatch {
    let best = PathMatch.None;
    for (const pattern of this.policy.allowlist!) {
      const m = matchLoweredPath(pattern, this.lowered);
      if (m === PathMatch.Full) return m;
      if (m > best) best = m;
    }
    return best;
  }
}

const NOT_SPECIAL = Symbol('not special');
/** Strings at least this long are remembered per value (shorter ones cost less than the lookup). */
const SEEN_MIN_LENGTH = 1024;
/** The verdict for a plain-named value inside a secret-named object. */
const INHERITED: KeyVerdict = Object.freeze({ kind: 'secret' });
/** An argument that a detector finds only with the flag or command before it: the password of `-p`. */
const ARGUMENT: KeyVerdict = Object.freeze({ kind: 'secret', family: 'password' });
/** A key that can hold the value of a name/value pair (`value`, `Value`, `ParameterValue`, `val`): a cheap first test. */
const VALUE_KEY_END = /(?:value|val)$/i;

/** The object or array a string holds as JSON, if it does (cheap checks first: most strings are not JSON). */
function embeddedJson(text: string, maxLength: number): object | undefined {
  if (text.length < 2 || text.length > maxLength) return undefined;
  const first = text.charCodeAt(0);
  const last = text.charCodeAt(text.length - 1);
  if (!((first === 0x7b && last === 0x7d) || (first === 0x5b && last === 0x5d))) return undefined; // {...} or [...]
  try {
    const parsed: unknown = JSON.parse(text);
    return typeof parsed === 'object' && parsed !== null ? parsed : undefined;
  } catch {
    return undefined;
  }
}

function hasEnumerableKey(value: object): boolean {
  for (const _ in value) return true;
  return false;
}

/** A plain object without toJSON: nothing special to check (the common case, checked first for speed). */
function isPlainData(value: object): boolean {
  try {
    const proto = Object.getPrototypeOf(value);
    return (proto === Object.prototype || proto === null) && typeof (value as { toJSON?: unknown }).toJSON !== 'function';
  } catch {
    return false; // a proxy that throws: the careful path handles it
  }
}

function indexKeys(length: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < length; i++) out.push(String(i));
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
