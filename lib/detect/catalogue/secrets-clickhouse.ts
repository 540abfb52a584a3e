/** ClickHouse Cloud API key secrets. All example values are fake. */
import type { DetectorSpec } from '../types.ts';
import { START } from './common.ts';

const r = String.raw;

export const CLICKHOUSE_DETECTORS: DetectorSpec[] = [
  {
    id: 'clickhouse-cloud-api-secret-key',
    description: 'ClickHouse Cloud API key secret (4b1d + 38 mixed-case letters and digits)',
    tags: ['secret', 'infra', 'clickhouse'],
    // `4b1d` is four hex digits: at a word start, a whole run of exactly this length, and with a capital
    // letter (a hex digest has none).
    pattern: r`${START}4b1d(?=[a-z0-9]{0,37}[A-Z])[A-Za-z0-9]{38}(?![A-Za-z0-9_+/=-])`,
    keywords: ['4b1d'],
    entropy: 4,
    examples: {
      positive: ['CLICKHOUSE_KEY_SECRET=4b1dB5kFKIoHulgtAgmtZ2zjMWnN1v5RrIZ8FsNu4f', 'curl --user "$KEY_ID:4b1dJnS3Q7TGNUXPNcV0S1Mqf0NMInvoDtwUtddB7h" https://api.clickhouse.cloud/v1/organizations'],
      negative: ['sha=4b1dd569bcdc0ecebcb658f9932686c85498caacab', 'CLICKHOUSE_KEY_SECRET=4b1dB5kFKIoHulgtAgmtZ2zjMWnN1v5RrIZ8'],
    },
  },
];
