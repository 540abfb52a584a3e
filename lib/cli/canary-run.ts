/**
 * The canary: proof that a policy does what it claims. It plants fake secrets and personal data in every
 * channel of synthetic flows (parameters, log messages and fields, exception messages and tracebacks, result
 * locations, task names and tags), runs them through the real runner, gate and client against an in-process
 * control plane, and reports, per row (each detector, then key names, names and tags, and value shapes) and
 * per channel, whether anything reached it. What it plants:
 *
 * - per detector (the builtin catalogue, plus a policy's own detectors): its first positive example that it
 *   detects, raw and disguised (DISGUISES): a letter glued in front, a zero-width character or an ANSI code
 *   inside, an ANSI colour code in front, fullwidth, HTML entities, a hex run, a Node `<Buffer ..>` dump,
 *   base64 three levels deep; as parameter values, log messages and log fields, exception messages, task
 *   tags; raw as a result location;
 * - key names (row `key-name`): random values of this run under secret-named keys in every casing
 *   (`db_password`, `DB_PASSWORD`, `dbPassword`, `x-api-key`, `PGPASSWORD`, ...), as parameter and log
 *   fields, and as `key=value` text in log and exception messages;
 * - names and tags (row `names-and-tags`): tasks and a flow named after random tokens, tags holding an
 *   email address and a token;
 * - shapes: a string longer than the scan limit with a plant past the cut (`shape:oversized`), cyclic values
 *   with a plant inside (`shape:circular`), one big string with a plant referenced a thousand times in one
 *   record (`shape:amplified`).
 *
 * The leak check does not trust the product's own normalisation: the stored data is searched for each
 * secret raw and JSON-escaped, for its disguised spelling, and, after `readable()` (this file's own small
 * normaliser), raw again.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes, randomInt } from 'node:crypto';
import { CloudClient } from '../cloud/client.ts';
import { startControlPlane } from '../cloud/server.ts';
import { runFlow } from '../core/runner.ts';
import type { Result } from '../core/results.ts';
import { flow, task } from '../core/flow.ts';
import { BUILTIN_DETECTORS } from '../detect/catalogue/index.ts';
import { compileScanner, type Scanner } from '../detect/scanner.ts';
import type { DetectorSpec } from '../detect/types.ts';
import { CHANNELS, type Channel } from '../channels/registry.ts';
import { EgressGate } from '../egress/gate.ts';
import { DEFAULT_LIMITS, type Engine } from '../policy/engine.ts';

/** Where plants go: every channel, plus `metadata` (names, tags, states, counts). */
export const CANARY_CHANNELS: readonly CanaryChannel[] = [...CHANNELS, 'metadata'];
/** A channel of the canary's table: a policy channel, or `metadata`. */
export type CanaryChannel = Channel | 'metadata';

/** How each detector's plant is written (see disguise()). */
export const DISGUISES = ['raw', 'glued', 'zero-width', 'ansi-before', 'ansi-inside', 'fullwidth', 'html-entities', 'hex', 'buffer-dump', 'base64x3'] as const;
export type Disguise = (typeof DISGUISES)[number];

/** The rows after the detectors' own. */
export const EXTRA_ROWS = ['key-name', 'names-and-tags', 'shape:oversized', 'shape:circular', 'shape:amplified'] as const;

export interface CanaryCell {
  /** A detector id, or one of EXTRA_ROWS. */
  detector: string;
  channel: CanaryChannel;
  leaked: boolean;
  /**
   * What leaked: for a detector, the disguises (`raw`, `zero-width`, ...; `unattributed` when found where
   * no plant of a known form was put); for key names, `field:NAME` or `text:NAME`; for names and tags and
   * shapes, the place (`task-name:github`, `tag:email`, `log-message`, ...).
   */
  forms: string[];
}

export interface CanaryReport {
  policy: string;
  /** Detectors planted. */
  planted: number;
  /** Plants in all (every form of every detector, every key name, name, tag and shape). */
  plants: number;
  /** The report's rows, in order: the detectors planted, then EXTRA_ROWS. */
  rows: string[];
  items: number;
  cells: CanaryCell[];
  /** Cells that leaked. */
  leaks: number;
}

/** A detector's plant: an example text and what the detector finds in it. */
export interface Plant {
  detector: string;
  text: string;
  /** The sensitive parts the detector finds in the text: none of them may reach the control plane. */
  secrets: string[];
  /** The first finding's span, and where the match holding it starts (its key, for a detector with a group). */
  start: number;
  end: number;
  matchStart: number;
  /**
   * The detector does not find its token with a letter glued in front (see leftAnchored): the `glued` form
   * is not planted.
   */
  leftAnchored: boolean;
}

/** One plant in place: its row and form, and what must not arrive. */
interface Slot {
  /** `s12`: labels where the plant was put (a parameter's key, a log record's `slot` field, a task's name). */
  id: string;
  row: string;
  form: string;
  /** Found raw, JSON-escaped, or raw in the stored text after readable(): a leak. */
  secrets: string[];
  /** Found as written (a disguised spelling of a secret): a leak. */
  disguised: string[];
  /** The secrets are random values of this run: wherever they are found, they are this slot's. */
  unique: boolean;
}

/**
 * Whether the detector itself no longer finds its token with a letter glued in front (a `\b`, a look-behind,
 * START in any alternative): glued, the token is another word by its own definition, so the `glued` form
 * is not planted. Asked of the detector, not read off its pattern.
 */
function leftAnchored(scanner: Scanner, text: string, matchStart: number): boolean {
  return scanner.scan(insert(text, matchStart, 'x')).length === 0;
}

/**
 * One plant per detector: the builtin catalogue (all of it, whatever the policy disables: a disabled
 * detector is a gap the canary must show) and the policy's own detectors. The plant is the first text the
 * detector finds something in where no other of these detectors finds anything over the same span, so that
 * a gap shows on the detector's own row: one of its positive examples, else (a detector without a group)
 * the token of an example alone in a plain sentence; when every such text is also another detector's, the
 * first example it finds something in.
 */
export function canaryPlants(engine: Engine): Plant[] {
  const builtin = new Set(BUILTIN_DETECTORS.map((d) => d.id));
  const detectors: DetectorSpec[] = [...BUILTIN_DETECTORS, ...engine.detectors.filter((d) => !builtin.has(d.id))];
  const scanners = detectors.map((d) => ({ d, scanner: compileScanner([d]) }));
  const plants: Plant[] = [];
  for (const { d, scanner } of scanners) {
    const examples = d.examples?.positive ?? [];
    const bare = d.group !== undefined ? [] : examples.flatMap((text) => scanner.scan(text).slice(0, 1).map((m) => `seen ${text.slice(m.start, m.end)} here`));
    let chosen: Plant | undefined;
    for (const text of [...examples, ...bare]) {
      const found = scanner.scan(text);
      if (found.length === 0) continue;
      const first = found[0]!;
      const plant: Plant = {
        detector: d.id,
        text,
        secrets: found.map((m) => text.slice(m.start, m.end)),
        start: first.start,
        end: first.end,
        matchStart: matchStart(d, text, first.start),
        leftAnchored: leftAnchored(scanner, text, matchStart(d, text, first.start)),
      };
      chosen ??= plant;
      const shadowed = scanners.some((o) => o.d !== d && o.scanner.scan(text).some((m) => m.start < first.end && first.start < m.end));
      if (!shadowed) {
        chosen = plant;
        break;
      }
    }
    if (chosen !== undefined) plants.push(chosen);
  }
  return plants;
}

/** Where the pattern's match that holds `at` starts (before a group's key), else `at`. */
function matchStart(d: DetectorSpec, text: string, at: number): number {
  if (d.group === undefined) return at;
  try {
    const re = new RegExp(d.pattern, 'g' + (d.flags ?? '').replace(/[gyd]/g, ''));
    for (const m of text.matchAll(re)) if (m.index <= at && at < m.index + m[0].length) return m.index;
  } catch {
    // a pattern this engine cannot compile: glue before the secret itself
  }
  return at;
}

// ---- disguises ----------------------------------------------------------------------------------------

const ZERO_WIDTH = '\u200b';
const ANSI_COLOUR = '\x1b[33m';
const ANSI_RESET = '\x1b[0m';

const insert = (text: string, at: number, what: string): string => text.slice(0, at) + what + text.slice(at);
const fullwidth = (s: string): string => s.replace(/[!-~]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0));
/** Every other printable ASCII character as a numeric entity, decimal and hex in turn. */
const entities = (s: string): string => [...s].map((c, i) => (i % 2 === 1 && /[!-~]/.test(c) ? (i % 4 === 1 ? `&#${c.charCodeAt(0)};` : `&#x${c.charCodeAt(0).toString(16)};`) : c)).join('');
const hex = (s: string): string => Buffer.from(s).toString('hex');
/** Node's `<Buffer 67 68 70 ...>`, every byte shown. */
const bufferBytes = (s: string): string => [...Buffer.from(s)].map((b) => b.toString(16).padStart(2, '0')).join(' ');
const base64 = (s: string): string => Buffer.from(s).toString('base64');

/**
 * A plant written one way, and the disguised spellings of its secret that must not arrive either; undefined
 * when the form does not apply (`glued` for a left-anchored detector). Inside-the-token disguises go in the
 * middle of the first secret, prefixes before its match; encodings take the whole text.
 */
export function disguise(p: Plant, form: Disguise): { text: string; disguised: string[] } | undefined {
  const secret = p.text.slice(p.start, p.end);
  const middle = Math.floor(secret.length / 2);
  const span = (f: (s: string) => string) => ({ text: p.text.slice(0, p.start) + f(secret) + p.text.slice(p.end), disguised: [f(secret)] });
  switch (form) {
    case 'raw':
      return { text: p.text, disguised: [] };
    case 'glued':
      return p.leftAnchored ? undefined : { text: insert(p.text, p.matchStart, 'x'), disguised: [] };
    case 'zero-width':
      return span((s) => insert(s, middle, ZERO_WIDTH));
    case 'ansi-before':
      return { text: insert(p.text, p.matchStart, ANSI_COLOUR), disguised: [] };
    case 'ansi-inside':
      return span((s) => insert(s, middle, ANSI_RESET));
    case 'fullwidth':
      return span(fullwidth);
    case 'html-entities':
      return span(entities);
    case 'hex':
      return { text: `payload ${hex(p.text)} end`, disguised: [hex(secret)] };
    case 'buffer-dump':
      return { text: `got <Buffer ${bufferBytes(p.text)}>`, disguised: [bufferBytes(secret)] };
    case 'base64x3': {
      const once = base64(p.text);
      const twice = base64(once);
      return { text: `blob ${base64(twice)}`, disguised: [once, twice, base64(twice)] };
    }
  }
}

// ---- the independent normaliser of the leak check --------------------------------------------------------

/** CSI (ESC [ or 8-bit CSI ... final byte), OSC (ESC ] ... BEL or ESC \), and two-character escapes. */
const ANSI = /(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b[ -/]*[0-~]/g;
const ENTITY = /&(?:#(\d{1,7})|#[xX]([0-9a-fA-F]{1,6})|(amp|lt|gt|quot|apos|commat|nbsp));?/g;
const NAMED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", commat: '@', nbsp: '\u00a0' };
const INVISIBLE = /\p{Default_Ignorable_Code_Point}/gu;

/**
 * Text as a person reads it: ANSI escapes removed, HTML entities decoded, NFKC (fullwidth to ASCII), and
 * invisible characters (zero-width, bidi controls, soft hyphens) removed. Written apart from the product's
 * normaliser on purpose: the canary checks that one.
 *
 * @example readable('gh\u200bp_&#65;\x1b[0mＢ') // 'ghp_AB'
 */
export function readable(text: string): string {
  const decoded = text.replace(ANSI, '').replace(ENTITY, (all, dec?: string, hx?: string, name?: string) => {
    const code = dec !== undefined ? Number(dec) : hx !== undefined ? parseInt(hx, 16) : undefined;
    if (code === undefined) return NAMED[name!] ?? all;
    return code <= 0x10ffff ? String.fromCodePoint(code) : all;
  });
  return decoded.normalize('NFKC').replace(INVISIBLE, '');
}

// ---- random values of this run ---------------------------------------------------------------------------

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

function randomString(n: number, alphabet = BASE62): string {
  let out = '';
  for (let i = 0; i < n; i++) out += alphabet[randomInt(alphabet.length)];
  return out;
}

/** `n` different base62 characters: random-looking to any entropy test (log2 n bits a character), never a number. */
function randomValue(n = 16): string {
  const chars = [...BASE62];
  for (let i = 0; i < n; i++) {
    const j = i + randomInt(chars.length - i);
    [chars[i], chars[j]] = [chars[j]!, chars[i]!];
  }
  return chars.slice(0, n).join('');
}

/** Token-shaped values, all valid task and flow names ([A-Za-z0-9._-]). */
const TOKENS: Record<string, () => string> = {
  github: () => `ghp_${randomString(36)}`,
  aws: () => `AKIA${randomString(16, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567')}`,
  gitlab: () => `glpat-${randomString(20)}`,
  npm: () => `npm_${randomString(36)}`,
  slack: () => `xoxb-${randomString(12, '0123456789')}-${randomString(12, '0123456789')}-${randomString(24)}`,
  stripe: () => `sk_live_${randomString(24)}`,
};

// ---- key names -----------------------------------------------------------------------------------------

/** Secret-naming words, written in every casing (keyNameCasings), and glued names. The canary's own list. */
const SECRET_KEY_WORDS: readonly string[][] = [
  ['db', 'password'], ['db', 'pass'], ['pwd'], ['passphrase'], ['admin', 'passwd'], ['secret', 'key'], ['client', 'secret'],
  ['access', 'token'], ['session', 'token'], ['github', 'token'], ['x', 'api', 'key'], ['private', 'key'], ['auth'], ['dsn'],
];
const GLUED_SECRET_KEYS: readonly string[] = ['PGPASSWORD', 'MYSQL_PWD', 'apikey', 'dbpassword'];

/** snake, SCREAMING, camel, Pascal, kebab, dotted and Train-Case, without repeats. */
export function keyNameCasings(words: readonly string[]): string[] {
  const cap = (w: string): string => w[0]!.toUpperCase() + w.slice(1);
  return [
    ...new Set([
      words.join('_'),
      words.join('_').toUpperCase(),
      words[0]! + words.slice(1).map(cap).join(''),
      words.map(cap).join(''),
      words.join('-'),
      words.join('.'),
      words.map(cap).join('-'),
    ]),
  ];
}

/** The secret key names planted, grouped: each word list's casings, then the glued names. */
export const CANARY_KEY_NAMES: readonly (readonly string[])[] = [...SECRET_KEY_WORDS.map(keyNameCasings), GLUED_SECRET_KEYS];

// ---- the plan ------------------------------------------------------------------------------------------

interface Plan {
  slots: Slot[];
  params: Record<string, unknown>;
  logs: { message: string; meta: Record<string, unknown> }[];
  /** Tasks that throw `message`. */
  failing: { name: string; message: string }[];
  /** Tasks whose result location is `location`. */
  located: { name: string; location: string }[];
  /** Tasks with tags; `slots[k]` is the slot of tag k. */
  tagged: { name: string; tags: unknown[]; slots: (string | undefined)[] }[];
  /** The second flow: its name, and its parameters. */
  second: { name: string; params: Record<string, unknown> };
}

const AMPLIFY = 1_000;
/** The text of the oversized plants stays under this, whatever the policy's scan limit. */
const MAX_OVERSIZED = 8 * 1024 * 1024;

function plan(engine: Engine, plants: Plant[]): Plan {
  const p: Plan = { slots: [], params: {}, logs: [], failing: [], located: [], tagged: [], second: { name: 'canary-2', params: {} } };
  const slot = (row: string, form: string, secrets: string[], disguised: string[] = [], unique = false): Slot => {
    const s: Slot = { id: `s${p.slots.length}`, row, form, secrets, disguised, unique };
    p.slots.push(s);
    return s;
  };
  /** A random value that is its own slot. */
  const value = (row: string, form: string, make: () => string = randomValue): string => {
    const v = make();
    slot(row, form, [v], [], true);
    return v;
  };

  // Each detector: every form as a parameter, a log message and field, an exception message and a tag; raw as a location.
  plants.forEach((plant, i) => {
    const tags: string[] = [];
    const tagSlots: string[] = [];
    for (const form of DISGUISES) {
      const d = disguise(plant, form);
      if (d === undefined) continue;
      const s = slot(plant.detector, form, plant.secrets, d.disguised);
      p.params[s.id] = d.text;
      p.logs.push({ message: `${s.id}: ${d.text}`, meta: { slot: s.id, note: d.text } });
      p.failing.push({ name: `fails-${s.id}`, message: `planted ${s.id}: ${d.text}` });
      if (form === 'raw') p.located.push({ name: `located-${s.id}`, location: d.text });
      tags.push(d.text);
      tagSlots.push(s.id);
    }
    p.tagged.push({ name: `tagged-${i}`, tags, slots: tagSlots });
  });

  // Key names: random values under secret-named keys, as fields and as key=value text.
  const fields: Record<string, string> = {};
  const metaFields: Record<string, string> = {};
  CANARY_KEY_NAMES.forEach((names, i) => {
    for (const name of names) {
      fields[name] = value('key-name', `field:${name}`);
      metaFields[name] = value('key-name', `field:${name}`);
    }
    const text = () => names.map((name) => `${name}=${value('key-name', `text:${name}`)}`).join(' ');
    p.logs.push({ message: `connecting: ${text()}`, meta: {} });
    p.failing.push({ name: `fails-keys-${i}`, message: `connect failed: ${text()}` });
  });
  p.params.settings = fields;
  p.logs.push({ message: 'connection settings', meta: metaFields });

  // Names and tags: tasks and the second flow named after tokens, tags holding an email address and a token.
  for (const [kind, make] of Object.entries(TOKENS)) p.tagged.push({ name: value('names-and-tags', `task-name:${kind}`, make), tags: [], slots: [] });
  const email = value('names-and-tags', 'tag:email', () => `${randomString(8, 'abcdefghijklmnopqrstuvwxyz')}.${randomString(6, 'abcdefghijklmnopqrstuvwxyz')}@example.com`);
  p.tagged.push({ name: 'tagged-names', tags: [email, value('names-and-tags', 'tag:token', TOKENS.github)], slots: [] });
  p.second.name = value('names-and-tags', 'flow-name', TOKENS.gitlab);

  // Shapes. Each plant: a password assigned in text (and, in a cyclic object, a password field), random, so
  // that it is found wherever it lands; one detector, so that a gap elsewhere does not show up here.
  const password = (row: string, form: string) => `db_password=${value(row, form)}`;
  const maxScan = engine.policy.limits?.max_scan_length ?? DEFAULT_LIMITS.max_scan_length;
  const filler = 'lorem ipsum dolor sit amet ';
  const oversized = (form: string) => `${filler.repeat(Math.ceil(Math.min(maxScan + 1024, MAX_OVERSIZED) / filler.length))}${password('shape:oversized', form)}`;
  p.logs.push({ message: oversized('log-message'), meta: {} });
  p.params.oversized = oversized('parameter');
  p.failing.push({ name: 'fails-oversized', message: oversized('exception-message') });

  const cyclic = (form: string) => {
    const o: Record<string, unknown> = { name: 'loop', note: `connect with ${password('shape:circular', form)}`, db_password: value('shape:circular', form), items: [] };
    o.self = o;
    (o.items as unknown[]).push(o, { back: o });
    return o;
  };
  p.params.circular = cyclic('parameter');
  p.logs.push({ message: 'a cyclic value', meta: { loop: cyclic('log-metadata') } });
  p.tagged.push({ name: 'tagged-circular', tags: [cyclic('tag')], slots: [] });

  const big = (form: string) => `${'lorem ipsum '.repeat(340)}connect with ${password('shape:amplified', form)} ${'dolor '.repeat(10)}`;
  p.second.params.copies = new Array<string>(AMPLIFY).fill(big('parameter'));
  p.logs.push({ message: 'many copies', meta: { copies: new Array<string>(AMPLIFY).fill(big('log-metadata')) } });
  return p;
}

/** A Result that reports a planted text as its location: the locations channel sees it as is. */
class PlantedLocation implements Result {
  constructor(readonly location: string) {}
  async write(): Promise<string> {
    return this.location;
  }
  async read(): Promise<unknown> {
    return null;
  }
  async exists(): Promise<boolean> {
    return false;
  }
}

// ---- the run -------------------------------------------------------------------------------------------

export async function runCanary(engine: Engine): Promise<CanaryReport> {
  const plants = canaryPlants(engine);
  const p = plan(engine, plants);
  const work = mkdtempSync(join(tmpdir(), 'egress-guard-canary-'));
  const token = randomBytes(24).toString('hex');
  const server = await startControlPlane({ port: 0, dataDir: join(work, 'cp'), tenants: new Map([[token, 'canary']]) });
  try {
    const client = new CloudClient({ url: server.url, token, spoolDir: join(work, 'spool') });
    const gate = new EgressGate({ engine, sink: client });
    const quiet = () => []; // no local log: the canary reads only what reached the control plane
    const main = flow({ name: 'canary' }, async (_params: Record<string, unknown>, ctx) => {
      for (const { message, meta } of p.logs) ctx.logger.info(message, meta);
      for (const f of p.failing) {
        await task({ name: f.name }, async () => {
          throw new Error(f.message);
        })({}).catch(() => undefined);
      }
      for (const l of p.located) await task({ name: l.name, checkpoint: true, result: new PlantedLocation(l.location) }, async () => 1)({});
      // Tags are strings by the API's type; a cyclic object among them is what JavaScript lets through.
      for (const t of p.tagged) await task({ name: t.name, tags: t.tags as string[] }, async () => 1)({});
      return 0;
    });
    await runFlow(main, p.params, { gate, localTransports: quiet() });
    await runFlow(
      flow({ name: p.second.name }, async () => 0),
      p.second.params,
      { gate, localTransports: quiet() },
    );
    await client.close({ deadlineMs: 10_000 });
    const stored = readFileSync(join(work, 'cp', 'canary', 'items.jsonl'), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as StoredItem);
    const cells = check(p, plants, stored);
    return {
      policy: `${engine.identity.name}@${engine.identity.version}`,
      planted: plants.length,
      plants: p.slots.length,
      rows: rowsOf(plants),
      items: stored.length,
      cells,
      leaks: cells.filter((c) => c.leaked).length,
    };
  } finally {
    await server.close();
    rmSync(work, { recursive: true, force: true });
  }
}

function rowsOf(plants: Plant[]): string[] {
  return [...plants.map((p) => p.detector), ...EXTRA_ROWS];
}

// ---- the leak check ------------------------------------------------------------------------------------

interface StoredItem {
  kind: string;
  channel: string;
  taskRunId?: string;
  payload: Record<string, unknown>;
}

/** Some stored text, and the slot whose plant was put there (undefined: none, or not known). */
interface Unit {
  channel: string;
  label: string | undefined;
  text: string;
}

const SLOT_ID = /^s\d+$/;

/** Every string of a JSON value, keys too, once each (a thousand references to one string are one). */
function stringsOf(value: unknown, into = new Set<string>()): Set<string> {
  if (typeof value === 'string') into.add(value);
  else if (Array.isArray(value)) for (const v of value) stringsOf(v, into);
  else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      into.add(k);
      stringsOf(v, into);
    }
  }
  return into;
}

const isRecord = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/**
 * The stored items cut into units, each labelled with the slot it belongs to: a parameter by its key, a log
 * record by its `slot` field, what a task run sent by its task's name (`fails-s12`), a tag by its place.
 */
function unitsOf(items: StoredItem[], p: Plan): Unit[] {
  const tagSlots = new Map(p.tagged.map((t) => [t.name, t.slots]));
  const labelOf = new Map<string, string>();
  const tagsOf = new Map<string, (string | undefined)[]>();
  for (const item of items) {
    if (item.kind !== 'task_run' || item.taskRunId === undefined) continue;
    const name = String(item.payload.task_name ?? '');
    const label = /-(s\d+)$/.exec(name)?.[1];
    if (label !== undefined) labelOf.set(item.taskRunId, label);
    const slots = tagSlots.get(name);
    if (slots !== undefined) tagsOf.set(item.taskRunId, slots);
  }
  const units: Unit[] = [];
  const add = (channel: string, label: string | undefined, value: unknown) => units.push({ channel, label, text: [...stringsOf(value)].join('\u0000') });
  for (const item of items) {
    const { payload, channel } = item;
    const label = item.taskRunId === undefined ? undefined : labelOf.get(item.taskRunId);
    const tagged = item.taskRunId === undefined ? undefined : tagsOf.get(item.taskRunId);
    if (item.kind === 'task_run' && tagged !== undefined && Array.isArray(payload.tags)) {
      const { tags, ...rest } = payload;
      add(channel, label, rest);
      (tags as unknown[]).forEach((t, k) => add(channel, tagged[k], t));
    } else if (item.kind === 'flow_run' && isRecord(payload.parameters)) {
      const { parameters, ...rest } = payload;
      add(channel, undefined, rest);
      for (const [k, v] of Object.entries(parameters)) add(channel, SLOT_ID.test(k) ? k : undefined, { [k]: v });
    } else if (item.kind === 'logs' && Array.isArray(payload.records)) {
      const { records, ...rest } = payload;
      add(channel, label, rest);
      for (const r of records as unknown[]) add(channel, label ?? (isRecord(r) && typeof r.slot === 'string' && SLOT_ID.test(r.slot) ? r.slot : undefined), r);
    } else {
      add(channel, label, payload);
    }
  }
  return units;
}

/** Some text as stored, and as read (readable(), made on first use). */
class Haystack {
  private read: string | undefined;
  constructor(readonly text: string) {}
  get readable(): string {
    return (this.read ??= readable(this.text));
  }
}

const escaped = (s: string): string => JSON.stringify(s).slice(1, -1);

/** Whether any of the slot's secrets is in the text: raw, JSON-escaped, disguised, or raw once readable. */
function holds(slot: Slot, h: Haystack | undefined): boolean {
  if (h === undefined || h.text === '') return false;
  for (const s of [...slot.secrets, ...slot.disguised]) {
    if (h.text.includes(s)) return true;
    const e = escaped(s);
    if (e !== s && h.text.includes(e)) return true;
  }
  // A random value planted raw has no disguise to see through.
  return !slot.unique && slot.secrets.some((s) => h.readable.includes(s) || h.readable.includes(escaped(s)));
}

function check(p: Plan, plants: Plant[], items: StoredItem[]): CanaryCell[] {
  const units = unitsOf(items, p);
  const join = (us: Unit[]) => new Haystack(us.map((u) => u.text).join('\u0000'));
  const byLabel = new Map<string, Map<string, Haystack>>();
  const unlabelled = new Map<string, Haystack>();
  const whole = new Map<string, Haystack>();
  for (const channel of CANARY_CHANNELS) {
    const mine = units.filter((u) => u.channel === channel);
    whole.set(channel, join(mine));
    unlabelled.set(channel, join(mine.filter((u) => u.label === undefined)));
    const labels = new Map<string, Unit[]>();
    for (const u of mine) if (u.label !== undefined) labels.set(u.label, [...(labels.get(u.label) ?? []), u]);
    byLabel.set(channel, new Map([...labels].map(([l, us]) => [l, join(us)])));
  }
  const leaked = new Map<string, Set<string>>(); // `${row}\u0000${channel}` → forms
  const mark = (row: string, channel: string, form: string) => {
    const key = `${row}\u0000${channel}`;
    if (!leaked.has(key)) leaked.set(key, new Set());
    leaked.get(key)!.add(form);
  };
  for (const slot of p.slots) {
    for (const channel of CANARY_CHANNELS) {
      if (slot.unique) {
        if (holds(slot, whole.get(channel))) mark(slot.row, channel, slot.form);
      } else if (holds(slot, byLabel.get(channel)!.get(slot.id))) {
        mark(slot.row, channel, slot.form);
      } else if (holds(slot, unlabelled.get(channel))) {
        mark(slot.row, channel, 'unattributed');
      }
    }
  }
  const cells: CanaryCell[] = [];
  for (const row of rowsOf(plants)) {
    for (const channel of CANARY_CHANNELS) {
      const forms = [...(leaked.get(`${row}\u0000${channel}`) ?? [])];
      cells.push({ detector: row, channel, leaked: forms.length > 0, forms });
    }
  }
  return cells;
}
