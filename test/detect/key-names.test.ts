import { assert } from 'chai';
import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { isDeepStrictEqual } from 'node:util';
import { BUILTIN_KEY_NAMES, KeyNameClassifier, splitKeyWords } from '../../lib/detect/key-names.ts';
import { createEngineSync } from '../../lib/policy/create.ts';
import { PolicyError } from '../../lib/policy/errors.ts';
import { resolvePolicyObjectSync } from '../../lib/policy/load.ts';
import { casings, GLUED_SECRET_KEYS, INNOCENT_KEYS, INNOCENT_RECORDS, SECRET_KEY_WORDS, SETTING_VALUES } from '../helpers/key-names.ts';
import { assertNoSecret } from '../helpers/secrets.ts';

const VALUE = 'Zq7vT2mK9xLp4Rw8';
const SECRET_NAMES = [...SECRET_KEY_WORDS.flatMap((words) => casings(words)), ...GLUED_SECRET_KEYS];

describe('detect/key-names: the key-name classifier', () => {
  const engine = createEngineSync('builtin:default');

  it('splits names into words in every casing', () => {
    assert.deepEqual(splitKeyWords('dbPassword'), ['db', 'password']);
    assert.deepEqual(splitKeyWords('DB_PASSWORD'), ['db', 'password']);
    assert.deepEqual(splitKeyWords('x-api-key'), ['x', 'api', 'key']);
    assert.deepEqual(splitKeyWords('APIKey'), ['api', 'key']);
    assert.deepEqual(splitKeyWords('oauth2Token'), ['oauth', '2', 'token']);
    assert.deepEqual(splitKeyWords('db.password'), ['db', 'password']);
  });

  it('calls every secret name a secret, in every casing and glued', () => {
    const missed = SECRET_NAMES.filter((n) => BUILTIN_KEY_NAMES.classify(n).kind !== 'secret');
    assert.deepEqual(missed, []);
  });

  it('keeps names that only contain a secret word\'s letters, or describe a secret\'s setting', () => {
    const wrong = [...INNOCENT_KEYS, ...Object.keys(SETTING_VALUES)].filter((n) => {
      const v = BUILTIN_KEY_NAMES.classify(n);
      return v.kind === 'secret' && v.plural !== true;
    });
    assert.deepEqual(wrong, []);
  });

  it('custom HTTP headers ending in -Key carry one (X-Vault-Key); keys of data (sort_key, cache_key, public_key) do not', () => {
    for (const name of ['X-Vault-Key', 'x-functions-key', 'X-RapidAPI-Key', 'X-Goog-Api-Key']) assert.equal(BUILTIN_KEY_NAMES.classify(name).kind, 'secret', name);
    for (const name of ['x_axis_key', 'X-Axis', 'x-key-id', 'sort-key', 'cache_key', 'publicKey', 'key', 'x_key', 'max_key']) assert.notEqual(BUILTIN_KEY_NAMES.classify(name).kind, 'secret', name);
    assertNoSecret(engine.scrubText(`X-Vault-Key: ${VALUE}`, 'logs').text, VALUE, 'the header as text');
  });

  it("a vendor's key name (RAPIDAPI_KEY, adafruitKey) holds a secret when its value looks like a credential, in text and in structured values", () => {
    const key = 'Zq7vT2mK9xLp4Rw8aB3cD6fG1hJ5kM0y';
    for (const name of ['RAPIDAPI_KEY', 'adafruit_key', 'stripeKey', 'sendgrid-key', 'algolia.key']) {
      const verdict = BUILTIN_KEY_NAMES.classify(name);
      assert.deepEqual([verdict.kind, verdict.shaped], ['secret', true], name);
      assertNoSecret(engine.scrubText(`${name}=${key}`, 'logs').text, key, `${name}=... as text`);
      assertNoSecret(engine.scrubText(`{"${name}": "${key}"}`, 'logs').text, key, `${name} in JSON text`);
      assertNoSecret(JSON.stringify(engine.scrubValue({ [name]: key }, 'parameters').value), key, `${name} as a structured key`);
      // A value that is no credential stays: the name alone does not decide.
      assert.deepEqual(engine.scrubValue({ [name]: 'sidebar', n: { [name]: 12 } }, 'parameters').value, { [name]: 'sidebar', n: { [name]: 12 } }, name);
      assert.equal(engine.scrubText(`${name}=menu.title`, 'logs').text, `${name}=menu.title`);
    }
  });

  it('a value under a secret name is taken however long it is (opaque tokens and session cookies run to thousands of characters)', () => {
    for (const bytes of [200, 750, 4000]) {
      const value = randomBytes(bytes).toString('base64url');
      for (const line of [`token: ${value}`, `{"access_token": "${value}"}`, `RAPIDAPI_KEY=${value}`, `Cookie: session=${value}`, `curl -H "X-Api-Key: ${value}"`, `adafruit = ${value}`]) {
        assertNoSecret(engine.scrubText(line, 'logs').text, value.slice(40, 80), `${line.slice(0, 20)}… (${value.length} characters)`);
      }
      assertNoSecret(JSON.stringify(engine.scrubValue({ RAPIDAPI_KEY: value, adafruit: value }, 'parameters').value), value.slice(40, 80), `structured (${value.length} characters)`);
    }
  });

  it('by property: a token followed by a colon is no key name, even when its camel-case pieces spell pw or pass', () => {
    const alnum = fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789');
    const token = fc.tuple(fc.array(alnum, { minLength: 15, maxLength: 15 }), fc.constantFrom('Pw', 'Pass', 'Pwd', 'Auth'), fc.array(alnum, { minLength: 19, maxLength: 19 }))
      .map(([a, word, b]) => `ghp_${a.join('')}${word}${b.join('')}`)
      .filter((t) => (t.match(/\d/g) ?? []).length >= 2);
    fc.assert(
      fc.property(token, (t) => {
        assert.equal(BUILTIN_KEY_NAMES.classify(t).kind, 'plain', t.slice(0, 8));
        assert.include(engine.scrubText(`denied ${t}: upstream refused`, 'logs').text, ': upstream refused');
      }),
      { numRuns: 200 },
    );
  });

  describe('names that are not keys: name/value objects, entry tuples, argument lists', () => {
    const VALUE = 'Wk4pZ9qLm2Xv7Tb3';
    const shapes: [string, (name: string, value: string) => unknown][] = [
      ['{ name, value } (Kubernetes, ECS)', (name, value) => ({ env: [{ name: 'LOG_LEVEL', value: 'info' }, { name, value }] })],
      ['{ Name, Value }', (name, value) => ({ Environment: [{ Name: name, Value: value }] })],
      ['{ ParameterKey, ParameterValue } (CloudFormation)', (name, value) => ({ Parameters: [{ ParameterKey: name, ParameterValue: value }] })],
      ['{ key, value } (HAR, Postman)', (name, value) => ({ header: [{ key: name, value, type: 'text' }] })],
      ['[name, value] entries', (name, value) => ({ headers: [['accept', 'application/json'], [name, value]] })],
      ['an argument list (--name value)', (name, value) => ({ argv: ['node', 'job.js', `--${name.replace(/([a-z0-9])([A-Z])/g, '$1-$2').replace(/_/g, '-').toLowerCase()}`, value] })],
    ];

    it('by property: a secret named beside its value is removed in every shape, and its innocent neighbours stay', () => {
      const flagSafe = SECRET_NAMES.filter((n) => /^[A-Za-z][A-Za-z0-9_-]*$/.test(n));
      fc.assert(
        fc.property(fc.constantFrom(...flagSafe), fc.constantFrom(...shapes), (name, [, shape]) => {
          const out = JSON.stringify(engine.scrubValue(shape(name, VALUE), 'parameters').value);
          assert.notInclude(out, VALUE, name);
          for (const innocent of ['LOG_LEVEL', 'info', 'application/json', 'job.js']) if (JSON.stringify(shape(name, VALUE)).includes(innocent)) assert.include(out, innocent);
        }),
        { numRuns: 300 },
      );
    });

    it('names that say nothing secret keep their values, in every shape', () => {
      for (const [label, shape] of shapes) {
        for (const name of ['status', 'timeout', 'region', 'LOG_LEVEL', 'content-type']) {
          const value = shape(name, 'eu-west-1');
          assert.deepEqual(engine.scrubValue(value, 'parameters').value, JSON.parse(JSON.stringify(value)), `${label}: ${name}`);
        }
      }
      // A short flag is a password only where the command defines it (docker login -p), and a list of
      // words is no list of entries.
      const kept = { cmd: ['docker', 'run', '-p', '8080:80', 'nginx'], tags: ['token', 'refresh'], pair: { name: 'token', valueFrom: { secretKeyRef: { name: 'db', key: 'token' } } } };
      assert.deepEqual(engine.scrubValue(kept, 'parameters').value, kept);
      assert.notInclude(JSON.stringify(engine.scrubValue({ argv: ['docker', 'login', '-u', 'ci', '-p', VALUE, 'registry.acme.io'] }, 'parameters').value), VALUE);
    });
  });

  it("a provider's name alone as key (adafruit, SUMOLOGIC) holds its credential, text and structured alike; its settings stay", () => {
    const key = 'f70svs7akfw4vziblbxxe5wgh0oeawep';
    for (const name of ['adafruit', 'SUMOLOGIC', 'NewRelic', 'github']) {
      assert.deepEqual([BUILTIN_KEY_NAMES.classify(name).family, BUILTIN_KEY_NAMES.classify(name).shaped], ['vendor', true], name);
      assertNoSecret(engine.scrubText(`${name} = ${key}`, 'logs').text, key, `${name} = ... as text`);
      assertNoSecret(JSON.stringify(engine.scrubValue({ [name]: key }, 'parameters').value), key, `${name} as a structured key`);
    }
    // What a provider's name also keys: a repository, a URL, a version, a flag, a channel.
    const settings = { github: 'acme/widgets2', gitlab: 'https://gitlab.example.com/acme/w2', npm: '10.2.4', slack: '#ops-alerts2', docker: true, sentry: 'release-2024-11-23' };
    assert.deepEqual(engine.scrubValue(settings, 'parameters').value, settings);
    for (const [name, value] of Object.entries(settings)) assert.equal(engine.scrubText(`${name}: ${value}`, 'logs').text, `${name}: ${value}`, name);
  });

  it('by property: a secret word with any neutral words before it, in any casing, is a secret', () => {
    const secretWords = fc.constantFrom('password', 'passwd', 'pwd', 'secret', 'token', 'credentials', 'passphrase', 'cookie', 'dsn', 'jwt');
    const neutral = fc.array(fc.constantFrom('db', 'app', 'prod', 'primary', 'admin', 'user', 'svc', 'github', 'redis', 'mysql', 'client', 'new'), { maxLength: 3 });
    fc.assert(
      fc.property(neutral, secretWords, fc.integer({ min: 0, max: 6 }), (before, word, casing) => {
        const spellings = casings([...before, word]);
        const name = spellings[casing % spellings.length]!;
        assert.equal(BUILTIN_KEY_NAMES.classify(name).kind, 'secret', name);
      }),
      { numRuns: 300 },
    );
  });

  it('by property: a setting word after the secret word makes it a setting, whatever comes before', () => {
    const settings = fc.constantFrom('length', 'min', 'max', 'ttl', 'timeout', 'type', 'url', 'enabled', 'expires', 'count', 'name', 'policy');
    fc.assert(
      fc.property(fc.constantFrom('password', 'token', 'secret', 'session', 'cookie', 'auth'), settings, fc.integer({ min: 0, max: 6 }), (word, setting, casing) => {
        const spellings = casings(['app', word, setting]);
        const name = spellings[casing % spellings.length]!;
        assert.equal(BUILTIN_KEY_NAMES.classify(name).kind, 'setting', name);
      }),
      { numRuns: 200 },
    );
  });

  it('structured values: the value under a secret name is removed in parameters and logs, with a key-name finding', () => {
    for (const name of SECRET_NAMES) {
      for (const channel of ['parameters', 'logs'] as const) {
        const r = engine.scrubValue({ ok: 'kept', nested: { [name]: VALUE } }, channel);
        assertNoSecret(JSON.stringify(r.value), VALUE, `${channel} under ${name}`);
        assert.deepEqual((r.value as { ok: string }).ok, 'kept');
        assert.isTrue(r.findings.some((f) => f.detector === 'key-name'), `${name}: a key-name finding`);
      }
    }
  });

  it('text and structured values agree: `name=value` and `name: value` text is redacted too', () => {
    for (const name of SECRET_NAMES) {
      for (const text of [`${name}=${VALUE}`, `${name}: ${VALUE}`, `{"${name}": "${VALUE}"}`, `export ${name}="${VALUE}"`]) {
        assertNoSecret(engine.scrubText(text, 'logs').text, VALUE, `text under ${name}`);
      }
    }
    // An empty value followed by another assignment: the inner value is found too.
    for (const text of [`password: db_password: ${VALUE}`, `pw= DbPass: ${VALUE}`, `pwd: DbPass: '${VALUE}'`, `"note": "API_KEY=${VALUE}"`]) {
      assertNoSecret(engine.scrubText(text, 'logs').text, VALUE, 'a nested assignment');
    }
    // A password is any text, even a short and simple one, in both forms.
    assertNoSecret(engine.scrubText('db_password: abc', 'logs').text, 'abc', 'text');
    assertNoSecret(JSON.stringify(engine.scrubValue({ db_password: 'abc' }, 'logs').value), 'abc', 'value');
  });

  it('keeps innocent names, numbers and flags under settings, and whole innocent records (kept rate 100%)', () => {
    for (const name of INNOCENT_KEYS) {
      const v = { [name]: 'orders-2026' };
      assert.deepEqual(engine.scrubValue(v, 'parameters').value, v, name);
      assert.equal(engine.scrubText(`${name}=orders-2026-Zq7vT2mK9x`, 'logs').text, `${name}=orders-2026-Zq7vT2mK9x`, name);
    }
    for (const [name, value] of Object.entries(SETTING_VALUES)) {
      const v = { [name]: value };
      assert.deepEqual(engine.scrubValue(v, 'parameters').value, v, name);
    }
    const changed = INNOCENT_RECORDS.filter((r) => !isDeepStrictEqual(engine.scrubValue(r, 'logs').value, r));
    assert.deepEqual(changed, []);
  });

  it('inside a secret-named object, plain-named values are secret too; descriptors and flags stay', () => {
    const r = engine.scrubValue({ auth: { type: 'basic', username: 'svc-etl', pass: VALUE, enabled: true }, tokens: [VALUE, VALUE] }, 'parameters');
    assert.deepEqual(r.value, { auth: { type: 'basic', enabled: true }, tokens: [null, null] });
  });

  it('a number under a secret name is removed (a PIN), under a plural it is a count and stays', () => {
    assert.deepEqual(engine.scrubValue({ password: 123456, prompt_tokens: 87, db_pwd: 42 }, 'parameters').value, { prompt_tokens: 87 });
  });

  describe('the policy DSL: key_names', () => {
    const policy = (keyNames: object) => createEngineSync({ name: 'k', version: 1, key_names: keyNames, channels: { parameters: { values: [{ detectors: ['secret'], action: 'remove' }] }, logs: { values: [{ detectors: ['secret'], action: 'remove' }] } } });

    it('extends the vocabulary with words and phrases, for values and text alike', () => {
      const e = policy({ secret: ['ssn', 'pin code'] });
      assert.deepEqual(e.scrubValue({ employee_ssn: '123-45-6789', pinCode: '0000', other: 'x' }, 'parameters').value, { other: 'x' });
      assertNoSecret(e.scrubText('employee_ssn=123-45-6789', 'logs').text, '123-45-6789', 'text');
    });

    it('narrows it: a word taken away marks nothing any more', () => {
      const e = policy({ not_secret: ['session'] });
      assert.deepEqual(e.scrubValue({ session: 'abc-123', session_token: 'x' }, 'parameters').value, { session: 'abc-123' });
    });

    it('chooses the action (replace, hash, mask) or turns the check off (allow)', () => {
      assert.deepEqual(policy({ action: { replace: '[secret]' } }).scrubValue({ db_password: VALUE }, 'parameters').value, { db_password: '[secret]' });
      assert.deepEqual(policy({ action: 'allow' }).scrubValue({ db_password: VALUE }, 'parameters').value, { db_password: VALUE });
    });

    it('merges through extends: the child adds words to its parent\'s', () => {
      const loaded = resolvePolicyObjectSync({ name: 'child', version: 1, extends: ['builtin:default'], key_names: { secret: ['ssn'] } });
      assert.deepEqual(loaded.policy.key_names, { secret: ['ssn'] });
      const e = createEngineSync(loaded);
      assert.deepEqual(e.scrubValue({ ssn: '123-45-6789', db_password: VALUE }, 'parameters').value, {});
    });

    it('refuses what would not work: an encrypt action, a word with odd characters', () => {
      assert.throws(() => resolvePolicyObjectSync({ name: 'k', version: 1, key_names: { action: 'encrypt' } }), PolicyError, /encrypt/);
      assert.throws(() => resolvePolicyObjectSync({ name: 'k', version: 1, key_names: { secret: ['pass*'] } } as never), PolicyError);
    });

    it('a custom classifier is the policy\'s own: the builtin one does not change', () => {
      const custom = new KeyNameClassifier({ secret: ['ssn'] });
      assert.equal(custom.classify('ssn').kind, 'secret');
      assert.equal(BUILTIN_KEY_NAMES.classify('ssn').kind, 'plain');
    });
  });
});

describe('redact/paths: key globs in field rules', () => {
  it('`**.*pass*` and `headers.x-*-token` select what they say, case-insensitively', () => {
    const e = createEngineSync({
      name: 'g',
      version: 1,
      key_names: { action: 'allow' },
      channels: { parameters: { fields: [{ path: '**.*pass*', action: 'remove' }, { path: 'headers.x-*-token', action: { replace: '[T]' } }] } },
    });
    const r = e.scrubValue({ a: { db_passwd: 'x', Passage: 'y', ok: 1 }, headers: { 'X-Vault-Token': 'abc', 'x-token': 'k' } }, 'parameters');
    assert.deepEqual(r.value, { a: { ok: 1 }, headers: { 'X-Vault-Token': '[T]', 'x-token': 'k' } });
  });

  it('a glob stays linear on a long key that almost matches', () => {
    const e = createEngineSync({ name: 'g', version: 1, channels: { parameters: { fields: [{ path: '**.*a*a*a*a*a*a*a*b', action: 'remove' }] } } });
    // As a regex of `.*`s this backtracks for longer than the test's timeout; the two-pointer match is quick.
    const key = 'a'.repeat(5000);
    assert.deepEqual(e.scrubValue({ [key]: 1 }, 'parameters').value, { [key]: 1 });
  });

  it('a regex where a key belongs is refused by the policy check, never silently inert', () => {
    for (const path of ['**.(password|secret)', '**.pass.+', '**.^token$']) {
      assert.throws(() => resolvePolicyObjectSync({ name: 'k', version: 1, channels: { parameters: { fields: [{ path, action: 'remove' }] } } }), PolicyError, /looks like a regular expression/);
    }
  });
});
