/** Checks policy files without using them: every problem of every file, positioned. */
import { loadPolicy, type LoadOptions } from './load.ts';
import { PolicyError, type PolicyIssue } from './errors.ts';

export interface LintResult {
  file: string;
  ok: boolean;
  issues: PolicyIssue[];
}

/**
 * Loads each file as `run` would, and collects its problems instead of stopping at the first file.
 *
 * @example (await lintPolicyFiles(['policy.yaml'], { cwd: process.cwd(), env: process.env }))[0].ok
 */
export async function lintPolicyFiles(files: string[], options: LoadOptions = {}): Promise<LintResult[]> {
  const results: LintResult[] = [];
  for (const file of files) {
    try {
      await loadPolicy(file, options);
      results.push({ file, ok: true, issues: [] });
    } catch (err) {
      if (!(err instanceof PolicyError)) throw err;
      results.push({ file, ok: false, issues: err.issues });
    }
  }
  return results;
}
