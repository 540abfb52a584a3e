/** Shippo API tokens. All example values are fake. */
import type { DetectorSpec } from '../types.ts';
import { END, GLUED } from './common.ts';

const r = String.raw;

export const SHIPPO_DETECTORS: DetectorSpec[] = [
  {
    id: 'shippo-api-token',
    description: 'Shippo live or test API token (shippo_live_ / shippo_test_)',
    tags: ['secret', 'saas', 'shippo'],
    pattern: r`${GLUED}shippo_(?:live|test)_[a-fA-F0-9]{40}${END}`,
    keywords: ['shippo_live_', 'shippo_test_'],
    entropy: 3,
    examples: {
      positive: ['SHIPPO_API_TOKEN=shippo_live_a0d50ab65c96f5185172da9db6e8b73456ef8ecd', '-H "Authorization: ShippoToken shippo_test_f133cd8e67efb7cb5aad081d55a29635e7222612"'],
      negative: ['SHIPPO_API_TOKEN=shippo_live_a0d50ab65c96f5185172da9d', 'SHIPPO_API_TOKEN=shippo_prod_a0d50ab65c96f5185172da9db6e8b73456ef8ecd'],
    },
  },
];
