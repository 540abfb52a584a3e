import { assert } from 'chai';
import fc from 'fast-check';
import { BUILTIN_DETECTORS } from '../../lib/detect/catalogue/index.ts';
import { BASE64_MIN_RUN, BASE64_RUN, compilePrefilter, TRIGGER_LEAD, type Prefilter } from '../../lib/detect/prefilter.ts';
import { WASM_TEXT_MAX } from '../../lib/detect/wasm-pass.ts';
import { KeywordIndex } from '../../lib/detect/keywords.ts';
import { compileScanner, type ScanHints } from '../../lib/detect/scanner.ts';
import { MAX_STATES, TriggerAutomaton, TriggerSyntaxError } from '../../lib/detect/trigger-dfa.ts';
import type { DetectorSpec } from '../../lib/detect/types.ts';
import { encodedMatches } from '../../lib/redact/encoded.ts';
import { corpus, realWorldCorpus } from '../../bench/corpus.ts';

const BUILTIN_TRIGGERS = [...new Set(BUILTIN_DETECTORS.flatMap((d) => (d.trigger === undefined ? [] : [d.trigger])))];

/** Which of the regexes occur in the text, as the prefilter reads it (after TRIGGER_LEAD). */
function regexFired(sources: readonly string[], text: string): number {
  return sources.reduce((bits, source, g) => (new RegExp(source).test(TRIGGER_LEAD + text) ? bits | (1 << g) : bits), 0);
}

/** Text made of what triggers are made of: digits, separators, hex and capital letters, non-ASCII. */
const triggerishText = fc
  .array(fc.constantFrom(...'0123456789 .-):ABCDEFZaf_/+xX\u00a0\u2028é\n'.split(''), 'AKIA', '555-', '::'), { maxLength: 60 })
  .map((parts) => parts.join(''));

describe('detect/trigger-dfa', () => {
  it('compiles every builtin trigger and the base64 run, so the builtin scan never falls back to regexes', () => {
    assert.doesNotThrow(() => TriggerAutomaton.compile([...BUILTIN_TRIGGERS, BASE64_RUN]));
  });

  it('reports exactly the triggers the regexes find, on the benchmark corpus and on random text', () => {
    const automaton = TriggerAutomaton.compile(BUILTIN_TRIGGERS);
    for (const [i, line] of corpus(3000).entries()) {
      assert.equal(automaton.fired(line), regexFired(BUILTIN_TRIGGERS, line), `corpus line ${i}`);
    }
    fc.assert(fc.property(triggerishText, (text) => automaton.fired(text) === regexFired(BUILTIN_TRIGGERS, text)), { numRuns: 3000, seed: 42 });
  });

  it('follows JavaScript on classes, escapes, quantifiers and non-ASCII characters', () => {
    const sources = ['[]x', '[^]y', 'a\\sb', 'c\\Sd', 'e[^0-9]f', 'g\\wh', '(?:ab|cd){2}', 'k\\d{2,3}?m', 'n[+/-]+o', 'p\\.q'];
    const automaton = TriggerAutomaton.compile(sources);
    const texts = ['x', '\u00e9y', 'a\u00a0b', 'a\u2028b', 'a\u00e9b', 'c\u00e9d', 'c\u00a0d', 'e\u00e9f', 'e5f', 'g_h', 'g\u00e9h', 'abcd', 'cdab', 'abab', 'ab', 'k12m', 'k1234m', 'n+/-o', 'no', 'p.q', 'pxq'];
    for (const text of texts) assert.equal(automaton.fired(text), regexFired(sources, text), JSON.stringify(text));
  });

  it('built lazily: a cache far too small starts over as often as it must, and the answers stay the same', () => {
    const tiny = TriggerAutomaton.compile(BUILTIN_TRIGGERS, 8);
    for (const [i, line] of corpus(500).entries()) assert.equal(tiny.fired(line), regexFired(BUILTIN_TRIGGERS, line), `corpus line ${i}`);
    fc.assert(fc.property(triggerishText, (text) => tiny.fired(text) === regexFired(BUILTIN_TRIGGERS, text)), { numRuns: 500, seed: 5 });
  });

  it('reads keywords as the regex does under the iu flags: the Kelvin sign is a k, the long s an s', () => {
    const spec = (flags: string): DetectorSpec => ({ id: 'custom', description: '', tags: ['secret'], pattern: 'token=\\w{8,64}|pass=\\w{8,64}', flags, keywords: ['token=', 'pass='] });
    for (const text of ['to\u212Aen=abcdefgh12', 'pa\u017Fs=abcdefgh12', 'TO\u212AEN=abcdefgh12']) {
      const oracle = compileScanner([spec('iu')], { prefilter: false }).scan(text);
      assert.lengthOf(oracle, 1, 'the regex finds it under iu');
      assert.deepEqual(compileScanner([spec('iu')]).scan(text), oracle, 'and so does the prefiltered scan');
    }
    const index = new KeywordIndex<number>();
    index.add('token=', 1);
    index.build();
    assert.deepEqual(index.candidates('a to\u212Aen=b'), [1], 'the reference loop too');
    assert.throws(() => compileScanner([{ ...spec('i'), keywords: undefined, trigger: 'token' }]), /a trigger cannot be combined with the i or u flag/);
  });

  it('the builtin triggers stay well inside the state cache on realistic logs (else every line rebuilds it)', () => {
    // A trigger that restarts a count at every character of a run (`[13][base58]{25}`) multiplied the states
    // past MAX_STATES, and scrubbing slowed 45-fold: this is where such a trigger shows.
    for (const lines of [corpus(20_000), realWorldCorpus(20_000)]) {
      const automaton = TriggerAutomaton.compile([...BUILTIN_TRIGGERS, BASE64_RUN], 60_000 + lines.length); // room to count them all
      for (const line of lines) automaton.fired(line);
      assert.isBelow(automaton.builtStates, MAX_STATES / 2);
    }
  });

  it('keeps the automata of the 16 trigger sets compiled last, sharing each while it is kept', () => {
    const first = TriggerAutomaton.compile(['kept0']);
    assert.strictEqual(TriggerAutomaton.compile(['kept0']), first, 'shared');
    for (let i = 1; i <= 16; i++) TriggerAutomaton.compile([`kept${i}`]);
    assert.notStrictEqual(TriggerAutomaton.compile(['kept0']), first, 'the oldest was let go, so the cache is bounded');
  });

  it('refuses what is outside its subset, and patterns that match the empty string', () => {
    for (const source of ['^ab', 'ab$', '(?<=a)b', '(?=a)b', '(a)\\1', 'a.b', 'a*', 'x|', '\\bword', 'é', '[é]', 'a{2,1}', '(ab', '[ab']) {
      assert.throws(() => TriggerAutomaton.compile([source]), TriggerSyntaxError, undefined, source);
    }
  });
});

describe('detect/prefilter (in the scanner)', () => {
  const keywords = new KeywordIndex<number>();
  BUILTIN_DETECTORS.forEach((d, i) => (d.keywords ?? []).forEach((k) => keywords.add(k, i)));
  keywords.build();
  /** What a prefilter says of a text: keyword hits (sorted), fired triggers, where base64 starts. */
  const run = (prefilter: Prefilter, text: string) => {
    const hits: number[] = [];
    const out = { fired: 0, base64From: 0 };
    prefilter(text, hits, out);
    return { hits: hits.sort((a, b) => a - b), ...out };
  };

  it('gives the same keyword hits, triggers and base64 start whatever the size of the DFA cache', () => {
    const full = compilePrefilter(keywords, BUILTIN_TRIGGERS, BUILTIN_DETECTORS.length);
    const tiny = compilePrefilter(keywords, BUILTIN_TRIGGERS, BUILTIN_DETECTORS.length, 6);
    const texts = [...corpus(1000), ...BUILTIN_DETECTORS.flatMap((d) => d.examples?.positive ?? [])];
    for (const [i, text] of texts.entries()) assert.deepEqual(run(tiny, text), run(full, text), `text ${i}`);
  });

  it('in WebAssembly: the same keyword hits, triggers and base64 start as the JavaScript loop, whatever the text and the cache size', () => {
    const javascript = compilePrefilter(keywords, BUILTIN_TRIGGERS, BUILTIN_DETECTORS.length, undefined, Infinity);
    const wasm = compilePrefilter(keywords, BUILTIN_TRIGGERS, BUILTIN_DETECTORS.length, undefined, 0);
    const tinyWasm = compilePrefilter(keywords, BUILTIN_TRIGGERS, BUILTIN_DETECTORS.length, 6, 0);
    const examples = BUILTIN_DETECTORS.flatMap((d) => [...(d.examples?.positive ?? []), ...(d.examples?.negative ?? [])]);
    // Past the module's buffer, and non-ASCII: the JavaScript loop takes over, with the same states.
    const long = `${'x '.repeat(WASM_TEXT_MAX)} call 415-555-0100 token=${'A'.repeat(20)}`;
    const texts = [...corpus(1000), ...realWorldCorpus(2000), ...examples, long, 'caf\u00e9 555-0100 passwor\u212a', ''];
    for (const [i, text] of texts.entries()) {
      const expected = run(javascript, text);
      assert.deepEqual(run(wasm, text), expected, `text ${i}`);
      assert.deepEqual(run(tinyWasm, text), expected, `text ${i}, a cache far too small`);
    }
    fc.assert(
      fc.property(fc.oneof(triggerishText, fc.string({ maxLength: 80 })), (text) => {
        const expected = run(javascript, text);
        assert.deepEqual(run(wasm, text), expected);
        assert.deepEqual(run(tinyWasm, text), expected);
      }),
      { numRuns: 2000, seed: 11 },
    );
  });

  it('key=value detectors judge the key before the value (split scan): the same findings as their whole patterns, by property', () => {
    const assignments = BUILTIN_DETECTORS.filter((d) => d.split !== undefined);
    assert.isAtLeast(assignments.length, 2);
    for (const d of assignments) assert.equal(d.split!.key + d.split!.value, d.pattern, `${d.id}: key + value is the pattern`);
    const split = compileScanner(assignments);
    const whole = compileScanner(assignments, { prefilter: false });
    const key = fc.constantFrom('password', 'db_password', 'PGPASSWORD', 'token', 'api_key', 'x-api-key', 'client_secret', 'path', 'key', 'status', 'session', 'pwd', 'user.password', '-password', '$token', '--secret', 'a');
    const op = fc.constantFrom('=', ':', ': ', ' = ', ':=', '=>', '": "', '":"', "'='", '\\":\\"', '=  ');
    const value = fc.oneof(
      fc.stringMatching(/^[A-Za-z0-9+/_-]{1,40}$/),
      fc.constantFrom('${DB_PASSWORD}', 'null', 'REDACTED', '"quoted value here"', "'single'", '12345', '/home/x', 'os.environ["X"]', 'token=abcDEF123456789xyz', 'changeme', 'xxxxxxxx', '<secret>', '"a b c d e"'),
    );
    const sep = fc.constantFrom(' ', '&', '; ', ', ', '\n', '{"', ' "', '?', '|', '');
    const text = fc.array(fc.tuple(sep, key, op, value), { minLength: 1, maxLength: 6 }).map((parts) => parts.map((p) => p.join('')).join(''));
    fc.assert(
      fc.property(text, (t) => {
        assert.deepEqual(split.scan(t), whole.scan(t));
      }),
      { numRuns: 3000 },
    );
    for (const t of corpus(2000)) assert.deepEqual(split.scan(t), whole.scan(t));
  });

  it('falls back to the regexes for a trigger outside the subset, with the same findings', () => {
    const detectors: DetectorSpec[] = [
      { id: 'anchored', description: '', tags: ['secret'], pattern: '^id-\\d{6}', trigger: '^id-' },
      { id: 'digits', description: '', tags: ['pii'], pattern: '\\b\\d{3}-\\d{4}\\b', trigger: '\\d{3}-' },
      { id: 'keyword', description: '', tags: ['secret'], pattern: 'tok_[a-z]{8}', keywords: ['tok_'] },
    ];
    const prefiltered = compileScanner(detectors);
    const oneByOne = compileScanner(detectors, { prefilter: false });
    for (const text of ['id-123456 call 555-0100 tok_abcdefgh', 'x id-123456', '555-0100', 'nothing']) {
      assert.deepEqual(prefiltered.scan(text), oneByOne.scan(text), text);
    }
  });

  it('tells the encoded scan where the first base64 run can start, and the findings stay the same', () => {
    const scanner = compileScanner(BUILTIN_DETECTORS);
    const secret = Buffer.from('password=hunter2-but-longer', 'utf8').toString('base64');
    const hints: ScanHints = { base64From: -1 };
    scanner.scan('no run here at all', hints);
    assert.equal(hints.base64From, 'no run here at all'.length, 'no run: nothing to look at');
    const text = `short words then ${secret} and more`;
    scanner.scan(text, hints);
    assert.isAtMost(hints.base64From, text.indexOf(secret));
    assert.isAtLeast(hints.base64From + BASE64_MIN_RUN, text.indexOf(secret));
    const texts = [text, `x${'A'.repeat(40)}${secret}`, ...corpus(500)];
    for (const t of texts) {
      scanner.scan(t, hints);
      assert.deepEqual(encodedMatches(t, scanner, 2, hints.base64From), encodedMatches(t, scanner, 2, 0), t.slice(0, 40));
    }
    assert.lengthOf(encodedMatches(text, scanner, 2, (scanner.scan(text, hints), hints.base64From)), 1, 'the encoded secret is found');
  });
});
