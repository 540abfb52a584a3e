import { assert } from 'chai';
import fc from 'fast-check';
import { createEngine } from '../../lib/policy/create.ts';
import type { Engine } from '../../lib/policy/engine.ts';
import { mayBeDisguised, normalize, toOriginal } from '../../lib/redact/normalize.ts';
import { FALSE_POSITIVE_CORPUS } from '../detect/fp-corpus.ts';
import { assertNoSecret } from '../helpers/secrets.ts';

const GHP = 'ghp_' + 'R7tKq2mWx9LpZ4vN8sB3cD6fG1hJ5kM0yQeT';
const fullwidth = (s: string) => s.replace(/[!-~]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0));

/** The original span of normalised characters [start, end) of `text`. */
function spanOf(text: string, start: number, end: number): [number, number] {
  const n = normalize(text);
  assert.isDefined(n, 'the text changes');
  const m = toOriginal(n!, { detector: 'd', start, end });
  return [m.start, m.end];
}

describe('redact/normalize: text as a reader sees it, and where each character came from', () => {
  it('removes zero-width, bidi and other invisible format characters: a span keeps those inside it, not those around it', () => {
    const text = 'ab\u200bcd\u200b';
    assert.equal(normalize(text)!.text, 'abcd');
    assert.deepEqual(spanOf(text, 0, 4), [0, 5], 'the ZWSP inside is part of the span, the trailing one is not');
    assert.deepEqual(spanOf(text, 2, 4), [3, 5], 'a span starting after a removed character does not include it');
    assert.deepEqual(spanOf(text, 0, 2), [0, 2]);
    const listed = [0x200b, 0x200c, 0x200d, 0x200e, 0x200f, 0x2060, 0x2061, 0x2062, 0x2063, 0x2064, 0xfeff, 0xad, 0x180e];
    const bidi = [0x202a, 0x202b, 0x202c, 0x202d, 0x202e, 0x2066, 0x2067, 0x2068, 0x2069, 0x61c];
    for (const cp of [...listed, ...bidi]) {
      assert.equal(normalize(`g${String.fromCodePoint(cp)}h`)?.text, 'gh', `U+${cp.toString(16)}`);
    }
  });

  it('strips ANSI escapes: CSI, 8-bit CSI, OSC ended by BEL or ST, two-character escapes', () => {
    for (const text of ['a\x1b[31mb', 'a\x1b[1;38;5;208mb', 'a\x9b0mb', 'a\x1b]0;title\x07b', 'a\x1b]8;;https://x.test/\x1b\\b', 'a\x1b(Bb']) {
      assert.equal(normalize(text)?.text, 'ab', JSON.stringify(text));
      assert.deepEqual(spanOf(text, 0, 2), [0, text.length], JSON.stringify(text));
      assert.deepEqual(spanOf(text, 0, 1), [0, 1], 'the escape after the first character is not part of its span');
      assert.deepEqual(spanOf(text, 1, 2), [text.length - 1, text.length], 'nor of the last one');
    }
  });

  it('malformed or unterminated escapes lose only their ESC: what follows is still scanned', () => {
    assert.equal(normalize('a\x1b[12')?.text, 'a[12');
    assert.equal(normalize('a\x1b]0;title ghp_x')?.text, 'a]0;title ghp_x');
    const many = 'x\x1b]'.repeat(20_000);
    const t0 = performance.now();
    assert.equal(normalize(many)?.text, 'x]'.repeat(20_000));
    assert.isBelow(performance.now() - t0, 1000, 'unterminated OSCs do not each search the rest of the text');
  });

  it('decodes HTML entities: decimal, hex, without the `;` too, and the common named ones', () => {
    const cases: [string, string][] = [
      ['alice&#64;example.com', 'alice@example.com'],
      ['alice&#x40;example.com', 'alice@example.com'],
      ['alice&#64example.com', 'alice@example.com'],
      ['&#X40e', '\u040e'],
      ['alice&#0064;example.com', 'alice@example.com'],
      ['alice&commat;example.com', 'alice@example.com'],
      ['&lt;a&gt; &amp; &quot;b&quot; &apos;c&apos;', `<a> & "b" 'c'`],
      ['a&nbsp;b', 'a b'],
      ['&#x67;hp&lowbar;', 'ghp_'],
      ['g&#x200b;h', 'gh'],
      ['&#xff47;', 'g'],
    ];
    for (const [text, read] of cases) assert.equal(normalize(text)?.text, read, text);
    assert.deepEqual(spanOf('alice&#64;example.com', 0, 17), [0, 21]);
    assert.deepEqual(spanOf('alice&#64;example.com', 5, 6), [5, 10], 'the @ comes from the whole entity');
    assert.deepEqual(spanOf('alice&#64;example.com', 6, 17), [10, 21]);
    for (const text of ['Tom & Jerry', 'a=1&b=2', '&unknown;', '&#0;', '&#x110000;', '&#xd800;', '&', '&#']) {
      assert.isUndefined(normalize(text), text);
    }
  });

  it('folds by NFKC, character by character: fullwidth, ligatures, mathematical letters', () => {
    assert.equal(normalize(fullwidth(GHP))?.text, GHP);
    assert.deepEqual(spanOf(fullwidth('abc'), 1, 2), [1, 2]);
    assert.equal(normalize('\ufb01x')?.text, 'fix');
    assert.deepEqual([spanOf('\ufb01x', 0, 1), spanOf('\ufb01x', 1, 2), spanOf('\ufb01x', 1, 3)], [[0, 1], [0, 1], [0, 2]], 'both letters of a ligature come from it');
    const bold = normalize('\u{1d420}h')!; // MATHEMATICAL BOLD SMALL G: two UTF-16 units
    assert.equal(bold.text, 'gh');
    assert.deepEqual(spanOf('\u{1d420}h', 0, 1), [0, 2]);
  });

  it('maps every span exactly, by property: from where its first character starts to where its last one ends', () => {
    // Pieces that normalise on their own, each to a known text: the reference mapping is piece by piece.
    const piece = fc.oneof(
      fc.constantFrom(...'abcXYZ019_-.@ :/'.split('')).map((c) => [c, c]),
      fc.constantFrom('\u200b', '\u00ad', '\u202e', '\ufeff', '\x1b[0m', '\x1b[1;31m', '\x9b2K', '\x1b]0;t\x07', '\x1b(B').map((c) => [c, '']),
      fc.constantFrom(['&#64;', '@'], ['&#x67;', 'g'], ['&amp;', '&'], ['&lt;', '<'], ['&nbsp;', ' '], ['\uff47', 'g'], ['\ufb01', 'fi'], ['\u{1d420}', 'g'], ['\u2474', '(1)']),
    );
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 24 }), (pieces) => {
        const text = pieces.map(([original]) => original).join('');
        const n = normalize(text);
        const read = pieces.map(([, r]) => r).join('');
        if (read === text) return n === undefined;
        assert.equal(n?.text, read);
        const from: number[] = [];
        const to: number[] = [];
        let at = 0;
        for (const [original, r] of pieces) {
          for (let k = 0; k < r.length; k++) {
            from.push(at);
            to.push(at + original.length);
          }
          at += original.length;
        }
        for (let start = 0; start < read.length; start++) {
          for (let end = start + 1; end <= read.length; end++) {
            const m = toOriginal(n!, { detector: 'd', start, end });
            if (m.start !== from[start] || m.end !== to[end - 1]) return false;
          }
        }
        return true;
      }),
      { numRuns: 500, seed: 42 },
    );
  });

  it('returns undefined when nothing changes: ASCII, text that only has case, CJK, emoji, accents', () => {
    for (const text of ['', 'GET /api/v1/orders 200', 'ÉCOLE Ärger', '東京都のテスト', 'ok 😀 👍🏽', 'café naïve']) {
      assert.isUndefined(normalize(text), text);
    }
  });

  it('agrees with NFKC minus default-ignorable characters on every code point of Unicode', () => {
    const invisible = /\p{Default_Ignorable_Code_Point}/gu;
    const wrong: string[] = [];
    for (let cp = 0x80; cp <= 0x10ffff; cp++) {
      if ((cp >= 0xd800 && cp <= 0xdfff) || cp === 0x9b) continue;
      const char = String.fromCodePoint(cp);
      const expected = char.normalize('NFKC').replace(invisible, '');
      if ((normalize(char)?.text ?? char) !== expected) wrong.push(cp.toString(16));
    }
    assert.deepEqual(wrong, []);
  });

  it('mayBeDisguised: false exactly for ASCII text without ESC and `&`', () => {
    for (const text of ['', 'GET /api/v1/orders 200', 'sha256:4b825dc642cb6eb9a060e54bf8d69288fbee4904']) assert.isFalse(mayBeDisguised(text), text);
    for (const text of ['a\x1b[0m', 'a&amp;', 'é', 'gh\u200bp', '\ud800', '\x9b']) assert.isTrue(mayBeDisguised(text), JSON.stringify(text));
  });
});

describe('redact/normalize through the engine: disguised secrets go whole, innocent text is untouched', () => {
  let engine: Engine;
  before(async () => (engine = await createEngine('builtin:default')));

  it('redacts the whole disguised token, disguise included', () => {
    const disguised = [
      `gh\u200bp_${GHP.slice(4)}`,
      `${GHP.slice(0, 7)}\x1b[0m${GHP.slice(7)}`,
      `${GHP.slice(0, 7)}\x1b]0;x\x07${GHP.slice(7)}`,
      `${GHP.slice(0, 20)}\u202e\u2066${GHP.slice(20)}`,
      fullwidth(GHP),
      `&#x67;hp&lowbar;${GHP.slice(4)}`,
      `${GHP.slice(0, 30)}\u00ad${GHP.slice(30, 35)}\ufeff${GHP.slice(35)}`,
    ];
    for (const token of disguised) {
      const out = engine.scrubText(`auth ${token} done`, 'logs');
      assert.equal(out.text, 'auth [REDACTED] done', JSON.stringify(token.slice(0, 8)));
      assert.deepEqual(out.findings.map((f) => f.detector), ['github-token']);
    }
    // What is removed around the token is no part of it (spans are exact at both ends).
    assert.equal(engine.scrubText(`auth \u2066${GHP}\u2069 done`, 'logs').text, 'auth \u2066[REDACTED]\u2069 done');
  });

  it('an entity-encoded email is masked as a whole', () => {
    const out = engine.scrubText('notify alice.smith&#64;example.com now', 'logs');
    assert.equal(out.text, `notify ${'*'.repeat('alice.smith&#64;example'.length)}.com now`);
    assert.deepEqual(out.findings.map((f) => f.detector), ['email-address']);
  });

  it('leaves every line of the false-positive corpus as it is', () => {
    const changed = FALSE_POSITIVE_CORPUS.filter((line) => engine.scrubText(line, 'logs').text !== line);
    assert.deepEqual(changed, []);
  });

  it('leaves innocent entities, CJK, emoji, ANSI colours, digests, UUIDs and binary buffers exactly as they are', () => {
    for (const text of [
      'Tom &amp; Jerry &lt;3 &#169; 2026',
      'ＧＥＴ　／ａｐｉ　東京都のサーバー、ステータス：正常（２００）',
      'deploy ✅ done 🚀 in 12s 👍🏽',
      '\x1b[32minfo\x1b[39m: server listening on :8080',
      '\x1b[1m\x1b[31mERROR\x1b[0m task failed after 3 retries',
      'commit 4b825dc642cb6eb9a060e54bf8d69288fbee4904 tree 9fceb02d0ae598e95dc970b74767f19372d61af8',
      'sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
      'id 0b2c3b5e-6f1e-4f4e-9f71-1d2a7b8c9d0e',
      'mac 00:1a:2b:3c:4d:5e fingerprint 4B:82:5D:C6:42:CB:6E:B9:A0:60:E5:4B:F8:D6:92:88',
      '<Buffer 00 8f ff 12 9a b3 c4 d5 e6 f7 01 02 ... 20 more bytes>',
      'at 10:22:31 and 23:45:56, ratio 66.0% of 100%',
    ]) {
      assert.equal(engine.scrubText(text, 'logs').text, text, JSON.stringify(text.slice(0, 30)));
    }
  });
});

describe('redact/normalize by property: a disguised secret never gets out', () => {
  let engine: Engine;
  before(async () => (engine = await createEngine('builtin:default')));

  const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  const chars = (alphabet: string, n: number) => fc.array(fc.constantFrom(...alphabet), { minLength: n, maxLength: n }).map((a) => a.join(''));
  const tokens = fc.oneof(
    chars(ALNUM, 36).map((s) => ({ secret: `ghp_${s}`, core: s })),
    chars('ABCDEFGHIJKLMNOPQRSTUVWXYZ234567', 16).filter((s) => !s.endsWith('EXAMPLE')).map((s) => ({ secret: `AKIA${s}`, core: `AKIA${s}` })),
    fc.tuple(chars('abcdefghijklmnopqrstuvwxyz', 8), chars('abcdefghijklmnopqrstuvwxyz', 6)).map(([user, host]) => ({ secret: `${user}@${host}.com`, core: `${user}@${host}` })),
  );
  const INVISIBLE = ['\u200b', '\u200c', '\u200d', '\u2060', '\ufeff', '\u00ad', '\u180e', '\u202a', '\u202e', '\u2066', '\u2069', '\u061c'];
  const ANSI = ['\x1b[0m', '\x1b[31m', '\x1b[1;32m', '\x1b[38;5;208m', '\x9b0m', '\x1b]0;title\x07', '\x1b]8;;https://x.test\x1b\\'];
  const entity = (c: string) => fc.constantFrom(`&#${c.charCodeAt(0)};`, `&#x${c.charCodeAt(0).toString(16)};`);
  /** Each character of the secret, kept, made fullwidth or entity-encoded, with something invisible before it or not. */
  const disguise = (secret: string) =>
    fc
      .tuple(
        ...[...secret].map((c) =>
          fc.tuple(
            fc.oneof({ weight: 3, arbitrary: fc.constant('') }, fc.constantFrom(...INVISIBLE), fc.constantFrom(...ANSI)),
            fc.oneof({ weight: 3, arbitrary: fc.constant(c) }, fc.constant(fullwidth(c)), entity(c)),
          ),
        ),
      )
      .map((parts) => parts.map(([before, char]) => before + char).join(''));
  const cases = tokens.chain((t) => fc.record({ token: fc.constant(t), written: disguise(t.secret), before: fc.constantFrom('', 'auth ', 'x=', '"'), after: fc.constantFrom('', ' done', '"', '\n') }));

  it('inserted invisible characters, ANSI escapes, fullwidth and entity-encoded characters: the secret is absent once the output is read the same way', () => {
    fc.assert(
      fc.property(cases, ({ token, written, before, after }) => {
        fc.pre(engine.scrubText(token.secret, 'logs').text !== token.secret); // a low-entropy draw is no secret even undisguised
        const out = engine.scrubText(before + written + after, 'logs').text;
        const read = normalize(out)?.text ?? out;
        assert.ok(!read.includes(token.core), 'token survived');
        assertNoSecret(out, written, 'the scrubbed text');
      }),
      { numRuns: Number(process.env.RUNS ?? 600), seed: Number(process.env.SEED ?? 20261202) },
    );
  });
});
