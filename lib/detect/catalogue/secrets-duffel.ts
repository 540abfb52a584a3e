/** Duffel (flights API) access tokens. All example values are fake. */
import type { DetectorSpec } from '../types.ts';
import { END, GLUED } from './common.ts';

const r = String.raw;

export const DUFFEL_DETECTORS: DetectorSpec[] = [
  {
    id: 'duffel-api-token',
    description: 'Duffel API access token (duffel_test_ / duffel_live_)',
    tags: ['secret', 'saas', 'duffel'],
    pattern: r`${GLUED}duffel_(?:test|live)_[A-Za-z0-9_=-]{43}${END}`,
    keywords: ['duffel_test_', 'duffel_live_'],
    entropy: 3.5,
    examples: {
      positive: ['DUFFEL_ACCESS_TOKEN=duffel_test_jSzjRYMg3eDqNax22WT5XPA4tL8jhPALUOpJMKo4J7l', 'new Duffel({ token: "duffel_live_z33d9UpOwsDfchSQvrpiRO4XhoRUH_dROWxIAl84f54" })'],
      negative: ['DUFFEL_ACCESS_TOKEN=duffel_test_jSzjRYMg3eDqNax22WT5', 'DUFFEL_ACCESS_TOKEN=duffel_prod_jSzjRYMg3eDqNax22WT5XPA4tL8jhPALUOpJMKo4J7l'],
    },
  },
];
