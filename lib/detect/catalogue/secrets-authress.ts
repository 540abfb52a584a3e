/** Authress service client access keys. All example values are fake. */
import type { DetectorSpec } from '../types.ts';
import { START } from './common.ts';

const r = String.raw;

export const AUTHRESS_DETECTORS: DetectorSpec[] = [
  {
    id: 'authress-service-client-access-key',
    description: 'Authress service client access key (sc_/ext_/scauth_/authress_ client id, key id, `.acc_` account, private key)',
    tags: ['secret', 'saas', 'authress'],
    // `sc_` and `ext_` end snake_case names (`misc_`, `text_`): at a word start only. The `.acc_` (or
    // `.acc-`) part between dotted fields is what makes it a key.
    pattern: r`${START}(?:sc|ext|scauth|authress)_[A-Za-z0-9]{5,30}\.[A-Za-z0-9]{4,6}\.acc[_-][A-Za-z0-9-]{10,32}\.[A-Za-z0-9+/_=-]{30,120}(?![A-Za-z0-9+/_=-])`,
    keywords: ['.acc_', '.acc-'],
    entropy: 4,
    examples: {
      positive: [
        'AUTHRESS_SERVICE_CLIENT_KEY=sc_v81uERtKqFc4kvQYydDsyC.k4ql.acc_alreq0jl0eb2.MC4CAQAwBQYDK2VwBCIEIqbeGBz1GcxvcCxb4t5Yd74NJix4JTni22b6FrHWXVOP',
        'new ServiceClientTokenProvider("authress_NS9ynGPHLr.0lrg9.acc-s3iq8jhcptr6ihlx.MC4CAQAwBQYDK2VwBCIEIi4dFHSbmmC7L1/yTwp/DkVQpqsfgLrGhIh2b+K4HUgS")',
      ],
      negative: [
        'AUTHRESS_SERVICE_CLIENT_KEY=sc_v81uERtKqFc4kvQYydDsyC.k4ql.acc_alreq0jl0eb2',
        'logger=misc_handlers.base.acc_totals_by_region.summarise_monthly_statistics_for_reporting',
      ],
    },
  },
];
