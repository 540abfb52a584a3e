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
    Object.defineProperty(Object.prototype, 'polluted', { value: GHP, enumerable: true, configurable: true });
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
    assert.includeDeepMembers(findings, [{ detector: 'field:**.password', path: 'after.password', action: 'remove', count: 1 }], 'findings after the re-entry are the outer walk\'s');
    assert.deepEqual(outer, { before: 'a', reentrant: { from: 'toJSON' }, after: { kept: 'b' } });
    assertNoSecret(JSON.stringify([inner, outer]), GHP);
  });
});
