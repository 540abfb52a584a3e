/** Cloudflare API tokens and keys in the prefixed formats (cfut_, cfat_, cfk_). All example values are fake. */
import type { DetectorSpec } from '../types.ts';
import { GLUED } from './common.ts';

const r = String.raw;

export const CLOUDFLARE_DETECTORS: DetectorSpec[] = [
  {
    id: 'cloudflare-api-token',
    description: 'Cloudflare user (cfut_) or account (cfat_) API token, or API key (cfk_): 40 characters and an 8-hex checksum',
    tags: ['secret', 'infra', 'cloudflare'],
    pattern: r`${GLUED}(?:cfut|cfat|cfk)_[A-Za-z0-9]{40}[a-fA-F0-9]{8}\b`,
    keywords: ['cfut_', 'cfat_', 'cfk_'],
    entropy: 3.5,
    examples: {
      positive: ['CLOUDFLARE_API_TOKEN=cfut_F3sp8ut3y4qtMnflKGYSgoMceXtxsezb8WiTnoeA591178b0', 'curl -H "X-Auth-Key: cfk_6PZkLIBWuv4q7W3oax5gK9j151ZQ9wwTlxaYdkSh377927bd" https://api.cloudflare.com/client/v4/zones'],
      negative: ['CLOUDFLARE_API_TOKEN=cfut_F3sp8ut3y4qtMnflKGYSgoMceXtx', 'CLOUDFLARE_API_TOKEN=cfut_<your-token-here>'],
    },
  },
];
