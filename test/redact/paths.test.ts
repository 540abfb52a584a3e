import { assert } from 'chai';
import { formatPath, matchPath, parsePath, PathMatch } from '../../lib/redact/paths.ts';

describe('redact/paths', () => {
  it('parses dotted, bracketed, quoted and wildcard segments', () => {
    assert.deepEqual(parsePath('a.b'), ['a', 'b']);
    assert.deepEqual(parsePath('items[*].Token'), ['items', '*', 'token']);
    assert.deepEqual(parsePath('headers["X-Api-Key"]'), ['headers', 'x-api-key']);
    assert.deepEqual(parsePath("a['b.c'].d"), ['a', 'b.c', 'd']);
    assert.deepEqual(parsePath('**.password'), ['**', 'password']);
    assert.deepEqual(parsePath('list[0]'), ['list', '0']);
  });

  it('refuses malformed paths with the position', () => {
    assert.throws(() => parsePath('a..b'), /empty key at character 3/);
    assert.throws(() => parsePath('a[b'), /unclosed/);
    assert.throws(() => parsePath('a[b]'), /number, \* or a quoted key/);
    assert.throws(() => parsePath('a.'), /trailing/);
  });

  it('matches case-insensitively with * and **', () => {
    const m = (p: string, path: string[]) => matchPath(parsePath(p), path);
    assert.equal(m('**.password', ['db', 'Password']), PathMatch.Full);
    assert.equal(m('**.password', ['password']), PathMatch.Full, '** matches zero keys');
    assert.equal(m('**.password', ['password_reset_url']), PathMatch.Prefix, 'not selected; a descendant could be');
    assert.equal(m('*.token', ['a', 'token']), PathMatch.Full);
    assert.equal(m('*.token', ['a', 'b', 'token']), PathMatch.None);
    assert.equal(m('items[*].sku', ['items', '3', 'sku']), PathMatch.Full);
    assert.equal(m('items[*].sku', ['items', '3']), PathMatch.Prefix);
    assert.equal(m('a.b', ['a']), PathMatch.Prefix);
    assert.equal(m('a.b', ['a', 'b', 'c']), PathMatch.None);
  });

  it('formats concrete paths for findings', () => {
    assert.equal(formatPath([]), '$');
    assert.equal(formatPath(['a', 'b', '0', 'x y']), 'a.b[0]["x y"]');
  });
});
