/** One call from a policy reference to a ready engine: load (validate, resolve extends) and compile. */
import { compilePolicy, type Engine, type EngineOptions } from './engine.ts';
import { loadPolicySync, resolvePolicyObjectSync, type LoadOptions } from './load.ts';
import type { LoadedPolicy, PolicyDocument } from './types.ts';

export const DEFAULT_POLICY = 'builtin:default';

/**
 * @param policy a file path, `builtin:NAME`, a policy object, or an already loaded policy
 */
export async function createEngine(
  policy: string | PolicyDocument | LoadedPolicy = DEFAULT_POLICY,
  options: EngineOptions & { cwd?: string } = {},
): Promise<Engine> {
  return createEngineSync(policy, options);
}

/** The same, synchronously: for set-up code that cannot await (a winston format, a module's top level in CJS). */
export function createEngineSync(policy: string | PolicyDocument | LoadedPolicy = DEFAULT_POLICY, options: EngineOptions & { cwd?: string } = {}): Engine {
  // The same env for loading (file: and env-expanded paths) as for compiling (env: keys).
  return compilePolicy(loadAnySync(policy, { ...(options.cwd !== undefined && { cwd: options.cwd }), ...(options.env !== undefined && { env: options.env }) }), options);
}

export async function loadAny(policy: string | PolicyDocument | LoadedPolicy, options: LoadOptions = {}): Promise<LoadedPolicy> {
  return loadAnySync(policy, options);
}

export function loadAnySync(policy: string | PolicyDocument | LoadedPolicy, options: LoadOptions = {}): LoadedPolicy {
  if (typeof policy === 'string') return loadPolicySync(policy, options);
  if (isLoaded(policy)) return policy;
  return resolvePolicyObjectSync(policy, options);
}

function isLoaded(p: PolicyDocument | LoadedPolicy): p is LoadedPolicy {
  return 'identity' in p && 'policy' in p && 'sources' in p;
}
