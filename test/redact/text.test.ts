import { assert } from 'chai';
import fc from 'fast-check';
import { BUILTIN_DETECTORS } from '../../lib/detect/catalogue/index.ts';
import { compileScanner, type Scanner } from '../../lib/detect/scanner.ts';
import type { Match } from '../../lib/detect/types.ts';
import { compileAction } from '../../lib/redact/actions.ts';
import { FindingSink } from '../../lib/redact/findings.ts';
import { CleanStrings, scrubString, truncationMarker, type CompiledValueRule, type CompiledValueRules } from '../../lib/redact/text.ts';

const GHP = 'ghp_' + 'R7tKq2mWx9LpZ4vN8sB3cD6fG1hJ5kM0yQeT';
const noKey = (): Uint8Array => new Uint8Array(32);

function rulesFor(scanner: Scanner, rule: CompiledValueRule, maxScanLength = 1_000_000): CompiledValueRules {
  return { scanner, ruleFor: new Map(scanner.detectors.map((d) => [d.id, rule])), maxScanLength };
}

/** A scanner with one detector per regex (detector ids d0, d1, ...). */
function regexScanner(...patterns: RegExp[]): Scanner {
  const detectors = patterns.map((p, i) => ({ id: `d${i}`, description: '', tags: ['secret'], pattern: p.source }));
  return {
    detectors,
    scan(text) {
      const found: Match[] = [];
      patterns.forEach((p, i) => {
        for (const m of text.matchAll(new RegExp(p.source, 'g'))) found.push({ detector: `d${i}`, start: m.index, end: m.index + m[0].length });
      });
      return found.sort((a, b) => a.start - b.start);
    },
  };
}

describe('redact/text: scrubString', () => {
  it('scope value on a truncated text: the action sees only what was scanned, the marker follows, nothing of the tail gets out', () => {
    const mask: CompiledValueRule = { action: compileAction({ mask: { keep: 4 } }, noKey), scope: 'value' };
    const rules = rulesFor(compileScanner(BUILTIN_DETECTORS), mask, 200);
    const tail = 'session-key-9f8e7d6c5b4a';
    const text = `auth ${GHP} then ${'word '.repeat(60)}${tail}`;
    const out = scrubString(text, rules, '$', new FindingSink());
    assert.isString(out);
    const scanned = text.slice(0, 200).replace(/\S*$/, '');
    assert.equal(out, '*'.repeat(scanned.length - 4) + scanned.slice(-4) + truncationMarker(text.length - scanned.length));
    assert.notInclude(out as string, tail.slice(-4), 'the unscanned tail stays out');
    for (const action of ['hash', 'allow', { replace: '[{detector}]' }] as const) {
      const other = scrubString(text, rulesFor(rules.scanner, { action: compileAction(action, noKey), scope: 'value' }, 200), '$', new FindingSink());
      assert.notInclude(other as string, tail.slice(-8), JSON.stringify(action));
    }
  });

  it('overlapping findings from different encodings are united: nothing of either survives', () => {
    // The base64 run's finding ends where the JSON-escaped one (which starts inside the run) does not.
    const run = Buffer.from('the SECRET is here, ok').toString('base64');
    const text = `${run}\\nTAIL next`;
    const replace: CompiledValueRule = { action: compileAction({ replace: '[{detector}]' }, noKey), scope: 'match' };
    const rules = rulesFor(regexScanner(/SECRET/, /[A-Za-z0-9+\/=]{2}\nTAIL/), replace);
    const sink = new FindingSink();
    assert.equal(scrubString(text, rules, '$', sink), '[d0] next');
    assert.deepEqual(sink.list().map((f) => [f.detector, f.count]), [['d0', 1]], 'one finding, named after the first span');
  });

  it('a text whose findings do not overlap keeps each span as found', () => {
    const replace: CompiledValueRule = { action: compileAction({ replace: '[{detector}]' }, noKey), scope: 'match' };
    const rules = rulesFor(regexScanner(/SECRET/, /TAIL/), replace);
    assert.equal(scrubString('a SECRET b TAIL c SECRETTAIL', rules, '$', new FindingSink()), 'a [d0] b [d1] c [d0][d1]');
  });
});


describe('redact/text: CleanStrings (the clean short-string cache)', () => {
  it('knows exactly the strings added, until another takes the slot: never a string it was not given', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ maxLength: 64 }), { maxLength: 300 }), fc.array(fc.string({ maxLength: 64 }), { maxLength: 300 }), (added, probes) => {
        const clean = new CleanStrings();
        for (const s of added) clean.add(s);
        const last = added.at(-1);
        if (last !== undefined && !clean.has(last)) return false; // the last one added is always known
        // A probe is known only if it was added (with the same content, whatever the object).
        return probes.every((p) => !clean.has(p) || added.includes(p));
      }),
      { numRuns: 300, seed: 7 },
    );
  });

  it('a colliding string evicts the one before it, which is then simply scanned again', () => {
    const clean = new CleanStrings();
    clean.add('GET');
    const colliding = Array.from({ length: 200_000 }, (_, i) => i.toString(36)).find((s) => {
      const probe = new CleanStrings();
      probe.add('GET');
      probe.add(s);
      return !probe.has('GET');
    });
    assert.isDefined(colliding, 'some string shares the slot of GET');
    clean.add(colliding!);
    assert.isFalse(clean.has('GET'));
    assert.isTrue(clean.has(colliding!));
    assert.isTrue(clean.has(`${colliding!.slice(0, 1)}${colliding!.slice(1)}`), 'the same content in another string object');
  });
});
