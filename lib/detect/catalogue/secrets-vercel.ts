/** Vercel tokens in the prefixed formats (vcp_, vci_, vca_, vcr_, vck_). All example values are fake. */
import type { DetectorSpec } from '../types.ts';
import { END, START } from './common.ts';

const r = String.raw;

export const VERCEL_DETECTORS: DetectorSpec[] = [
  {
    id: 'vercel-token',
    description: 'Vercel personal (vcp_), integration (vci_), app access (vca_), app refresh (vcr_) or API key (vck_) token',
    tags: ['secret', 'infra', 'vercel'],
    // At a word start: glued, `vca_`/`vcp_` end names such as `svca_`/`svcp_`. The 56-character URL-safe
    // body, or a letters-and-digits body of 24 or more (never a snake_case name).
    pattern: r`${START}vc[piark]_(?:[A-Za-z0-9_-]{56}|[A-Za-z0-9]{24,128})${END}`,
    keywords: ['vcp_', 'vci_', 'vca_', 'vcr_', 'vck_'],
    entropy: 3.5,
    examples: {
      positive: ['VERCEL_TOKEN=vcp_tV5erLsENrbZLWx6rqIsHFAwYjPgeg0shU-OSnJGB8KClLN_QS6fDhIf', 'vercel deploy --prod --token vck_rfX07xVBsoifb46Mw4QVa8S11fQfdBl8'],
      negative: ['VERCEL_TOKEN=vcp_rfX07xVBsoifb46Mw4QV', 'vcr_reconcile_loop_interval_seconds=30', 'VERCEL_TOKEN=vcx_tV5erLsENrbZLWx6rqIsHFAwYjPgeg0shU-OSnJGB8KClLN_QS6fDhIf'],
    },
  },
];
