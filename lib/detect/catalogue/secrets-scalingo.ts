/** Scalingo API tokens. All example values are fake. */
import type { DetectorSpec } from '../types.ts';
import { END, START } from './common.ts';

const r = String.raw;

export const SCALINGO_DETECTORS: DetectorSpec[] = [
  {
    id: 'scalingo-api-token',
    description: 'Scalingo API token (tk-us-)',
    tags: ['secret', 'infra', 'scalingo'],
    // `tk-us-` glued to a word is the tail of a kebab-case name (`…tk-us-east-1-…`): at a word start only.
    pattern: r`${START}tk-us-[A-Za-z0-9_-]{48}${END}`,
    keywords: ['tk-us-'],
    entropy: 4,
    examples: {
      positive: ['SCALINGO_API_TOKEN=tk-us-wNeuHVlV9_CVyzSXD3yyZ__JUmG4FngJfg95ZWwmXwriE_xF', 'scalingo login --api-token tk-us-ojPORbwMqIs2Vy6rJv6NPmZ0R81ab5qrJ8PYtj4c6KI6_HHL'],
      negative: ['SCALINGO_API_TOKEN=tk-us-wNeuHVlV9_CVyzSXD3yyZ__JUm', 'cluster=network-tk-us-east-1-production-primary-cluster-node-group-01'],
    },
  },
];
