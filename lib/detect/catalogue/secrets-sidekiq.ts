/** Sidekiq Pro / Enterprise gem server credentials (contribsys.com). All example values are fake. */
import type { DetectorSpec } from '../types.ts';
import { ASSIGN } from './common.ts';

const r = String.raw;

export const SIDEKIQ_DETECTORS: DetectorSpec[] = [
  {
    id: 'sidekiq-secret',
    description: 'Sidekiq Pro/Enterprise gem server credentials (user:password) in BUNDLE_…__CONTRIBSYS__COM or `bundle config`',
    tags: ['secret', 'package-registry', 'sidekiq'],
    // The key names the gem server, not a secret, so the key=value detectors miss it; the URL form
    // (`https://user:pass@gems.contribsys.com`) is url-credentials'.
    pattern: r`(?:BUNDLE_(?:ENTERPRISE|GEMS)__CONTRIBSYS__COM${ASSIGN}|(?:enterprise|gems)\.contribsys\.com[ \t]{1,4})([a-f0-9]{8}:[a-f0-9]{8})\b`,
    flags: 'i',
    keywords: ['contribsys'],
    group: 1,
    examples: {
      positive: ['BUNDLE_ENTERPRISE__CONTRIBSYS__COM=e176068d:4a8c0981', 'bundle config --local gems.contribsys.com d98c8efb:29fbb4f4'],
      negative: ['BUNDLE_GEMS__CONTRIBSYS__COM=${SIDEKIQ_CREDENTIALS}', 'source "https://gems.contribsys.com/" do'],
    },
  },
];
