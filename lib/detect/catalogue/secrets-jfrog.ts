/**
 * JFrog Platform reference tokens (the Artifactory API key, `AKCp`, is in secrets-services.ts). All example
 * values are fake.
 */
import type { DetectorSpec } from '../types.ts';

const r = String.raw;

export const JFROG_DETECTORS: DetectorSpec[] = [
  {
    id: 'artifactory-reference-token',
    description: 'JFrog Artifactory / Platform reference token (cmVmd…, base64 of `reftkn:`)',
    tags: ['secret', 'package-registry', 'jfrog'],
    // The prefix is base64 text itself: only a whole base64 run of exactly this length, never a stretch of a
    // longer one.
    pattern: r`(?<![A-Za-z0-9+/])cmVmd[A-Za-z0-9]{59}(?![A-Za-z0-9+/=_-])`,
    keywords: ['cmvmd'],
    entropy: 4,
    examples: {
      positive: ['ARTIFACTORY_ACCESS_TOKEN=cmVmdGtuOjAxOjo8eq0AlX2y40z7kpsAmEGWfvovP3d4Fy3mNt0JZMNcAHNcNHyl', 'jf c add ci --url https://acme.jfrog.io --access-token cmVmdGtuOjAxOj2Te89YZoL6zpZXJsncTSaxCTvA1BM1twi70vkpyhkbtorRShHL'],
      negative: ['ARTIFACTORY_ACCESS_TOKEN=cmVmdGtuOjAxOjo8eq0AlX2y40z7kpsAmEGWfvovP3', 'blob=QUJDcmVmdGtuOjAxOjo8eq0AlX2y40z7kpsAmEGWfvovP3d4Fy3mNt0JZMNcAHNcNHyl+/AAAA=='],
    },
  },
];
