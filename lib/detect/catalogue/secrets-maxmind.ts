/** MaxMind (GeoIP) license keys. All example values are fake. */
import type { DetectorSpec } from '../types.ts';
import { END, START } from './common.ts';

const r = String.raw;

export const MAXMIND_DETECTORS: DetectorSpec[] = [
  {
    id: 'maxmind-license-key',
    description: 'MaxMind GeoIP license key (6 + 29 characters, ending in _mmk)',
    tags: ['secret', 'saas', 'maxmind'],
    pattern: r`${START}[A-Za-z0-9]{6}_[A-Za-z0-9]{29}_mmk${END}`,
    keywords: ['_mmk'],
    entropy: 4,
    examples: {
      positive: ['MAXMIND_LICENSE_KEY=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', 'LicenseKey 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'],
      negative: ['MAXMIND_LICENSE_KEY=uAB8jH_2HGKofjp90mKj4vWb_mmk', 'MAXMIND_LICENSE_KEY=uAB8jH_2HGKofjp90mKj4vWb7IjL1yFPxXYK_mmx'],
    },
  },
];
