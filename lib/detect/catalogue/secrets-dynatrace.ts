/** Dynatrace API tokens. All example values are fake. */
import type { DetectorSpec } from '../types.ts';
import { END, GLUED } from './common.ts';

const r = String.raw;

export const DYNATRACE_DETECTORS: DetectorSpec[] = [
  {
    id: 'dynatrace-api-token',
    description: 'Dynatrace API or platform token (dt0c01.<id>.<secret>)',
    tags: ['secret', 'infra', 'observability', 'dynatrace'],
    pattern: r`${GLUED}dt0c01\.[A-Za-z0-9]{24}\.[A-Za-z0-9]{64}${END}`,
    keywords: ['dt0c01.'],
    entropy: 4,
    examples: {
      positive: ['DT_API_TOKEN=dt0c01.LCEGJRCOZ0XTIG1G1USEIXVY.LW8Z4EB0J9QJKV5Z6FC8ODKIRSPE2VV3IWK5GT71L0033H5UF4J9PKWA59QYNI3U', '-H "Authorization: Api-Token dt0c01.5WD0I9IZCNQVLP4QHOUSHB2Y.BQFDR4RJSWCF5SUWTKR6AIRVBEF3SJW2NUV07EPNZHP6TG58I8DHNDPE4MK14OVV"'],
      negative: ['DT_API_TOKEN=dt0c01.LCEGJRCOZ0XTIG1G1USEIXVY', 'token id dt0c01.5WD0I9IZCNQVLP4QHOUSHB2Y (public part only)'],
    },
  },
];
