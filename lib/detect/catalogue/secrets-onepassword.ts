/** 1Password account secret keys. All example values are fake. */
import type { DetectorSpec } from '../types.ts';
import { START } from './common.ts';

const r = String.raw;

export const ONEPASSWORD_DETECTORS: DetectorSpec[] = [
  {
    id: 'onepassword-secret-key',
    description: '1Password account Secret Key (A3-XXXXXX-…)',
    tags: ['secret', 'password-manager', 'onepassword'],
    // At a word start: glued, `A3-` ends part and serial numbers (`LA3-…`) whose dash groups fit the key's.
    pattern: r`${START}A3-[A-Z0-9]{6}-(?:[A-Z0-9]{11}|[A-Z0-9]{6}-[A-Z0-9]{5})-[A-Z0-9]{5}-[A-Z0-9]{5}-[A-Z0-9]{5}\b`,
    keywords: ['a3-'],
    entropy: 3,
    examples: {
      positive: ['OP_SECRET_KEY=A3-N18IDW-YE22KR8SEEB-4E4QC-0MD35-B6LHY', 'op account add --address acme.1password.com --secret-key A3-C1MKN4-MPYVHH-3TAQW-XM1H1-EBMAM-LFKL3'],
      negative: ['OP_SECRET_KEY=A3-N18IDW-YE22KR8SEEB-4E4QC-0MD35', 'OP_SECRET_KEY=A3-XXXXXX-XXXXXX-XXXXX-XXXXX-XXXXX-XXXXX'],
    },
  },
];
