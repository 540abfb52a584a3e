/** Adobe Developer Console (IMS) OAuth client secrets. All example values are fake. */
import type { DetectorSpec } from '../types.ts';
import { END, GLUED } from './common.ts';

const r = String.raw;

export const ADOBE_DETECTORS: DetectorSpec[] = [
  {
    id: 'adobe-client-secret',
    description: 'Adobe Developer Console OAuth client secret (p8e-)',
    tags: ['secret', 'saas', 'adobe'],
    pattern: r`${GLUED}p8e-[A-Za-z0-9]{32}${END}`,
    keywords: ['p8e-'],
    entropy: 3.5,
    examples: {
      positive: ['ADOBE_CLIENT_SECRET=p8e-XnRhORxQBP4r3ooj7oTLhzX3bQhoQd5c', 'ims: exchanging client_credentials (secret p8e-NISVBohC0t3hinzdm6yRZt9Y2Dgphxwi) for an access token'],
      negative: ['ADOBE_CLIENT_SECRET=p8e-AVfdXsQZKNBzLrjxjiQo', 'ADOBE_CLIENT_SECRET=p8e-XnRhORxQBP4r3ooj7oTLhzX3bQhoQd5cNISVBohC'],
    },
  },
];
