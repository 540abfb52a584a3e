/** All builtin SECRET detectors, specific families first, generic keyword-assignment detectors last. */
import type { DetectorSpec } from '../types.ts';
import { CLOUD_DETECTORS } from './secrets-cloud.ts';
import { SERVICE_DETECTORS } from './secrets-services.ts';
import { CLOUDFLARE_DETECTORS } from './secrets-cloudflare.ts';
import { FACEBOOK_DETECTORS } from './secrets-facebook.ts';
import { INTRA42_DETECTORS } from './secrets-intra42.ts';
import { KRAKEN_DETECTORS } from './secrets-kraken.ts';
import { KUBERNETES_DETECTORS } from './secrets-kubernetes.ts';
import { NOTION_DETECTORS } from './secrets-notion.ts';
import { ONEPASSWORD_DETECTORS } from './secrets-onepassword.ts';
import { SOURCEGRAPH_DETECTORS } from './secrets-sourcegraph.ts';
import { SUMOLOGIC_DETECTORS } from './secrets-sumologic.ts';
import { TWITTER_DETECTORS } from './secrets-twitter.ts';
import { VERCEL_DETECTORS } from './secrets-vercel.ts';
import { GENERIC_SECRET_DETECTORS } from './secrets-generic.ts';
import { keyAssignmentDetectors } from './secrets-key-names.ts';
import { BUILTIN_KEY_NAMES } from '../key-names.ts';

export const SECRET_DETECTORS: DetectorSpec[] = [
  ...CLOUD_DETECTORS,
  ...SERVICE_DETECTORS,
  // One file per provider family, as gitleaks lays out its rules.
  ...CLOUDFLARE_DETECTORS,
  ...FACEBOOK_DETECTORS,
  ...INTRA42_DETECTORS,
  ...KRAKEN_DETECTORS,
  ...KUBERNETES_DETECTORS,
  ...NOTION_DETECTORS,
  ...ONEPASSWORD_DETECTORS,
  ...SOURCEGRAPH_DETECTORS,
  ...SUMOLOGIC_DETECTORS,
  ...TWITTER_DETECTORS,
  ...VERCEL_DETECTORS,
  ...GENERIC_SECRET_DETECTORS,
  ...keyAssignmentDetectors(BUILTIN_KEY_NAMES),
];
