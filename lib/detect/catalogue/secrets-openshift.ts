/** OpenShift OAuth access tokens. All example values are fake. */
import type { DetectorSpec } from '../types.ts';
import { END, GLUED } from './common.ts';

const r = String.raw;

export const OPENSHIFT_DETECTORS: DetectorSpec[] = [
  {
    id: 'openshift-user-token',
    description: 'OpenShift OAuth user access token (sha256~)',
    tags: ['secret', 'infra', 'kubernetes', 'openshift'],
    pattern: r`${GLUED}sha256~[A-Za-z0-9_-]{43}${END}`,
    keywords: ['sha256~'],
    entropy: 4,
    examples: {
      positive: ['oc login --token=sha256~xLES8LbyiyxzUPjfCRN4x_S8yrSmK8AqnWQ6xTQvqLn --server=https://api.ocp.internal:6443', 'Authorization: Bearer sha256~mnKxXotfUvbsDcbSZB1Cw6PwijI6fOihJVDJVB24_9W'],
      negative: ['oc login --token=sha256~xLES8LbyiyxzUPjfCRN4x', 'image: registry.internal/app@sha256:6fa1c0e5d8bd4f1e2a7d3c9b8e5f4a1d2c3b4a5e6f7d8c9b0a1e2f3d4c5b6a7e'],
    },
  },
];
