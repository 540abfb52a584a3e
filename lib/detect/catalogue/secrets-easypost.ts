/** EasyPost production and test API keys. All example values are fake. */
import type { DetectorSpec } from '../types.ts';
import { START } from './common.ts';

const r = String.raw;

export const EASYPOST_DETECTORS: DetectorSpec[] = [
  {
    id: 'easypost-api-token',
    description: 'EasyPost production (EZAK) or test (EZTK) API key',
    tags: ['secret', 'saas', 'easypost'],
    // Four capital letters occur inside base64 runs by chance: a whole word of exactly this length only.
    pattern: r`${START}EZ[AT]K[A-Za-z0-9]{54}(?![A-Za-z0-9_+/=-])`,
    keywords: ['ezak', 'eztk'],
    entropy: 3.5,
    examples: {
      positive: ['EASYPOST_API_KEY=EZAK7c81394751e430aebd4312a5cd09290247993c64d4455d725b5bfa', 'client = easypost.EasyPostClient("EZTKyZXmzVg8ArlAMBxFrJXGF9St8Gw8tybAXHppLqSiK3VWp8a5VN0tXB")'],
      negative: ['EASYPOST_API_KEY=EZAK7c81394751e430aebd4312a5cd092902', 'blob=QUJDEZTKyZXmzVg8ArlAMBxFrJXGF9St8Gw8tybAXHppLqSiK3VWp8a5VN0tXB+/AA=='],
    },
  },
];
