import { assert } from 'chai';
import fc from 'fast-check';
import { BASE64_ALPHABET } from '../../lib/detect/prefilter.ts';
import { BASE64_RUN_KIND, findRuns, HEX_RUN, RUN_MIN_LENGTH, RUNS_TEXT_MAX } from '../../lib/detect/wasm-runs.ts';
import { realWorldCorpus } from '../../bench/corpus.ts';

const CLASSES = new Uint8Array(0x10000);
for (const c of BASE64_ALPHABET) CLASSES[c.charCodeAt(0)] = /[0-9A-Fa-f]/.test(c) ? 2 : 1;

/** The encoded scan's JavaScript loop (redact/encoded.ts), as the oracle: the runs it meets, in order. */
function oracle(text: string, from: number): number[] {
  const runs: number[] = [];
  for (let i = from; i < text.length; ) {
    const first = CLASSES[text.charCodeAt(i)]!;
    if (first === 0) {
      i++;
      continue;
    }
    let end = i + 1;
    let hexStart = first === 2 ? i : end;
    for (let c = 0; end < text.length && (c = CLASSES[text.charCodeAt(end)]!) !== 0; end++) {
      if (c === 2) continue;
      if (end - hexStart >= RUN_MIN_LENGTH) runs.push(HEX_RUN, hexStart, end);
      hexStart = end + 1;
    }
    if (end - hexStart >= RUN_MIN_LENGTH) runs.push(HEX_RUN, hexStart, end);
    if (end - i >= RUN_MIN_LENGTH) runs.push(BASE64_RUN_KIND, i, end);
    i = end;
  }
  return runs;
}

describe('detect/wasm-runs: the encoded scan\'s runs, in WebAssembly', () => {
  it('finds the runs the JavaScript loop finds, in its order, on real-world lines and from any start', () => {
    for (const [i, line] of realWorldCorpus(3000).entries()) {
      const from = i % 7 === 0 ? Math.floor(line.length / 3) : 0;
      assert.deepEqual(findRuns(line, from, CLASSES), oracle(line, from), line);
    }
  });

  it('by property, on text made of runs, hex, padding and separators', () => {
    const piece = fc.constantFrom('a', 'F', '0', '9', 'g', 'Z', '+', '/', '_', '-', '=', ' ', ':', '.', '0123456789abcdef', 'QUJDREVGR0hJSktMTU5PUA', '\n');
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 60 }), fc.nat(20), (parts, from) => {
        const text = parts.join('');
        assert.deepEqual(findRuns(text, Math.min(from, text.length), CLASSES), oracle(text, Math.min(from, text.length)));
      }),
      { numRuns: 3000, seed: 3 },
    );
  });

  it('declines what it cannot read byte for byte: non-ASCII text, and text past its buffer', () => {
    assert.isUndefined(findRuns(`caf\u00e9 ${'a'.repeat(40)}`, 0, CLASSES));
    assert.isUndefined(findRuns('a'.repeat(RUNS_TEXT_MAX + 1), 0, CLASSES));
    assert.deepEqual(findRuns('a'.repeat(RUNS_TEXT_MAX), 0, CLASSES), [HEX_RUN, 0, RUNS_TEXT_MAX, BASE64_RUN_KIND, 0, RUNS_TEXT_MAX]);
  });
});
