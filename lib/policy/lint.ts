/** Checks policy files without using them: every problem of every file, positioned. */
import { loadPolicy } from './load.ts';
import { PolicyError, type PolicyIssue } from './errors.ts';

export interface LintResult {
  file: string;
  ok: boolean;
  issues: PolicyIssue[];
}

export async function lintPolicyFiles(files: string[], cwd = process.cwd()): Promise<LintResult[]> {
  const results: LintResult[] = [];
  for (const file of files) {
    try {
      await loadPolicy(file, { cwd });
      results.push({ file, ok: true, issues: [] });
    } catch (err) {
      if (!(err instanceof PolicyError)) throw err;
      results.push({ file, ok: false, issues: err.issues });
    }
  }
  return results;
}
