/** Octopus Deploy API keys. All example values are fake. */
import type { DetectorSpec } from '../types.ts';
import { END, START } from './common.ts';

const r = String.raw;

export const OCTOPUS_DEPLOY_DETECTORS: DetectorSpec[] = [
  {
    id: 'octopus-deploy-api-key',
    description: 'Octopus Deploy API key (API- + 26 capital letters and digits)',
    tags: ['secret', 'infra', 'ci', 'octopus-deploy'],
    // `API-` starts many names: at a word start, with both a digit and a letter among the 26, random enough.
    pattern: r`${START}API-(?=[A-Z]{0,25}[0-9])(?=[0-9]{0,25}[A-Z])[A-Z0-9]{26}${END}`,
    keywords: ['api-'],
    entropy: 3.8,
    examples: {
      positive: ['OCTOPUS_CLI_API_KEY=API-NCKPIT65M3GXAGW4K8C5LHM792', 'octo push --package app.1.0.nupkg --server https://octo.internal --apiKey API-0JZCE4NMKHHD7SGJ4600IGWSPC'],
      negative: ['see API-REFERENCEDOCUMENTATION2 for details', 'OCTOPUS_CLI_API_KEY=API-NCKPIT65M3GXAGW4K8C5L', 'X-API-NCKPIT65M3GXAGW4K8C5LHM792'],
    },
  },
];
