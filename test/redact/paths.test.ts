import { assert } from 'chai';
import { FirstPathMatch, formatPath, matchPath, parsePath, PathMatch } from '../../lib/redact/paths.ts';

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

describe('redact/paths: FirstPathMatch (the field-rule index)', () => {
  const rules = ['user.password', '**.password', '**.token', 'a.*.token', '**', 'x.**.y'].map((source) => ({ source, pattern: parsePath(source) }));
  const first = new FirstPathMatch(rules, (r) => r.pattern);
  const check = (path: string[]) => first.first(path.map((k) => k.toLowerCase()))?.source;

  it('returns the first rule in policy order that matches, like trying each in turn', () => {
    const paths = [['user', 'password'], ['db', 'Password'], ['a', 'b', 'token'], ['token'], ['x', 'q', 'y'], ['x'], [], ['a', 'b', 'c']];
    for (const path of paths) {
      const expected = rules.find((r) => matchPath(r.pattern, path) === PathMatch.Full)?.source;
      assert.equal(check(path), expected, path.join('.'));
    }
    assert.equal(check(['user', 'password']), 'user.password', 'an earlier anchored rule beats a later **.name rule');
    assert.equal(check(['a', 'b', 'token']), '**.token', 'an earlier **.name rule beats a later anchored one');
  });

  it('with no catch-all, unmatched paths match nothing', () => {
    const only = new FirstPathMatch([{ pattern: parsePath('**.secret') }, { pattern: parsePath('cfg.key') }], (r) => r.pattern);
    assert.isUndefined(only.first(['cfg', 'other']));
    assert.isUndefined(only.first(['secret', 'x']));
    assert.isDefined(only.first(['cfg', 'key']));
    assert.isDefined(only.first(['deep', 'er', 'secret']));
  });
});
