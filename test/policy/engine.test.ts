import { assert } from 'chai';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compilePolicy, BLOCKED_PLACEHOLDER, PolicyCompileError } from '../../lib/policy/engine.ts';
import { generateLocationKeySet } from '../../lib/crypto/jose.ts';
import type { PolicyDocument, ResolvedPolicy } from '../../lib/policy/types.ts';
import { createEngine } from '../../lib/policy/create.ts';
import { EMAIL, TEST_CATALOGUE, TOKEN, loaded } from '../helpers/catalogue.ts';
import { assertNoSecret } from '../helpers/secrets.ts';

const BASE: ResolvedPolicy = {
  name: 'engine-test',
  version: 1,
  channels: {
    parameters: {
      fields: [
        { path: '**.password', action: 'remove' },
        { path: 'db.url', action: { replace: '[db-url]' } },
        { path: 'raw', action: 'allow' },
      ],
      values: [
        { detectors: ['test-email'], action: 'mask' },
        { detectors: ['secret'], action: 'replace' },
        { detectors: ['pii'], action: 'remove' },
      ],
    },
    logs: { drop: ['^healthcheck '], values: { detectors: 'all', action: 'remove' } },
    exceptions: { message: { detectors: 'all', action: 'replace' }, stack: { frames: 2 } },
    locations: { action: 'allow' },
  },
};

const engineFor = (policy: ResolvedPolicy, extra: Parameters<typeof compilePolicy>[1] = {}) =>
  compilePolicy(loaded(policy), { catalogue: TEST_CATALOGUE, projectRoot: '/srv/app', ...extra });

describe('policy/engine', () => {
  const engine = engineFor(BASE);

  describe('scrubText', () => {
    it('replaces each span per its rule and reports findings without values', () => {
      const r = engine.scrubText(`mail ${EMAIL} with ${TOKEN}`, 'parameters');
      assert.equal(r.text, `mail ${'*'.repeat(EMAIL.length - 4)}.net with [test-token]`);
      assert.deepEqual(
        r.findings.map((f) => [f.detector, f.path, f.action, f.count]),
        [
          ['test-email', '$', 'mask', 1],
          ['test-token', '$', 'replace', 1],
        ],
      );
      assertNoSecret(JSON.stringify(r.findings), TOKEN);
    });

    it('leaves clean text identical', () => {
      const text = 'GET /api/v1/orders/12345 200 12ms';
      assert.deepEqual(engine.scrubText(text, 'logs'), { text, findings: [] });
    });

    it('applies drop rules on the logs channel before anything else', () => {
      const r = engine.scrubText(`healthcheck ok ${TOKEN}`, 'logs');
      assert.equal(r.dropped, '^healthcheck ');
      assert.equal(r.text, '');
    });

    it('cuts what is longer than max_scan_length instead of shipping it unscanned', () => {
      const e = engineFor({ ...BASE, limits: { max_scan_length: 20 } });
      const r = e.scrubText('a'.repeat(19) + TOKEN, 'parameters');
      // The cut falls inside the token: the partial word before it goes too, never half a secret.
      assert.equal(r.text, `[truncated ${19 + TOKEN.length} chars]`);
      const spaced = e.scrubText('ok then ' + 'b'.repeat(30), 'parameters');
      assert.equal(spaced.text, `ok then [truncated 30 chars]`);
      assert.equal(r.findings[0]!.detector, 'limit:max_scan_length');
    });
  });

  describe('short strings found clean are remembered per rule set', () => {
    it('a string clean under one policy is still scanned under another, and under the same one finds stay findings', () => {
      const pathOnly = engineFor({ ...BASE, channels: { parameters: { fields: [{ path: '**.password', action: 'remove' }], values: [] } } });
      for (let i = 0; i < 3; i++) assert.equal(pathOnly.scrubText(TOKEN, 'parameters').text, TOKEN, 'no detector acts: nothing changes');
      assert.deepEqual(pathOnly.scrubValue({ password: 'x', note: TOKEN }, 'parameters').value, { note: TOKEN });
      for (let i = 0; i < 3; i++) {
        const r = engine.scrubText(TOKEN, 'parameters');
        assert.equal(r.text, '[test-token]');
        assert.lengthOf(r.findings, 1, 'a finding every time, not only the first');
        assert.equal(engine.scrubText('GET', 'parameters').text, 'GET');
      }
    });
  });

  describe('scrubValue', () => {
    it('applies field rules first, then value detectors, and never mutates the input', () => {
      const input = {
        day: '2026-11-23',
        db: { url: 'postgres://x', Password: 'hunter2hunter2', port: 5432 },
        notes: [`ping ${EMAIL}`, 'fine'],
        raw: { keep: TOKEN },
      };
      const before = structuredClone(input);
      const r = engine.scrubValue(input, 'parameters');
      assert.deepEqual(input, before, 'input untouched');
      assert.deepEqual(r.value, {
        day: '2026-11-23',
        db: { url: '[db-url]', port: 5432 },
        notes: [`ping ${'*'.repeat(EMAIL.length - 4)}.net`, 'fine'],
        raw: { keep: TOKEN },
      });
      assert.sameDeepMembers(
        r.findings.map((f) => [f.detector, f.path, f.action]),
        [
          ['field:db.url', 'db.url', 'replace'],
          ['field:**.password', 'db.Password', 'remove'],
          ['test-email', 'notes[0]', 'mask'],
        ],
      );
    });

    it('scrubs secrets in keys and in long numbers', () => {
      const r = engine.scrubValue({ [TOKEN]: true, n: 123456789 }, 'parameters');
      assert.deepEqual(r.value, { '[test-token]': true, n: 123456789 });
    });

    it('handles cycles, getters that throw, BigInt, Buffers, Maps, Sets, Dates, class instances, undefined', () => {
      class Thing {
        constructor(public note = TOKEN) {}
      }
      const cyclic: Record<string, unknown> = { name: 'c' };
      cyclic.self = cyclic;
      const throwing = Object.defineProperty({}, 'boom', {
        enumerable: true,
        get() {
          throw new Error(TOKEN);
        },
      });
      const r = engine.scrubValue(
        {
          cyclic,
          throwing,
          big: 10n ** 20n,
          buf: Buffer.from(TOKEN),
          map: new Map<unknown, unknown>([['k', TOKEN], [1, 'one']]),
          set: new Set([TOKEN]),
          when: new Date('2026-11-23T00:00:00Z'),
          bad: new Date('nope'),
          thing: new Thing(),
          gone: undefined,
          fn: () => 1,
          arr: [undefined, 1],
        },
        'parameters',
      );
      assert.deepEqual(r.value, {
        cyclic: { name: 'c', self: '[Circular]' },
        throwing: { boom: '[Thrown]' },
        big: '100000000000000000000',
        buf: `[Buffer ${TOKEN.length} bytes]`,
        map: { k: '[test-token]', 1: 'one' },
        set: ['[test-token]'],
        when: '2026-11-23T00:00:00.000Z',
        bad: '[Invalid Date]',
        thing: { note: '[test-token]' },
        fn: '[Function]',
        arr: [null, 1],
      });
      assertNoSecret(JSON.stringify(r.value), TOKEN);
    });

    it('turns Errors into name, scrubbed message and scrubbed stack, with their cause', () => {
      const err = new Error(`cannot log in with ${TOKEN}`, { cause: new TypeError(`bad ${EMAIL}`) });
      const r = engine.scrubValue({ err }, 'parameters');
      const out = (r.value as { err: Record<string, unknown> }).err;
      assert.equal(out.name, 'Error');
      assert.equal(out.message, 'Error: cannot log in with [test-token]');
      assert.match(String(out.stack), /^Error: cannot log in with \[test-token\]\n {4}at /);
      assert.equal((out.cause as Record<string, unknown>).message, 'TypeError: bad [test-email]');
      assertNoSecret(JSON.stringify(r.value), TOKEN);
      assertNoSecret(JSON.stringify(r.value), EMAIL);
    });

    it('enforces max_depth and max_nodes', () => {
      const e = engineFor({ ...BASE, limits: { max_depth: 3, max_nodes: 5 } });
      assert.deepEqual(e.scrubValue({ a: { b: { c: { d: 1 } } } }, 'parameters').value, { a: { b: { c: '[depth limit]' } } });
      const wide = e.scrubValue([1, 2, 3, 4, 5, 6, 7], 'parameters').value as unknown[];
      assert.include(wide, '[size limit]');
    });

    it('allow-list mode removes every field not listed, keeps ancestors of listed ones, still scans values', () => {
      const e = engineFor({
        ...BASE,
        channels: { parameters: { allowlist: ['day', 'items[*].sku', 'opts'], values: { detectors: 'all', action: 'remove' } } },
      });
      const r = e.scrubValue(
        { day: `d ${TOKEN}`, token: TOKEN, items: [{ sku: 'A1', price: 3 }], opts: { deep: { x: 1 } }, n: 5 },
        'parameters',
      );
      assert.deepEqual(r.value, { day: 'd [REDACTED]', items: [{ sku: 'A1' }], opts: { deep: { x: 1 } } });
      assert.sameMembers(
        r.findings.filter((f) => f.detector === 'allowlist').map((f) => f.path),
        ['token', 'items[0].price', 'n'],
      );
    });

    it('drops log records whose message matches a drop rule', () => {
      const r = engine.scrubValue({ level: 'info', message: 'healthcheck ok' }, 'logs');
      assert.equal(r.dropped, '^healthcheck ');
    });

    it('scope: value acts on the whole string; remove then removes the field', () => {
      const e = engineFor({ ...BASE, channels: { logs: { values: { detectors: 'all', action: 'remove', scope: 'value' } } } });
      assert.deepEqual(e.scrubValue({ level: 'error', message: `x ${TOKEN}`, ok: 'fine' }, 'logs').value, { level: 'error', ok: 'fine' });
      assert.equal(e.scrubText(`x ${TOKEN}`, 'logs').text, '[REDACTED]');
    });

    it('fails closed: an exception inside the policy yields the fixed placeholder', () => {
      const hostile = new Proxy(
        {},
        {
          ownKeys() {
            throw new Error('hostile');
          },
        },
      );
      const r = engine.scrubValue({ hostile }, 'parameters');
      assert.deepEqual(r.value, { hostile: '[Unreadable]' });
      // A proxy whose prototype cannot be read makes the walker itself throw: the item is blocked whole.
      const opaque = new Proxy(
        {},
        {
          getPrototypeOf() {
            throw new Error(TOKEN);
          },
        },
      );
      const told: [unknown, string][] = [];
      const hooked = engineFor(BASE, { onError: (err, channel) => told.push([err, channel]) });
      const out = hooked.scrubValue({ opaque, token: TOKEN }, 'parameters');
      assert.lengthOf(told, 1, 'the cause is kept for the hook');
      assert.instanceOf(told[0]![0], Error);
      assert.equal(told[0]![1], 'parameters');
      assert.equal(engineFor(BASE, { onError: () => { throw new Error('hook'); } }).scrubValue({ opaque }, 'parameters').value, BLOCKED_PLACEHOLDER, 'a hook that throws changes nothing');
      assert.equal(out.value, BLOCKED_PLACEHOLDER);
      assert.deepEqual(out.findings, [{ detector: 'policy-error', path: '$', action: 'block', count: 1 }]);
      assert.equal(out.blocked, 'policy-error');
    });
  });

  describe('scrubError', () => {
    it('builds `Type: message`, limits frames, relativizes paths and removes home usernames', () => {
      const err = new RangeError(`limit for ${EMAIL}`);
      err.stack = [
        `RangeError: limit for ${EMAIL}`,
        '    at load (/srv/app/lib/load.js:10:5)',
        '    at run (/home/dave/.npm/x/index.js:3:1)',
        '    at main (/srv/app/main.js:1:1)',
      ].join('\n');
      const r = engine.scrubError(err);
      assert.equal(r.message, 'RangeError: limit for [test-email]');
      assert.equal(
        r.stack,
        ['RangeError: limit for [test-email]', '    at load (lib/load.js:10:5)', '    at run (~/.npm/x/index.js:3:1)', '    ... 1 more frames'].join('\n'),
      );
    });

    it('type-only keeps the type and nothing of the message, also in the stack header', () => {
      const e = engineFor({ ...BASE, channels: { exceptions: { message: 'type-only' } } });
      const err = new TypeError(`secret ${TOKEN}`);
      const r = e.scrubError(err);
      assert.equal(r.message, 'TypeError');
      assert.match(r.stack!, /^TypeError\n/);
      assertNoSecret(r.stack!, TOKEN);
    });

    it('scans the error type too', () => {
      const err = new Error('boom');
      err.name = TOKEN;
      const r = engine.scrubError(err);
      assertNoSecret(r.message + r.stack, TOKEN);
      assert.equal(r.message, '[test-token]: boom');
    });

    it('accepts thrown non-errors', () => {
      assert.equal(engine.scrubError(`plain ${TOKEN}`).message, 'NonErrorThrown: plain [test-token]');
    });
  });

  describe('locations', () => {
    it('encrypts with the key file, decrypts locally, and refuses tampering', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'eg-loc-'));
      const keyFile = join(dir, 'loc.jwk');
      writeFileSync(keyFile, await generateLocationKeySet(), { mode: 0o600 });
      const e = engineFor({ ...BASE, channels: { locations: { action: 'encrypt', key: `file:${keyFile}` } } });
      const r = await e.scrubLocation('results/nightly/extract-2026-11-23.json');
      assert.match(r.text, /^[\w-]+\.[\w-]+\.[\w-]+\.[\w-]+\.[\w-]+$/);
      assertNoSecret(r.text, 'nightly');
      assert.equal(await e.decryptLocation(r.text), 'results/nightly/extract-2026-11-23.json');
      const parts = r.text.split('.');
      parts[3] = (parts[3]![0] === 'A' ? 'B' : 'A') + parts[3]!.slice(1);
      let refused: Error | undefined;
      await e.decryptLocation(parts.join('.')).catch((err: Error) => (refused = err));
      assert.match(refused?.message ?? '', /integrity check failed/);
      assert.throws(() => e.scrubText('x', 'locations'), PolicyCompileError, /scrubLocation/);
    });

    it('createEngine loads with the env it is given, as it compiles with it: file:${VAR} expands from it', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'eg-loc-env-'));
      writeFileSync(join(dir, 'loc.jwk'), await generateLocationKeySet(), { mode: 0o600 });
      assert.isUndefined(process.env.EG_TEST_KEY_DIR, 'only the given env has it');
      const doc = { name: 'env', version: 1, channels: { locations: { action: 'encrypt', key: 'file:${EG_TEST_KEY_DIR}/loc.jwk' } } } as PolicyDocument;
      const e = await createEngine(doc, { env: { EG_TEST_KEY_DIR: dir } });
      assert.equal(await e.decryptLocation((await e.scrubLocation('results/a.json')).text), 'results/a.json');
      // Checked at load when the given env sets the variable: not deferred to the first location.
      let refused: Error | undefined;
      await createEngine(doc, { env: { EG_TEST_KEY_DIR: join(dir, 'missing') } }).catch((err: Error) => (refused = err));
      assert.match(refused?.message ?? '', /location key file .*missing\/loc\.jwk cannot be read \(ENOENT\)/);
    });

    it('a missing key is a clear error naming the command that makes one', async () => {
      const e = engineFor({ ...BASE, channels: { locations: { action: 'encrypt', key: 'file:${EG_TEST_UNSET_VAR}' } } }, { env: {} });
      let err: Error | undefined;
      await e.scrubLocation('x').catch((x: Error) => (err = x));
      assert.match(err?.message ?? '', /egress-guard keys new --out FILE/);
    });

    it('hash, remove and replace work synchronously', () => {
      const env = { EG_HASH: 'k'.repeat(32) };
      const hashed = engineFor({ ...BASE, hash: { key: 'env:EG_HASH' }, channels: { locations: { action: 'hash' } } }, { env });
      assert.match(hashed.scrubText('s3://bucket/a', 'locations').text, /^hash:[0-9a-f]{16}$/);
      assert.equal(hashed.scrubText('s3://bucket/a', 'locations').text, hashed.scrubText('s3://bucket/a', 'locations').text);
      const replaced = engineFor({ ...BASE, channels: { locations: { action: { replace: '[{detector}]' } } } });
      assert.deepEqual(replaced.scrubValue({ bucket: 'b', dir: 'd', n: 1 }, 'locations').value, { bucket: '[location]', dir: '[location]', n: 1 });
    });
  });

  describe('hash keys', () => {
    it('refuses to compile a policy that hashes without a usable key', () => {
      const policy: ResolvedPolicy = { ...BASE, hash: { key: 'env:EG_HASH' }, channels: { parameters: { fields: [{ path: 'user', action: 'hash' }] } } };
      assert.throws(() => engineFor(policy, { env: {} }), /EG_HASH .*is not set/);
      assert.throws(() => engineFor(policy, { env: { EG_HASH: 'short' } }), /at least 32 random bytes/);
      const e = engineFor(policy, { env: { EG_HASH: 'x'.repeat(32) } });
      assert.match((e.scrubValue({ user: 'alice' }, 'parameters').value as { user: string }).user, /^hash:[0-9a-f]{16}$/);
    });

    it('never puts the key into an error message', () => {
      const secretKey = 'sh0rt';
      try {
        engineFor({ ...BASE, hash: { key: 'env:K' }, channels: { parameters: { fields: [{ path: 'u', action: 'hash' }] } } }, { env: { K: secretKey } });
        assert.fail('should refuse');
      } catch (err) {
        assertNoSecret((err as Error).message, secretKey);
      }
    });
  });
});
