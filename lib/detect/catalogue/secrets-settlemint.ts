/** SettleMint application, personal and service access tokens. All example values are fake. */
import type { DetectorSpec } from '../types.ts';
import { END, START } from './common.ts';

const r = String.raw;

export const SETTLEMINT_DETECTORS: DetectorSpec[] = [
  {
    id: 'settlemint-access-token',
    description: 'SettleMint application (sm_aat_), personal (sm_pat_) or service (sm_sat_) access token',
    tags: ['secret', 'saas', 'settlemint'],
    // `sm_` ends snake_case names (`csm_pat_`): at a word start only; 16 characters, random enough.
    pattern: r`${START}sm_[aps]at_[A-Za-z0-9]{16}${END}`,
    keywords: ['sm_aat_', 'sm_pat_', 'sm_sat_'],
    entropy: 3.8,
    examples: {
      positive: ['SETTLEMINT_ACCESS_TOKEN=sm_aat_WfyrAbT3Q9Exu3dk', 'settlemint login --token sm_pat_DUPvcaCvOfpNUj5p', '{"token": "sm_sat_pdEcjoLr8GDEGg3p"}'],
      negative: ['SETTLEMINT_ACCESS_TOKEN=sm_aat_WfyrAbT3Q9', 'flag=sm_pat_enabledFeatures'],
    },
  },
];
