/** ReadMe (readme.com) API keys. All example values are fake. */
import type { DetectorSpec } from '../types.ts';
import { END, GLUED } from './common.ts';

const r = String.raw;

export const README_DETECTORS: DetectorSpec[] = [
  {
    id: 'readme-api-token',
    description: 'ReadMe API key (rdme_)',
    tags: ['secret', 'saas', 'readme'],
    pattern: r`${GLUED}rdme_[a-z0-9]{70}${END}`,
    keywords: ['rdme_'],
    entropy: 4,
    examples: {
      positive: ['README_API_KEY=rdme_bs4r5j211yqrvqp76apn6oxm8jo3sl4sa5jp7n75iylisjzn9fp6r3mm0n64m8ruwierfj', 'rdme openapi ./spec.yaml --key=rdme_2aa27oxqtsq6n0j51hybw6h0260gzdx0b57bmpmavgfozfuo0xkcqjy6gsts0pxkobv2p8'],
      negative: ['README_API_KEY=rdme_bs4r5j211yqrvqp76apn6oxm8jo3sl4sa5', 'README_API_KEY=rdme_BS4R5J211YQRVQP76APN6OXM8JO3SL4SA5JP7N75IYLISJZN9FP6R3MM0N64M8RUWIERFJ'],
    },
  },
];
