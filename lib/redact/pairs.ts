/**
 * Where a value's name is not its key: the shapes in which structured data carries a name and its value
 * side by side. Kubernetes and ECS environments (`[{ name: 'DB_PASSWORD', value: '…' }]`), CloudFormation
 * parameters (`{ ParameterKey, ParameterValue }`), HAR and Postman headers (`{ key, value }`, `[name, value]`
 * entries), and command lines as argument lists (`['--password', '…']`). The walker (walk.ts) asks the
 * key-name classifier about the name, as it does about a key.
 */
import type { Scanner } from '../detect/scanner.ts';
import type { Match } from '../detect/types.ts';

/** How many own keys a name/value object has at most (a record with many fields is a record). */
const PAIR_MAX_KEYS = 6;
const NAME_KEY = /^(.{0,24}?)(?:name|key)$/i;
const VALUE_KEY = /^(.{0,24}?)(?:value|val)$/i;

/**
 * In a name/value object, the key holding the value and the name it goes by: a `…name`/`…key` string
 * field and a `…value` field with the same prefix (`name`/`value`, `Name`/`Value`, `ParameterKey`/
 * `ParameterValue`, `key`/`value`). Undefined for any other object.
 *
 * @example namedValue({ name: 'DB_PASSWORD', value: 'x' }) // { valueKey: 'value', name: 'DB_PASSWORD' }
 */
export function namedValue(object: Record<string, unknown>, keys: readonly string[]): { valueKey: string; name: string } | undefined {
  if (keys.length < 2 || keys.length > PAIR_MAX_KEYS) return undefined;
  for (const valueKey of keys) {
    const v = VALUE_KEY.exec(valueKey);
    if (v === null) continue;
    for (const nameKey of keys) {
      const n = NAME_KEY.exec(nameKey);
      if (n === null || n[1]!.toLowerCase() !== v[1]!.toLowerCase()) continue;
      const name = object[nameKey];
      if (typeof name === 'string' && name.length > 0 && name.length <= 128) return { valueKey, name };
    }
  }
  return undefined;
}

/**
 * The name of an entry tuple (`['x-api-key', '…']`) inside a list of such tuples (`Object.entries`,
 * `Headers`, HAR): its first element, when the list holds only two-element tuples with a string first.
 *
 * @example tupleName([['accept', 'json'], ['x-api-key', 'k']], ['x-api-key', 'k']) // 'x-api-key'
 */
export function tupleName(parent: readonly unknown[], tuple: readonly unknown[]): string | undefined {
  if (tuple.length !== 2 || typeof tuple[0] !== 'string') return undefined;
  for (const t of parent) if (!Array.isArray(t) || t.length !== 2 || typeof t[0] !== 'string') return undefined;
  return tuple[0];
}

/**
 * The items of an argument list that a detector finds only with their neighbours (`--password`, then the
 * password; `docker login -p`, then the password): the list is scanned as the command line it spells, and
 * an item holding a finding that its own scan does not make is a secret by context. Only lists of strings
 * with a flag among them (an item starting with `-`).
 *
 * @example argvSecrets(['psql', '--password', 'Wk4pZ9qLm2'], scanner) // Set { 2 }
 */
export function argvSecrets(items: readonly unknown[], scanner: Scanner): Set<number> | undefined {
  if (items.length < 2 || items.length > 256) return undefined;
  let flag = false;
  for (const item of items) {
    if (typeof item !== 'string' || item.length > 4096) return undefined;
    if (item.startsWith('-')) flag = true;
  }
  if (!flag) return undefined;
  const strings = items as readonly string[];
  const starts: number[] = [];
  let text = '';
  for (const s of strings) {
    if (starts.length > 0) text += ' ';
    starts.push(text.length);
    text += s;
  }
  let out: Set<number> | undefined;
  for (const m of scanner.scan(text)) {
    const i = itemAt(starts, m.start);
    if (out?.has(i) || foundAlone(strings[i]!, scanner, m, starts[i]!)) continue;
    (out ??= new Set()).add(i);
  }
  return out;
}

/** The item a text offset falls in (items start at `starts`, joined by one space). */
function itemAt(starts: readonly number[], offset: number): number {
  let i = 0;
  while (i + 1 < starts.length && starts[i + 1]! <= offset) i++;
  return i;
}

/** Whether the item's own scan finds the same detector at the same place: then its own scan acts on it. */
function foundAlone(item: string, scanner: Scanner, m: Match, start: number): boolean {
  return scanner.scan(item).some((own) => own.detector === m.detector && own.start + start === m.start);
}
