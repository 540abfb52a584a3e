import { assert } from 'chai';
import { BUILTIN_DETECTORS } from '../../lib/detect/catalogue/index.ts';
import { createEngine } from '../../lib/policy/create.ts';
import type { Engine } from '../../lib/policy/engine.ts';
import { ENCODED_DEPTH, encodedMatches } from '../../lib/redact/encoded.ts';
import { assertNoSecret } from '../helpers/secrets.ts';

const GHP = 'ghp_' + 'R7tKq2mWx9LpZ4vN8sB3cD6fG1hJ5kM0yQeT';
const EMAIL = 'alice.smith@example.com';
const b64 = (s: string) => Buffer.from(s).toString('base64');
const hex = (s: string) => Buffer.from(s).toString('hex');
const bytes = (s: string, separator: string) => hex(s).match(/../g)!.join(separator);

describe('redact: encoded secrets and JSON inside strings', () => {
  let engine: Engine;
  before(async () => (engine = await createEngine('builtin:default')));

  it('URL-encoded: the finding maps back to exactly the encoded characters', () => {
    const text = `GET /cb?email=${encodeURIComponent(EMAIL)}&next=%2Fhome 200`;
    const out = engine.scrubText(text, 'logs');
    assert.equal(out.text, `GET /cb?email=${'*'.repeat(encodeURIComponent(EMAIL).length - 4)}.com&next=%2Fhome 200`);
    assert.deepEqual(out.findings.map((f) => f.detector), ['email-address']);
  });

  it("URL-encoded text keeps its single quotes (encodeURIComponent leaves them): the context before one still counts", () => {
    // Found by the no-leak property test: the run stopped at `'`, and `-udeploy:` was cut from its password.
    const password = 'T4kz9Wq1Lm';
    const text = `GET /run?cmd=${encodeURIComponent(`curl -udeploy:'${password}' https://artifacts.internal`)} 200`;
    assertNoSecret(engine.scrubText(text, 'logs').text, password, 'the URL-encoded command line');
  });

  it('base64 and base64url, padded or not, alone or in a line: the whole run goes', () => {
    for (const encoded of [b64(`deploy:${GHP}`), Buffer.from(`{"token":"${GHP}"}`).toString('base64url'), b64(`x ${GHP}`).replace(/=+$/, '')]) {
      for (const text of [encoded, `auth=${encoded}; next`, `"${encoded}"`]) {
        const out = engine.scrubText(text, 'logs');
        assertNoSecret(out.text, encoded, 'the scrubbed text');
        assert.include(out.text, '[REDACTED]');
      }
    }
  });

  it('two levels deep: base64 inside a URL-encoded value', () => {
    const text = `q=${encodeURIComponent(b64(`mail ${EMAIL} now`))}`;
    const out = engine.scrubText(text, 'logs');
    assert.deepEqual(out.findings.map((f) => f.detector), ['email-address']);
    assert.notInclude(out.text, encodeURIComponent(b64(`mail ${EMAIL} now`)).slice(0, 20));
  });

  it('an assignment URL-encoded inside a query value (note=password%3D...): each query component is decoded on its own too', () => {
    const password = 'Hunter2-but-longer';
    for (const inner of [`password=${password}`, `api_key=${GHP.slice(4)}`, `token=${GHP.slice(4)}&x=1`]) {
      for (const text of [`GET /hook?note=${encodeURIComponent(inner)}&page=2`, `note=${encodeURIComponent(inner)}`, `https://h.example/x;a=${encodeURIComponent(inner)}`]) {
        const out = engine.scrubText(text, 'logs');
        assertNoSecret(out.text, [password, GHP.slice(4)], text.slice(0, 24));
        assert.include(out.text, '[REDACTED]');
      }
    }
    assert.equal(engine.scrubText('GET /search?q=hello%20world&page=2', 'logs').text, 'GET /search?q=hello%20world&page=2', 'innocent encoded text stays');
  });

  it('leaves alone what only looks encoded: digests, UUIDs, paths, percentages, binary base64', () => {
    for (const text of [
      'commit 3f786850e387550fdab836ed7e6dc881de23001b',
      'id 0b2c3b5e-6f1e-4f4e-9f71-1d2a7b8c9d0e',
      'GET /api/v2/orders/ord_1234567890/items',
      'cache hit ratio 66.0% keys=3403',
      `blob ${Buffer.from(Array.from({ length: 48 }, (_, i) => (i * 97 + 13) % 256)).toString('base64')}`,
      `name ${b64('just some ordinary words here')}`,
    ]) {
      assert.equal(engine.scrubText(text, 'logs').text, text, text);
    }
  });

  it('encodedMatches reports spans of the original text', () => {
    const fake = { detectors: [], scan: (t: string) => { const i = t.indexOf('SECRET'); return i < 0 ? [] : [{ detector: 'd', start: i, end: i + 6 }]; } };
    assert.deepEqual(encodedMatches('a=%53ECRET&b', fake), [{ detector: 'd', start: 2, end: 10 }]);
    const run = b64('the SECRET is here');
    assert.deepEqual(encodedMatches(`x ${run} y`, fake), [{ detector: 'd', start: 2, end: 2 + run.length }]);
  });

  it('hex: a continuous run, after 0x or a word, bytes separated by spaces or colons, a Node Buffer: the whole run goes', () => {
    const cases: [string, string][] = [
      [`key ${hex(`deploy ${GHP}`)} end`, 'key [REDACTED] end'],
      [`key ${hex(`deploy ${GHP}`).toUpperCase()} end`, 'key [REDACTED] end'],
      [`key=0x${hex(GHP)};`, 'key=0x[REDACTED];'],
      [`key=data${hex(GHP)}`, 'key=dat[REDACTED]'], // odd: the `a` of the word is a hex digit too
      [`bytes ${bytes(`x ${GHP}`, ' ')} end`, 'bytes [REDACTED] end'],
      [`bytes ${bytes(`x ${GHP}`, ':')} end`, 'bytes [REDACTED] end'],
      [`<Buffer ${bytes(GHP, ' ')}>`, '<Buffer [REDACTED]>'],
      [`token=<Buffer ${hex(`${GHP} and then some more text`).match(/../g)!.slice(0, 50).join(' ')} ... 16 more bytes>`, 'token=<Buffer [REDACTED] ... 16 more bytes>'],
    ];
    for (const [text, expected] of cases) {
      const out = engine.scrubText(text, 'logs');
      assert.equal(out.text, expected, expected);
      assert.deepEqual(out.findings.map((f) => f.detector), ['github-token'], expected);
    }
  });

  it('hex glued to a word that reads as a byte (`be 67 68 …`): the stray byte does not hide the text after it', () => {
    const cases: [string, string][] = [
      [`to be ${bytes(`token=${GHP}`, ' ')} ok`, 'to [REDACTED] ok'],
      [`x?83 ${bytes(`token=${GHP}`, ' ')}`, 'x?[REDACTED]'],
      [`key=be${hex(`token=${GHP}`)}`, 'key=[REDACTED]'],
    ];
    for (const [text, expected] of cases) assert.equal(engine.scrubText(text, 'logs').text, expected, expected);
  });

  it('a neighbouring word of hex digits at either end of a run (a byte that is text, a stray, a control) hides no example of any detector', () => {
    // Found by the no-leak property test: `… 31 37 2e cF` (a stray made a short run binary) and `… 77 51 4e`
    // (an `N` glued onto a fixed-length token). Every positive example that the raw scan finds must be
    // found in hex with any such neighbour on either side or both.
    const neighbours = ['4e', 'cF', 'be', '12', '7f'];
    let tried = 0;
    for (const [detector, example] of BUILTIN_DETECTORS.flatMap((d) => (d.examples?.positive ?? []).map((e) => [d.id, e] as const))) {
      if (engine.scrubText(example, 'logs').text === example) continue; // off in this policy, or key-name only
      for (const before of ['', ...neighbours]) {
        for (const after of ['', ...neighbours]) {
          for (const [run, separator] of [[bytes(example, ' '), ' '], [hex(example), '']] as const) {
            const text = `x ${[before, run, after].filter(Boolean).join(separator)} y`;
            const kept = engine.scrubText(text, 'logs').text.includes(run.slice(2, -2)); // the message names no secret
            assert.isFalse(kept, `a ${detector} example in hex (${separator ? 'bytes' : 'a run'}) between ${before || 'nothing'} and ${after || 'nothing'}`);
            tried++;
          }
        }
      }
    }
    assert.isAbove(tried, 1000);
  });

  it('escapes as util.inspect and Python write them (`\\x1B`) are undone, then read like the rest', () => {
    const text = `{ note: 'gh\\x1B[0mp_${GHP.slice(4)}', n: 1 }`;
    assert.equal(engine.scrubText(text, 'logs').text, "{ note: '[REDACTED]', n: 1 }");
  });

  it(`${ENCODED_DEPTH} levels deep and no deeper: the depth is one constant`, () => {
    const fake = { detectors: [], scan: (t: string) => { const i = t.indexOf('SECRET'); return i < 0 ? [] : [{ detector: 'd', start: i, end: i + 6 }]; } };
    let text = 'the SECRET is here';
    for (let level = 1; level <= ENCODED_DEPTH + 1; level++) {
      text = b64(`level ${level}: ${text}`);
      assert.lengthOf(encodedMatches(text, fake), level <= ENCODED_DEPTH ? 1 : 0, `level ${level}`);
    }
    const out = engine.scrubText(`x ${b64(b64(b64(`token ${GHP}`)))} y`, 'logs');
    assert.equal(out.text, 'x [REDACTED] y');
  });

  it('combinations within the depth: disguised text inside an encoding, one encoding inside another', () => {
    for (const text of [
      b64(`token gh\u200bp_${GHP.slice(4)} here`),
      b64(`token ${GHP.slice(0, 9)}\x1b[0m${GHP.slice(9)}`),
      b64(`hex ${hex(GHP)} inside`),
      hex(`b64 ${b64(`x ${GHP}`)} inside`),
      `q=${encodeURIComponent(`mail alice&#64;example.com`)}`,
      JSON.stringify({ note: `fullwidth ${GHP.replace(/[a-z]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0))}` }),
      `u=${encodeURIComponent(b64(bytes(`x ${GHP}`, ':')))}`,
    ]) {
      const out = engine.scrubText(`v ${text} w`, 'logs');
      assert.notEqual(out.text, `v ${text} w`, text.slice(0, 24));
      assertNoSecret(out.text, { encoded: text, token: GHP }, 'the scrubbed text');
    }
  });

  it('leaves alone hex that is binary or holds nothing: digests, fingerprints, MAC addresses, plain words', () => {
    for (const text of [
      'sha1 4b825dc642cb6eb9a060e54bf8d69288fbee4904 sha256 e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
      `key 0x${'00ff12ab'.repeat(4)}`,
      'SHA256:4B:82:5D:C6:42:CB:6E:B9:A0:60:E5:4B:F8:D6:92:88:FB:EE:49:04',
      'mac 00:1a:2b:3c:4d:5e, 01 23 45 67 89 ab cd ef',
      `<Buffer ${bytes('\x00\x01binary\xff\xfe'.repeat(3), ' ')}>`,
      `note ${hex('just some ordinary words here')} and ${bytes('more ordinary words', ':')}`,
    ]) {
      assert.equal(engine.scrubText(text, 'logs').text, text, text.slice(0, 24));
    }
  });

  it('JSON inside a string value is walked: key-path rules and detectors act inside it, nothing else changes', () => {
    const body = JSON.stringify({ user: { password: 'plain words only', email: EMAIL }, note: 'ok' });
    const r = engine.scrubValue({ body, plain: '{"count": 2}', notJson: '{count: 2}' }, 'logs');
    assert.deepEqual(r.value, { body: '{"user":{"email":"*******************.com"},"note":"ok"}', plain: '{"count": 2}', notJson: '{count: 2}' });
    assert.deepEqual(r.findings.map((f) => [f.detector, f.path]), [['key-name', 'body.user.password'], ['email-address', 'body.user.email']]);
  });
});
