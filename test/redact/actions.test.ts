import { assert } from 'chai';
import { compileAction, mask, REDACTED } from '../../lib/redact/actions.ts';
import { keyedHash } from '../../lib/crypto/hmac.ts';
import { createHmac } from 'node:crypto';

const key = Buffer.from('0123456789abcdef0123456789abcdef');
const noKey = (): Uint8Array => {
  throw new Error('no key');
};

describe('redact/actions', () => {
  it('remove, replace (default and template), allow', () => {
    assert.equal(compileAction('remove', noKey).apply('x', 'd'), REDACTED);
    assert.equal(compileAction('replace', noKey).apply('x', 'github-pat'), '[github-pat]');
    assert.equal(compileAction({ replace: '<{detector}:{detector}>' }, noKey).apply('x', 'e'), '<e:e>');
    assert.equal(compileAction('allow', noKey).apply('keep me', 'd'), 'keep me');
  });

  it('mask keeps at most a quarter of the value, and the length', () => {
    assert.equal(mask('4111111111111111', 4), '************1111');
    assert.equal(mask('abcdefgh', 4), '******gh', 'short values reveal less');
    assert.equal(mask('abc', 4), '***');
    assert.equal(compileAction({ mask: { keep: 2, char: '#' } }, noKey).apply('abcdefghij', 'd'), '########ij');
    assert.equal(mask('é€€€€€€€', 1), '*******€', 'counts characters, not UTF-16 units');
  });

  it('hash is keyed HMAC-SHA-256, stable, and needs the key only when compiled', () => {
    const expected = 'hash:' + createHmac('sha256', key).update('alice').digest('hex').slice(0, 16);
    const action = compileAction('hash', () => key);
    assert.equal(action.apply('alice', 'd'), expected);
    assert.equal(keyedHash(key, 'alice'), expected);
    assert.notEqual(keyedHash(Buffer.from('another key of 32 bytes........'), 'alice'), expected, 'keyed');
    assert.throws(() => compileAction('hash', noKey), /no key/);
    assert.doesNotThrow(() => compileAction('remove', noKey), 'other actions never ask for the key');
  });

  it('encrypt is refused outside the locations channel', () => {
    assert.throws(() => compileAction('encrypt', noKey), /locations channel only/);
  });
});
