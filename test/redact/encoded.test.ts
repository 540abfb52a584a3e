import { assert } from 'chai';
import { createEngine } from '../../lib/policy/create.ts';
import type { Engine } from '../../lib/policy/engine.ts';
import { encodedMatches } from '../../lib/redact/encoded.ts';
import { assertNoSecret } from '../helpers/secrets.ts';

const GHP = 'ghp_' + 'R7tKq2mWx9LpZ4vN8sB3cD6fG1hJ5kM0yQeT';
const EMAIL = 'alice.smith@example.com';
const b64 = (s: string) => Buffer.from(s).toString('base64');

describe('redact: encoded secrets and JSON inside strings', () => {
  let engine: Engine;
  before(async () => (engine = await createEngine('builtin:default')));

  it('URL-encoded: the finding maps back to exactly the encoded characters', () => {
    const text = `GET /cb?email=${encodeURIComponent(EMAIL)}&next=%2Fhome 200`;
    const out = engine.scrubText(text, 'logs');
    assert.equal(out.text, `GET /cb?email=${'*'.repeat(encodeURIComponent(EMAIL).length - 4)}.com&next=%2Fhome 200`);
    assert.deepEqual(out.findings.map((f) => f.detector), ['email-address']);
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

  it('JSON inside a string value is walked: key-path rules and detectors act inside it, nothing else changes', () => {
    const body = JSON.stringify({ user: { password: 'plain words only', email: EMAIL }, note: 'ok' });
    const r = engine.scrubValue({ body, plain: '{"count": 2}', notJson: '{count: 2}' }, 'logs');
    assert.deepEqual(r.value, { body: '{"user":{"email":"*******************.com"},"note":"ok"}', plain: '{"count": 2}', notJson: '{count: 2}' });
    assert.deepEqual(r.findings.map((f) => [f.detector, f.path]), [['field:**.password', 'body.user.password'], ['email-address', 'body.user.email']]);
  });
});
