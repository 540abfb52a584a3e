/** Airtable personal access tokens (pat…). All example values are fake. */
import type { DetectorSpec } from '../types.ts';
import { GLUED } from './common.ts';

const r = String.raw;

/**
 * The airtable family's detectors.
 *
 * @example AIRTABLE_DETECTORS.map((d) => d.id) // ['airtable-personal-access-token']
 */
export const AIRTABLE_DETECTORS: DetectorSpec[] = [
  {
    id: 'airtable-personal-access-token',
    description: 'Airtable personal access token (pat + 14 characters, a dot, 64 hex digits)',
    tags: ['secret', 'saas', 'airtable'],
    // The dot and 64 hex digits after a 17-character id make it: `pat` alone starts many words.
    pattern: r`${GLUED}pat[A-Za-z0-9]{14}\.[a-f0-9]{64}\b`,
    keywords: ['pat'],
    entropy: 3.5,
    examples: {
      positive: ['AIRTABLE_TOKEN=patm14IKCzi2Eg3h0.78c19cd5840f1aec544ad77bf39768915e2ed4a22437740af0dc481ee214e698', 'curl -H "Authorization: Bearer patrnRBBtGaprBPhL.fe0a0887bee1afbfa45289e0082c358452358902ff3177e7e8c92637e64b6ba0" https://api.airtable.com/v0/meta/bases'],
      negative: ['AIRTABLE_TOKEN=patLqmlCEVlv5L2ug.70e2e30bdb0e7ab8d7e349effade2925fd81b34b', 'AIRTABLE_BASE=applRX0c0KAdJ1L46'],
    },
  },
];
