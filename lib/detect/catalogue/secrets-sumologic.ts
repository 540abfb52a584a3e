/** Sumo Logic access ids and access keys. All example values are fake. */
import type { DetectorSpec } from '../types.ts';
import { ASSIGN } from './common.ts';

const r = String.raw;

export const SUMOLOGIC_DETECTORS: DetectorSpec[] = [
  {
    id: 'sumologic-access-key',
    description: 'Sumo Logic access id (su + 12) or access key (64 characters), next to a sumo key name',
    tags: ['secret', 'observability', 'sumologic'],
    // Neither has a prefix of its own (`su` is two letters): only next to a key name that says sumo.
    pattern: r`sumo[A-Za-z0-9_.-]{0,30}${ASSIGN}(su[A-Za-z0-9]{12}|[A-Za-z0-9]{64})(?![A-Za-z0-9_-])`,
    flags: 'i',
    keywords: ['sumo'],
    group: 1,
    entropy: 3,
    examples: {
      positive: [
        'SUMO_ACCESS_ID=suH1aoFRqSO3Zj',
        'sumologic_access_key: "th78gSFs01yRaRh19PqacjSHvtzHGjqtHaen9BUS0nnUpCyyDwM5op6FYxLrMs1p"',
        '{"sumoAccessKey": "h3qqF0OFeEHWKuvnCcHMmZXK0lRJNIDaXbWZQEv8ERguduew6DCoo1FcI5G8Hvdd"}',
      ],
      negative: [
        'SUMO_ACCESS_ID=su5Opn9Ldfl',
        'SUMO_ENDPOINT=https://api.eu.sumologic.com/api/v1/collectors',
        'SUMO_ACCESS_KEY=${SUMO_ACCESS_KEY}',
      ],
    },
  },
];
