/** HubSpot private app access tokens (pat-na1-…, pat-eu1-…). All example values are fake. */
import type { DetectorSpec } from '../types.ts';
import { GLUED } from './common.ts';

const r = String.raw;

/**
 * The hubspot family's detectors.
 *
 * @example HUBSPOT_DETECTORS.map((d) => d.id) // ['hubspot-private-app-token']
 */
export const HUBSPOT_DETECTORS: DetectorSpec[] = [
  {
    id: 'hubspot-private-app-token',
    description: 'HubSpot private app access token (pat-<region>-<uuid>)',
    tags: ['secret', 'saas', 'hubspot'],
    // The region (`na1`, `eu1`) and a UUID: the data-centre prefix is what tells it from any UUID.
    pattern: r`${GLUED}pat-(?:na|eu|ap)[1-9]-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b`,
    keywords: ['pat-na', 'pat-eu', 'pat-ap'],
    entropy: 3.5,
    examples: {
      positive: ['HUBSPOT_ACCESS_TOKEN=pat-na1-c30ea838-59da-fc1e-b033-00183873de57', '{"hubspot": {"token": "pat-eu1-3ecad06b-0974-afa7-4193-304885ee914f"}}'],
      negative: ['HUBSPOT_ACCESS_TOKEN=pat-na1-149f83b5-ae08', 'HUBSPOT_PORTAL=pat-xx1-e9df0b3f-1305-2ba1-3152-5fa27a6abde3'],
    },
  },
];
