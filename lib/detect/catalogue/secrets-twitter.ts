/** Twitter / X API credentials, next to a twitter key name. All example values are fake. */
import type { DetectorSpec } from '../types.ts';
import { ASSIGN } from './common.ts';

const r = String.raw;

export const TWITTER_DETECTORS: DetectorSpec[] = [
  {
    id: 'twitter-api-credentials',
    description: 'Twitter / X API key (25), API secret (50), access token (id-40), access token secret (45) or app bearer token, next to a twitter key name',
    tags: ['secret', 'social', 'twitter'],
    // None of them has a prefix: only next to a key name that says twitter.
    pattern: r`twitter[A-Za-z0-9_.-]{0,30}${ASSIGN}(\d{15,25}-[A-Za-z0-9]{20,40}|A{22}[A-Za-z0-9%]{80,100}|[A-Za-z0-9]{25}|[A-Za-z0-9]{45}|[A-Za-z0-9]{50})(?![A-Za-z0-9%_-])`,
    flags: 'i',
    keywords: ['twitter'],
    group: 1,
    entropy: 3,
    examples: {
      positive: [
        'TWITTER_API_KEY=oRB4xrZ27EQ7t0nOwz2cdnnGQ',
        'twitter_api_secret: "wwHz7QOlp48iDUU31sFFsdmZObis5h1m4SL7szp2KDRu2bpvZS"',
        'TWITTER_ACCESS_TOKEN=2441888151028005201-mEB8HE8MZU63EKLBv2Pxi9TDlLjJsowRJTzuI3oN',
        'TWITTER_BEARER_TOKEN="AAAAAAAAAAAAAAAAAAAAAAgII2hc3CQQdvVXhUc34H10sjUbO3qTBHH5zvU1LBPtPKbdU10vYdqtfpWr3w6fZ3IZE4aXnMbVGe6HysuxEuePTyZE"',
      ],
      negative: ['TWITTER_API_KEY=oRB4xrZ27EQ7t0nOwz2c', 'TWITTER_HANDLE=acme_engineering_team', 'TWITTER_API_KEY=${TWITTER_API_KEY}'],
    },
  },
];
