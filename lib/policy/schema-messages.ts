/**
 * The policy schema's verdict as messages a policy author can act on: ajv's errors (from the validator
 * generated ahead of time) reduced to the ones that explain the problem, each at its FILE:LINE:COL, with a
 * suggestion for a misspelt key or value.
 */
import type { ErrorObject, ValidateFunction } from 'ajv/dist/2020.js';
import type { PolicyIssue } from './errors.ts';
import validatePolicySchema from './policy-validator.generated.ts';
import { suggest } from './suggest.ts';
import type { Locate, PathKey } from './yaml-source.ts';

/** The schema compiled ahead of time (scripts/policy-validator.ts): no schema compiler runs at start-up. */
const schemaValidator = validatePolicySchema as unknown as ValidateFunction;

/**
 * Checks a policy document against the JSON Schema; each problem goes into `issues` at its FILE:LINE:COL,
 * in words a policy author can act on (a misspelt key or value gets a suggestion).
 *
 * @example if (!validateSchema({ file, data, locate }, issues)) return undefined;
 */
export function validateSchema(source: { file: string; data: unknown; locate: Locate }, issues: PolicyIssue[]): boolean {
  const validate = schemaValidator;
  if (validate(source.data)) return true;
  const errors = selectErrors(validate.errors ?? []);
  const seen = new Set<string>();
  for (const e of errors) {
    const { path, at, message } = describe(e, source.data);
    const issue = { file: source.file, ...source.locate(path, at), message };
    const key = `${issue.line}:${issue.col}:${message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    issues.push(issue);
  }
  return false;
}

/**
 * ajv reports every failed branch of a oneOf. When some branch got deeper into the value than the oneOf
 * itself (the author meant that shape and got something inside wrong), report those deeper errors only;
 * otherwise report the oneOf alone, with the expected shapes from its description.
 */
function selectErrors(errors: ErrorObject[]): ErrorObject[] {
  let kept = errors;
  const oneOfs = errors.filter((e) => e.keyword === 'oneOf').sort((a, b) => b.instancePath.length - a.instancePath.length);
  for (const o of oneOfs) {
    if (!kept.includes(o)) continue;
    const at = o.instancePath;
    const deeper = kept.some((e) => e.instancePath.startsWith(at + '/'));
    kept = kept.filter((e) => (e.instancePath === at ? !deeper && e === o : true));
  }
  return kept;
}

function describe(e: ErrorObject, data: unknown): { path: PathKey[]; at: 'key' | 'value'; message: string } {
  const path = e.instancePath
    .split('/')
    .slice(1)
    .map((s) => s.replaceAll('~1', '/').replaceAll('~0', '~'))
    .map((s) => (/^\d+$/.test(s) && isArrayAt(data, e.instancePath) ? Number(s) : s));
  const where = path.length === 0 ? 'policy root' : formatPolicyPath(path);
  const schema = e.parentSchema as { description?: string; properties?: Record<string, unknown> } | undefined;
  switch (e.keyword) {
    case 'additionalProperties': {
      const key = String((e.params as { additionalProperty: string }).additionalProperty);
      const allowed = Object.keys(schema?.properties ?? {});
      const hint = suggest(key, allowed) || (allowed.length > 0 ? `; allowed: ${allowed.join(', ')}` : '');
      return { path: [...path, key], at: 'key', message: `unknown key "${key}" in ${where}${hint}` };
    }
    case 'required':
      return { path, at: 'value', message: `missing required key "${(e.params as { missingProperty: string }).missingProperty}" in ${where}` };
    case 'enum': {
      const allowed = (e.params as { allowedValues: unknown[] }).allowedValues;
      return { path, at: 'value', message: `${where}: must be one of ${allowed.join(', ')}${misspelt(valueAt(data, path), allowed)}` };
    }
    case 'oneOf':
    case 'const': {
      // The description is the expectation: a oneOf's description in the schema must list the shapes it accepts.
      const shapes = e.keyword === 'oneOf' && Array.isArray(e.schema) ? (e.schema as { enum?: unknown[]; const?: unknown }[]) : [];
      const words = shapes.flatMap((shape) => [...(shape.enum ?? []), ...(shape.const !== undefined ? [shape.const] : [])]);
      return { path, at: 'value', message: `${where}: invalid value${misspelt(valueAt(data, path), words)}; expected ${schema?.description ?? 'a different shape'}` };
    }
    case 'propertyNames': {
      const name = (e.params as { propertyName: string }).propertyName;
      return { path: [...path, name], at: 'key', message: `${where}: "${name}" is not a valid id (use kebab-case: lower-case letters, digits and single dashes)` };
    }
    case 'pattern':
      if (path.at(-1) === 'key') return { path, at: 'value', message: `${where}: must be env:NAME or file:PATH` };
      return { path, at: 'value', message: `${where}: ${e.message ?? 'invalid'}` };
    default:
      return { path, at: 'value', message: `${where}: ${e.message ?? 'invalid'}` };
  }
}

/** A did-you-mean for a string value among the words a schema allows there, else nothing. */
function misspelt(value: unknown, allowed: unknown[]): string {
  return typeof value === 'string' ? suggest(value, allowed.filter((a): a is string => typeof a === 'string')) : '';
}

function valueAt(data: unknown, path: PathKey[]): unknown {
  let node = data;
  for (const key of path) node = typeof node === 'object' && node !== null ? (node as Record<PathKey, unknown>)[key] : undefined;
  return node;
}

function isArrayAt(data: unknown, instancePath: string): boolean {
  // Numeric segments are array indices only where the parent is an array (a detector may be named "1").
  let node: unknown = data;
  for (const seg of instancePath.split('/').slice(1, -1)) node = (node as Record<string, unknown> | undefined)?.[seg];
  return Array.isArray(node);
}

function formatPolicyPath(path: readonly PathKey[]): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('');
}
