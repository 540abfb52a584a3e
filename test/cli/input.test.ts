/** The filter commands' line reader: lines as readline would give them, whatever the chunking. */
import { assert } from 'chai';
import fc from 'fast-check';
import { Readable } from 'node:stream';
import { inputLineBatches } from '../../lib/cli/input.ts';
import type { CommandIO } from '../../lib/cli/io.ts';

async function linesOf(chunks: (string | Buffer)[]): Promise<string[]> {
  const io = { stdin: Readable.from(chunks, { objectMode: false }) } as unknown as CommandIO;
  const out: string[] = [];
  for await (const batch of await inputLineBatches('-', io)) out.push(...batch);
  return out;
}

/** What readline gives for the whole text: line ends \r\n, \n or a lone \r; no empty last line. */
function reference(text: string): string[] {
  const lines = text.split(/\r\n|\n|\r/);
  if (lines.at(-1) === '') lines.pop();
  return lines;
}

describe('cli/input: lines in batches', () => {
  it('splits \\r\\n across chunks as one line end, and a character split across chunks as one character', async () => {
    assert.deepEqual(await linesOf(['a\r', '\nb\r', 'c\n']), ['a', 'b', 'c']);
    const euro = Buffer.from('x€y\n', 'utf8');
    assert.deepEqual(await linesOf([euro.subarray(0, 2), euro.subarray(2)]), ['x€y']);
    assert.deepEqual(await linesOf(['no end']), ['no end']);
    assert.deepEqual(await linesOf(['a\n\n', 'b']), ['a', '', 'b']);
    assert.deepEqual(await linesOf(['end\r']), ['end']);
  });

  it('by property: any text cut into any chunks reads as readline reads it whole', async () => {
    const text = fc.array(fc.constantFrom('a', 'bc', '€', '\n', '\r', '\r\n', ' ', '{"x":1}'), { maxLength: 40 }).map((xs) => xs.join(''));
    await fc.assert(
      fc.asyncProperty(text, fc.array(fc.nat(60), { maxLength: 6 }), async (t, cuts) => {
        const bytes = Buffer.from(t, 'utf8');
        const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
        const chunks: Buffer[] = [];
        let from = 0;
        for (const p of [...points, bytes.length]) {
          if (p > from) chunks.push(bytes.subarray(from, p));
          from = Math.max(from, p);
        }
        assert.deepEqual(await linesOf(chunks), reference(t));
      }),
      { numRuns: 500 },
    );
  });
});
