/**
 * No leak through the pino door, by property (fast-check), as test/hardening/no-leak.property.test.ts
 * checks the other channels: planted secrets from every builtin detector's examples and random values
 * under secret-named keys, written raw or disguised (URL-encoded, base64, JSON inside a string, hex, a
 * zero-width or ANSI character inside, fullwidth, HTML entities), given to a real pino logger every way it
 * takes content: the message, `%s` and `%o` arguments, the merging object, child bindings and an Error
 * (`err`, with a cause). Each case goes through `guardPino` in this thread (checked line by line, so a
 * failure shrinks to a small case) and through the egress-guard transport in a real worker thread,
 * whose file is checked line by line at the end. The caller's objects must come back unchanged.
 *
 * EGRESS_GUARD_PROPERTY_RUNS (default 1,000, of which this door runs a fifth: 200 cases) sets the size; a
 * failure names the detector and the encoding, never the value.
 */
import { assert } from 'chai';
import fc from 'fast-check';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import pino from 'pino';
import { BUILTIN_DETECTORS } from '../../lib/detect/catalogue/index.ts';
import { createEngineSync } from '../../lib/policy/create.ts';
import type { Engine } from '../../lib/policy/engine.ts';
import { closeTransport, guardPino, guardPinoTransport } from '../../lib/pino/index.ts';
import { encode, encodingsFor, type Encoding, type Plant } from '../hardening/disguises.ts';
import { leakChecker, type Planted } from '../hardening/leaks.ts';
import { casings, GLUED_SECRET_KEYS, SECRET_KEY_WORDS } from '../helpers/key-names.ts';
import { propertyParams } from '../helpers/property.ts';

const RUNS = Math.max(50, Math.floor(Number(process.env.EGRESS_GUARD_PROPERTY_RUNS ?? 1000) / 5));

/**
 * The ways this door's cases write a plant (the shared encoder, test/hardening/disguises.ts): the message,
 * arguments and fields of a log call, where the glued forms and the bulkier encodings add nothing.
 */
const DOOR_ENCODINGS: Encoding[] = ['raw', 'url', 'base64', 'json-in-string', 'zero-width', 'ansi-inside', 'fullwidth', 'html-entities', 'hex'];


/** The sensitive span of each positive example of each builtin detector, as the engine finds it there. */
function plantsOf(engine: Engine): Plant[] {
  const plants: Plant[] = [];
  for (const d of BUILTIN_DETECTORS) {
    for (const carrier of (d.examples?.positive ?? [])) {
      for (const s of engine.explainText(carrier, 'logs')) {
        if (s.detector === d.id) plants.push({ detector: d.id, carrier, span: carrier.slice(s.start, s.end), start: s.start, matchStart: s.start, glues: [] });
      }
    }
  }
  return plants;
}

const SECRET_NAMES = [...new Set([...SECRET_KEY_WORDS.flatMap((w) => casings(w)), ...GLUED_SECRET_KEYS])];
const BASE62 = [...'0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz'];
const randomValue = fc.shuffledSubarray(BASE62, { minLength: 16, maxLength: 16 }).map((chars) => chars.join(''));

interface Tree {
  value: unknown;
  planted: Planted[];
}

/** One call to the logger: what it is given, and everything planted in it. */
interface Case {
  message: string;
  /** `%s` arguments, then one `%o` object. */
  strings: string[];
  object: unknown;
  meta: Record<string, unknown>;
  bindings: Record<string, unknown>;
  error: Error | undefined;
  planted: Planted[];
}

describe('pino: no planted secret leaves through the pino door, by property', function () {
  this.timeout(300_000);
  const engine = createEngineSync('builtin:default');
  const plants = plantsOf(engine);

  const planted = (): fc.Arbitrary<Planted> =>
    fc.tuple(fc.constantFrom(...plants), fc.constantFrom(...DOOR_ENCODINGS), fc.nat(), fc.nat()).map(([plant, encoding, at, pick]) => ({ plant, encoding, ...(encodingsFor(plant).includes(encoding) ? encode(plant, encoding, at, pick) : { text: plant.carrier, disguised: [] }) }));

  /** A random value under a secret-named key, as a field. */
  const keyNameField = fc.tuple(fc.constantFrom(...SECRET_NAMES), randomValue).map(([name, value]) => ({
    name,
    planted: { plant: { detector: 'key-name', carrier: value, span: value, start: 0, matchStart: 0, glues: [] }, encoding: 'field', text: value, disguised: [] } satisfies Planted,
  }));

  /** Text around a planted secret, as it would be in a log line or a value. */
  const around = fc
    .tuple(fc.string({ maxLength: 16 }), fc.constantFrom(' ', '\n', ', '), planted(), fc.constantFrom(' ', '; '), fc.string({ maxLength: 16 }))
    .map(([before, s1, p, s2, after]) => ({ text: `${before}${s1}${p.text}${s2}${after}`, planted: [p] }));

  const leafSecret: fc.Arbitrary<Tree> = fc.oneof(around.map((t) => ({ value: t.text, planted: t.planted })), planted().map((p) => ({ value: p.text, planted: [p] })));
  const leafPlain: fc.Arbitrary<Tree> = fc.oneof(fc.string({ maxLength: 12 }), fc.integer(), fc.boolean(), fc.constant(null)).map((value) => ({ value, planted: [] }));
  /** JSON-shaped trees (pino writes JSON): objects, arrays, secret-named keys and secrets as keys. */
  const { tree } = fc.letrec<{ tree: Tree; node: Tree }>((tie) => ({
    tree: fc.oneof({ depthSize: 'small', withCrossShrink: true }, leafPlain, leafSecret, tie('node')),
    node: fc.oneof(
      fc.dictionary(fc.string({ maxLength: 8 }).filter((k) => k !== 'ship'), tie('tree'), { maxKeys: 3 }).map((d) => ({
        value: Object.fromEntries(Object.entries(d).map(([k, t]) => [k, t.value])),
        planted: Object.values(d).flatMap((t) => t.planted),
      })),
      fc.array(tie('tree'), { maxLength: 3 }).map((items) => ({ value: items.map((i) => i.value), planted: items.flatMap((i) => i.planted) })),
      fc.tuple(keyNameField, tie('tree')).map(([k, t]) => ({ value: { [k.name]: k.planted.text, rest: t.value }, planted: [k.planted, ...t.planted] })),
      fc.tuple(planted(), tie('tree')).map(([p, t]) => ({ value: { [p.text]: t.value }, planted: [p, ...t.planted] })),
    ),
  }));
  const object = (t: fc.Arbitrary<Tree>) => t.map((x) => (typeof x.value === 'object' && x.value !== null && !Array.isArray(x.value) ? x : { value: { value: x.value }, planted: x.planted }));

  const cases: fc.Arbitrary<Case> = fc
    .record({
      message: around,
      strings: fc.array(leafSecret, { maxLength: 2 }),
      object: tree,
      meta: object(tree),
      bindings: object(tree),
      error: fc.option(fc.tuple(around, fc.option(around, { nil: undefined })), { nil: undefined }),
    })
    .map(({ message, strings, object: o, meta, bindings, error }) => ({
      message: message.text,
      strings: strings.map((s) => String(s.value)),
      object: o.value,
      meta: meta.value as Record<string, unknown>,
      bindings: bindings.value as Record<string, unknown>,
      error: error === undefined ? undefined : new Error(error[0].text, error[1] === undefined ? undefined : { cause: new Error(error[1].text) }),
      planted: [...message.planted, ...strings.flatMap((s) => s.planted), ...o.planted, ...meta.planted, ...bindings.planted, ...(error?.[0].planted ?? []), ...(error?.[1]?.planted ?? [])],
    }));

  /**
   * Logs one case: the message with a `%s` per string and a `%o`, the merging object (with `err`), through a
   * child. The pieces are kept apart by `; `: glued by a bare space, a phone number followed by the digits
   * of a `%o` number is one longer number, which the detectors rightly do not take for a phone number.
   */
  function log(logger: pino.Logger, c: Case): void {
    const template = `${c.message}${'; %s'.repeat(c.strings.length)}; %o`;
    logger.child(c.bindings).info({ ...c.meta, ...(c.error !== undefined && { err: c.error }) }, template, ...c.strings, c.object);
  }

  const { noLeak } = leakChecker(() => engine, 2);

  const params = <Ts>(numRuns = RUNS) => propertyParams<Ts>(numRuns);

  it('guardPino in this thread and the transport in a worker: no case leaks, the caller objects stay as they were', async () => {
    let line = '';
    const inProcess = pino(guardPino({ policy: engine }), { write: (s: string) => void (line += s) });
    const file = join(mkdtempSync(join(tmpdir(), 'eg-pino-prop-')), 'shipped.log');
    const transport = pino.transport(guardPinoTransport({ destination: file }));
    const inWorker = pino(transport);
    const sent: Planted[][] = [];
    fc.assert(
      fc.property(cases, (c) => {
        const before = structuredClone({ meta: c.meta, bindings: c.bindings, object: c.object, strings: c.strings });
        const error = c.error === undefined ? undefined : { message: c.error.message, stack: c.error.stack };
        line = '';
        log(inProcess, c);
        noLeak(line, c.planted, 'guardPino');
        assert.isTrue(isDeepStrictEqual({ meta: c.meta, bindings: c.bindings, object: c.object, strings: c.strings }, before), 'the caller objects changed');
        if (error !== undefined) assert.isTrue(error.message === c.error!.message && error.stack === c.error!.stack, 'the Error changed');
        log(inWorker, c);
        sent.push(c.planted);
      }),
      params(),
    );
    await closeTransport(transport);
    const lines = readFileSync(file, 'utf8').split('\n').filter(Boolean);
    assert.lengthOf(lines, sent.length, 'one line per case from the worker');
    lines.forEach((l, i) => noLeak(l, sent[i]!, `the transport (case ${i})`));
  });

  it('plants every builtin detector', () => {
    assert.deepEqual([...new Set(plants.map((p) => p.detector))].sort(), BUILTIN_DETECTORS.map((d) => d.id).sort());
  });
});
