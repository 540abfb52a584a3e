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

/** A compiled engine, a policy file, `builtin:NAME`, a policy object or a loaded policy: what the logger guards take. */
export type PolicyArgument = Engine | string | PolicyDocument | LoadedPolicy;

/**
 * The engine for a policy argument; policies are loaded synchronously, so logger guards can be made anywhere.
 *
 * @example
 * const engine = engineFor('builtin:default');
 * engine.scrubText('token=ghp_...', 'logs').text;
 */
export function engineFor(policy: PolicyArgument = DEFAULT_POLICY, options: EngineOptions & { cwd?: string } = {}): Engine {
  if (typeof policy === 'object' && 'scrubText' in policy) return policy;
  return createEngineSync(policy, options);
}
