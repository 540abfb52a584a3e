/**
 * How the builtin catalogue stands against TruffleHog's most common detectors: for each TruffleHog
 * detector of a chosen set (named as TruffleHog's DetectorType spells it), the detectors of ours that take
 * what it finds, or why nothing does. Checked by test/detect/trufflehog-coverage.test.ts (one fake sample
 * per covered detector, scanned with builtin:default) and published in docs/detectors.md. Only the
 * detector names are taken from TruffleHog; the samples, patterns and reasons are this project's own.
 *
 * TruffleHog has over 800 detectors, most of them for small APIs whose keys are 32 hex or 40 alphanumeric
 * characters found only next to the provider's name (which `secret-assignment` and
 * `vendor-name-assignment` take under their key name). The set below is deliberate: the detectors for
 * providers that also appear in gitleaks' or secretlint's defaults, the major clouds (AWS, Azure, GCP,
 * Alibaba), source control and CI/CD, chat and webhooks, payments, email and SMS, AI providers, package
 * registries, infrastructure and observability services, and the credential formats that are not
 * provider-specific (URIs and connection strings, JDBC, private keys, JWTs, kubeconfig).
 */

/**
 * What covers one TruffleHog detector: the ids of builtin detectors that find its secrets (in the context
 * TruffleHog looks for, e.g. the provider's name before a 32-hex key), or a sentence saying why none does.
 *
 * @example
 * const entry: TrufflehogCoverage = TRUFFLEHOG_COVERAGE['Github']!;
 * if ('detectors' in entry) console.log(entry.detectors.join(', ')); // github-token
 */
export type TrufflehogCoverage = { readonly detectors: readonly string[] } | { readonly reason: string };

/**
 * The TruffleHog commit at or before which the detector names (proto/detectors.proto) and formats
 * (pkg/detectors/<name>/<name>.go: regexes and keywords) were read.
 *
 * @example `https://github.com/trufflesecurity/trufflehog/tree/${TRUFFLEHOG_COMMIT}/pkg/detectors`
 */
export const TRUFFLEHOG_COMMIT = '9233021ea6b7289849e5bb8f7c758c95b30f5bcd';

/**
 * The chosen TruffleHog detectors, grouped as above (clouds, source control, chat, payments, email, AI,
 * registries, infrastructure, CI, observability, SaaS, then formats that are not provider-specific), with
 * the detectors that cover each or the reason none does.
 *
 * @example
 * Object.keys(TRUFFLEHOG_COVERAGE).includes('SlackWebhook'); // true
 */
export const TRUFFLEHOG_COVERAGE: Readonly<Record<string, TrufflehogCoverage>> = Object.freeze({
  AWS: { detectors: ['aws-access-key-id', 'aws-secret-access-key'] },
  Azure: { detectors: ['azure-ad-client-secret'] },
  GCP: { detectors: ['gcp-service-account-private-key', 'pem-private-key'] },
  Alibaba: { detectors: ['alibaba-access-key-id'] },
  Github: { detectors: ['github-token'] },
  GitHubOld: { detectors: ['secret-assignment'] },
  Gitlab: { detectors: ['gitlab-pat'] },
  Slack: { detectors: ['slack-bot-token', 'slack-user-token', 'slack-other-token'] },
  SlackWebhook: { detectors: ['slack-webhook-url'] },
  DiscordBotToken: { detectors: ['discord-bot-token'] },
  DiscordWebhook: { detectors: ['discord-webhook-url'] },
  TelegramBotToken: { detectors: ['telegram-bot-token'] },
  MicrosoftTeamsWebhook: { detectors: ['teams-webhook-url'] },
  Stripe: { detectors: ['stripe-secret-key'] },
  Square: { detectors: ['square-access-token'] },
  SquareApp: { detectors: ['square-oauth-secret'] },
  PaypalOauth: { detectors: ['secret-assignment'] },
  Paystack: { detectors: ['stripe-secret-key'] },
  Flutterwave: { detectors: ['flutterwave-secret-key'] },
  Shopify: { detectors: ['shopify-token'] },
  Kraken: { detectors: ['kraken-api-key'] },
  Twilio: { detectors: ['twilio-api-key-sid', 'twilio-auth-token'] },
  SendGrid: { detectors: ['sendgrid-api-key'] },
  Mailgun: { detectors: ['mailgun-api-key'] },
  Mailchimp: { detectors: ['mailchimp-api-key'] },
  SendinBlueV2: { detectors: ['brevo-api-key'] },
  Postmark: { detectors: ['secret-assignment'] },
  MessageBird: { detectors: ['secret-assignment'] },
  OpenAI: { detectors: ['openai-api-key'] },
  Anthropic: { detectors: ['anthropic-api-key'] },
  HuggingFace: { detectors: ['huggingface-token'] },
  Groq: { detectors: ['groq-api-key'] },
  NpmToken: { detectors: ['npmrc-auth', 'npm-access-token'] },
  PyPI: { detectors: ['pypi-token'] },
  RubyGems: { detectors: ['rubygems-api-key'] },
  NuGetApiKey: { detectors: ['nuget-api-key'] },
  Docker: { detectors: ['secret-assignment'] },
  ArtifactoryAccessToken: { detectors: ['artifactory-api-key', 'artifactory-reference-token'] },
  Heroku: { detectors: ['heroku-api-key', 'secret-assignment'] },
  DigitalOceanV2: { detectors: ['digitalocean-token'] },
  Netlify: { detectors: ['netlify-token'] },
  Vercel: { detectors: ['vercel-token'] },
  CloudflareApiToken: { detectors: ['cloudflare-api-token', 'secret-assignment'] },
  CloudflareGlobalApiKey: { detectors: ['secret-assignment'] },
  CloudflareCaKey: { detectors: ['cloudflare-origin-ca-key'] },
  TerraformCloudPersonalToken: { detectors: ['terraform-cloud-token'] },
  Pulumi: { detectors: ['pulumi-access-token'] },
  Doppler: { detectors: ['doppler-token'] },
  CircleCI: { detectors: ['circleci-token', 'secret-assignment'] },
  TravisCI: { detectors: ['secret-assignment'] },
  Buildkite: { detectors: ['buildkite-token'] },
  DatadogToken: { detectors: ['secret-assignment'] },
  NewRelicPersonalApiKey: { detectors: ['new-relic-api-key'] },
  PagerDutyApiKey: { detectors: ['secret-assignment'] },
  Opsgenie: { detectors: ['secret-assignment'] },
  SentryToken: { detectors: ['sentry-token'] },
  Dynatrace: { detectors: ['dynatrace-api-token'] },
  Grafana: { detectors: ['grafana-cloud-token', 'grafana-service-account-token'] },
  Honeycomb: { detectors: ['secret-assignment'] },
  Postman: { detectors: ['postman-api-key'] },
  Okta: { detectors: ['secret-assignment'] },
  Auth0oauth: { detectors: ['secret-assignment'] },
  Auth0ManagementApiToken: { detectors: ['jwt'] },
  Atlassian: { detectors: ['atlassian-api-token'] },
  JiraToken: { detectors: ['secret-assignment'] },
  LinearAPI: { detectors: ['linear-api-key'] },
  Notion: { detectors: ['notion-api-token', 'notion-legacy-token'] },
  AsanaPersonalAccessToken: { detectors: ['secret-assignment'] },
  AirtableApiKey: { detectors: ['secret-assignment'] },
  AlgoliaAdminKey: { detectors: ['secret-assignment'] },
  Dropbox: { detectors: ['secret-assignment'] },
  MapBox: { detectors: ['mapbox-secret-token'] },
  Twitter: { detectors: ['twitter-api-credentials'] },
  FacebookOAuth: { detectors: ['secret-assignment'] },
  ZendeskApi: { detectors: ['secret-assignment'] },
  HubSpotApiKey: { detectors: ['hubspot-private-app-token'] },
  Intercom: { detectors: ['secret-assignment'] },
  SnykKey: { detectors: ['secret-assignment'] },
  SonarCloud: { detectors: ['sonar-token', 'secret-assignment'] },
  DatabricksToken: { detectors: ['databricks-token'] },
  PlanetScale: { detectors: ['planetscale-token'] },
  SupabaseToken: { detectors: ['supabase-token'] },
  Prefect: { detectors: ['prefect-api-key'] },
  LaunchDarkly: { detectors: ['secret-assignment'] },
  Typeform: { detectors: ['secret-assignment'] },
  FigmaPersonalAccessToken: { detectors: ['figma-token'] },
  SumoLogicKey: { detectors: ['sumologic-access-key'] },
  MongoDB: { detectors: ['url-credentials'] },
  Postgres: { detectors: ['url-credentials'] },
  Redis: { detectors: ['url-credentials'] },
  RabbitMQ: { detectors: ['url-credentials'] },
  FTP: { detectors: ['url-credentials'] },
  LDAP: { detectors: ['url-credentials'] },
  SQLServer: { detectors: ['password-assignment'] },
  JDBC: { detectors: ['password-assignment', 'url-credentials'] },
  URI: { detectors: ['url-credentials'] },
  PrivateKey: { detectors: ['pem-private-key', 'openssh-private-key'] },
  JWT: { detectors: ['jwt'] },
  KubeConfig: { detectors: ['secret-assignment', 'jwt'] },
});
