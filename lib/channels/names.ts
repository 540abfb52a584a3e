/**
 * Names and tags: flow and task names, tags and upstream names go out as metadata, and are text like any
 * other (a task can be named after a token, a tag can hold an email). They are scanned by the parameters
 * channel's value rules; a normal name comes out as it went in, so reports stay readable.
 */
import { inspect } from 'node:util';
import type { Engine } from '../policy/engine.ts';
import type { Finding } from '../redact/findings.ts';

export interface GuardedNames<T> {
  value: T;
  findings: Finding[];
  blocked: boolean;
}

/**
 * One name, scrubbed. Something that is not a string (the API says string; JavaScript does not check) is
 * described first, bounded, and scanned as that text.
 *
 * @example guardName(engine, 'nightly-etl', 'flow_name').value // 'nightly-etl'
 */
export function guardName(engine: Engine, name: unknown, path: string): GuardedNames<string> {
  const r = engine.scrubText(typeof name === 'string' ? name : describe(name), 'parameters');
  return { value: r.text, findings: r.findings.map((f) => ({ ...f, path: f.path === '$' ? path : `${path}.${f.path}` })), blocked: r.blocked !== undefined };
}

/**
 * A list of names (tags, upstream task names), each scrubbed; what is not a list is one name.
 *
 * @example guardNames(engine, ['etl', 'alice@example.com'], 'tags').value // ['etl', 'a****@example.com'] (masked)
 */
export function guardNames(engine: Engine, names: unknown, path: string): GuardedNames<string[]> {
  const list: unknown[] = Array.isArray(names) ? names : names === undefined ? [] : [names];
  const out: GuardedNames<string[]> = { value: [], findings: [], blocked: false };
  list.forEach((name, i) => {
    const g = guardName(engine, name, `${path}[${i}]`);
    out.value.push(g.value);
    out.findings.push(...g.findings);
    out.blocked ||= g.blocked;
  });
  return out;
}

/** Bounded text for any value: cycles, getters and huge values cannot break or stall it. */
function describe(value: unknown): string {
  try {
    return inspect(value, { depth: 2, maxArrayLength: 20, maxStringLength: 1024, breakLength: Infinity, getters: false });
  } catch {
    return `[${typeof value}]`;
  }
}
