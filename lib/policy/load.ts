/**
 * Loading a policy: parse (YAML or JSON, with positions), validate against the JSON Schema, resolve
 * `extends`, check what the schema cannot (detector references, regex safety, keys, key paths), merge,
 * and compute the policy's identity. Every problem becomes a PolicyIssue at the node that caused it; all
 * problems of a file are reported together.
 */
import { accessSync, constants } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { BUILTIN_POLICY_DOCUMENTS } from './builtin-policies.generated.ts';
import { BUILTIN_DETECTORS } from '../detect/catalogue/index.ts';
import { expandPath, FileReadError, MAX_KEY_FILE_BYTES, readRegularFileSync, regularFileProblem } from '../crypto/keys.ts';
import { packageRoot } from '../package-root.ts';
import { parsePath, PathSyntaxError } from '../redact/paths.ts';
import type { SectionChecker } from '../channels/definition.ts';
import { CHANNEL_DEFINITIONS, CHANNELS, type Channel } from '../channels/registry.ts';
import { canonicalJson, sha256Hex } from '../crypto/canonical.ts';
import { PolicyError, type PolicyIssue } from './errors.ts';
import { checkRegexes, checkRegexesSync, REGEX_CHECK_BUDGET_MS, type RegexToCheck, type RegexVerdict } from './regex-safety.ts';
import type { LoadedPolicy, PolicyDocument, ResolvedPolicy } from './types.ts';
import { parseYamlPolicy, type Locate, type PathKey } from './yaml-source.ts';
import { absolutizeKeys, mergePolicies } from './merge.ts';
import { validateSchema } from './schema-messages.ts';
import { suggest } from './suggest.ts';

export { mergePolicies } from './merge.ts';

export interface LoadOptions {
  /** Where relative paths of a policy given as an object are resolved (default: the working directory). */
  cwd?: string;
  env?: NodeJS.ProcessEnv;
}

/** One policy file (or object) being loaded, and how to find a node's position in it. */
interface Source {
  file: string;
  dir: string;
  data: PolicyDocument;
  locate: Locate;
}

const BUILTIN_PREFIX = 'builtin:';
const MAX_ALIASES = 100;
/** Policies are hand-written: a bigger file is a mistake (or /dev/zero), not a policy. */
const MAX_POLICY_BYTES = 1024 * 1024;

/** A policy file's text; a FileReadError or an errno error when it is not a regular file within the limit. */
function readPolicyFile(path: string): string {
  return readRegularFileSync(path, MAX_POLICY_BYTES).toString('utf8');
}

/** ` (CODE)`, and what is wrong with the file when that is more than an errno code. */
function readProblem(err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code ?? 'error';
  return err instanceof FileReadError ? ` (${code}): ${err.message}` : ` (${code})`;
}

/** How a load decides its regexes: recheck, synchronously by default (see loadAsync for the asynchronous loads). */
type RegexChecker = (regexes: readonly RegexToCheck[], budgetMs: number) => RegexVerdict[];

/**
 * Loads a policy file or `builtin:NAME`, with everything checked; throws a PolicyError listing every problem
 * at its FILE:LINE:COL. Asynchronous for real: recheck's analysis of the policy's own regexes runs in a
 * child process while the event loop goes on.
 *
 * @example const loaded = await loadPolicy('policies/payments.yaml'); loaded.identity.sha256;
 */
export function loadPolicy(ref: string, options: LoadOptions = {}): Promise<LoadedPolicy> {
  return loadAsync((check) => loadPolicyWith(ref, options, check));
}

/**
 * loadPolicy, synchronously (for places that cannot await, such as a winston format's set-up): a policy
 * with regexes of its own blocks while recheck analyses them.
 *
 * @example const engine = compilePolicy(loadPolicySync('builtin:strict'));
 */
export function loadPolicySync(ref: string, options: LoadOptions = {}): LoadedPolicy {
  return loadPolicyWith(ref, options, checkRegexesSync);
}

function loadPolicyWith(ref: string, options: LoadOptions, check: RegexChecker): LoadedPolicy {
  const target = resolveRef(ref, options.cwd ?? process.cwd());
  if (!target.ok) throw new PolicyError([{ file: ref, line: 1, col: 1, message: target.message }]);
  if (target.builtin !== undefined) {
    const state = new LoadState(options.env ?? process.env, check);
    const result = state.loadBuiltin(target.builtin, target.display, target.path, []);
    if (state.issues.length > 0 || result === undefined) throw new PolicyError(sortIssues(state.issues));
    return finish(result.policy, [target.display, ...result.parents], state.keyOrigins);
  }
  let text: string;
  try {
    text = readPolicyFile(target.path);
  } catch (err) {
    throw new PolicyError([{ file: ref, line: 1, col: 1, message: `cannot read policy file${readProblem(err)}` }]);
  }
  return loadPolicyTextWith(text, target.display, { ...options, path: target.path }, check);
}

/**
 * A policy from its text (YAML or JSON), named `file` in messages; relative `extends` and key files resolve
 * against `options.path`'s directory (default: `file` in the working directory).
 *
 * @example await loadPolicyText('name: p\nversion: 1\nextends: [builtin:default]\n', 'inline.yaml');
 */
export function loadPolicyText(text: string, file: string, options: LoadOptions & { path?: string } = {}): Promise<LoadedPolicy> {
  return loadAsync((check) => loadPolicyTextWith(text, file, options, check));
}

/**
 * loadPolicyText, synchronously.
 *
 * @example loadPolicyTextSync('{"name":"p","version":1}', 'p.json').identity.name // 'p'
 */
export function loadPolicyTextSync(text: string, file: string, options: LoadOptions & { path?: string } = {}): LoadedPolicy {
  return loadPolicyTextWith(text, file, options, checkRegexesSync);
}

function loadPolicyTextWith(text: string, file: string, options: LoadOptions & { path?: string }, check: RegexChecker): LoadedPolicy {
  const path = options.path ?? resolve(options.cwd ?? process.cwd(), file);
  const state = new LoadState(options.env ?? process.env, check);
  const result = state.load(text, file, path, []);
  if (state.issues.length > 0 || result === undefined) throw new PolicyError(sortIssues(state.issues));
  return finish(result.policy, [file, ...result.parents], state.keyOrigins);
}

/**
 * A policy given as a JS object (for example from code), with the same checks: positions are `<inline>`.
 *
 * @example await resolvePolicyObject({ name: 'app', version: 1, extends: ['builtin:default'] });
 */
export function resolvePolicyObject(doc: unknown, options: LoadOptions & { file?: string } = {}): Promise<LoadedPolicy> {
  return loadAsync((check) => resolvePolicyObjectWith(doc, options, check));
}

/**
 * resolvePolicyObject, synchronously.
 *
 * @example resolvePolicyObjectSync({ name: 'app', version: 1 }).identity.version // 1
 */
export function resolvePolicyObjectSync(doc: unknown, options: LoadOptions & { file?: string } = {}): LoadedPolicy {
  return resolvePolicyObjectWith(doc, options, checkRegexesSync);
}

function resolvePolicyObjectWith(doc: unknown, options: LoadOptions & { file?: string }, check: RegexChecker): LoadedPolicy {
  const file = options.file ?? '<inline>';
  const dir = options.cwd ?? process.cwd();
  const state = new LoadState(options.env ?? process.env, check);
  const source: Source = { file, dir, data: doc as PolicyDocument, locate: () => ({ line: 1, col: 1 }) };
  const result = state.process(source, join(dir, file), []);
  if (state.issues.length > 0 || result === undefined) throw new PolicyError(sortIssues(state.issues));
  return finish(result.policy, [file, ...result.parents], state.keyOrigins);
}

/**
 * A synchronous load made asynchronous where it can block: it runs once collecting the regexes it would
 * check (taking each as safe), they are checked without blocking, then it runs again on those verdicts.
 * A load with no regex to check is done after the first run.
 */
async function loadAsync(load: (check: RegexChecker) => LoadedPolicy): Promise<LoadedPolicy> {
  const collected: RegexToCheck[] = [];
  const collect: RegexChecker = (regexes) => {
    collected.push(...regexes);
    return regexes.map(() => ({ safe: true, checkedBy: 'recheck' }) as const);
  };
  let first: LoadedPolicy | undefined;
  let failure: unknown;
  try {
    first = load(collect);
  } catch (err) {
    failure = err;
  }
  if (collected.length === 0) {
    if (first === undefined) throw failure;
    return first;
  }
  const verdicts = await checkRegexes(collected);
  const decided = new Map(collected.map((r, i) => [`${r.flags ?? ''}/${r.pattern}`, verdicts[i]!] as const));
  return load((regexes) => regexes.map((r) => decided.get(`${r.flags ?? ''}/${r.pattern}`) ?? checkRegexesSync([r])[0]!));
}

function finish(policy: ResolvedPolicy, sources: string[], keyOrigins: LoadedPolicy['keyOrigins'] = {}): LoadedPolicy {
  return {
    policy,
    identity: { name: policy.name, version: policy.version, sha256: sha256Hex(canonicalJson(policy)) },
    sources,
    keyOrigins,
  };
}

class LoadState {
  readonly issues: PolicyIssue[] = [];
  /** Where the hash and location keys were last named: parents load first, so the child's wins (as in mergePolicies). */
  readonly keyOrigins: NonNullable<LoadedPolicy['keyOrigins']> = {};
  /** When the regex checks of this load (every policy in its extends chain) must be done. */
  private readonly regexDeadline = Date.now() + REGEX_CHECK_BUDGET_MS;

  constructor(
    private readonly env: NodeJS.ProcessEnv,
    private readonly checkRegexes: RegexChecker = checkRegexesSync,
  ) {}

  load(text: string, file: string, path: string, chain: string[]): { policy: ResolvedPolicy; parents: string[] } | undefined {
    const parsed = parseYamlPolicy(text, file, MAX_ALIASES);
    if ('issues' in parsed) {
      this.issues.push(...parsed.issues);
      return undefined;
    }
    const source: Source = { file, dir: dirname(path), data: parsed.data as PolicyDocument, locate: parsed.locate };
    return this.process(source, path, chain);
  }

  /**
   * A builtin policy from its document parsed at build time (no YAML parser at start-up). Should it have
   * anything to say (an unset key variable), it is loaded again from its file, so that messages have lines.
   */
  loadBuiltin(name: string, display: string, path: string, chain: string[]): { policy: ResolvedPolicy; parents: string[] } | undefined {
    const before = this.issues.length;
    const data = structuredClone(BUILTIN_POLICY_DOCUMENTS[name]) as PolicyDocument;
    const result = this.process({ file: display, dir: dirname(path), data, locate: () => ({ line: 1, col: 1 }) }, path, chain);
    if (this.issues.length === before) return result;
    this.issues.length = before;
    return this.load(readPolicyFile(path), display, path, chain);
  }

  /** Validates one source, loads what it extends, checks and merges. */
  process(source: Source, path: string, chain: string[]): { policy: ResolvedPolicy; parents: string[] } | undefined {
    const before = this.issues.length;
    if (!validateSchema(source, this.issues)) return undefined;
    const doc = source.data;

    const parents: ResolvedPolicy[] = [];
    const parentNames: string[] = [];
    for (const [i, ref] of (doc.extends ?? []).entries()) {
      const where = source.locate(['extends', i]);
      const target = resolveRef(ref, source.dir);
      if (!target.ok) {
        this.issues.push({ file: source.file, ...where, message: target.message });
        continue;
      }
      if (target.path === path || chain.includes(target.path)) {
        const cycle = [...chain, path, target.path].map((p) => displayName(p)).join(' -> ');
        this.issues.push({ file: source.file, ...where, message: `extends cycle: ${cycle}; remove one of these extends` });
        continue;
      }
      if (target.builtin !== undefined) {
        const parent = this.loadBuiltin(target.builtin, target.display, target.path, [...chain, path]);
        if (parent !== undefined) {
          parents.push(parent.policy);
          parentNames.push(target.display, ...parent.parents);
        }
        continue;
      }
      let text: string;
      try {
        text = readPolicyFile(target.path);
      } catch (err) {
        const hint = err instanceof FileReadError ? 'extends takes policy files' : 'the path is relative to this file';
        this.issues.push({ file: source.file, ...where, message: `cannot read extended policy ${ref}${readProblem(err)}; ${hint}` });
        continue;
      }
      const parent = this.load(text, target.display, target.path, [...chain, path]);
      if (parent === undefined) continue;
      parents.push(parent.policy);
      parentNames.push(target.display, ...parent.parents);
    }
    if (this.issues.length > before) return undefined;

    const { extends: _extends, $schema: _schema, ...own } = doc;
    const merged = [...parents, own as ResolvedPolicy].reduce((acc, p) => mergePolicies(acc, p));
    this.checkSemantics(source, merged);
    if (this.issues.length > before) return undefined;
    return { policy: absolutizeKeys(merged, own as ResolvedPolicy, source.dir), parents: parentNames };
  }

  /** What the schema cannot say: references, regexes, key paths, keys. Positioned at this source's nodes. */
  private checkSemantics(source: Source, merged: ResolvedPolicy): void {
    const doc = source.data;
    const issue = (path: PathKey[], message: string, check?: string, at: 'key' | 'value' = 'value') =>
      this.issues.push({ file: source.file, ...source.locate(path, at), message, ...(check !== undefined && { check }) });

    const builtinIds = new Set(BUILTIN_DETECTORS.map((d) => d.id));
    const tags = new Set(BUILTIN_DETECTORS.flatMap((d) => d.tags));
    const customIds = Object.keys(merged.detectors ?? {});
    for (const d of Object.values(merged.detectors ?? {})) for (const t of d.tags ?? ['secret']) tags.add(t);
    const known = new Set([...builtinIds, ...customIds, ...tags]);

    for (const [i, id] of (doc.disable ?? []).entries()) {
      if (!builtinIds.has(id)) issue(['disable', i], `unknown builtin detector "${id}"${suggest(id, builtinIds)}; see \`egress-guard detectors\``);
    }

    // Every regex of this source in one batch: one checker process for all (see regex-safety.ts).
    const detectors = Object.entries(doc.detectors ?? {});
    const sections = (doc.channels ?? {}) as Record<Channel, unknown>;
    const channelRegexes = CHANNELS.flatMap((name) => {
      const regexes = CHANNEL_DEFINITIONS[name].regexes as ((own: unknown) => { path: PathKey[]; pattern: string }[]) | undefined;
      return sections[name] === undefined || regexes === undefined ? [] : regexes(sections[name]).map((r) => ({ ...r, path: ['channels', name, ...r.path] }));
    });
    const verdicts = this.checkRegexes(
      [...detectors.map(([, d]) => ({ pattern: d.pattern, flags: d.flags ?? '' })), ...channelRegexes.map(({ pattern }) => ({ pattern }))],
      Math.max(0, this.regexDeadline - Date.now()),
    );
    const regexIssue = (path: PathKey[], verdict: (typeof verdicts)[number]) => {
      if (!verdict.safe) issue(path, `unsafe or invalid regex (${verdict.check}): ${verdict.reason}`, verdict.check);
    };

    for (const [n, [id, d]] of detectors.entries()) {
      const at: PathKey[] = ['detectors', id];
      if (builtinIds.has(id)) {
        issue(at, `detector "${id}" is a builtin detector; to replace it, add "${id}" to disable and give yours another id`, undefined, 'key');
      } else if (tags.has(id) && BUILTIN_DETECTORS.some((b) => b.tags.includes(id))) {
        issue(at, `detector id "${id}" is a tag; choose another id`, undefined, 'key');
      }
      if (!verdicts[n]!.safe) {
        regexIssue([...at, 'pattern'], verdicts[n]!);
        continue;
      }
      if (d.group !== undefined && !hasGroup(d.pattern, d.flags ?? '', d.group)) {
        issue([...at, 'group'], `group ${JSON.stringify(d.group)} does not exist in the pattern`);
      }
    }
    channelRegexes.forEach(({ path }, i) => regexIssue(path, verdicts[detectors.length + i]!));

    const hashKey = merged.hash?.key;
    const checkAction = (path: PathKey[], action: unknown, encryptAllowed = false) => {
      const name = typeof action === 'string' ? action : undefined;
      if (name === 'encrypt' && !encryptAllowed) {
        issue(path, 'the encrypt action applies to channels.locations.action only; use remove, replace, mask or hash here');
      }
      if (name === 'hash' && hashKey === undefined) {
        issue(path, 'the hash action needs a key: add hash: { key: env:NAME } (an unkeyed hash of a secret is a dictionary lookup away from the secret)');
      }
    };
    const checkSelector = (path: PathKey[], selector: unknown) => {
      if (!Array.isArray(selector)) return;
      selector.forEach((s: string, j) => {
        if (!known.has(s)) issue([...path, j], `unknown detector or tag "${s}"${suggest(s, known)}; see \`egress-guard detectors\``);
      });
    };
    const checkValueRules = (path: PathKey[], rules: unknown) => {
      const list = Array.isArray(rules) ? rules : rules === undefined || typeof rules === 'string' ? [] : [rules];
      const base = Array.isArray(rules) ? (i: number) => [...path, i] : () => path;
      list.forEach((r: { detectors: unknown; action: unknown }, i) => {
        checkSelector([...base(i), 'detectors'], r.detectors);
        checkAction([...base(i), 'action'], r.action);
      });
    };
    const checkPath = (path: PathKey[], keyPath: string) => {
      try {
        parsePath(keyPath);
      } catch (err) {
        if (err instanceof PathSyntaxError) issue(path, err.message);
        else throw err;
      }
    };

    // Each channel checks its own section (lib/channels/), positioned under channels.<name>.
    const mergedSections = (merged.channels ?? {}) as Record<Channel, unknown>;
    for (const name of CHANNELS) {
      if (sections[name] === undefined) continue;
      const at = (path: PathKey[]): PathKey[] => ['channels', name, ...path];
      const checker: SectionChecker = {
        issue: (path, message) => issue(at(path), message),
        action: (path, action, allow) => checkAction(at(path), action, allow?.encrypt === true),
        valueRules: (path, rules) => checkValueRules(at(path), rules),
        keyPath: (path, keyPath) => checkPath(at(path), keyPath),
      };
      const check = CHANNEL_DEFINITIONS[name].check as (own: unknown, merged: unknown, check: SectionChecker) => void;
      check(sections[name], mergedSections[name], checker);
    }
    if (doc.key_names?.action !== undefined) checkAction(['key_names', 'action'], doc.key_names.action);

    const origin = (path: PathKey[]) => ({ file: source.file, ...source.locate(path) });
    if (doc.hash?.key !== undefined) this.keyOrigins.hash = origin(['hash', 'key']);
    if (doc.channels?.locations?.key !== undefined) this.keyOrigins.location = origin(['channels', 'locations', 'key']);

    // Key files must exist when the policy says where they are (and no variable is left unset).
    const keyRefs: [PathKey[], string | undefined, string][] = [
      [['hash', 'key'], doc.hash?.key, 'hash key'],
      [['channels', 'locations', 'key'], doc.channels?.locations?.key, 'location key'],
    ];
    for (const [path, ref, what] of keyRefs) {
      if (ref === undefined || !ref.startsWith('file:')) continue;
      const expanded = expandPath(ref.slice(5), this.env);
      if (expanded === undefined) continue; // deferred to first use
      const file = isAbsolute(expanded) ? expanded : resolve(source.dir, expanded);
      try {
        accessSync(file, constants.R_OK);
        // A directory, a FIFO or a device passes the R_OK check but is no key file (looked at only: the
        // file is never opened here, its contents are the key).
        const problem = regularFileProblem(file, MAX_KEY_FILE_BYTES);
        if (problem !== undefined) throw problem;
      } catch (err) {
        const hint =
          err instanceof FileReadError
            ? 'give the path of a key file'
            : what === 'location key'
              ? 'make one with `egress-guard keys new --out FILE`'
              : 'create it with at least 32 random bytes';
        issue(path, `${what} file ${file} cannot be read${readProblem(err)}; ${hint}`);
      }
    }
  }
}

function sortIssues(issues: PolicyIssue[]): PolicyIssue[] {
  return [...issues].sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.col - b.col);
}

// ---------------------------------------------------------------------------------------------------------
// References, merging, keys

type Resolved = { ok: true; path: string; display: string; builtin?: string } | { ok: false; message: string };

function resolveRef(ref: string, dir: string): Resolved {
  if (ref.startsWith(BUILTIN_PREFIX)) {
    const name = ref.slice(BUILTIN_PREFIX.length);
    const available = builtinPolicyNames();
    if (!available.includes(name)) {
      return { ok: false, message: `unknown builtin policy "${ref}"${suggest(name, available)}; available: ${available.map((n) => BUILTIN_PREFIX + n).join(', ')}` };
    }
    return { ok: true, path: join(packageRoot(), 'policies', `${name}.yaml`), display: ref, builtin: name };
  }
  return { ok: true, path: isAbsolute(ref) ? ref : resolve(dir, ref), display: ref };
}

function builtinPolicyNames(): string[] {
  return Object.keys(BUILTIN_POLICY_DOCUMENTS);
}

function displayName(path: string): string {
  const builtinDir = join(packageRoot(), 'policies') + '/';
  return path.startsWith(builtinDir) ? BUILTIN_PREFIX + path.slice(builtinDir.length).replace(/\.yaml$/, '') : path;
}

function hasGroup(pattern: string, flags: string, group: number | string): boolean {
  const m = new RegExp(`${pattern}|`, flags).exec('')!;
  return typeof group === 'number' ? group < m.length : m.groups !== undefined && group in m.groups;
}
