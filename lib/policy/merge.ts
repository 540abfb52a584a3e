/**
 * `extends`: how a policy builds on its parents. Parent first, child on top; rule lists put the child's
 * rules first (first match wins); sets of detectors, disabled ids and key-name words are unions; each
 * channel merges its own section (ChannelDefinition.merge).
 */
import { isAbsolute, resolve } from 'node:path';
import { CHANNEL_DEFINITIONS, CHANNELS } from '../channels/registry.ts';
import type { ResolvedPolicy } from './types.ts';

/**
 * A child policy on top of its parent.
 *
 * @example mergePolicies(loadPolicySync('builtin:default').policy, own).channels
 */
export function mergePolicies(parent: ResolvedPolicy, child: ResolvedPolicy): ResolvedPolicy {
  const out: ResolvedPolicy = { ...parent, ...child };
  out.tests = child.tests;
  if (child.tests === undefined) delete out.tests;
  if (parent.detectors || child.detectors) out.detectors = { ...parent.detectors, ...child.detectors };
  if (parent.disable || child.disable) out.disable = [...new Set([...(parent.disable ?? []), ...(child.disable ?? [])])];
  if (parent.key_names || child.key_names) {
    const p = parent.key_names ?? {};
    const c = child.key_names ?? {};
    const union = (a?: string[], b?: string[]) => (a || b ? [...new Set([...(a ?? []), ...(b ?? [])])] : undefined);
    const secret = union(p.secret, c.secret);
    const notSecret = union(p.not_secret, c.not_secret);
    const action = c.action ?? p.action;
    out.key_names = { ...(secret && { secret }), ...(notSecret && { not_secret: notSecret }), ...(action !== undefined && { action }) };
  }
  for (const key of ['hash', 'limits', 'audit'] as const) {
    if (parent[key] || child[key]) (out as Record<string, unknown>)[key] = { ...parent[key], ...child[key] };
  }
  if (parent.channels || child.channels) {
    const p: Record<string, unknown> = parent.channels ?? {};
    const c: Record<string, unknown> = child.channels ?? {};
    const channels: Record<string, unknown> = { ...p, ...c };
    for (const name of CHANNELS) {
      if (p[name] === undefined || c[name] === undefined) continue;
      const merge = CHANNEL_DEFINITIONS[name].merge as (parent: unknown, child: unknown) => unknown;
      channels[name] = merge(p[name], c[name]);
    }
    out.channels = channels as ResolvedPolicy['channels'];
  }
  return out;
}

/**
 * `file:` key references of this source's own keys become absolute, so they work from anywhere.
 *
 * @example absolutizeKeys(merged, own, '/etc/egress-guard').hash?.key // 'file:/etc/egress-guard/hash.key'
 */
export function absolutizeKeys(merged: ResolvedPolicy, own: ResolvedPolicy, dir: string): ResolvedPolicy {
  const fix = (ref: string | undefined) =>
    ref !== undefined && ref.startsWith('file:') && !ref.startsWith('file:${') && !isAbsolute(ref.slice(5)) ? `file:${resolve(dir, ref.slice(5))}` : ref;
  const out = structuredClone(merged);
  if (own.hash?.key !== undefined && out.hash !== undefined) out.hash.key = fix(own.hash.key)!;
  if (own.channels?.locations?.key !== undefined && out.channels?.locations !== undefined) out.channels.locations.key = fix(own.channels.locations.key);
  return out;
}
