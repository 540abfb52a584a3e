/**
 * No leak, by property (fast-check): nested values of every shape, with planted secrets from every
 * builtin detector's examples and random values under secret-named keys (every casing, as fields and as
 * `key=value` text), written raw, URL-encoded, base64, as JSON inside a string or as a key, and disguised
 * (glued to a letter, digit, `_` or ANSI code; a zero-width, bidi or ANSI character inside; fullwidth; HTML
 * entities; hex; a `<Buffer ..>` dump; base64 three levels deep), through every channel, and through flow
 * names, task names, tags and upstream names; plus strings past the scan limit, cycles and one big string
 * referenced a thousand times. Each case is checked at the engine (so a failure shrinks to a small case);
 * every case also goes through the real gate (whose every item is checked against its own case), client and
 * control plane over HTTP and into a real ledger, whose files are then searched for every planted secret.
 * A secret counts as found raw, JSON-escaped, in its disguised spelling, or raw after this test's own
 * normaliser (./disguises.ts) is applied to the output.
 *
 * EGRESS_GUARD_PROPERTY_RUNS (default 1,000 per channel, a quarter of that for locations and for names and
 * tags, a twentieth for cycles, a hundredth for oversized and for amplified values: about 3,570 cases) sets
 * the number of cases; the nightly-size run is EGRESS_GUARD_PROPERTY_RUNS=20000 (docs/threat-model.md). A
 * failure names the detector, encoding and channel, never the value.
 */
import { assert } from 'chai';
import fc from 'fast-check';
import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ledger } from '../../lib/audit/ledger.ts';
import { guardName, guardNames } from '../../lib/channels/names.ts';
import { CloudClient } from '../../lib/cloud/client.ts';
import { startControlPlane, type ControlPlane } from '../../lib/cloud/server.ts';
import { generateLocationKeySet } from '../../lib/crypto/jose.ts';
import { BUILTIN_DETECTORS } from '../../lib/detect/catalogue/index.ts';
import { compileScanner } from '../../lib/detect/scanner.ts';
import type { DetectorSpec } from '../../lib/detect/types.ts';
import type { RawOutbound } from '../../lib/egress/gate-api.ts';
import { EgressGate } from '../../lib/egress/gate.ts';
import type { GuardedItem } from '../../lib/egress/types.ts';
import { createEngine, createEngineSync } from '../../lib/policy/create.ts';
import { DEFAULT_LIMITS, type Engine } from '../../lib/policy/engine.ts';
import { guardRecord, LEVEL, type Info } from '../../lib/winston/record.ts';
import { casings, GLUED_SECRET_KEYS, SECRET_KEY_WORDS } from '../helpers/key-names.ts';
import { propertyParams } from '../helpers/property.ts';
import { encode, ENCODINGS, encodingsFor, GLUE_CHARS, insertAt, jsonEscaped, readable, type Encoding, type Glue, type Plant } from './disguises.ts';
import { leakChecker, type Planted } from './leaks.ts';

const RUNS = Number(process.env.EGRESS_GUARD_PROPERTY_RUNS ?? 1000);
const TOKEN = 'property-tenant-token-0123456789';

/** Secret key names in every casing (test/helpers/key-names.ts). */
const SECRET_NAMES = [...new Set([...SECRET_KEY_WORDS.flatMap((w) => casings(w)), ...GLUED_SECRET_KEYS])];
const BASE62 = [...'0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz'];
/** 16 different base62 characters: random-looking to any entropy test, never a number, unique to its case. */
const randomValue = fc.shuffledSubarray(BASE62, { minLength: 16, maxLength: 16 }).map((chars) => chars.join(''));

class Box {
  constructor(readonly inner: unknown) {}
}

describe('hardening: no planted secret leaves, by property', function () {
  this.timeout(600_000);
  let engine: Engine;
  const plants = plantsOf(createEngineSync('builtin:default'));
  let server: ControlPlane;
  let client: CloudClient;
  let ledger: Ledger;
  let gate: EgressGate;
  let dataDir: string;
  let ledgerDir: string;
  const shipped: { planted: Planted; channel: string }[] = [];
  /** Per flow run id (one per case), what the case planted: each item the gate sends is checked against it. */
  const expected = new Map<string, { planted: readonly Planted[]; channel: string }>();
  const gateLeaks = new Set<string>();
  let cases = 0;

  before(async () => {
    const keyFile = join(mkdtempSync(join(tmpdir(), 'eg-prop-key-')), 'locations.jwk');
    writeFileSync(keyFile, await generateLocationKeySet(), { mode: 0o600 });
    engine = await createEngine('builtin:default', { locationKeyFile: keyFile });
    dataDir = mkdtempSync(join(tmpdir(), 'eg-prop-cp-'));
    ledgerDir = mkdtempSync(join(tmpdir(), 'eg-prop-ledger-'));
    server = await startControlPlane({ port: 0, dataDir, tenants: new Map([[TOKEN, 't']]) });
    client = new CloudClient({ url: server.url, token: TOKEN, spoolDir: mkdtempSync(join(tmpdir(), 'eg-prop-spool-')), flushIntervalMs: 20, retry: { baseMs: 10, maxMs: 50 } });
    ledger = Ledger.open({ dir: ledgerDir });
    // Every guarded item is checked against its own case before it goes to the client.
    const sink = {
      send(item: GuardedItem) {
        const e = expected.get(item.flowRunId);
        if (e !== undefined) for (const l of leaks(JSON.stringify(item.payload), e.planted)) gateLeaks.add(`${l}, ${e.channel}`);
        client.send(item);
      },
    };
    gate = new EgressGate({ engine, sink, audit: ledger });
  });

  after(async () => {
    await client?.close({ deadlineMs: 0 });
    await server?.close();
    await ledger?.close();
  });

  /** Submits one case to the gate (its own flow run id) and remembers what it planted. */
  function submit(channel: string, planted: readonly Planted[], item: (flowRunId: string) => RawOutbound): void {
    const flowRunId = `prop-${cases++}`;
    expected.set(flowRunId, { planted, channel });
    gate.submit(item(flowRunId));
    shipped.push(...planted.map((p) => ({ planted: p, channel })));
  }

  it('plants every builtin detector', () => {
    assert.deepEqual([...new Set(plants.map((p) => p.detector))].sort(), BUILTIN_DETECTORS.map((d) => d.id).sort());
  });

  it('plants every encoding, and glued tokens of the detectors that take them', () => {
    const all = new Set(plants.flatMap(encodingsFor));
    assert.sameMembers([...all], ENCODINGS);
    for (const id of ['github-token', 'aws-access-key-id', 'slack-bot-token', 'stripe-secret-key', 'gitlab-pat', 'npm-access-token']) {
      assert.sameMembers(plants.find((p) => p.detector === id)!.glues, ['letter', 'digit', 'underscore'], id);
    }
  });

  // ---- generators ----------------------------------------------------------------------------------

  /** A random value assigned to a secret-named key in text: `db_password=…`, `X-Api-Key: …`, `apiKey="…"`. */
  const keyNameText: fc.Arbitrary<Plant> = fc
    .tuple(fc.constantFrom(...SECRET_NAMES), fc.constantFrom('=', ': ', '="'), randomValue)
    .map(([name, sep, value]) => ({
      detector: 'key-name',
      carrier: `${name}${sep}${value}${sep.endsWith('"') ? '"' : ''}`,
      span: value,
      start: name.length + sep.length,
      matchStart: 0,
      glues: [], // glued to the key, the key is another name: the classifier judges it
    }));

  const planted = (): fc.Arbitrary<Planted> =>
    fc
      .tuple(fc.oneof({ weight: 5, arbitrary: fc.constantFrom(...plants) }, { weight: 1, arbitrary: keyNameText }), fc.nat(), fc.nat(), fc.nat())
      .map(([plant, e, at, pick]) => {
        const encodings = encodingsFor(plant);
        const encoding = encodings[e % encodings.length]!;
        return { plant, encoding, ...encode(plant, encoding, at, pick) };
      });

  /** A random value under a secret-named key, as a field. */
  const keyNameField = fc.tuple(fc.constantFrom(...SECRET_NAMES), randomValue).map(([name, value]) => ({
    name,
    planted: { plant: { detector: 'key-name', carrier: value, span: value, start: 0, matchStart: 0, glues: [] }, encoding: 'field', text: value, disguised: [] } satisfies Planted,
  }));

  /** Text around a planted secret: separated from it, as it would be in a log line or a value. */
  const around = (p: fc.Arbitrary<Planted>) =>
    fc.tuple(fc.string({ maxLength: 20 }), fc.constantFrom(' ', '\n', '\t', ', '), p, fc.constantFrom(' ', '\n', '; '), fc.string({ maxLength: 20 }), fc.constantFrom('', '', '', 'é ü 中文 🙂 ')).map(([before, s1, pl, s2, after, unicode]) => ({
      text: `${unicode}${before}${s1}${pl.text}${s2}${after}`,
      planted: [pl],
    }));

  interface Tree {
    value: unknown;
    planted: Planted[];
  }

  const leafSecret: fc.Arbitrary<Tree> = fc.oneof(
    around(planted()).map((t) => ({ value: t.text, planted: t.planted })),
    planted().map((p) => ({ value: p.text, planted: [p] })),
    // A huge string: the secret somewhere in its first 100,000 characters.
    fc.tuple(planted(), fc.integer({ min: 0, max: 100_000 })).map(([p, at]) => ({ value: `${'lorem ipsum '.repeat(at / 12)} ${p.text} ${'dolor '.repeat(1_000)}`, planted: [p] })),
  );
  const leafPlain: fc.Arbitrary<Tree> = fc.oneof(fc.string(), fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.date({ noInvalidDate: true })).map((value) => ({ value, planted: [] }));

  const { tree } = fc.letrec<{ tree: Tree; node: Tree }>((tie) => ({
    tree: fc.oneof({ depthSize: 'small', withCrossShrink: true }, leafPlain, leafSecret, tie('node')),
    node: fc.oneof(
      fc.dictionary(fc.string({ maxLength: 8 }), tie('tree'), { maxKeys: 4 }).map((d) => merge(Object.entries(d), (entries) => Object.fromEntries(entries))),
      fc.array(tie('tree'), { maxLength: 4 }).map((items) => ({ value: items.map((i) => i.value), planted: items.flatMap((i) => i.planted) })),
      fc.array(tie('tree'), { maxLength: 3 }).map((items) => ({ value: new Set(items.map((i) => i.value)), planted: items.flatMap((i) => i.planted) })),
      fc.dictionary(fc.string({ maxLength: 8 }), tie('tree'), { maxKeys: 3 }).map((d) => merge(Object.entries(d), (entries) => new Map(entries))),
      tie('tree').map((t) => ({ value: new Box(t.value), planted: t.planted })),
      fc.tuple(leafSecret, fc.option(tie('tree'), { nil: undefined })).map(([m, cause]) => ({ value: errorWith(String(m.value), cause?.value), planted: [...m.planted, ...(cause?.planted ?? [])] })),
      leafSecret.map((s) => ({ value: Buffer.from(String(s.value)), planted: [] })), // contents never leave: not a plant
      // A secret as an object key (keys are scanned too).
      fc.tuple(planted(), tie('tree')).map(([p, t]) => ({ value: { [p.text]: t.value }, planted: [p, ...t.planted] })),
      // A random value under a secret-named key, beside the rest of the tree.
      fc.tuple(keyNameField, tie('tree')).map(([k, t]) => ({ value: { [k.name]: k.planted.text, rest: t.value }, planted: [k.planted, ...t.planted] })),
      // A cycle.
      tie('tree').map((t) => {
        const holder: Record<string, unknown> = { child: t.value };
        holder.self = holder;
        return { value: holder, planted: t.planted };
      }),
    ),
  }));

  function merge(entries: [string, Tree][], build: (entries: [string, unknown][]) => unknown): Tree {
    return { value: build(entries.map(([k, t]) => [k, t.value])), planted: entries.flatMap(([, t]) => t.planted) };
  }

  function errorWith(message: string, cause: unknown): Error {
    const err = new Error(message, cause === undefined ? undefined : { cause });
    return err;
  }

  // ---- checks --------------------------------------------------------------------------------------

  const check = leakChecker(() => engine);
  const leaks = check.leaks;
  const noLeak = (output: string, planted: readonly Planted[], channel: string) => check.noLeak(output, planted, `the ${channel} channel`);

  const params = <Ts>(numRuns = RUNS) => propertyParams<Ts>(numRuns);

  it('parameters: the engine and the gate', () => {
    fc.assert(
      fc.property(tree, (t) => {
        const r = engine.scrubValue(t.value, 'parameters');
        noLeak(JSON.stringify([r.value, r.findings]), t.planted, 'parameters');
        submit('parameters', t.planted, (flowRunId) => ({ kind: 'flow_run', flowRunId, flowName: 'property', parameters: { input: t.value } }));
      }),
      params(),
    );
  });

  it('logs: the engine, the gate and the winston middleware', () => {
    fc.assert(
      fc.property(around(planted()), tree, (line, meta) => {
        const planted = [...line.planted, ...meta.planted];
        const record = engine.scrubValue({ meta: meta.value, message: line.text }, 'logs');
        noLeak(JSON.stringify([record.value, record.findings]), planted, 'logs');
        const info = { level: 'info', [LEVEL]: 'info', message: line.text, meta: meta.value } as Info;
        const winston = guardRecord(info, engine);
        noLeak(JSON.stringify(winston), planted, 'winston');
        submit('logs', planted, (flowRunId) => ({ kind: 'logs', flowRunId, records: [{ flowRunId, level: 'info', time: new Date().toISOString(), message: line.text, meta: { meta: meta.value } }] }));
      }),
      params(),
    );
  });

  it('exceptions: messages, causes and stacks', () => {
    fc.assert(
      fc.property(around(planted()), fc.option(tree, { nil: undefined }), (line, cause) => {
        const err = errorWith(line.text, cause?.value);
        const planted = line.planted; // a cause's content goes out only through its message, scanned the same way
        const r = engine.scrubError(err);
        noLeak(JSON.stringify(r), planted, 'exceptions');
        submit('exceptions', planted, (flowRunId) => ({ kind: 'state', flowRunId, taskRunId: 'task', state: 'Failed', error: err }));
      }),
      params(),
    );
  });

  it('locations: encrypted whole', async () => {
    await fc.assert(
      fc.asyncProperty(around(planted()), async (line) => {
        const r = await engine.scrubLocation(`results/${line.text}.json`);
        noLeak(JSON.stringify(r), line.planted, 'locations');
        submit('locations', line.planted, (flowRunId) => ({ kind: 'state', flowRunId, taskRunId: 'task', state: 'Success', resultLocation: `results/${line.text}.json` }));
      }),
      params(Math.max(50, Math.floor(RUNS / 4))),
    );
  });

  it('names and tags: flow names, task names, tags and upstream names', () => {
    const name = fc.oneof(
      planted().map((p) => ({ text: p.text, planted: [p] })),
      around(planted()),
      fc.string({ maxLength: 12 }).map((text) => ({ text, planted: [] as Planted[] })),
    );
    fc.assert(
      fc.property(name, fc.array(name, { maxLength: 4 }), fc.array(name, { maxLength: 2 }), fc.boolean(), (task, tags, upstream, asFlow) => {
        if (asFlow) {
          const g = guardName(engine, task.text, 'flow_name');
          noLeak(JSON.stringify([g.value, g.findings]), task.planted, 'names (flow name)');
          submit('names', task.planted, (flowRunId) => ({ kind: 'flow_run', flowRunId, flowName: task.text, parameters: {} }));
          return;
        }
        const planted = [task, ...tags, ...upstream].flatMap((n) => n.planted);
        const g = [guardName(engine, task.text, 'task_name'), guardNames(engine, tags.map((t) => t.text), 'tags'), guardNames(engine, upstream.map((u) => u.text), 'upstream')];
        noLeak(JSON.stringify(g.map((x) => [x.value, x.findings])), planted, 'names (task name, tags, upstream)');
        submit('names', planted, (flowRunId) => ({ kind: 'task_run', flowRunId, taskRunId: 'task', taskName: task.text, tags: tags.map((t) => t.text), upstream: upstream.map((u) => u.text) }));
      }),
      params(Math.max(50, Math.floor(RUNS / 4))),
    );
  });

  // ---- value shapes: oversized, circular, amplified -------------------------------------------------

  /** Oversized and amplified cases each send up to a megabyte through the gate, the client and the ledger: a few. */
  const SHAPE_RUNS = Math.max(5, Math.floor(RUNS / 100));
  const where = fc.constantFrom('parameters', 'logs', 'exceptions');

  /** A case's value in one channel, checked at the engine and sent through the gate. */
  function shapeCase(channel: 'parameters' | 'logs' | 'exceptions' | 'tags', value: unknown, planted: readonly Planted[], shape: string): void {
    const label = `${shape} in ${channel}`;
    if (channel === 'parameters') {
      const r = engine.scrubValue({ input: value }, 'parameters');
      noLeak(JSON.stringify([r.value, r.findings]), planted, label);
      submit(label, planted, (flowRunId) => ({ kind: 'flow_run', flowRunId, flowName: 'shapes', parameters: { input: value } }));
    } else if (channel === 'logs') {
      const message = typeof value === 'string' ? value : 'a value';
      const meta = typeof value === 'string' ? {} : { value };
      const r = engine.scrubValue({ ...meta, message }, 'logs');
      noLeak(JSON.stringify([r.value, r.findings]), planted, label);
      submit(label, planted, (flowRunId) => ({ kind: 'logs', flowRunId, records: [{ flowRunId, level: 'info', time: new Date().toISOString(), message, meta }] }));
    } else if (channel === 'exceptions') {
      const err = new Error(typeof value === 'string' ? value : 'a value', { cause: value });
      noLeak(JSON.stringify(engine.scrubError(err)), typeof value === 'string' ? planted : [], label);
      submit(label, typeof value === 'string' ? planted : [], (flowRunId) => ({ kind: 'state', flowRunId, taskRunId: 'task', state: 'Failed', error: err }));
    } else {
      // Tags are strings by the API's type; anything else is what JavaScript lets through.
      const g = guardNames(engine, [value], 'tags');
      noLeak(JSON.stringify([g.value, g.findings]), planted, label);
      submit(label, planted, (flowRunId) => ({ kind: 'task_run', flowRunId, taskRunId: 'task', taskName: 'shapes', tags: [value as string], upstream: [] }));
    }
  }

  it('oversized: a string past the scan limit, planted before and past the cut', () => {
    const limit = engine.policy.limits?.max_scan_length ?? DEFAULT_LIMITS.max_scan_length;
    const filler = 'lorem ipsum dolor sit amet ';
    fc.assert(
      fc.property(planted(), planted(), fc.integer({ min: 0, max: 4096 }), fc.constantFrom('', ' ', 'x'), where, (early, late, over, glue, channel) => {
        // `late` starts past the cut (or, glued to the filler, in the word the cut falls in).
        const pad = filler.repeat(Math.ceil((limit + over) / filler.length)).slice(0, limit + over - early.text.length - 2);
        shapeCase(channel, `${early.text} ${pad}${glue}${late.text}`, [early, late], 'oversized');
      }),
      params(SHAPE_RUNS),
    );
  });

  it('circular: cycles through objects, arrays, Maps and Sets, with plants inside, in parameters, log fields and tags', () => {
    fc.assert(
      fc.property(planted(), tree, keyNameField, fc.constantFrom('parameters', 'logs', 'tags'), (p, t, k, channel) => {
        const holder: Record<string, unknown> = { note: p.text, child: t.value, [k.name]: k.planted.text };
        holder.self = holder;
        holder.list = [holder, { back: holder }];
        holder.map = new Map<string, unknown>([['back', holder]]);
        holder.set = new Set([holder]);
        // A tag that is not a string goes out as inspect() shows it (quoted, escaped, cut): the tree below is not counted there.
        const planted = channel === 'tags' ? [p, k.planted] : [p, k.planted, ...t.planted];
        shapeCase(channel, holder, planted, 'circular');
      }),
      params(Math.max(20, Math.floor(RUNS / 20))),
    );
  });

  it('amplified: one big string with a plant, referenced a thousand times in one record', () => {
    fc.assert(
      fc.property(planted(), fc.integer({ min: 1024, max: 8192 }), fc.constantFrom(500, 1000, 2000), fc.boolean(), fc.constantFrom('parameters', 'logs'), (p, size, copies, asObject, channel) => {
        const half = 'lorem ipsum '.repeat(Math.ceil(size / 24));
        const big = `${half} ${p.text} ${half}`;
        const value = asObject ? Object.fromEntries(Array.from({ length: copies }, (_, i) => [`k${i}`, big])) : new Array<string>(copies).fill(big);
        shapeCase(channel, value, [p], 'amplified');
      }),
      params(SHAPE_RUNS),
    );
  });

  it('none of it reached the control plane\'s data or the ledger (over HTTP, real files)', async () => {
    await gate.drain();
    assert.deepEqual([...gateLeaks], [], 'planted secrets in what the gate sent (detector (encoding), channel)');
    const delivered = (await client.close()).delivered;
    await ledger.close();
    assert.isAtLeast(delivered, RUNS * 3, 'every case went out');
    const files = [...listFiles(dataDir), ...listFiles(ledgerDir)];
    // The filler of the big strings and the stack frames of this test's code hold nothing planted: out of
    // the way, the files are a fraction of their size to search.
    const everything = files
      .map((f) => readFileSync(f, 'utf8'))
      .join('\n')
      .replace(/(?:lorem ipsum (?:dolor sit amet )?){4,}|(?:dolor ){4,}/g, ' ')
      .replace(/\\n {4}at [^\\"]*?\((?:node_modules\/|node:|test\/)[^\\"()]*\)/g, '');
    assert.isAbove(everything.length, 10_000);
    const read = readable(everything);
    // A span that the policy rightly keeps in another example (the username `bob` of a URL whose password
    // is what gets removed) cannot be told apart in the pooled files: those are checked case by case above.
    const kept = plants.map((p) => engine.scrubText(p.carrier, 'logs').text).join('\n');
    // Each distinct span is searched once, all of them in one pass (the files grow with the number of
    // cases); the random values under secret-named keys, one per case, are looked up among the words.
    const labels = new Map<string, Set<string>>();
    const values = new Map<string, Set<string>>();
    for (const { planted, channel } of shipped) {
      const span = planted.plant.span;
      const into = planted.plant.detector === 'key-name' ? values : labels;
      if (!into.has(span)) into.set(span, new Set());
      into.get(span)!.add(`${planted.plant.detector} (${planted.encoding}, ${channel})`);
    }
    const leaked = new Set<string>();
    const spans = [...labels.keys()].filter((span) => !kept.includes(span));
    const needles = [...new Set(spans.flatMap((span) => [span, jsonEscaped(span)]))].sort((a, b) => b.length - a.length);
    const hits = new Set<string>();
    if (needles.length > 0) {
      const anyNeedle = new RegExp(needles.map((n) => n.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|'), 'g');
      for (const text of [everything, read]) for (const [hit] of text.matchAll(anyNeedle)) hits.add(hit);
    }
    for (const span of spans) {
      const e = jsonEscaped(span);
      if ([...hits].some((h) => h.includes(span) || h.includes(e))) labels.get(span)!.forEach((w) => leaked.add(w));
    }
    for (const text of [everything, read]) {
      for (const [run] of text.matchAll(/(?<![A-Za-z0-9])[A-Za-z0-9]{16,64}(?![A-Za-z0-9])/g)) {
        for (let i = 0; i + 16 <= run.length; i++) values.get(run.slice(i, i + 16))?.forEach((w) => leaked.add(w));
      }
    }
    assert.deepEqual([...leaked], [], 'planted secrets found in the control plane data or the ledger');
  });
});

/** The sensitive span of each positive example of each builtin detector, as the engine finds it there. */
function plantsOf(engine: Engine): Plant[] {
  const plants: Plant[] = [];
  for (const d of BUILTIN_DETECTORS) {
    const own = compileScanner([d]);
    for (const carrier of d.examples?.positive ?? []) {
      for (const s of engine.explainText(carrier, 'logs')) {
        if (s.detector !== d.id) continue;
        const span = carrier.slice(s.start, s.end);
        const matchStart = matchStartOf(d, carrier, s.start);
        const glues = (Object.keys(GLUE_CHARS) as Glue[]).filter((g) => {
          const glued = insertAt(carrier, matchStart, GLUE_CHARS[g]);
          return own.scan(glued).some((m) => m.start <= s.start + 1 && m.end >= s.end + 1);
        });
        plants.push({ detector: d.id, carrier, span, start: s.start, matchStart, glues });
      }
    }
  }
  return plants;
}

/** Where the detector's match holding `at` starts (before the key of a detector with a group). */
function matchStartOf(d: DetectorSpec, text: string, at: number): number {
  if (d.group === undefined) return at;
  const re = new RegExp(d.pattern, 'g' + (d.flags ?? '').replace(/[gyd]/g, ''));
  for (const m of text.matchAll(re)) if (m.index <= at && at < m.index + m[0].length) return m.index;
  return at;
}

function listFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? listFiles(path) : [path];
  });
}
