/** One call from a policy reference to a ready engine: load (validate, resolve extends) and compile. */
import { compilePolicy, type Engine, type EngineOptions } from './engine.ts';
import { loadPolicy, loadPolicySync, resolvePolicyObject, resolvePolicyObjectSync, type LoadOptions } from './load.ts';
import type { LoadedPolicy, PolicyDocument } from './types.ts';

/**
 * The policy in force when none is named: `builtin:default` (secrets removed, personal data masked,
 * locations encrypted).
 *
 * @example
 * const engine = await createEngine(DEFAULT_POLICY); // the same as createEngine()
 */
export const DEFAULT_POLICY = 'builtin:default';

/**
 * One call from a policy reference to a ready engine: loads it (validates it, checks its regexes, resolves
 * `extends`) and compiles it. Throws a PolicyError listing every problem, each at its FILE:LINE:COL.
 *
 * @param policy a file path, `builtin:NAME`, a policy object, or an already loaded policy
 * @example
 * const engine = await createEngine('builtin:default');
 * engine.scrubText('token=ghp_R7tKq2mWx9LpZ4vN8sB3cD6fG1hJ5kM0yQeT', 'logs').text; // 'token=[REDACTED]'
 */
export async function createEngine(
  policy: string | PolicyDocument | LoadedPolicy = DEFAULT_POLICY,
  options: EngineOptions & { cwd?: string } = {},
): Promise<Engine> {
  return compilePolicy(await loadAny(policy, loadOptionsOf(options)), options);
}

/**
 * createEngine, synchronously: for set-up code that cannot await (a winston format, a module's top level in
 * CommonJS). A policy with regexes of its own blocks while recheck analyses them.
 *
 * @example const engine = createEngineSync('builtin:strict');
 */
export function createEngineSync(policy: string | PolicyDocument | LoadedPolicy = DEFAULT_POLICY, options: EngineOptions & { cwd?: string } = {}): Engine {
  return compilePolicy(loadAnySync(policy, loadOptionsOf(options)), options);
}

/** The same env for loading (file: and env-expanded paths) as for compiling (env: keys). */
function loadOptionsOf(options: EngineOptions & { cwd?: string }): LoadOptions {
  return { ...(options.cwd !== undefined && { cwd: options.cwd }), ...(options.env !== undefined && { env: options.env }) };
}

/**
 * Loads a policy without compiling it: a file path or `builtin:NAME` is read, a policy object is validated
 * and its `extends` resolved, an already loaded policy is returned as is. Throws a PolicyError.
 *
 * @example
 * const loaded = await loadAny('builtin:strict');
 * loaded.identity; // { name: 'strict', version: 1, sha256: 'f97dc6eb…' }
 */
export async function loadAny(policy: string | PolicyDocument | LoadedPolicy, options: LoadOptions = {}): Promise<LoadedPolicy> {
  if (typeof policy === 'string') return loadPolicy(policy, options);
  if (isLoaded(policy)) return policy;
  return resolvePolicyObject(policy, options);
}

/**
 * loadAny, synchronously (a policy with regexes of its own blocks while recheck analyses them).
 *
 * @example loadAnySync({ name: 'app', version: 1, extends: ['builtin:default'] }).sources // ['<inline>', 'builtin:default']
 */
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
