/**
 * What the no-leak property tests count as a leak: a planted span that the output shows, raw, JSON-escaped
 * (`escapes` times: a pino line inside a JSON transport frame is escaped twice), disguised as it was
 * planted, or once the output is made readable; but not a span that another plant of the same case rightly
 * keeps (`bob`, a username in one example and the user name of a URL in another).
 */
import { assert } from 'chai';
import type { Engine } from '../../lib/policy/engine.ts';
import { jsonEscaped, readable, type Encoding, type Plant } from './disguises.ts';

/** A plant as a case carries it. */
export interface Planted {
  plant: Plant;
  /** An Encoding, or `field` for a value under a secret-named key. */
  encoding: Encoding | 'field';
  text: string;
  /** The span as this encoding spells it (zero-width inside, fullwidth, hex, ...): it must not get out either. */
  disguised: string[];
}

/** The leak check of one test file (`engine`: the engine under test, once the file's `before` made it): `leaks` lists what got out, `noLeak` fails the case when anything did. */
export function leakChecker(engine: () => Engine, escapes: 1 | 2 = 1) {
  const keptOf = new Map<string, string>();
  /** What the policy rightly keeps of an example (the username `bob` of a URL whose password it removes). */
  const keptText = (p: Plant): string => {
    if (p.detector === 'key-name') return '';
    if (!keptOf.has(p.carrier)) keptOf.set(p.carrier, engine().scrubText(p.carrier, 'logs').text);
    return keptOf.get(p.carrier)!;
  };
  const spelled = (s: string): string[] => (escapes === 1 ? [s, jsonEscaped(s)] : [s, jsonEscaped(s), jsonEscaped(jsonEscaped(s))]);

  function leaks(output: string, planted: readonly Planted[]): string[] {
    let read: string | undefined;
    return planted
      .filter((p) => {
        const { span } = p.plant;
        const shown = () => {
          if ([span, ...p.disguised].some((s) => spelled(s).some((f) => output.includes(f)))) return true;
          read ??= readable(output);
          return read.includes(span) || read.includes(jsonEscaped(span));
        };
        return shown() && !planted.some((q) => q.plant !== p.plant && keptText(q.plant).includes(span));
      })
      .map((p) => `${p.plant.detector} (${p.encoding})`);
  }

  function noLeak(output: string, planted: readonly Planted[], where: string): void {
    const leaked = leaks(output, planted);
    if (leaked.length > 0) assert.fail(`planted secrets got through ${where}: ${[...new Set(leaked)].join(', ')}`);
  }

  return { leaks, noLeak };
}
