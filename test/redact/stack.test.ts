import { assert } from 'chai';
import { createEngineSync } from '../../lib/policy/create.ts';
import { scrubFramePaths, scrubStack, type StackOptions } from '../../lib/redact/stack.ts';

const OPTS: StackOptions = { frames: 10, paths: 'relative', usernames: 'remove', projectRoot: '/srv/app' };

describe('redact/stack: tracebacks', () => {
  it('lines of the message that look like frames are message, not frames (type-only ships none of it)', () => {
    const strict = createEngineSync('builtin:strict');
    const err = new Error('failed for customer\n    at Jane Smith, account 12345\n    at internal note: overdue');
    const r = strict.scrubError(err);
    assert.equal(r.message, 'Error');
    for (const word of ['Jane', 'Smith', '12345', 'overdue', 'customer']) assert.notInclude(r.stack ?? '', word);
    assert.match(r.stack ?? '', /^Error\n {4}at /, 'the real frames are still there');
  });

  it('the raw message is skipped only where the header is', () => {
    const stack = 'Error: boom\n    at f (/srv/app/a.js:1:2)\n    at g (/srv/app/boom.js:3:4)';
    assert.equal(scrubStack(stack, 'Error: boom', OPTS, (l) => l, 'boom'), 'Error: boom\n    at f (a.js:1:2)\n    at g (boom.js:3:4)');
  });

  it('usernames with spaces in home directories are removed whole, on every platform', () => {
    const cases: [string, string][] = [
      ['    at f (/Users/Jane Doe/proj/a.js:1:2)', '    at f (~/proj/a.js:1:2)'],
      ['    at g (C:\\Users\\Jane Doe\\proj\\b.js:3:4)', '    at g (~\\proj\\b.js:3:4)'],
      ['    at h (/home/bob/x.js:1:1)', '    at h (~/x.js:1:1)'],
      ['    at file:///Users/Jane%20Doe/proj/c.mjs:5:6', '    at file://~/proj/c.mjs:5:6'],
    ];
    for (const [line, expected] of cases) assert.equal(scrubFramePaths(line, OPTS), expected);
    for (const [line] of cases) {
      const removed = scrubFramePaths(line, { ...OPTS, paths: 'remove' });
      assert.notMatch(removed, /Jane|Doe|bob|proj/, removed);
    }
  });

  it('node: internal module paths are not taken for absolute paths', () => {
    const line = '    at ModuleJob.run (node:internal/modules/esm/module_job:325:25)';
    assert.equal(scrubFramePaths(line, { ...OPTS, paths: 'remove' }), line);
  });
});
