/** A small, fixed detector catalogue so engine tests do not depend on the builtin catalogue's details. */
import type { DetectorSpec } from '../../lib/detect/types.ts';
import type { LoadedPolicy, ResolvedPolicy } from '../../lib/policy/types.ts';

export const TOKEN = 'tok_' + 'Q7mZ2xW9kP4vN8sB3cD6'; // fake, shaped for the test detector below
export const EMAIL = 'carol.jones@example.net';

export const TEST_CATALOGUE: DetectorSpec[] = [
  { id: 'test-token', description: 'test token', tags: ['secret'], pattern: '\\btok_[A-Za-z0-9]{20}\\b', keywords: ['tok_'] },
  {
    id: 'test-email',
    description: 'email',
    tags: ['pii'],
    pattern: '\\b[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9-]{1,63}(?:\\.[A-Za-z0-9-]{1,63}){0,8}\\.[A-Za-z]{2,24}\\b',
    keywords: ['@'],
  },
  {
    id: 'test-password',
    description: 'password assignment',
    tags: ['secret', 'generic'],
    pattern: '\\bpassword=([^\\s&]{4,64})',
    keywords: ['password='],
    group: 1,
  },
  { id: 'test-digits', description: 'nine digits', tags: ['pii'], pattern: '\\b\\d{3}-\\d{2}-\\d{4}\\b' },
];

export function loaded(policy: ResolvedPolicy): LoadedPolicy {
  return { policy, identity: { name: policy.name, version: policy.version, sha256: '0'.repeat(64) }, sources: ['<test>'] };
}
