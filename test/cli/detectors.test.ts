import { assert } from 'chai';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BUILTIN_DETECTORS } from '../../lib/detect/catalogue/index.ts';
import { detectorsMarkdown } from '../../lib/cli/detectors.ts';
import { egressGuard, REPO } from '../helpers/cli.ts';

describe('cli: egress-guard detectors', function () {
  this.timeout(30_000);

  it('docs/detectors.md is the output of `egress-guard detectors` (regenerate it when the catalogue changes)', () => {
    assert.equal(readFileSync(join(REPO, 'docs/detectors.md'), 'utf8'), detectorsMarkdown());
  });

  it('lists every detector as JSON, without the examples, filtered by tag', async () => {
    const all = await egressGuard(['detectors', '--format', 'json']);
    assert.equal(all.code, 0, all.stderr);
    const rows = JSON.parse(all.stdout) as { id: string; examples?: unknown }[];
    assert.deepEqual(rows.map((r) => r.id), BUILTIN_DETECTORS.map((d) => d.id));
    assert.isTrue(rows.every((r) => r.examples === undefined), 'examples look like secrets: not listed');
    const pii = await egressGuard(['detectors', '--format', 'json', '--tag', 'pii']);
    assert.deepEqual(
      (JSON.parse(pii.stdout) as { id: string }[]).map((r) => r.id),
      BUILTIN_DETECTORS.filter((d) => d.tags.includes('pii')).map((d) => d.id),
    );
    const bad = await egressGuard(['detectors', '--format', 'xml']);
    assert.equal(bad.code, 2);
  });
});
