import { assert } from 'chai';
import { compileScanner } from '../../lib/detect/scanner.ts';
import { KeywordIndex } from '../../lib/detect/keywords.ts';
import { BUILTIN_DETECTORS } from '../../lib/detect/catalogue/index.ts';
import fc from 'fast-check';
import { EMAIL, TEST_CATALOGUE, TOKEN } from '../helpers/catalogue.ts';

describe('detect/scanner', () => {
  const scanner = compileScanner(TEST_CATALOGUE);
  const spans = (text: string) => scanner.scan(text).map((m) => [m.detector, text.slice(m.start, m.end)]);

  it('finds each detector, keyword-gated or not, with exact spans', () => {
    assert.deepEqual(spans(`send ${TOKEN} to ${EMAIL}`), [
      ['test-token', TOKEN],
      ['test-email', EMAIL],
    ]);
    assert.deepEqual(spans('ssn 123-45-6789.'), [['test-digits', '123-45-6789']]);
  });

  it('keywords match case-insensitively, patterns keep their own case rules', () => {
    assert.deepEqual(spans('PASSWORD=abcd1234'), [], 'pattern is case-sensitive');
    assert.deepEqual(spans('x password=abcd1234 y'), [['test-password', 'abcd1234']]);
  });

  it('reports only the capture group when a detector has one', () => {
    const text = 'url?password=s3cretvalue&x=1';
    const [m] = scanner.scan(text);
    assert.equal(text.slice(m!.start, m!.end), 's3cretvalue');
  });

  it('merges overlapping matches and prefers a specific detector over a generic one', () => {
    const text = `password=${TOKEN}`;
    const matches = scanner.scan(text);
    assert.lengthOf(matches, 1);
    assert.equal(matches[0]!.detector, 'test-token');
    assert.equal(text.slice(matches[0]!.start, matches[0]!.end), TOKEN);
  });

  it('returns no matches on clean text and on empty text', () => {
    assert.deepEqual(scanner.scan('GET /api/v1/orders 200 12ms'), []);
    assert.deepEqual(scanner.scan(''), []);
  });

  it('drops matches that fail the validator or the entropy floor', () => {
    const s = compileScanner([
      { id: 'card', description: '', tags: ['pii'], pattern: '\\b\\d{16}\\b', validate: 'luhn' },
      { id: 'key', description: '', tags: ['secret'], pattern: '\\bkey_[a-z0-9]{16}\\b', keywords: ['key_'], entropy: 3 },
    ]);
    assert.lengthOf(s.scan('4111111111111111'), 1, 'Luhn-valid card');
    assert.lengthOf(s.scan('4111111111111112'), 0, 'Luhn-invalid run');
    assert.lengthOf(s.scan('key_aaaaaaaaaaaaaaaa'), 0, 'low entropy');
    assert.lengthOf(s.scan('key_q8d2k5x9m3v7b1n4'), 1, 'high entropy');
  });

  it('is stateless between calls (global regexes are reset)', () => {
    const text = `a ${TOKEN} b`;
    assert.deepEqual(scanner.scan(text), scanner.scan(text));
  });
});

describe('detect/scanner: claims of detectors that understand a region', () => {
  const all = compileScanner(BUILTIN_DETECTORS);
  const single = BUILTIN_DETECTORS.map((d) => compileScanner([d]));

  it('two detectors whose claims hold each other\'s match do not remove each other (the password stays found)', () => {
    for (const text of ['db=postgres://us\\\\er:Xk9pL2mQ7vR4@db.internal/x', 'db=postgres://us\\\\er:Xk9pL2mQ7vR4@db.internal/x 10.1.2.3']) {
      const found = all.scan(text);
      assert.isTrue(found.some((m) => text.slice(m.start, m.end).includes('Xk9pL2mQ7vR4')), 'the password is covered');
    }
  });

  it('a claim speaks for its own finding only: another secret inside the region it runs across stays found', () => {
    // cli-attached-password claims from `mysql` to its `-p` password: here across a second command's password.
    const text = 'mysql --password=Tr0ub4dor-3 orders then failed: mariadb -u app -p4bZq8TkLw2 -e "select 1"';
    const found = all.scan(text).map((m) => text.slice(m.start, m.end));
    assert.isTrue(found.some((s) => s.includes('Tr0ub4dor-3')), 'the first password is found');
    assert.isTrue(found.some((s) => s.includes('4bZq8TkLw2')), 'the second password is found');
  });

  it('by property: whatever one detector finds, the whole catalogue finds something there too, and never throws', () => {
    const pieces = BUILTIN_DETECTORS.flatMap((d) => d.examples?.positive ?? []);
    const text = fc.array(fc.oneof(fc.constantFrom(...pieces), fc.constantFrom(' ', '\\', '@', ':', '//', '=', '"', 'x')), { minLength: 1, maxLength: 6 }).map((parts) => parts.join(''));
    fc.assert(
      fc.property(text, (t) => {
        const merged = all.scan(t);
        for (const s of single) {
          for (const m of s.scan(t)) {
            assert.isTrue(merged.some((x) => x.start < m.end && m.start < x.end), `a match of ${m.detector} is covered`);
          }
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe('detect/keywords', () => {
  it('finds every keyword in one pass, case-insensitively, overlapping ones too', () => {
    const index = new KeywordIndex<string>();
    for (const k of ['he', 'she', 'his', 'hers', 'AKIA']) index.add(k, k);
    index.build();
    assert.sameMembers(index.candidates('uSHErs')!, ['she', 'he', 'hers']);
    assert.sameMembers(index.candidates('key=akia1234')!, ['AKIA']);
    assert.isUndefined(index.candidates('nothing to see'));
    assert.isUndefined(index.candidates('h\u00e9rs'), 'non-ASCII resets the automaton');
  });

  it('refuses non-ASCII and empty keywords', () => {
    const index = new KeywordIndex<string>();
    assert.throws(() => index.add('', 'x'), /non-empty ASCII/);
    assert.throws(() => index.add('pässword', 'x'), /non-empty ASCII/);
  });
});
