/**
 * The channel registry is the one list of channels: the schema, the loader's checks, `extends` and the
 * engine all follow it, so a channel added in one place and forgotten in another shows up here.
 */
import { assert } from 'chai';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CHANNEL_DEFINITIONS, CHANNELS } from '../../lib/channels/registry.ts';
import { compilePolicy } from '../../lib/policy/engine.ts';
import { loadPolicyText } from '../../lib/policy/load.ts';
import { mergePolicies } from '../../lib/policy/merge.ts';
import { REPO } from '../helpers/cli.ts';

describe('channels: the registry', () => {
  it('lists exactly the channels the schema has sections for, each under its own name', () => {
    const schema = JSON.parse(readFileSync(join(REPO, 'lib/policy/policy.schema.json'), 'utf8')) as { properties: { channels: { properties: object } } };
    assert.sameMembers([...CHANNELS], Object.keys(schema.properties.channels.properties));
    for (const name of CHANNELS) assert.equal(CHANNEL_DEFINITIONS[name].name, name);
  });

  it('every channel checks its own section: a bad action is reported at channels.<name>, with its position', async () => {
    const sections: Record<string, string> = {
      parameters: 'parameters: { fields: [{ path: "a", action: hash }] }',
      logs: 'logs: { values: { detectors: all, action: hash } }',
      exceptions: 'exceptions: { message: { detectors: all, action: hash } }',
      locations: 'locations: { action: hash }',
    };
    assert.sameMembers(Object.keys(sections), [...CHANNELS], 'a new channel needs a case here');
    for (const [name, section] of Object.entries(sections)) {
      const err = await loadPolicyText(`name: t\nversion: 1\nchannels:\n  ${section}\n`, '/tmp/t.yaml').then(
        () => assert.fail(`${name}: an unkeyed hash was accepted`),
        (e: Error) => e,
      );
      assert.match(err.message, new RegExp(`t\\.yaml:4:\\d+: .*hash action needs a key`), name);
    }
  });

  it('extends: each channel merges its own section, the child first (first match wins)', () => {
    const rule = (action: string) => ({ detectors: 'all' as const, action: action as 'remove' });
    const parent = { name: 'p', version: 1, channels: { logs: { values: [rule('mask')], drop: ['^a'] }, exceptions: { message: [rule('mask')] } } };
    const child = { name: 'c', version: 1, channels: { logs: { values: [rule('remove')], drop: ['^b'] }, exceptions: { message: [rule('remove')] } } };
    const merged = mergePolicies(parent, child).channels!;
    assert.deepEqual(merged.logs!.values, [rule('remove'), rule('mask')]);
    assert.deepEqual(merged.logs!.drop, ['^a', '^b']);
    assert.deepEqual(merged.exceptions!.message, [rule('remove'), rule('mask')]);
  });

  it('the engine scrubs each channel with that channel\'s own rules', async () => {
    const loaded = await loadPolicyText(
      [
        'name: t',
        'version: 1',
        'channels:',
        '  parameters: { values: { detectors: [email-address], action: { replace: "[p]" } } }',
        '  logs: { values: { detectors: [email-address], action: { replace: "[l]" } } }',
        '  exceptions: { message: { detectors: [email-address], action: { replace: "[e]" } } }',
        '  locations: { action: { replace: "[loc]" } }',
      ].join('\n'),
      '/tmp/t.yaml',
    );
    const engine = compilePolicy(loaded);
    const text = 'mail alice@example.com';
    assert.deepEqual(
      CHANNELS.map((c) => engine.scrubText(text, c).text),
      ['mail [p]', 'mail [l]', 'mail [e]', '[loc]'],
    );
  });
});
