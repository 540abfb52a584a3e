/** Facebook / Meta Graph API access tokens. All example values are fake. */
import type { DetectorSpec } from '../types.ts';
import { END, START } from './common.ts';

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
  {
    id: 'facebook-app-access-token',
    description: 'Facebook / Meta app access token or client token: app id, `|` (or `%7C`), app secret',
    tags: ['secret', 'social', 'facebook'],
    // The app id is 15 or 16 digits, the secret letters and digits (both, so that a `|`-separated row of an
    // id and a word is none). No literal prefix: at a word start only.
    pattern: r`${START}[1-9][0-9]{14,15}(?:\||%7[Cc])(?=[A-Za-z_-]{0,39}[0-9])(?=[0-9_-]{0,39}[A-Za-z])[A-Za-z0-9_-]{27,40}${END}`,
    keywords: ['|', '%7c'],
    entropy: 3.5,
    examples: {
      positive: [
        'FB_APP_TOKEN=259352035755250|4355f0629ca39bc82e94dafcaa7750e9',
        'GET https://graph.facebook.com/debug_token?input_token=x&access_token=4048799779952966%7Ce5f6de3ca00d86a95af4473a47ee326a',
        'app token 8828198788266866|MEEa9Kq_gzZYNptqCdkDS0iGbSf ok',
      ],
      negative: [
        '| 1700000000000000|order_created_successfully_ok_done |',
        'FB_APP_TOKEN=259352035755250|4355f0629ca39bc82e94',
        'row 1234567890123456|9876543210987654321098765432',
      ],
    },
  },
];
