/** Facebook / Meta Graph API access tokens. All example values are fake. */
import type { DetectorSpec } from '../types.ts';
import { START } from './common.ts';

const r = String.raw;

export const FACEBOOK_DETECTORS: DetectorSpec[] = [
  {
    id: 'facebook-access-token',
    description: 'Facebook / Meta Graph API user, page or system-user access token (EAA…)',
    tags: ['secret', 'social', 'facebook'],
    // At a word start, and not followed by `+`, `/` or `=`: zero bytes encode as `A`, so `EAA` runs through
    // base64 data by chance. `EAAA` is Square's prefix (square-access-token), left out.
    pattern: r`${START}EAA[B-Z][A-Za-z0-9]{96,512}(?![A-Za-z0-9_+/=-])`,
    keywords: ['eaa'],
    entropy: 4,
    examples: {
      positive: [
        'FB_ACCESS_TOKEN=EAAGj6cqsT3qO3nWrx7u1RwSVd4bqRV9yw3xIXOpepBIupSBcmGSa1XBgmWcqpqnCYtCYBPV3RnkHDDg7S9fSnEDDBRqncb9CpsFxuvbHZZDZ2xPMs1eGu8lOSUytyY0si5ObS9LL0yK0lJokFv4w0xS3ftvz1PrrEp9h74XUQsMpVHjczMr6QMI',
        'GET https://graph.facebook.com/v19.0/me/accounts?access_token=EAAB0hLj5vjZOUYuyIPLkACjoM79UEflpqmUMpY0aLB7yPDmRtkBIIRSmg4nrcoBm3FfIf1FsVUYzqKaPr5J6gm5MFYeyQqFZw1trrjCFITooB4TyFuJbHGkg5I7ieuouES2WgTDb8aABupc&fields=id',
      ],
      negative: [
        'FB_ACCESS_TOKEN=EAAGj6cqsT3qO3nWrx7u1RwSVd4bqRV9yw3xIXOpepBIup',
        'blob=EAAB0hLj5vjZOUYuyIPLkACjoM79UEflpqmUMpY0aLB7yPDmRtkBIIRSmg4nrcoBm3FfIf1FsVUYzqKaPr5J6gm5MFYeyQqFZw1trrjCFITooB4TyFuJbHGkg5I7ieuouES2WgTDb8aABupc+/AAAAAA==',
        'FB_ACCESS_TOKEN=EAAAj6cqsT3qO3nWrx7u1RwSVd4bqRV9yw3xIXOpepBIupSBcmGSa1XBgmWcqpqnCYtCYBPV3RnkHDDg7S9fSnEDDBRqncb9CpsFxuvbHZZDZ2xPMs1eGu8lOSUytyY0si5ObS9LL0yK0lJokFv4w0xS3ftvz1PrrEp9h74XUQsMpVHjczMr6QMI',
      ],
    },
  },
];
