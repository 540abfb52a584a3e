/** Infracost API keys. All example values are fake. */
import type { DetectorSpec } from '../types.ts';
import { END, START } from './common.ts';

const r = String.raw;

export const INFRACOST_DETECTORS: DetectorSpec[] = [
  {
    id: 'infracost-api-token',
    description: 'Infracost API key (ico- + 32 mixed-case letters and digits)',
    tags: ['secret', 'infra', 'infracost'],
    // `ico-` ends words (`mexico-`, `favico-`): at a word start only, and with a capital letter, so that an
    // `ico-` file name with an MD5 digest is no key.
    pattern: r`${START}ico-(?=[a-z0-9]{0,31}[A-Z])[A-Za-z0-9]{32}${END}`,
    keywords: ['ico-'],
    entropy: 4,
    examples: {
      positive: ['INFRACOST_API_KEY=ico-HcmncLhOwcOZvnzmFlp1cT5G3mY67dWh', 'infracost configure set api_key ico-gxYgAOKhM5DEZJKV8Gx3hgdX8OGGIypT'],
      negative: ['GET /static/ico-5d41402abc4b2a76b9719d911017c592.png 200', 'INFRACOST_API_KEY=ico-HcmncLhOwcOZvnzmFlp1'],
    },
  },
];
