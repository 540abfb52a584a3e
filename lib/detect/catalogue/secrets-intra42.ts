/** 42 Intra (api.intra.42.fr) OAuth client secrets. All example values are fake. */
import type { DetectorSpec } from '../types.ts';
import { GLUED } from './common.ts';

const r = String.raw;

export const INTRA42_DETECTORS: DetectorSpec[] = [
  {
    id: 'intra42-client-secret',
    description: '42 Intra OAuth application client secret (s-s4t2ud- / s-s4t2af-)',
    tags: ['secret', 'saas', 'intra42'],
    pattern: r`${GLUED}s-s4t2(?:ud|af)-[a-fA-F0-9]{64}\b`,
    keywords: ['s-s4t2ud-', 's-s4t2af-'],
    entropy: 3,
    examples: {
      positive: ['FT_CLIENT_SECRET=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', "client_secret: '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'"],
      negative: ['FT_CLIENT_ID=u-s4t2ud-f6fa0fc4a0b28bb5646f3e7865e28acb8a75fcf8463b90694032f762897f1a92', 'FT_CLIENT_SECRET=s-s4t2ud-601a5fcbb1a3fcf46d6e8860b581083f'],
    },
  },
];
