/** Checks policy files without using them: every problem of every file, positioned. */
import { loadPolicy, type LoadOptions } from './load.ts';
import type { LoadedPolicy } from './types.ts';
import { PolicyError, type PolicyIssue } from './errors.ts';

export interface LintResult {
  file: string;
  ok: boolean;
  issues: PolicyIssue[];
  /**
   * What is valid but will stop `run`, `scrub` or `policy test` in this environment: a hash key read from
   * an environment variable that is not set, while the policy hashes. Lint still passes (it often runs
   * where secrets are not), but says so.
   */
  warnings: PolicyIssue[];
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
      const loaded = await loadPolicy(file, options);
      results.push({ file, ok: true, issues: [], warnings: environmentWarnings(loaded, options.env ?? process.env) });
    } catch (err) {
      if (!(err instanceof PolicyError)) throw err;
      results.push({ file, ok: false, issues: err.issues, warnings: [] });
    }
  }
  return results;
}

/** A hash key named by an unset environment variable, in a policy that hashes (see LintResult.warnings). */
function environmentWarnings(loaded: LoadedPolicy, env: NodeJS.ProcessEnv): PolicyIssue[] {
  const ref = loaded.policy.hash?.key;
  if (ref === undefined || !ref.startsWith('env:')) return [];
  const name = ref.slice(4);
  if (env[name] !== undefined && env[name] !== '') return [];
  if (!hashes(loaded.policy)) return [];
  const at = loaded.keyOrigins?.hash ?? { file: loaded.sources[0] ?? '<inline>', line: 1, col: 1 };
  return [{ ...at, message: `hash.key is ${ref}, which is not set here: run, scrub and policy test refuse to start without it (set it to at least 32 random bytes)` }];
}

/** Whether any rule of the policy hashes: an `action: hash` anywhere in its channels or key_names. */
function hashes(policy: LoadedPolicy['policy']): boolean {
  const visit = (node: unknown): boolean => {
    if (Array.isArray(node)) return node.some(visit);
    if (node === null || typeof node !== 'object') return false;
    return Object.entries(node).some(([k, v]) => (k === 'action' && v === 'hash') || visit(v));
  };
  return visit(policy.channels) || visit(policy.key_names);
}
