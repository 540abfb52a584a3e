/**
 * One winston record through the policy: the fields (key paths and value detectors, as in the parameters
 * channel), `splat()` arguments, an Error's message and stack (as in the exceptions channel) and an
 * already formatted message. The caller's objects are read, never written: the result is a new record.
 */
import { formatWithOptions } from 'node:util';
import type { Logform } from 'winston';
import type { Engine } from '../policy/engine.ts';
import type { Finding } from '../redact/findings.ts';
import { errorFromStack } from '../channels/exceptions.ts';

export const LEVEL = Symbol.for('level');
export const MESSAGE = Symbol.for('message');
export const SPLAT = Symbol.for('splat');

export type Info = Logform.TransformableInfo & { [key: symbol]: unknown };

/** A record as it may leave (with the findings, for the audit), or the drop rule that removed it. */
export type GuardedRecord =
  | { record: Info; findings: Finding[] }
  /** A drop rule matched: nothing of the record's content goes anywhere. */
  | { dropped: string };

/**
 * One winston record through the policy's logs rules: a new, scrubbed record (the caller's is never
 * modified; level and routing symbols kept), or the drop rule that matched its message.
 *
 * @example
 * guardRecord({ level: 'info', message: 'deploy with ghp_R7tKq2mWx9LpZ4vN8sB3cD6fG1hJ5kM0yQeT' }, engineFor('builtin:default'));
 * // { record: { level: 'info', message: 'deploy with [REDACTED]' }, findings: [{ detector: 'github-token', path: 'message', ... }] }
 */
export function guardRecord(info: Info, engine: Engine): GuardedRecord {
  const { fields, stack } = contentOf(info);
  const scrubbed = engine.scrubValue(fields, 'logs');
  if (scrubbed.dropped !== undefined) return { dropped: scrubbed.dropped };
  const findings = scrubbed.findings;
  const record = scrubbed.value as Info; // a new object: the walker copies
  if (typeof stack === 'string') {
    const error = engine.scrubError(errorFromStack(stack));
    for (const f of error.findings) findings.push({ ...f, path: `stack.${f.path}` });
    if (error.stack !== undefined) record.stack = error.stack;
  } else if (stack !== undefined) {
    const value = engine.scrubValue({ stack }, 'logs');
    findings.push(...value.findings);
    Object.assign(record, value.value);
  }
  // Level and routing survive whatever the policy does to the content.
  record.level = info.level;
  record[LEVEL] = info[LEVEL];
  if (typeof info[MESSAGE] === 'string') {
    // Formatted before the guard (its place is before json() and the like; a logger's default format
    // formats before any transport): the line still holds what the fields' rules took out. Make the same
    // changes in the line, then scan it as text.
    const changes = fieldChanges(fields, record);
    if (typeof stack === 'string') changes.set(stack, typeof record.stack === 'string' ? record.stack : REMOVED);
    const line = applyChanges(info[MESSAGE], changes);
    const message = engine.scrubText(line, 'logs');
    if (message.dropped !== undefined) return { dropped: message.dropped };
    for (const f of message.findings) findings.push({ ...f, path: 'formatted' });
    record[MESSAGE] = message.text;
  }
  return { record, findings };
}

const REMOVED = '[REDACTED]';

/** Each original leaf value the scrub changed, with what it became ('[REDACTED]' when it is gone). */
function fieldChanges(original: unknown, scrubbed: unknown, changes = new Map<string, string>(), depth = 0): Map<string, string> {
  if (depth > 32) return changes;
  if (typeof original === 'string' || typeof original === 'number' || typeof original === 'bigint') {
    const before = String(original);
    if (scrubbed === undefined || (typeof scrubbed !== 'object' && String(scrubbed) !== before)) changes.set(before, scrubbed === undefined ? REMOVED : String(scrubbed));
    else if (typeof scrubbed === 'object') changes.set(before, REMOVED);
    return changes;
  }
  if (typeof original !== 'object' || original === null || original instanceof Date) return changes;
  const copy = typeof scrubbed === 'object' && scrubbed !== null ? (scrubbed as Record<string, unknown>) : {};
  for (const key of safeKeys(original)) fieldChanges(safeRead(original, key), copy[key], changes, depth + 1);
  return changes;
}

/**
 * Replaces each changed value where it stands alone in the line (not inside a longer word: a removed
 * `plan: 'pro'` must not turn 'production' into '[REDACTED]duction'), as written and as JSON-escaped.
 */
function applyChanges(line: string, changes: Map<string, string>): string {
  let out = line;
  for (const [before, after] of [...changes].sort((a, b) => b[0].length - a[0].length)) {
    if (before === '') continue;
    for (const form of new Set([before, JSON.stringify(before).slice(1, -1)])) {
      if (!out.includes(form)) continue;
      const escaped = form.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      out = out.replace(new RegExp(`(?<![\\p{L}\\p{N}_])${escaped}(?![\\p{L}\\p{N}_])`, 'gu'), () => after);
    }
  }
  return out;
}

function safeKeys(value: object): string[] {
  try {
    return value instanceof Map ? [...value.keys()].map(String) : Object.keys(value);
  } catch {
    return [];
  }
}

function safeRead(value: object, key: string): unknown {
  try {
    return value instanceof Map ? value.get(key) : (value as Record<string, unknown>)[key];
  } catch {
    return undefined;
  }
}

/**
 * The record's fields as they would go out, and its stack apart (scrubbed by the exceptions rules). An
 * Error's message and stack are not enumerable: read them.
 */
function contentOf(info: Info): { fields: Record<string, unknown>; stack: unknown } {
  let source: Record<string, unknown> = info;
  const splat = info[SPLAT];
  // splat is set on every call with metadata: look for a `%` before asking the regex.
  if (Array.isArray(splat) && splat.length > 0 && typeof info.message === 'string' && info.message.includes('%') && FORMAT_TOKENS.test(info.message)) {
    source = interpolated(info, info.message, splat);
  }
  source = unspread(source);
  if (info instanceof Error) return { fields: { ...source, message: info.message }, stack: info.stack };
  // The common record has no stack: walk it as it is (the walker copies; symbols are not walked).
  if (!Object.hasOwn(source, 'stack')) return { fields: source, stack: undefined };
  const { stack, ...fields } = source;
  return { fields, stack };
}

const FORMAT_TOKENS = /%[scdjifoO%]/;

/**
 * splat()'s work, done on a copy when it has not run yet: a secret can be split between a template and
 * its argument ('password=%s'), so detectors must see the text as it will be written. Arguments past the
 * template's tokens are merged into the record when they are objects, as splat() does; other extras are
 * dropped (splat() would spread a string into one field per character, past every detector).
 * Without tokens in the message there is nothing to interpolate: winston merged a lone metadata object
 * itself, and the record that goes out carries no splat, so nothing stale is merged into it later.
 */
function interpolated(info: Info, message: string, splat: readonly unknown[]): Record<string, unknown> {
  const tokens = message.match(/%[scdjifoO%]/g)!.length;
  const escapes = message.match(/%%/g)?.length ?? 0;
  const expected = Math.max(0, tokens - escapes);
  const out: Record<string, unknown> = { ...info };
  for (const extra of splat.slice(expected)) if (typeof extra === 'object' && extra !== null) Object.assign(out, extra);
  out.message = formatWithOptions({}, message, ...splat.slice(0, expected));
  return out;
}

/**
 * splat() given a string past its template's tokens spreads it into the record one character per field
 * ("0": "g", "1": "h", ...), where no detector can see it. Put such a string back together, as
 * `splatExtra`, so that it is scanned like any other value.
 */
function unspread(source: Record<string, unknown>): Record<string, unknown> {
  const first = source['0'];
  if (typeof first !== 'string' || first.length !== 1) return source;
  const out = { ...source };
  let joined = '';
  for (let i = 0; typeof out[i] === 'string' && (out[i] as string).length === 1; i++) {
    joined += out[i] as string;
    delete out[i];
  }
  out.splatExtra = joined;
  return out;
}

