/** The generated modules (scripts/generate.ts) are what their sources say today: regenerate with `npm run generate`. */
import { assert } from 'chai';
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { generatedFiles } from '../../scripts/generate.ts';
import { REPO } from '../helpers/cli.ts';

describe('generated modules', function () {
  this.timeout(30_000);
  for (const [file, text] of Object.entries(generatedFiles())) {
    it(`${relative(REPO, file)} is up to date (npm run generate)`, () => {
      assert.isTrue(readFileSync(file, 'utf8') === text, `${relative(REPO, file)} is stale: run npm run generate`);
    });
  }
});
