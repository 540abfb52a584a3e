import { assert } from 'chai';
import fc from 'fast-check';
import { CleanStrings } from '../../lib/redact/text.ts';

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
