/** Sourcegraph access tokens. All example values are fake. */
import type { DetectorSpec } from '../types.ts';
import { GLUED } from './common.ts';

const r = String.raw;

export const SOURCEGRAPH_DETECTORS: DetectorSpec[] = [
  {
    id: 'sourcegraph-access-token',
    description: 'Sourcegraph access token (sgp_, with an instance id or local_)',
    tags: ['secret', 'vcs', 'sourcegraph'],
    pattern: r`${GLUED}sgp_(?:(?:[a-fA-F0-9]{16}|local)_)?[a-fA-F0-9]{40}\b`,
    keywords: ['sgp_'],
    entropy: 3,
    examples: {
      positive: [
        'SRC_ACCESS_TOKEN=sgp_f1c7fa83b289c444_3939f823a613982fb0ef8727ce9687cf93a55152',
        'src login --access-token sgp_local_0202c365f0d84b32893efe169ac34c205d1b3763 https://sourcegraph.internal',
        'Authorization: token sgp_c2848572cd4e897e1fbff3293c7cddb48dac0914',
      ],
      negative: ['SRC_ACCESS_TOKEN=sgp_local_c2848572cd4e897e1fbf', 'SRC_ACCESS_TOKEN=sgp_<your-token>', 'msgp_local_encoder_options_for_streaming_msgpack'],
    },
  },
];
