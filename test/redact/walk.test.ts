import { assert } from 'chai';
import { createEngineSync } from '../../lib/policy/create.ts';
import { assertNoSecret } from '../helpers/secrets.ts';

const GHP = 'ghp_R7tKq2mWx9LpZ4vN8sB3cD6fG1hJ5kM0yQeT';

describe('redact/walk: how objects are listed', () => {
  const engine = createEngineSync('builtin:default');

  it('plain objects list their own keys only, even when Object.prototype has an enumerable property', () => {
    const value = { day: '2026-12-02', nested: { token: GHP, kept: 'yes' } };
    const expected = { day: '2026-12-02', nested: { kept: 'yes' } };
    assert.deepEqual(engine.scrubValue(value, 'parameters').value, expected);
    Object.defineProperty(Object.prototype, 'polluted', { value: GHP, enumerable: true, configurable: true, writable: true });
    try {
      const out = engine.scrubValue(value, 'parameters').value as Record<string, unknown>;
      assert.isFalse(Object.hasOwn(out, 'polluted'), 'an inherited key is not copied out');
      assert.isFalse(Object.hasOwn(out.nested as object, 'polluted'));
      assert.deepEqual(JSON.parse(JSON.stringify(out)), expected);
    } finally {
      delete (Object.prototype as Record<string, unknown>).polluted;
    }
  });

  it('an object whose keys cannot be listed goes out as [Unreadable], and the rest of the value still goes', () => {
    // Looks plain (its prototype is Object.prototype, no toJSON), then throws when its keys are listed.
    const unlistable = new Proxy({}, { ownKeys: () => { throw new Error(`keys of ${GHP}`); } });
    const { value, blocked } = engine.scrubValue({ odd: unlistable, day: 'monday' }, 'parameters');
    assert.isUndefined(blocked);
    assert.deepEqual(value, { odd: '[Unreadable]', day: 'monday' });
  });

  it('a walk that re-enters (a toJSON that scrubs something else) gets its own walker', () => {
    let inner: unknown;
    const reentrant = {
      toJSON() {
        inner = engine.scrubValue({ token: GHP, note: `see ${GHP}` }, 'parameters').value;
        return { from: 'toJSON', token: GHP };
      },
    };
    const { value: outer, findings } = engine.scrubValue({ before: 'a', reentrant, after: { password: 'hunter2-but-longer', kept: 'b' } }, 'parameters');
    assert.deepEqual(inner, { note: 'see [REDACTED]' });
    assert.includeDeepMembers(findings, [{ detector: 'key-name', path: 'after.password', action: 'remove', count: 1 }], 'findings after the re-entry are the outer walk\'s');
    assert.deepEqual(outer, { before: 'a', reentrant: { from: 'toJSON' }, after: { kept: 'b' } });
    assertNoSecret(JSON.stringify([inner, outer]), GHP);
  });
});

describe('redact/walk: what is shown of values whose contents never go out', () => {
  const engine = createEngineSync('builtin:default');

  it('a class name is scanned like any text: a Buffer subclass or a Promise named after a token does not carry it out', () => {
    const named = { [GHP]: class extends Uint8Array {} }[GHP]!;
    const promise = { [GHP]: class extends Promise<void> {} }[GHP]!;
    const r = engine.scrubValue({ bytes: new named(4), later: new promise(() => undefined), plain: Buffer.from('x') }, 'parameters');
    assertNoSecret(JSON.stringify(r), GHP);
    assert.deepEqual(r.value, { bytes: '[[REDACTED] 4 bytes]', later: '[[REDACTED]]', plain: '[Buffer 1 bytes]' });
    assert.isTrue(r.findings.some((f) => f.detector === 'github-token' && f.path === 'bytes'));
  });
});

describe('redact/walk: the scan budget of one value', () => {
  const engine = createEngineSync('builtin:default');
  const big = `user alice@example.com ${'x'.repeat(250_000)} end`;

  it('one big string referenced thousands of times is scanned once, and what goes out stays bounded', () => {
    const r = engine.scrubValue({ list: Array(4000).fill(big) }, 'logs');
    const list = (r.value as { list: string[] }).list;
    const kept = list.filter((s) => s !== '[size limit]');
    // 1 MiB of string per value by default: four copies of a 250 KB string, the rest cut with a finding.
    assert.lengthOf(kept, 4);
    assert.isTrue(kept.every((s) => !s.includes('alice@example.com') && s.endsWith(' end')));
    const emails = r.findings.filter((f) => f.detector === 'email-address');
    assert.deepEqual(emails.map((f) => f.path), ['list[0]', 'list[1]', 'list[2]', 'list[3]'], 'a remembered string reports its findings at each place');
    assert.deepEqual(r.findings.filter((f) => f.detector === 'limit:max_record_scan').length, 3996);
  });

  it('the budget is the policy\'s (limits.max_record_scan_length), and strings past it never go out', () => {
    const tight = createEngineSync({ name: 't', version: 1, limits: { max_record_scan_length: 100 }, channels: { logs: { values: { detectors: 'all', action: 'remove' } } } });
    const r = tight.scrubValue({ a: 'x'.repeat(60), b: `y${GHP}`.repeat(2), c: 'short' }, 'logs');
    assert.deepEqual(r.value, { a: 'x'.repeat(60), b: '[size limit]', c: 'short' });
    assertNoSecret(JSON.stringify(r), GHP);
  });
});
