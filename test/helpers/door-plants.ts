/**
 * Planted secrets for the doors' no-leak property tests (OpenTelemetry and Sentry), in the manner of
 * test/hardening/no-leak.property.test.ts but smaller: the sensitive span of every positive example of
 * every builtin detector, written raw or URL-encoded, with text around it; and random values under
 * secret-named keys. A failure names the detector and the encoding, never the value, and gives the seed.
 */
import { assert } from 'chai';
import fc from 'fast-check';
import { BUILTIN_DETECTORS } from '../../lib/detect/catalogue/index.ts';
import type { Engine } from '../../lib/policy/engine.ts';
import { jsonEscaped, readable } from '../hardening/disguises.ts';
import { casings, GLUED_SECRET_KEYS, SECRET_KEY_WORDS } from './key-names.ts';
import { propertyParams } from './property.ts';

export const RUNS = Number(process.env.EGRESS_GUARD_DOOR_PROPERTY_RUNS ?? 150);

export interface Planted {
  /** A detector id, or `key-name` for a random value under a secret-named key. */
  detector: string;
  encoding: 'raw' | 'url' | 'field';
  /** The text that carries the secret, as written. */
  text: string;
  /** What must not get out: the span, and its encoded spelling. */
  spans: string[];
  /** What the policy rightly keeps of the carrier (a URL's user name): not a leak if another plant shows it. */
  kept: string;
}

/** A text or value with the plants it carries. */
export interface Carried<T = string> {
  value: T;
  planted: Planted[];
}

/** The sensitive span of each positive example of each builtin detector, as the engine finds it. */
export function plantsOf(engine: Engine): { detector: string; carrier: string; span: string; kept: string }[] {
  const out: { detector: string; carrier: string; span: string; kept: string }[] = [];
  for (const d of BUILTIN_DETECTORS) {
    for (const carrier of d.examples?.positive ?? []) {
      const kept = engine.scrubText(carrier, 'logs').text;
      for (const s of engine.explainText(carrier, 'logs')) {
        if (s.detector === d.id) out.push({ detector: d.id, carrier, span: carrier.slice(s.start, s.end), kept });
      }
    }
  }
  return out;
}

const SECRET_NAMES = [...new Set([...SECRET_KEY_WORDS.flatMap((w) => casings(w)), ...GLUED_SECRET_KEYS])];
const BASE62 = [...'0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz'];

export function arbitraries(engine: Engine) {
  const plants = plantsOf(engine);
  const planted: fc.Arbitrary<Planted> = fc.tuple(fc.constantFrom(...plants), fc.constantFrom('raw', 'url') as fc.Arbitrary<'raw' | 'url'>).map(([p, encoding]) =>
    encoding === 'raw'
      ? { detector: p.detector, encoding, text: p.carrier, spans: [p.span], kept: p.kept }
      : { detector: p.detector, encoding, text: encodeURIComponent(p.carrier), spans: [p.span, encodeURIComponent(p.span)], kept: p.kept },
  );
  /** A planted secret with text around it, separated as in a log line or a value. */
  const text: fc.Arbitrary<Carried> = fc
    .tuple(fc.string({ maxLength: 16 }), fc.constantFrom(' ', '\n', ', '), planted, fc.constantFrom(' ', '\n', '; '), fc.string({ maxLength: 16 }))
    .map(([before, s1, p, s2, after]) => ({ value: `${before}${s1}${p.text}${s2}${after}`, planted: [p] }));
  const plain: fc.Arbitrary<Carried<unknown>> = fc.oneof(fc.string({ maxLength: 24 }), fc.integer(), fc.boolean()).map((value) => ({ value, planted: [] }));
  /** A random value under a secret-named key. */
  const keyField: fc.Arbitrary<{ key: string; value: string; planted: Planted }> = fc
    .tuple(fc.constantFrom(...SECRET_NAMES), fc.shuffledSubarray(BASE62, { minLength: 16, maxLength: 16 }))
    .map(([key, chars]) => {
      const value = chars.join('');
      return { key, value, planted: { detector: 'key-name', encoding: 'field', text: value, spans: [value], kept: '' } };
    });
  /** A value for an attribute or a field: plain, a planted text, or a list of them. */
  const leaf: fc.Arbitrary<Carried<unknown>> = fc.oneof(
    plain,
    text as fc.Arbitrary<Carried<unknown>>,
    fc.array(fc.oneof(text, fc.string({ maxLength: 12 }).map((value) => ({ value, planted: [] as Planted[] }))), { maxLength: 3 }).map((items) => ({ value: items.map((i) => i.value), planted: items.flatMap((i) => i.planted) })),
  );
  /** Flat attributes (OpenTelemetry's shape): dotted keys, planted values, secret-named keys. */
  const attributes: fc.Arbitrary<Carried<Record<string, unknown>>> = fc
    .tuple(fc.array(fc.tuple(fc.stringMatching(/^[a-z]{1,8}(\.[a-z]{1,8}){0,2}$/), leaf), { maxLength: 5 }), fc.option(keyField, { nil: undefined }))
    .map(([entries, secret]) => {
      const value: Record<string, unknown> = {};
      const planted: Planted[] = [];
      for (const [key, carried] of entries) {
        if (key.startsWith('exception') || key in value) continue;
        value[key] = carried.value;
        planted.push(...carried.planted);
      }
      if (secret !== undefined) {
        value[secret.key] = secret.value;
        planted.push(secret.planted);
      }
      return { value, planted };
    });
  /** Nested values (a structured log body, Sentry's extra and contexts). */
  const { tree } = fc.letrec<{ tree: Carried<unknown> }>((tie) => ({
    tree: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      leaf,
      fc.dictionary(fc.string({ maxLength: 8 }), tie('tree'), { maxKeys: 4 }).map((d) => ({
        value: Object.fromEntries(Object.entries(d).map(([k, c]) => [k, c.value])),
        planted: Object.values(d).flatMap((c) => c.planted),
      })),
      fc.tuple(keyField, tie('tree')).map(([k, t]) => ({ value: { [k.key]: k.value, rest: t.value }, planted: [k.planted, ...t.planted] })),
    ),
  }));
  return { planted, text, attributes, tree, keyField };
}

/**
 * The case's own innocent text: its input as JSON without the planted texts. A short span (`bob`, a home
 * directory's user name) can turn up in a random key by chance: it cannot be told apart there.
 */
export function innocentOf(input: unknown, planted: readonly Planted[]): string {
  let text = JSON.stringify(input) ?? '';
  for (const p of [...planted].sort((a, b) => b.text.length - a.text.length)) text = text.split(jsonEscaped(p.text)).join('\u0000');
  return text;
}

/**
 * What of `planted` the output shows, raw, JSON-escaped or once made readable; not what another plant
 * keeps, nor what the case's innocent text holds anyway.
 */
export function leaks(output: string, planted: readonly Planted[], readableOutput?: string, innocent = ''): string[] {
  let read = readableOutput;
  return planted
    .filter((p) => {
      if (p.spans.some((s) => innocent.includes(s) || innocent.includes(jsonEscaped(s)))) return false;
      const shown = p.spans.some((s) => {
        if (output.includes(s) || output.includes(jsonEscaped(s))) return true;
        read ??= readable(output);
        return read.includes(s);
      });
      return shown && !planted.some((q) => q !== p && p.spans.some((s) => q.kept.includes(s)));
    })
    .map((p) => `${p.detector} (${p.encoding})`);
}

export function noLeak(output: string, planted: readonly Planted[], where: string, innocent = ''): void {
  const leaked = leaks(output, planted, undefined, innocent);
  if (leaked.length > 0) assert.fail(`planted secrets got through ${where}: ${[...new Set(leaked)].join(', ')}`);
}

/** fast-check parameters whose failures never print a counterexample (test/helpers/property.ts). */
export function params<Ts>(numRuns = RUNS): fc.Parameters<Ts> {
  return propertyParams<Ts>(numRuns);
}

/**
 * What of all the cases' plants a pool of files (a ledger) shows, searched in one pass. A span that any
 * case rightly keeps, or that any case's innocent text holds, cannot be told apart in a pool: those are
 * checked case by case instead.
 */
export function pooledLeaks(files: string, all: readonly Planted[], innocent: string): string[] {
  const kept = all.map((p) => p.kept).join('\n');
  const candidates = all.filter((p) => !p.spans.some((s) => kept.includes(s) || innocent.includes(s) || innocent.includes(jsonEscaped(s))));
  const needles = [...new Set(candidates.flatMap((p) => p.spans.flatMap((s) => [s, jsonEscaped(s)])))].sort((a, b) => b.length - a.length);
  if (needles.length === 0) return [];
  const any = new RegExp(needles.map((n) => n.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|'), 'g');
  const hits = new Set<string>();
  for (const text of [files, readable(files)]) for (const [hit] of text.matchAll(any)) hits.add(hit);
  const leaked = new Set<string>();
  for (const p of candidates) if (p.spans.some((s) => hits.has(s) || hits.has(jsonEscaped(s)))) leaked.add(`${p.detector} (${p.encoding})`);
  return [...leaked];
}
