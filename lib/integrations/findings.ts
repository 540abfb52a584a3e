/**
 * Findings gathered from the parts of one outbound item (a span's name, attributes and events; a Sentry
 * event's fields), each part's paths put under the part's own path, as the gate does for a flow's items.
 * Shared by lib/otel and lib/sentry.
 */
import type { Finding } from '../redact/findings.ts';

/**
 * The findings of a part, under `path`.
 *
 * @example under([{ detector: 'email-address', path: 'user.email', action: 'mask', count: 1 }], 'extra')[0].path // 'extra.user.email'
 */
export function under(findings: readonly Finding[], path: string): Finding[] {
  return findings.map((f) => ({ ...f, path: f.path === '$' ? path : f.path.startsWith('[') ? `${path}${f.path}` : `${path}.${f.path}` }));
}

/**
 * A key as a path segment: `name`, or `["url.full"]` when it is not a plain identifier.
 *
 * @example segment('url.full') // '["url.full"]'
 */
export function segment(key: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(key) ? key : `[${JSON.stringify(key)}]`;
}

/**
 * Whether the policy failed on some part (a placeholder went out instead: fail closed).
 *
 * @example blocked([{ detector: 'policy-error', path: '$', action: 'block', count: 1 }]) // true
 */
export function blocked(findings: readonly Finding[]): boolean {
  return findings.some((f) => f.detector === 'policy-error');
}

/**
 * What a door records when its own code failed on an item (an item that cannot be read): nothing of it goes out.
 *
 * @example { findings: [POLICY_ERROR] } // the audit hears `blocked: policy-error`
 */
export const POLICY_ERROR: Finding = Object.freeze({ detector: 'policy-error', path: '$', action: 'block', count: 1 });
