/**
 * docs/threat-model.md maps every threat to the tests that check its mitigation: each row must name at
 * least one test, and each named test must exist (its file, and its title as written in that file).
 */
import { assert } from 'chai';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO } from '../helpers/cli.ts';

const doc = readFileSync(join(REPO, 'docs/threat-model.md'), 'utf8');
const rows = doc.split('\n').filter((l) => /^\| T\d+ \|/.test(l));

describe('docs/threat-model.md', () => {
  it('lists the threats, each with a mitigation and at least one test', () => {
    assert.isAtLeast(rows.length, 15);
    for (const row of rows) {
      const [id, threat, mitigation, tests] = row.slice(2, -2).split(' | ');
      assert.isAbove(threat!.length + mitigation!.length, 40, `${id}: threat and mitigation are written out`);
      assert.match(tests!, /`test\/[^`]+\.test\.ts`/, `${id} names a test`);
    }
  });

  it('every test it names exists, with that title', () => {
    const references = rows.flatMap((row) => [...row.matchAll(/`(test\/[^`]+\.test\.ts)`(?: › "([^"]+)")?/g)].map((m) => ({ row: row.slice(2, 5), file: m[1]!, title: m[2] })));
    assert.isAtLeast(references.length, 40);
    for (const { row, file, title } of references) {
      assert.isTrue(existsSync(join(REPO, file)), `${row}: ${file} exists`);
      if (title !== undefined) assert.include(readFileSync(join(REPO, file), 'utf8'), title, `${row}: ${file} has a test titled "${title}"`);
    }
  });
});
