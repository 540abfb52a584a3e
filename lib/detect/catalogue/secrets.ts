/** All builtin SECRET detectors, specific families first, generic keyword-assignment detectors last. */
import type { DetectorSpec } from '../types.ts';
import { CLOUD_DETECTORS } from './secrets-cloud.ts';
import { SERVICE_DETECTORS } from './secrets-services.ts';
import { ADOBE_DETECTORS } from './secrets-adobe.ts';
import { AUTHRESS_DETECTORS } from './secrets-authress.ts';
import { CLICKHOUSE_DETECTORS } from './secrets-clickhouse.ts';
import { CLOJARS_DETECTORS } from './secrets-clojars.ts';
import { CLOUDFLARE_DETECTORS } from './secrets-cloudflare.ts';
import { DEFINED_NETWORKING_DETECTORS } from './secrets-defined-networking.ts';
import { DUFFEL_DETECTORS } from './secrets-duffel.ts';
import { DYNATRACE_DETECTORS } from './secrets-dynatrace.ts';
import { EASYPOST_DETECTORS } from './secrets-easypost.ts';
import { FACEBOOK_DETECTORS } from './secrets-facebook.ts';
import { FIGMA_DETECTORS } from './secrets-figma.ts';
import { FRAMEIO_DETECTORS } from './secrets-frameio.ts';
import { HARNESS_DETECTORS } from './secrets-harness.ts';
import { INFRACOST_DETECTORS } from './secrets-infracost.ts';
import { INTRA42_DETECTORS } from './secrets-intra42.ts';
import { JFROG_DETECTORS } from './secrets-jfrog.ts';
import { KRAKEN_DETECTORS } from './secrets-kraken.ts';
import { KUBERNETES_DETECTORS } from './secrets-kubernetes.ts';
import { MAXMIND_DETECTORS } from './secrets-maxmind.ts';
import { NEW_RELIC_DETECTORS } from './secrets-new-relic.ts';
import { NOTION_DETECTORS } from './secrets-notion.ts';
import { NUGET_DETECTORS } from './secrets-nuget.ts';
import { OCTOPUS_DEPLOY_DETECTORS } from './secrets-octopus-deploy.ts';
import { ONEPASSWORD_DETECTORS } from './secrets-onepassword.ts';
import { OPENSHIFT_DETECTORS } from './secrets-openshift.ts';
import { README_DETECTORS } from './secrets-readme.ts';
import { SCALINGO_DETECTORS } from './secrets-scalingo.ts';
import { SETTLEMINT_DETECTORS } from './secrets-settlemint.ts';
import { SHIPPO_DETECTORS } from './secrets-shippo.ts';
import { SIDEKIQ_DETECTORS } from './secrets-sidekiq.ts';
import { SOURCEGRAPH_DETECTORS } from './secrets-sourcegraph.ts';
import { SUMOLOGIC_DETECTORS } from './secrets-sumologic.ts';
import { TWITTER_DETECTORS } from './secrets-twitter.ts';
import { VERCEL_DETECTORS } from './secrets-vercel.ts';
import { MAPBOX_DETECTORS } from './secrets-mapbox.ts';
import { AIRTABLE_DETECTORS } from './secrets-airtable.ts';
import { HUBSPOT_DETECTORS } from './secrets-hubspot.ts';
import { SONAR_DETECTORS } from './secrets-sonar.ts';
import { GENERIC_SECRET_DETECTORS } from './secrets-generic.ts';
import { keyAssignmentDetectors } from './secrets-key-names.ts';
import { BUILTIN_KEY_NAMES } from '../key-names.ts';

export const SECRET_DETECTORS: DetectorSpec[] = [
  ...CLOUD_DETECTORS,
  ...SERVICE_DETECTORS,
  // One file per provider family, as gitleaks lays out its rules.
  ...ADOBE_DETECTORS,
  ...AUTHRESS_DETECTORS,
  ...CLICKHOUSE_DETECTORS,
  ...CLOJARS_DETECTORS,
  ...CLOUDFLARE_DETECTORS,
  ...DEFINED_NETWORKING_DETECTORS,
  ...DUFFEL_DETECTORS,
  ...DYNATRACE_DETECTORS,
  ...EASYPOST_DETECTORS,
  ...FACEBOOK_DETECTORS,
  ...FIGMA_DETECTORS,
  ...FRAMEIO_DETECTORS,
  ...HARNESS_DETECTORS,
  ...INFRACOST_DETECTORS,
  ...INTRA42_DETECTORS,
  ...JFROG_DETECTORS,
  ...KRAKEN_DETECTORS,
  ...KUBERNETES_DETECTORS,
  ...MAXMIND_DETECTORS,
  ...NEW_RELIC_DETECTORS,
  ...NOTION_DETECTORS,
  ...NUGET_DETECTORS,
  ...OCTOPUS_DEPLOY_DETECTORS,
  ...ONEPASSWORD_DETECTORS,
  ...OPENSHIFT_DETECTORS,
  ...README_DETECTORS,
  ...SCALINGO_DETECTORS,
  ...SETTLEMINT_DETECTORS,
  ...SHIPPO_DETECTORS,
  ...SIDEKIQ_DETECTORS,
  ...SOURCEGRAPH_DETECTORS,
  ...SUMOLOGIC_DETECTORS,
  ...TWITTER_DETECTORS,
  ...VERCEL_DETECTORS,
  ...MAPBOX_DETECTORS,
  ...AIRTABLE_DETECTORS,
  ...HUBSPOT_DETECTORS,
  ...SONAR_DETECTORS,
  ...GENERIC_SECRET_DETECTORS,
  ...keyAssignmentDetectors(BUILTIN_KEY_NAMES),
];
