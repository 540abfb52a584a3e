/**
 * TRUFFLEHOG_COVERAGE (lib/detect/catalogue/trufflehog-coverage.ts) holds what it claims: for every
 * TruffleHog detector it calls covered, a fake sample of ours in that detector's format and context,
 * scanned with builtin:default, loses its secret to one of the detectors named. The secret part of a
 * sample is marked ⟦…⟧. Failure messages name the TruffleHog and builtin detector ids, never a sample.
 */
import { assert } from 'chai';
import { TRUFFLEHOG_COMMIT, TRUFFLEHOG_COVERAGE } from '../../lib/detect/catalogue/trufflehog-coverage.ts';
import { checkCoverageTable } from '../helpers/coverage-table.ts';

/**
 * One sample per covered detector, all values fake and generated for this project (never TruffleHog's
 * test values). Detectors that need the provider's name near the value get it as a key name
 * (`DD_API_KEY=…`); prefixed tokens stand in a plain log line.
 */
const SAMPLES: Readonly<Record<string, string>> = {
  AWS: 'aws_access_key_id = ⟦AKIAZZO6CGQ3GEYK32RP⟧\naws_secret_access_key = ⟦Uq0UaM3fD0/bDDUqYUlWuR/uJVaW90uhuI5t6f4a⟧',
  Azure: 'AZURE_CLIENT_SECRET=⟦NWw8Q~mNckDuNiPPrifNsOLn1P0T_z59j_EIyT_M⟧',
  GCP: '{"type": "service_account", "project_id": "acme-ci-2231", "private_key": "-----BEGIN PRIVATE KEY-----\\n⟦vMhAxOn2QQtakJ/xbt7w+uOSyQtuPSh2x4UYjlY9E7aqFhagGyufDQIv3fTlmpGJ\\nB3hM7h5Lpq3JPTjveJ0eZFwIYRAJojy8qzpLFlZKHl2eW+2oniOmy6lp2ZKpXsVG\\nMmZ0JHq/BgXeS4AkDcY3OIAcjz+w1k4V77tYzLNFNTct3nny2eiqr2MdC/8d6B86⟧\\n-----END PRIVATE KEY-----\\n", "client_email": "ci@acme-ci-2231.iam.gserviceaccount.com"}',
  Alibaba: '2026-01-01 INFO worker-3 using ⟦LTAIaRAA8Ikx6mZIJgOOUJc9⟧ for the upload',
  Github: '2026-01-01 INFO worker-3 using ⟦ghp_E2DyOUGrxRUJJp0kLQuspIxvfMXApYgjzVZi⟧ for the upload',
  GitHubOld: 'GITHUB_TOKEN=⟦178bddc48b58afc5144374960fbbc7b4a6dad9dc⟧',
  Gitlab: '2026-01-01 INFO worker-3 using ⟦glpat-1ICmAW60Of2zG7KnizSw⟧ for the upload',
  Slack: '2026-01-01 INFO worker-3 using ⟦xoxb-413275974403-4669692126147-kO2SK2lx0TQyvFQWov7C9RVi⟧ for the upload',
  SlackWebhook: '2026-01-01 INFO worker-3 using ⟦https://hooks.slack.com/services/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⟧ for the upload',
  DiscordBotToken: '2026-01-01 INFO worker-3 using ⟦MRTJBwju7qDzwZVccqO3vIfuEn.8S49iF.419saxerBrp4gTKCDQbu2f89jHYVxlL2D8cUBt⟧ for the upload',
  DiscordWebhook: 'POST https://discord.com/api/webhooks/⟦7665148715651155896/BFe-9caYo0RVY56aOwlR_y7o71cwNNvHC4hsItgwTcprUO4eklN86h0hRuOgdFORVTBu⟧ 204',
  TelegramBotToken: '2026-01-01 INFO worker-3 using ⟦3884374833:AADl_nkLBfq_3KPEGa-yDuvJXnTKZrtGZxd⟧ for the upload',
  MicrosoftTeamsWebhook: 'POST https://acme.webhook.office.com/webhookb2/⟦299c3e93-c614-c2da-a02b-3c906730dcf1@c8a3768e-a5ae-ba22-9798-11705afe66b3/IncomingWebhook/8db50f8b79f47d9968bae1e4ce43bac6/e878ee0c-1b67-9a03-05cb-8e050fc0b583⟧ 200',
  Stripe: '2026-01-01 INFO worker-3 using ⟦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⟧ for the upload',
  Square: '2026-01-01 INFO worker-3 using ⟦EAAA1Galy60tcwANmveXUdN5e751inKXjnTCaDefV-aqoANexhUX9HpzXoi8xx5G⟧ for the upload',
  SquareApp: '2026-01-01 INFO worker-3 using ⟦sq0csp-qNSgVGx0c6dS_j17At_UNQyK8VqSFq9aSlPpnL6TlZf⟧ for the upload',
  PaypalOauth: 'PAYPAL_CLIENT_SECRET=⟦ERE1ADEs_-Lrb2hDHEV7nUZlKZi1cfvWlaZwY_Be0D_TAWrGgrZjowNXvb4JUgfgi3wtO95mk-eis61y⟧',
  Paystack: '2026-01-01 INFO worker-3 using ⟦sk_live_053651e9071f4cb2e94fd109b693aaf160ef95ae⟧ for the upload',
  Flutterwave: '2026-01-01 INFO worker-3 using ⟦FLWSECK-83f125574942c8da56b0c58e1f2ee01e-X⟧ for the upload',
  Shopify: '2026-01-01 INFO worker-3 using ⟦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⟧ for the upload',
  Kraken: 'KRAKEN_PRIVATE_KEY=⟦F89VgzsaWHtK1WjKQlxssL6UdOa1Itt5d3TPeA/RXVCzWqdXFqvg4qjzLO7m6Le3GCwjQ9bS6yxqL6DMHTy+Tbeq⟧',
  Twilio: 'TWILIO_AUTH_TOKEN=⟦1deb863495433d662ca8bf56c0288757⟧ TWILIO_API_KEY=⟦SK0fff75686a18fb91ee9fc0c608cf5831⟧',
  SendGrid: '2026-01-01 INFO worker-3 using ⟦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⟧ for the upload',
  Mailgun: 'MAILGUN_API_KEY=⟦key-af848d9a628ab374f4b3bfec87c68b5b⟧',
  Mailchimp: '2026-01-01 INFO worker-3 using ⟦ce89befb681518de2adffebb11f7767b-us14⟧ for the upload',
  SendinBlueV2: '2026-01-01 INFO worker-3 using ⟦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⟧ for the upload',
  Postmark: 'POSTMARK_SERVER_TOKEN=⟦6d442010-309b-9e70-288c-a0f96219150e⟧',
  MessageBird: 'MESSAGEBIRD_ACCESS_KEY=⟦j6g2sPxLGTvZpseHh1YQm2RLQ⟧',
  OpenAI: '2026-01-01 INFO worker-3 using ⟦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⟧ for the upload',
  Anthropic: '2026-01-01 INFO worker-3 using ⟦sk-ant-api03-zHWuyhICgo08BYiFMl5P5cM27M5BifJBNJlly6pNC9QTh5gqyz6JpKsUB2R12x0qRBByyWlAn17MGel9dpZYiuk617PR0AA⟧ for the upload',
  HuggingFace: '2026-01-01 INFO worker-3 using ⟦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⟧ for the upload',
  Groq: '2026-01-01 INFO worker-3 using ⟦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⟧ for the upload',
  NpmToken: '//registry.npmjs.org/:_authToken=⟦2c1d2266-fb4f-29ff-381f-46c534b800f4⟧',
  PyPI: '2026-01-01 INFO worker-3 using ⟦pypi-AgEIcHlwaS5vcmcjNTF_hyukiPzCCYQ8PkC_zdZdbtaHWdq6kjznSGaLVjQ6omrD2yErSjUXvjuwE6NSoAEGP⟧ for the upload',
  RubyGems: '2026-01-01 INFO worker-3 using ⟦rubygems_c84100293772e03d60228c653f1f6f4072320c3dfb838af3⟧ for the upload',
  NuGetApiKey: '2026-01-01 INFO worker-3 using ⟦oy2j5kbfcw1l40zha1vdcazcmh1re8173gw4km3ys5hgrt⟧ for the upload',
  Docker: '{"auths": {"registry.acme-corp.net": {"auth": "⟦Y2ktYm90OkZFVmNzREhCM1RJUWY3ak9mcm51⟧"}}}',
  ArtifactoryAccessToken: '2026-01-01 INFO worker-3 using ⟦AKCpw020yWl5sLlkn5BOnxHidv1zt5gJFAIxUR9r8RK1HdXQFLsB2HLKyAHeOlM9E93fJQzQ8⟧ for the upload',
  Heroku: 'HEROKU_API_KEY=⟦f92f0ca8-16fa-068f-f2af-d7371227b7b6⟧',
  DigitalOceanV2: '2026-01-01 INFO worker-3 using ⟦dop_v1_a50aeb286bda6086c19164cda996e078e258c07f0ed023e6a5069a6fb2e1dde9⟧ for the upload',
  Netlify: '2026-01-01 INFO worker-3 using ⟦nfp_0z4F9L8UECkssCqbbEziv83AN0icmF5Ae5h9⟧ for the upload',
  Vercel: '2026-01-01 INFO worker-3 using ⟦vcp_F5r1CPswIca1kFQioLROgsR1fjVm-ts1AJmY3Un6ISKfKqpj4-O4o2XT⟧ for the upload',
  CloudflareApiToken: 'CLOUDFLARE_API_TOKEN=⟦0P3wOPmWrUGXAkB-srgTjV2ownmQcAqKMIc2Fy6F⟧',
  CloudflareGlobalApiKey: 'CLOUDFLARE_API_KEY=⟦80484ec37b04a4b70e43d1d7ffbfbeb3ca45d⟧',
  CloudflareCaKey: '2026-01-01 INFO worker-3 using ⟦v1.0-0e66c4b6e9f53a3e3f400002-e9e16312a76a1910bf6a297bf64f90abe7fcdc218ea0988f7d67bc907bc3c7a9c911b61ecb592043e57365bc5f86043551b9097741775d9c63531533d55ea7df04609d4af7d5517829⟧ for the upload',
  TerraformCloudPersonalToken: '2026-01-01 INFO worker-3 using ⟦oN5WJBY1wlT4CM.atlasv1.LeDNhpKI_hFusltehlKWuweT-uOQkz0e0C9vPXQ-hRZ2WDyVBikWepLbiWrxydO2jKf⟧ for the upload',
  Pulumi: '2026-01-01 INFO worker-3 using ⟦pul-6f408552a0e4609f9f20cdecf513afb202752c27⟧ for the upload',
  Doppler: '2026-01-01 INFO worker-3 using ⟦dp.st.ERALM75zCyhSXUXIAAmhMeaDQriNnLNTPWfs13YPVyg⟧ for the upload',
  CircleCI: '2026-01-01 INFO worker-3 using ⟦CCIPAT_CBkwb8lwYY709kacRgABR2_f359f375ee094f4cb1d8a96007e77330b827f416⟧ for the upload',
  TravisCI: 'TRAVIS_API_TOKEN=⟦wnDtlRiEyjg4pClGXHJEvN⟧',
  Buildkite: '2026-01-01 INFO worker-3 using ⟦bkua_9776f29c14d14eb7bb5adeebed0cc7dd6553c602⟧ for the upload',
  DatadogToken: 'DD_API_KEY=⟦e60735960ebd17518a1e8e5cb7d0dd11⟧ DD_APP_KEY=⟦ad5927e1fdc90f0b28c485ae56b8422d16eff7e2⟧',
  NewRelicPersonalApiKey: '2026-01-01 INFO worker-3 using ⟦NRAK-A0OXW7NXC5EGC47EUFVJ8TRKMX3⟧ for the upload',
  PagerDutyApiKey: 'PAGERDUTY_API_TOKEN=⟦u+k21fNeaZNRqZbGbf_V⟧',
  Opsgenie: 'OPSGENIE_API_KEY=⟦7120a7be-41ac-9dcf-4339-943eb5e54221⟧',
  SentryToken: '2026-01-01 INFO worker-3 using ⟦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⟧ for the upload',
  Dynatrace: '2026-01-01 INFO worker-3 using ⟦dt0c01.9M9HUOTGL9B1LE368UBEFBDZ.DHWRRJ1IXL1H50PESMX7F0M6R3580GZ5U7I7EKZ9J0RPFPZQ2OFZUTP93WQ2VI6I⟧ for the upload',
  Grafana: '2026-01-01 INFO worker-3 using ⟦glsa_UFb37lRM3EHk3I01NRKSCgOnl8FDjFxf_908b2356⟧ for the upload',
  Honeycomb: 'HONEYCOMB_API_KEY=⟦unZRKbYcsIDW0xztbJ8nan⟧',
  Postman: '2026-01-01 INFO worker-3 using ⟦PMAK-4f3b333f7c7dbbd4207924a3-10c08127b03b980b35a41e5a984dd7210d⟧ for the upload',
  Okta: 'OKTA_API_TOKEN=⟦00Xy4q9NnL4VjeEYRrj4zNijvQVPzdjzPppX7kmbzb⟧',
  Auth0oauth: 'AUTH0_CLIENT_SECRET=⟦PF8joLfv-Uk83l0lPd18LZ1v7IpdphCisQ6_aooxrnksdnJOHwhjDEiiwRxo0mS-⟧',
  Auth0ManagementApiToken: 'AUTH0_MANAGEMENT_TOKEN=⟦eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiAiaHR0cHM6Ly9hY21lLmV1LmF1dGgwLmNvbS8iLCAic3ViIjogImVMWjg3Tk5zZmF1a09sWDVAY2xpZW50cyIsICJhdWQiOiAiaHR0cHM6Ly9hY21lLmV1LmF1dGgwLmNvbS9hcGkvdjIvIiwgImlhdCI6IDE3NjcyMjU2MDB9.5yQ8QkCNHaQ_GAf7z8AZhVsYpo3Z1qA0wGnwhKJD6hFqeHZL_l2H4MR7vG1AuzLaeeBAurkMU9lZ2kTCK-aV55⟧',
  Atlassian: '2026-01-01 INFO worker-3 using ⟦ATATT3ca_JeQmc8ObdYrdyyBZC2Or2-n6goidUM-LYVKILEIq1Bliyr9W0BfmflFY93jwec5rnZ2uVjlaC97MRwzGuZFuY_3KbBW0-VXxLcMBtVkfiK0o93Boo8qtgIMc8-WjR8sGtsyNV7gZY2gF8b13iHXRhOLl848TEQ0wxtfv4OWfRpeaoB_sYSD3wru⟧ for the upload',
  JiraToken: 'JIRA_API_TOKEN=⟦FNvJ9GdBCMrvgjh7WNFyaLG1⟧',
  LinearAPI: '2026-01-01 INFO worker-3 using ⟦lin_api_X8HsaFtlTBz48WYBWPUz2cQbdSk75DJKHCxh7uHG⟧ for the upload',
  Notion: 'NOTION_TOKEN=⟦secret_FuyFwUjMyZviKLRf8uKtLNEynFQQ0jNJ93gheESEwhA⟧',
  AsanaPersonalAccessToken: 'ASANA_ACCESS_TOKEN=⟦2/6929182779794260/5581469195342934:a1052feaeba8e4ede17bea09d566be3f⟧',
  AirtableApiKey: 'AIRTABLE_API_KEY=⟦keyn0IEBW2PnhjLoN⟧',
  AlgoliaAdminKey: 'ALGOLIA_ADMIN_KEY=⟦393d1af8191e5fe42c4a96749fd3be08⟧',
  Dropbox: 'DROPBOX_ACCESS_TOKEN=⟦sl.0l5SZKZBotraTGd4vLy_erL7_OF0ydkMwyQ3RABEqwWZ3t4rt84Q-4AbrEuEfWECIS9tCY8i5aMEi33E5EjQPXCMIlii4CD721LueqHsPjf1XFdqDkmjc9TEwDmdOqqy2T⟧',
  MapBox: '2026-01-01 INFO worker-3 using ⟦sk.eyJ1IjoiYWNtZS1nZW8iLCJhIjoib20wajQzMXZkMGNvZGpha3cybG8zbmUzZSJ9.ocF9hdZUzNb1r3e8Ddd5Uv⟧ for the upload',
  Twitter: 'TWITTER_BEARER_TOKEN=⟦AAAAAAAAAAAAAAAAAAAAAADWhdGxnAjDk1XHt4qyDdLVyg9PAUlJYGDBfuZpXxqpc6dj3TZTuEvgYWRrB8HZfkBWhDbYaUpP33V86wEwaKwxyXGR⟧',
  FacebookOAuth: 'FACEBOOK_APP_SECRET=⟦105e16ba61455831331298b5c7908095⟧',
  ZendeskApi: 'ZENDESK_API_TOKEN=⟦ysoHSUerheEaMnrDu0rfwPUNiDUG6tOLXxcZxwTy⟧',
  HubSpotApiKey: '2026-01-01 INFO worker-3 using ⟦pat-na1-aa39a4f6-d1e4-9c86-09fe-58ead0046092⟧ for the upload',
  Intercom: 'INTERCOM_ACCESS_TOKEN=⟦vb0p73VIS8TdG5xF4sRDaLQtsmHMyqtpdgSpKSvQvYYVLmeQd0FouTIw8nA=⟧',
  SnykKey: 'SNYK_TOKEN=⟦73581043-ec5a-26ef-4e0d-fef449ef8757⟧',
  SonarCloud: 'SONAR_TOKEN=⟦squ_1cf57b72e63032517fb0b55f8a1319440289addb⟧',
  DatabricksToken: '2026-01-01 INFO worker-3 using ⟦dapi299cd647a544d64b678fca9fe2c7eb12⟧ for the upload',
  PlanetScale: '2026-01-01 INFO worker-3 using ⟦pscale_tkn_Ci7BdivMqh-ZvfxpvUhIIGfMFfk_AG3sTfLUThtPgxb⟧ for the upload',
  SupabaseToken: '2026-01-01 INFO worker-3 using ⟦sbp_98edca7834c2a03a5a8c5c6cd5baa4d28812add0⟧ for the upload',
  Prefect: '2026-01-01 INFO worker-3 using ⟦pnu_gk1b5HKy2O5qCQfvkPJAusHt7ed5K16JZk1i⟧ for the upload',
  LaunchDarkly: 'LAUNCHDARKLY_SDK_KEY=⟦sdk-e91c742e-104e-72f7-dd18-199968ed45a2⟧',
  Typeform: 'TYPEFORM_TOKEN=⟦tfp_VdymO6QOPzWXnJKrNyYynp2DnZowk-R3fVSiyMVa6uSC_end35A8Qe2v4eP⟧',
  FigmaPersonalAccessToken: '2026-01-01 INFO worker-3 using ⟦figd_TjvepQU5sVELeykDsxnqJ1xNbbfmJgPVdxMZ6rDorIX⟧ for the upload',
  SumoLogicKey: 'SUMO_ACCESS_KEY=⟦ufA6psCx1Ucu9P3K3KkvTgwcS3Wu9OnogqF8RAyqavRx45FygA8bZU9kO6m9RIrb⟧',
  MongoDB: 'MONGODB_URI=mongodb+srv://svc-orders:⟦rDG6qNWrhROByedMQH⟧@cluster3.x7k2p.mongodb.net/orders',
  Postgres: 'DATABASE_URL=postgres://app:⟦hegN7VVWGbYTPkoqvzNk⟧@pg-primary.acme-corp.net:5432/app',
  Redis: 'REDIS_URL=rediss://default:⟦QzRgEnVIQ5X2UwUHu3y4L3Yr⟧@cache.acme-corp.net:6380/0',
  RabbitMQ: 'AMQP_URL=amqps://worker:⟦CXExd8trp9visZvA⟧@mq.acme-corp.net:5671/prod',
  FTP: 'fetching ftp://mirror-sync:⟦U78SJXdIVIjS0m⟧@ftp.acme-corp.net/pub/data.csv',
  LDAP: 'LDAP_URL=ldaps://svc-ldap:⟦mDa5NaafnEfzbq8o⟧@ldap.acme-corp.net:636',
  SQLServer: 'Server=tcp:sql01.acme-corp.net,1433;Database=billing;User Id=app;Password=⟦HPRHgyxuTW8m0BOc⟧;Encrypt=true',
  JDBC: 'jdbc:postgresql://pg.acme-corp.net:5432/app?user=etl&password=⟦LjthTgriusOtBM77⟧&ssl=true',
  URI: 'GET https://deploy:⟦4u6rWbemoTgGwGYw⟧@artifacts.acme-corp.net/releases/app.tgz 200',
  PrivateKey: '-----BEGIN PRIVATE KEY-----\n⟦vMhAxOn2QQtakJ/xbt7w+uOSyQtuPSh2x4UYjlY9E7aqFhagGyufDQIv3fTlmpGJ\nB3hM7h5Lpq3JPTjveJ0eZFwIYRAJojy8qzpLFlZKHl2eW+2oniOmy6lp2ZKpXsVG\nMmZ0JHq/BgXeS4AkDcY3OIAcjz+w1k4V77tYzLNFNTct3nny2eiqr2MdC/8d6B86⟧\n-----END PRIVATE KEY-----',
  JWT: '2026-01-01 INFO worker-3 using ⟦eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiAiaHR0cHM6Ly9hY21lLmV1LmF1dGgwLmNvbS8iLCAic3ViIjogImVMWjg3Tk5zZmF1a09sWDVAY2xpZW50cyIsICJhdWQiOiAiaHR0cHM6Ly9hY21lLmV1LmF1dGgwLmNvbS9hcGkvdjIvIiwgImlhdCI6IDE3NjcyMjU2MDB9.5yQ8QkCNHaQ_GAf7z8AZhVsYpo3Z1qA0wGnwhKJD6hFqeHZL_l2H4MR7vG1AuzLaeeBAurkMU9lZ2kTCK-aV55⟧ for the upload',
  KubeConfig: 'users:\n- name: ci\n  user:\n    token: ⟦09uduyts2w10e1c6fuwn2jogdb0a468d0305qg6p⟧',
};

describe('TruffleHog coverage (TRUFFLEHOG_COVERAGE)', function () {
  this.timeout(60_000);
  const entries = Object.entries(TRUFFLEHOG_COVERAGE);

  it('names the TruffleHog commit, and 60 to 100 detectors as TruffleHog spells them (DetectorType names)', function () {
    assert.match(TRUFFLEHOG_COMMIT, /^[0-9a-f]{40}$/);
    assert.isAtLeast(entries.length, 60);
    assert.isAtMost(entries.length, 100);
    for (const [id] of entries) assert.match(id, /^[A-Z][A-Za-z0-9]*$/, `not a DetectorType name: ${id}`);
  });

  checkCoverageTable('detector', entries, SAMPLES);
});
