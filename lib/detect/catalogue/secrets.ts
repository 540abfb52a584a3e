/** All builtin SECRET detectors, specific families first, generic keyword-assignment detectors last. */
import type { DetectorSpec } from '../types.ts';
import { CLOUD_DETECTORS } from './secrets-cloud.ts';
import { SERVICE_DETECTORS } from './secrets-services.ts';
import { GENERIC_SECRET_DETECTORS } from './secrets-generic.ts';
import { keyAssignmentDetectors } from './secrets-key-names.ts';
import { BUILTIN_KEY_NAMES } from '../key-names.ts';

export const SECRET_DETECTORS: DetectorSpec[] = [
  ...CLOUD_DETECTORS,
  ...SERVICE_DETECTORS,
  ...GENERIC_SECRET_DETECTORS,
  ...keyAssignmentDetectors(BUILTIN_KEY_NAMES),
];
