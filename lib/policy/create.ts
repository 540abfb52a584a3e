/** One call from a policy reference to a ready engine: load (validate, resolve extends) and compile. */
import { compilePolicy, type Engine, type EngineOptions } from './engine.ts';
import { loadPolicy, resolvePolicyObject } from './load.ts';
import type { LoadedPolicy, PolicyDocument } from './types.ts';

export const DEFAULT_POLICY = 'builtin:default';

/**
 * @param policy a file path, `builtin:NAME`, a policy object, or an already loaded policy
 */
export async function createEngine(
  policy: string | PolicyDocument | LoadedPolicy = DEFAULT_POLICY,
  options: EngineOptions & { cwd?: string } = {},
): Promise<Engine> {
  return compilePolicy(await loadAny(policy, options.cwd), options);
}

export async function loadAny(policy: string | PolicyDocument | LoadedPolicy, cwd?: string): Promise<LoadedPolicy> {
  if (typeof policy === 'string') return loadPolicy(policy, cwd === undefined ? {} : { cwd });
  if (isLoaded(policy)) return policy;
  return resolvePolicyObject(policy, cwd === undefined ? {} : { cwd });
}

function isLoaded(p: PolicyDocument | LoadedPolicy): p is LoadedPolicy {
  return 'identity' in p && 'policy' in p && 'sources' in p;
}
