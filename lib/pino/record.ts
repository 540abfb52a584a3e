/**
 * One pino record (a line pino wrote, parsed) through the policy's logs rules: every field (key paths and
 * value detectors, as in the parameters channel) including the message with its `%s` arguments already
 * interpolated, child bindings, what serializers and mixins added, and serialized errors (pino's `err`, or
 * any field of that shape), whose type, message and stack go through the exceptions rules. The record is read, never written: the result is new.
 */
import { BLOCKED_PLACEHOLDER, type Engine } from '../policy/engine.ts';
import type { Finding } from '../redact/findings.ts';
import type { PinoRecord } from './drops.ts';
import { ERROR_TEXT_FIELDS, isSerializedError, scrubSerializedError } from './errors.ts';

/**
 * Where pino puts the message by default (its `messageKey` option).
 *
 * @example
 * guardPinoRecord({ level: 30, message: 'hi' }, engine, 'message'); // for pino({ messageKey: 'message' })
 */
export const DEFAULT_MESSAGE_KEY = 'msg';

/**
 * A record as it may leave (with the findings, for the audit), or the drop rule that removed it.
 *
 * @example
 * const out: GuardedPinoRecord = guardPinoRecord({ level: 30, msg: 'GET /health' }, engine); // { dropped: '^GET /health' }
 */
export type GuardedPinoRecord =
  | { record: PinoRecord; findings: Finding[]; blocked?: 'policy-error' }
  /** A drop rule matched: nothing of the record's content goes anywhere. */
  | { dropped: string };

/** Kept as pino wrote them whatever the policy does to the content: the receiver still sees what was logged when. */
const ROUTING = new Set(['level', 'time']);

/**
 * The record as it may leave: scrubbed, or dropped by a drop rule (matched against the message).
 *
 * @example
 * guardPinoRecord({ level: 30, time: 1, msg: 'token ghp_…' }, engineFor('builtin:default'));
 * // { record: { level: 30, time: 1, msg: 'token [REDACTED]' }, findings: [ … ] }
 */
export function guardPinoRecord(record: PinoRecord, engine: Engine, messageKey = DEFAULT_MESSAGE_KEY): GuardedPinoRecord {
  const message = record[messageKey];
  if (typeof message === 'string') {
    const rule = dropRuleFor(engine, message);
    if (rule !== undefined) return { dropped: rule };
  }
  // Everything but the routing fields is content; serialized errors lose the text the exceptions rules own.
  const fields: PinoRecord = {};
  const errors = new Map<string, ReturnType<typeof scrubSerializedError>>();
  const findings: Finding[] = [];
  for (const key of Object.keys(record)) {
    if (ROUTING.has(key)) continue;
    const value = record[key];
    if (isSerializedError(value)) {
      const scrubbed = scrubSerializedError(value, engine);
      errors.set(key, scrubbed);
      for (const f of scrubbed.findings) findings.push({ ...f, path: `${key}.${f.path}` });
      fields[key] = withoutText(value as unknown as PinoRecord);
    } else {
      fields[key] = value;
    }
  }
  const walked = engine.scrubValue(fields, 'logs');
  if (walked.dropped !== undefined) return { dropped: walked.dropped };
  findings.unshift(...walked.findings);
  if (walked.blocked !== undefined) {
    const out: PinoRecord = routing(record);
    out[messageKey] = BLOCKED_PLACEHOLDER;
    return { record: out, findings, blocked: walked.blocked };
  }
  const scrubbed = walked.value as PinoRecord; // a new object: the walker copies
  const out: PinoRecord = {};
  // pino's key order, so that the line reads as pino wrote it.
  for (const key of Object.keys(record)) {
    if (ROUTING.has(key)) out[key] = record[key];
    else if (errors.has(key)) out[key] = withText(errors.get(key)!, scrubbed[key]);
    else if (Object.hasOwn(scrubbed, key)) out[key] = scrubbed[key];
  }
  return { record: out, findings };
}

function routing(record: PinoRecord): PinoRecord {
  const out: PinoRecord = {};
  for (const key of ROUTING) if (Object.hasOwn(record, key)) out[key] = record[key];
  return out;
}

function withoutText(error: PinoRecord): PinoRecord {
  const rest: PinoRecord = {};
  for (const key of Object.keys(error)) if (!(ERROR_TEXT_FIELDS as readonly string[]).includes(key)) rest[key] = error[key];
  return rest;
}

/** The serialized error again: its scrubbed type, message and stack first, then its other properties as the logs rules left them. */
function withText(text: ReturnType<typeof scrubSerializedError>, rest: unknown): PinoRecord {
  return {
    type: text.type,
    ...(text.message !== undefined && { message: text.message }),
    ...(text.stack !== undefined && { stack: text.stack }),
    ...(typeof rest === 'object' && rest !== null && !Array.isArray(rest) ? (rest as PinoRecord) : {}),
  };
}

/** The policy's drop rules, compiled once per engine. */
const dropRules = new WeakMap<Engine, { source: string; regex: RegExp }[]>();

/**
 * The first drop rule (its regex source) that matches a message, as the engine applies them to a logs
 * record's `message` (pino calls it `msg`).
 *
 * @example
 * dropRuleFor(engine, 'GET /health 200'); // '^GET /health ' under a policy with that drop rule, else undefined
 */
export function dropRuleFor(engine: Engine, message: string): string | undefined {
  let rules = dropRules.get(engine);
  if (rules === undefined) {
    rules = (engine.policy.channels?.logs?.drop ?? []).map((source) => ({ source, regex: new RegExp(source) }));
    dropRules.set(engine, rules);
  }
  for (const r of rules) if (r.regex.test(message)) return r.source;
  return undefined;
}
