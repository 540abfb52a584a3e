/** New Relic insert (ingest) keys; the user API key (NRAK-) is in secrets-cloud.ts. All example values are fake. */
import type { DetectorSpec } from '../types.ts';
import { END, GLUED } from './common.ts';

const r = String.raw;

export const NEW_RELIC_DETECTORS: DetectorSpec[] = [
  {
    id: 'new-relic-insert-key',
    description: 'New Relic Insights insert key (NRII-)',
    tags: ['secret', 'infra', 'observability', 'new-relic'],
    pattern: r`${GLUED}NRII-[A-Za-z0-9_-]{32}${END}`,
    keywords: ['nrii-'],
    entropy: 3.5,
    examples: {
      positive: ['NEW_RELIC_INSERT_KEY=NRII-EW-MGWtzBXqd48i9ZQwHsVSL1EEJ40Ws', '-H "X-Insert-Key: NRII-U8DKC1B0c8FDAtNCIiMvtcT4Z0ZkjJ1I"'],
      negative: ['NEW_RELIC_INSERT_KEY=NRII-EW-MGWtzBXqd48i9', 'NEW_RELIC_INSERT_KEY=NRIX-EW-MGWtzBXqd48i9ZQwHsVSL1EEJ40Ws'],
    },
  },
];
