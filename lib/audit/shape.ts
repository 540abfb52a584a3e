/**
 * What one ledger line must be: the checks of an entry's shape (every field the verifier and the report
 * read, of its type; no field the ledger never writes), and the test that its text is the one canonical
 * serialization of what it parses to, with its hash. Why a module of its own: the chain verifier, the
 * writer's reopening and the report all judge entries the same way, one line at a time.
 *
 * The canonical test has a fast path: a line whose JSON.stringify round trip is itself, with every
 * object's keys in order, is exactly what serializeEntry writes, so its hash is the SHA-256 of the line
 * without its hash field; anything else takes the exact path (serializeEntry), and is judged as before.
 */
import { createHash, hash as oneShotHash } from 'node:crypto';
import { type EntryType, type LedgerEntry } from './entry.ts';

const ENTRY_TYPES: ReadonlySet<string> = new Set<EntryType>(['policy', 'intent', 'ack', 'blocked', 'refused', 'checkpoint']);
const ENVELOPE_FIELDS: ReadonlySet<string> = new Set(['data', 'hash', 'prev', 'seq', 'time', 'type', 'v']);
const CHECKPOINT_FIELDS: ReadonlySet<string> = new Set(['upto_seq', 'head', 'prev_checkpoint', 'time', 'kid', 'jws']);
/** Nesting the fast path follows; deeper values take the exact path (which names what cannot be hashed). */
const FAST_DEPTH = 200;

/**
 * Why a parsed line cannot be placed in the chain (seq, prev, hash), or undefined. Never shows a value.
 *
 * @example placeProblem({ seq: '2' }) // 'seq must be a whole number from 0 (it is a string)'
 */
export function placeProblem(v: unknown): string | undefined {
  if (!isRecord(v)) return `it is ${describe(v)}, not an object`;
  if (!isSeq(v.seq)) return `seq must be a whole number from 0 (it is ${describe(v.seq)})`;
  if (!isHex64(v.prev)) return `prev must be a SHA-256 hex digest (it is ${describe(v.prev)})`;
  if (!isHex64(v.hash)) return `hash must be a SHA-256 hex digest (it is ${describe(v.hash)})`;
  return undefined;
}

/**
 * Why an entry that can be placed is still not one the ledger writes (its other fields), or undefined.
 *
 * @example bodyProblem({ ...entry, data: null }) // 'data must be an object (it is null)'
 */
export function bodyProblem(e: LedgerEntry): string | undefined {
  const v = e as unknown as Record<string, unknown>;
  for (const k in v) if (!ENVELOPE_FIELDS.has(k) && Object.hasOwn(v, k)) return `it has a field the ledger never writes (${fieldName(k)})`;
  if (typeof v.time !== 'string') return `time must be a string (it is ${describe(v.time)})`;
  if (typeof v.type !== 'string' || !ENTRY_TYPES.has(v.type)) return `type must be policy, intent, ack, blocked, refused or checkpoint (it is ${typeof v.type === 'string' ? 'another string' : describe(v.type)})`;
  if (!isRecord(v.data)) return `data must be an object (it is ${describe(v.data)})`;
  return dataProblem(v.type as EntryType, v.data);
}

/** Why an entry's data lacks a field of the right type that the verifier or the report reads, or undefined. */
function dataProblem(type: EntryType, d: Record<string, unknown>): string | undefined {
  switch (type) {
    case 'checkpoint': {
      for (const k of Object.keys(d)) if (!CHECKPOINT_FIELDS.has(k)) return `data has a field checkpoints never hold (${fieldName(k)})`;
      if (!Number.isSafeInteger(d.upto_seq) || (d.upto_seq as number) < -1) return `data.upto_seq must be a whole number from -1 (it is ${describe(d.upto_seq)})`;
      if (!isHex64(d.head)) return `data.head must be a SHA-256 hex digest (it is ${describe(d.head)})`;
      if (!isHex64(d.prev_checkpoint)) return `data.prev_checkpoint must be a SHA-256 hex digest (it is ${describe(d.prev_checkpoint)})`;
      return str(d, 'time') ?? str(d, 'kid') ?? str(d, 'jws');
    }
    case 'ack':
      return str(d, 'itemId');
    case 'refused': {
      if (d.by !== 'spool' && d.by !== 'control-plane') return `data.by must be spool or control-plane (it is ${describe(d.by)})`;
      if (!Number.isSafeInteger(d.count) || (d.count as number) < 0) return `data.count must be a whole number from 0 (it is ${describe(d.count)})`;
      if (!Array.isArray(d.itemIds) || !d.itemIds.every((id) => typeof id === 'string')) return 'data.itemIds must be an array of strings';
      return str(d, 'reason');
    }
    case 'policy':
      return str(d, 'name') ?? str(d, 'sha256') ?? (isVersion(d.version) ? undefined : `data.version must be a number or a string (it is ${describe(d.version)})`);
    case 'intent':
    case 'blocked': {
      if (wellFormedRecord(d)) return undefined;
      const bad =
        str(d, 'itemId') ?? str(d, 'kind') ?? str(d, 'channel') ?? str(d, 'flowRunId') ?? str(d, 'time') ?? str(d, 'payloadSha256') ?? optStr(d, 'taskRunId') ?? optStr(d, 'destination') ?? optStr(d, 'blocked');
      if (bad !== undefined) return bad;
      if (typeof d.bytes !== 'number' || !Number.isFinite(d.bytes) || d.bytes < 0) return `data.bytes must be a number from 0 (it is ${describe(d.bytes)})`;
      const p = d.policy;
      if (!isRecord(p) || typeof p.name !== 'string' || typeof p.sha256 !== 'string' || !isVersion(p.version)) return 'data.policy must be { name, version, sha256 }';
      const findings = d.findings;
      if (!Array.isArray(findings)) return `data.findings must be an array (it is ${describe(findings)})`;
      for (let i = 0; i < findings.length; i++) {
        const f: unknown = findings[i];
        if (!isRecord(f) || typeof f.detector !== 'string' || typeof f.path !== 'string' || typeof f.action !== 'string' || typeof f.count !== 'number' || !Number.isFinite(f.count)) {
          return `data.findings[${i}] must be { detector, path, action, count }`;
        }
      }
      return undefined;
    }
  }
}

/** The usual intent or blocked data, checked field by field without a message (dataProblem names the first wrong one). */
function wellFormedRecord(d: Record<string, unknown>): boolean {
  if (
    typeof d.itemId !== 'string' ||
    typeof d.kind !== 'string' ||
    typeof d.channel !== 'string' ||
    typeof d.flowRunId !== 'string' ||
    typeof d.time !== 'string' ||
    typeof d.payloadSha256 !== 'string' ||
    (d.taskRunId !== undefined && typeof d.taskRunId !== 'string') ||
    (d.destination !== undefined && typeof d.destination !== 'string') ||
    (d.blocked !== undefined && typeof d.blocked !== 'string') ||
    typeof d.bytes !== 'number' ||
    !(d.bytes >= 0) ||
    !Number.isFinite(d.bytes)
  ) {
    return false;
  }
  const p = d.policy;
  if (!isRecord(p) || typeof p.name !== 'string' || typeof p.sha256 !== 'string' || !isVersion(p.version)) return false;
  const findings = d.findings;
  if (!Array.isArray(findings)) return false;
  for (let i = 0; i < findings.length; i++) {
    const f: unknown = findings[i];
    if (!isRecord(f) || typeof f.detector !== 'string' || typeof f.path !== 'string' || typeof f.action !== 'string' || typeof f.count !== 'number' || !Number.isFinite(f.count)) return false;
  }
  return true;
}

function str(d: Record<string, unknown>, k: string): string | undefined {
  return typeof d[k] === 'string' ? undefined : `data.${k} must be a string (it is ${describe(d[k])})`;
}

function optStr(d: Record<string, unknown>, k: string): string | undefined {
  return d[k] === undefined ? undefined : str(d, k);
}

/**
 * The hash of a well-formed entry (bodyProblem undefined) whose line is in canonical JSON, computed from
 * the line itself; undefined when the line is not provably canonical this way (then serializeEntry judges
 * it). Equal to `serializeEntry(entry).hash` whenever it is defined, and then `serializeEntry(entry).line`
 * is the line exactly when the two hashes agree.
 *
 * @example
 * const e = JSON.parse(line) as LedgerEntry;
 * canonicalLineHash(e, line) === e.hash; // true for every line the ledger wrote
 */
export function canonicalLineHash(e: LedgerEntry, line: string): string | undefined {
  // First the scan (no escape in the line: the common case), then the round trip through JSON.stringify.
  scannedLine = undefined;
  let at = canonicalScan(line);
  if (at >= 0 && dataCount >= 0) scannedLine = line;
  if (at === SCAN_NOT_CANONICAL) return undefined;
  if (at === SCAN_UNDECIDED) {
    try {
      if (!sortedKeys(e, 0) || JSON.stringify(e) !== line) return undefined;
    } catch {
      return undefined; // nested deeper than the stack allows: the exact path names it
    }
    // The line is `{"data":D,"hash":"H","prev":…}` and what was hashed is `{"data":D,"prev":…}`. In canonical
    // JSON no string holds an unescaped quote, and only short strings follow the envelope's hash field: its
    // last spelling in the line is that field.
    at = line.lastIndexOf(`"hash":"${e.hash}",`);
    if (at < 0) return undefined;
  }
  const field = `"hash":"${e.hash}",`;
  if (!line.startsWith(field, at)) return undefined;
  return sha256(line.slice(0, at) + line.slice(at + field.length));
}

/** canonicalScan: the line is not in canonical JSON. */
const SCAN_NOT_CANONICAL = -1;
/** canonicalScan: the scan cannot tell (escapes, integer-like keys, deep nesting): the round trip decides. */
const SCAN_UNDECIDED = -2;

const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
const COMMA = 0x2c;
const COLON = 0x3a;
const QUOTE = 0x22;

/** Keys of `data` whose values the scan locates (the values a report item is made of). */
const DATA_KEYS = 32;
/** Where the last scan found the values of `data`'s keys: key start, key end, value start, value end. */
const dataKey0 = new Int32Array(DATA_KEYS);
const dataKey1 = new Int32Array(DATA_KEYS);
const dataVal0 = new Int32Array(DATA_KEYS);
const dataVal1 = new Int32Array(DATA_KEYS);
let dataCount = 0;
/** The line the positions above are of (undefined: the last line was not scanned, or `data` had too many keys). */
let scannedLine: string | undefined;

/**
 * A line proven canonical by the scan, with the text of `data`'s values as the line spells them (canonical
 * JSON: what JSON.stringify writes for each value). Valid only until the next line is checked.
 */
export interface ScannedLine {
  readonly line: string;
  /** How many keys `data` has; the i-th key is line[keyStart(i), keyEnd(i)), its value line[valueStart(i), valueEnd(i)). */
  readonly count: number;
  keyStart(i: number): number;
  keyEnd(i: number): number;
  valueStart(i: number): number;
  valueEnd(i: number): number;
  /** The JSON text of `data[key]`, or undefined when it has no such key. */
  value(key: string): string | undefined;
}

const scanned: ScannedLine = {
  get line() {
    return scannedLine ?? '';
  },
  get count() {
    return dataCount;
  },
  keyStart: (i) => dataKey0[i]!,
  keyEnd: (i) => dataKey1[i]!,
  valueStart: (i) => dataVal0[i]!,
  valueEnd: (i) => dataVal1[i]!,
  value(key: string): string | undefined {
    const line = scannedLine;
    if (line === undefined) return undefined;
    for (let k = 0; k < dataCount; k++) {
      if (dataKey1[k]! - dataKey0[k]! === key.length && line.startsWith(key, dataKey0[k]!)) return line.slice(dataVal0[k]!, dataVal1[k]!);
    }
    return undefined;
  },
};

/**
 * The line last proven canonical by canonicalLineHash through its scan, if `line` is that line: the JSON
 * text of its data's values, for a report to reuse instead of serializing them again.
 *
 * @example
 * if (canonicalLineHash(e, line) === e.hash) lastScanned(line)?.value('itemId'); // '"item-7"'
 */
export function lastScanned(line: string): ScannedLine | undefined {
  return scannedLine === line ? scanned : undefined;
}

/** Per nesting level: is it an object, and where its last key was (start and end, in the line). */
const scanIsObject = new Uint8Array(FAST_DEPTH + 2);
const scanKeyStart = new Int32Array(FAST_DEPTH + 2);
const scanKeyEnd = new Int32Array(FAST_DEPTH + 2);

/**
 * Whether a line that JSON.parse read is, byte for byte, what canonical JSON writes for the value it
 * parses to, decided in one pass over its structure without building anything. Returns where the envelope's
 * `"hash"` key starts when it is; SCAN_NOT_CANONICAL when it is not; SCAN_UNDECIDED when a line holds what
 * this scan does not judge (an escape, a lone surrogate, an integer-like key, nesting past FAST_DEPTH).
 *
 * Why it is exact: without escapes a string's text is its value, as JSON.stringify writes it (the line was
 * decoded from UTF-8 and parsed, so it holds no raw control character and no lone surrogate: checked). What
 * else JSON allows that canonical JSON does not is whitespace, keys out of order or repeated, and numbers
 * spelled otherwise than String(n): each refused here. With every key a non-integer string in strictly
 * increasing order, a parsed object enumerates its keys in the order of the text, as canonical JSON sorts them.
 */
function canonicalScan(line: string): number {
  if (line.indexOf('\\') >= 0 || !(line as unknown as { isWellFormed(): boolean }).isWellFormed()) return SCAN_UNDECIDED;
  const n = line.length;
  let depth = -1;
  let expectKey = false;
  let hashAt = SCAN_NOT_CANONICAL;
  // Inside the envelope's `data` object (depth 1), where each value of it starts and ends.
  let dataAt = -1;
  let inData = false;
  let valueOpen = false;
  dataCount = 0;
  let i = 0;
  while (i < n) {
    const c = line.charCodeAt(i);
    if (c === QUOTE) {
      const close = line.indexOf('"', i + 1);
      if (close < 0) return SCAN_NOT_CANONICAL;
      if (expectKey) {
        // A key: not integer-like, after the last key of this object, followed by its colon.
        const first = line.charCodeAt(i + 1);
        if (first >= 48 && first <= 57) return SCAN_UNDECIDED;
        if (scanKeyEnd[depth]! > 0 && !keyAfter(line, scanKeyStart[depth]!, scanKeyEnd[depth]!, i + 1, close)) return SCAN_NOT_CANONICAL;
        scanKeyStart[depth] = i + 1;
        scanKeyEnd[depth] = close;
        if (line.charCodeAt(close + 1) !== COLON) return SCAN_NOT_CANONICAL;
        if (depth === 0) {
          if (close - i - 1 === 4 && line.startsWith('hash', i + 1)) hashAt = i;
          else if (close - i - 1 === 4 && line.startsWith('data', i + 1)) dataAt = close + 2;
        } else if (depth === 1 && inData && dataCount >= 0) {
          if (dataCount === DATA_KEYS) dataCount = -1; // too many keys: their values are not located
          else {
            dataKey0[dataCount] = i + 1;
            dataKey1[dataCount] = close;
            dataVal0[dataCount] = close + 2;
            valueOpen = true;
          }
        }
        expectKey = false;
        i = close + 2;
        continue;
      }
      i = close + 1;
      continue;
    }
    if (c === OPEN_OBJECT || c === OPEN_ARRAY) {
      if (++depth > FAST_DEPTH) return SCAN_UNDECIDED;
      if (depth === 1) inData = i === dataAt && c === OPEN_OBJECT;
      scanIsObject[depth] = c === OPEN_OBJECT ? 1 : 0;
      scanKeyEnd[depth] = 0;
      expectKey = c === OPEN_OBJECT;
      i++;
      continue;
    }
    if (c === CLOSE_OBJECT || c === CLOSE_ARRAY) {
      if (depth === 1 && valueOpen) {
        dataVal1[dataCount++] = i;
        valueOpen = false;
      }
      if (depth === 1) inData = false;
      depth--;
      expectKey = false;
      i++;
      continue;
    }
    if (c === COMMA) {
      if (depth === 1 && valueOpen) {
        dataVal1[dataCount++] = i;
        valueOpen = false;
      }
      expectKey = depth >= 0 && scanIsObject[depth] === 1;
      i++;
      continue;
    }
    if (c === 0x74 /* t */ || c === 0x6e /* n */) {
      i += 4;
      continue;
    }
    if (c === 0x66 /* f */) {
      i += 5;
      continue;
    }
    if ((c >= 48 && c <= 57) || c === 0x2d /* - */) {
      // A number: as String(n) writes it (a whole number of at most 15 digits without a leading zero is).
      let j = i + 1;
      let plain = c !== 0x2d;
      for (; j < n; j++) {
        const d = line.charCodeAt(j);
        if (d >= 48 && d <= 57) continue;
        if (d === 0x2e || d === 0x65 || d === 0x45 || d === 0x2b || d === 0x2d) {
          plain = false;
          continue;
        }
        break;
      }
      if (!plain || (c === 48 && j > i + 1) || j - i > 15) {
        const token = line.slice(i, j);
        if (String(Number(token)) !== token) return SCAN_NOT_CANONICAL;
      }
      i = j;
      continue;
    }
    return SCAN_NOT_CANONICAL; // whitespace, or anything else canonical JSON never writes between tokens
  }
  return depth === -1 ? hashAt : SCAN_NOT_CANONICAL;
}

/** Whether line[b0, b1) comes strictly after line[a0, a1) in UTF-16 code unit order (as keys are sorted). */
function keyAfter(line: string, a0: number, a1: number, b0: number, b1: number): boolean {
  const la = a1 - a0;
  const lb = b1 - b0;
  const m = la < lb ? la : lb;
  for (let k = 0; k < m; k++) {
    const x = line.charCodeAt(a0 + k);
    const y = line.charCodeAt(b0 + k);
    if (x !== y) return y > x;
  }
  return lb > la;
}

/** SHA-256 (hex) of a string's UTF-8: one call where Node has it (20.12+), else a Hash object. */
const sha256: (text: string) => string =
  typeof oneShotHash === 'function' ? (text) => oneShotHash('sha256', text, 'hex') : (text) => createHash('sha256').update(text, 'utf8').digest('hex');

/** Every object's own keys in strictly increasing order (canonical JSON's order), nesting within FAST_DEPTH. */
function sortedKeys(v: unknown, depth: number): boolean {
  if (v === null || typeof v !== 'object') return true;
  if (depth > FAST_DEPTH) return false;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) if (!sortedKeys(v[i], depth + 1)) return false;
    return true;
  }
  let prev: string | undefined;
  for (const k in v) {
    if (prev !== undefined && !(prev < k)) return false;
    prev = k;
    if (!sortedKeys((v as Record<string, unknown>)[k], depth + 1)) return false;
  }
  return true;
}

/**
 * Whether a value is a plain object (not null, not an array).
 *
 * @example isRecord({}) // true; isRecord([]) // false
 */
export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Whether a value is a sequence number: a safe whole number from 0.
 *
 * @example isSeq(3) // true; isSeq('3') // false
 */
export function isSeq(v: unknown): v is number {
  return Number.isSafeInteger(v) && (v as number) >= 0;
}

function isHex64(v: unknown): v is string {
  if (typeof v !== 'string' || v.length !== 64) return false;
  for (let i = 0; i < 64; i++) {
    const c = v.charCodeAt(i);
    // 0-9 or a-f
    if (!((c >= 48 && c <= 57) || (c >= 97 && c <= 102))) return false;
  }
  return true;
}

function isVersion(v: unknown): boolean {
  return typeof v === 'string' || (typeof v === 'number' && Number.isFinite(v));
}

/**
 * The kind of a value, for messages: never the value itself (a ledger may hold what should not be echoed).
 *
 * @example describe('ghp_…') // 'a string'
 */
export function describe(v: unknown): string {
  if (v === undefined) return 'missing';
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'number') return Number.isSafeInteger(v) ? String(v) : 'a fraction or a number out of range';
  return typeof v === 'object' ? 'an object' : `a ${typeof v}`;
}

/** A field name for a message: short, and quoted so that nothing in it reads as part of the message. */
function fieldName(k: string): string {
  return JSON.stringify(k.length > 40 ? `${k.slice(0, 40)}…` : k);
}
