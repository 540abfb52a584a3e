/**
 * How the builtin catalogue stands against secretlint's recommended preset
 * (@secretlint/secretlint-rule-preset-recommend): for each rule of the preset and each message id it
 * reports under, the detectors of ours that take what it finds, or why nothing does. Checked by
 * test/detect/secretlint-coverage.test.ts (one fake sample per covered message id, scanned with
 * builtin:default) and published in docs/detectors.md. Only rule and message ids are taken from
 * secretlint; the samples, patterns and reasons are this project's own.
 */

/**
 * What covers one message id of a secretlint rule: the ids of builtin detectors that find its secrets, or
 * a sentence saying why no detector does.
 *
 * @example
 * const entry: SecretlintCoverage = SECRETLINT_COVERAGE['@secretlint/secretlint-rule-npm']!.messages!['NPM_ACCESS_TOKEN']!;
 * if ('detectors' in entry) console.log(entry.detectors.join(', ')); // npm-access-token
 */
export type SecretlintCoverage = { readonly detectors: readonly string[] } | { readonly reason: string };

/**
 * One rule of the preset: its message ids and what covers each, or (for a rule that reports nothing of
 * its own, such as the comment directives) the reason it has no entry per message.
 *
 * @example
 * const rule: SecretlintRuleCoverage = SECRETLINT_COVERAGE['@secretlint/secretlint-rule-filter-comments']!;
 * 'reason' in rule; // true
 */
export type SecretlintRuleCoverage =
  | { readonly messages: Readonly<Record<string, SecretlintCoverage>> }
  | { readonly reason: string };

/**
 * The secretlint commit whose rule sources the ids below were read from (the preset's newest rule,
 * secretlint-rule-cloudflare, at this commit; the preset lists the rules in the order below).
 *
 * @example `https://github.com/secretlint/secretlint/tree/${SECRETLINT_COMMIT}/packages/%40secretlint/secretlint-rule-preset-recommend`
 */
export const SECRETLINT_COMMIT = '71abe6b5179bb5d40495ce5fed322ba70907810c';

/**
 * Every rule of @secretlint/secretlint-rule-preset-recommend at SECRETLINT_COMMIT, in the preset's order,
 * with its message ids and the detectors that cover each or the reason none does.
 *
 * @example
 * Object.values(SECRETLINT_COVERAGE).flatMap((r) => ('messages' in r ? Object.keys(r.messages) : [])).length; // 40
 */
export const SECRETLINT_COVERAGE: Readonly<Record<string, SecretlintRuleCoverage>> = Object.freeze({
  '@secretlint/secretlint-rule-aws': {
    messages: {
      AWSAccessKeyID: { detectors: ['aws-access-key-id'] },
      AWSSecretAccessKey: { detectors: ['aws-secret-access-key'] },
      AWSAccountID: { detectors: ['aws-account-id'] },
    },
  },
  '@secretlint/secretlint-rule-gcp': {
    messages: {
      PrivateKeyJSON: { detectors: ['gcp-service-account-private-key', 'pem-private-key'] },
      PrivateKeyP12: { reason: 'A PKCS#12 key file is binary and recognised by opening it with the service-account password: egress-guard scans the text a job sends, not files, and a .p12 file has no text form to match. The service-account JSON key, its text form, is covered.' },
    },
  },
  '@secretlint/secretlint-rule-privatekey': {
    messages: {
      PrivateKey: { detectors: ['pem-private-key', 'openssh-private-key'] },
    },
  },
  '@secretlint/secretlint-rule-npm': {
    messages: {
      PackageJSON_xOauthToken: { detectors: ['github-oauth-basic-url'] },
      Npmrc_authToken: { detectors: ['npmrc-auth'] },
      NPM_ACCESS_TOKEN: { detectors: ['npm-access-token'] },
    },
  },
  '@secretlint/secretlint-rule-basicauth': {
    messages: {
      BasicAuth: { detectors: ['url-credentials'] },
    },
  },
  '@secretlint/secretlint-rule-slack': {
    messages: {
      SLACK_TOKEN: { detectors: ['slack-bot-token', 'slack-user-token', 'slack-other-token'] },
      IncomingWebhook: { detectors: ['slack-webhook-url'] },
    },
  },
  '@secretlint/secretlint-rule-sendgrid': {
    messages: {
      SENDGRID_KEY: { detectors: ['sendgrid-api-key'] },
    },
  },
  '@secretlint/secretlint-rule-shopify': {
    messages: {
      SHOPIFY_KEY: { detectors: ['shopify-token'] },
    },
  },
  '@secretlint/secretlint-rule-github': {
    messages: {
      GITHUB_TOKEN: { detectors: ['github-token', 'github-fine-grained-pat'] },
    },
  },
  '@secretlint/secretlint-rule-gitlab': {
    messages: {
      GITLAB_PERSONAL_ACCESS_TOKEN: { detectors: ['gitlab-pat'] },
    },
  },
  '@secretlint/secretlint-rule-grafana': {
    messages: {
      GRAFANA_CLOUD_API_TOKEN: { detectors: ['grafana-cloud-token'] },
      GRAFANA_SERVICE_ACCOUNT_TOKEN: { detectors: ['grafana-service-account-token'] },
    },
  },
  '@secretlint/secretlint-rule-openai': {
    messages: {
      OPENAI_TOKEN: { detectors: ['openai-api-key'] },
    },
  },
  '@secretlint/secretlint-rule-anthropic': {
    messages: {
      ANTHROPIC_API_KEY: { detectors: ['anthropic-api-key'] },
    },
  },
  '@secretlint/secretlint-rule-groq': {
    messages: {
      GROQ_API_KEY: { detectors: ['groq-api-key'] },
    },
  },
  '@secretlint/secretlint-rule-huggingface': {
    messages: {
      HUGGINGFACE_USER_ACCESS_TOKEN: { detectors: ['huggingface-token'] },
    },
  },
  '@secretlint/secretlint-rule-linear': {
    messages: {
      LINEAR_API_TOKEN: { detectors: ['linear-api-key'] },
    },
  },
  '@secretlint/secretlint-rule-notion': {
    messages: {
      NOTION_INTEGRATION_TOKEN: { detectors: ['notion-api-token'] },
    },
  },
  '@secretlint/secretlint-rule-1password': {
    messages: {
      OPS_TOKEN: { detectors: ['onepassword-service-account-token'] },
    },
  },
  '@secretlint/secretlint-rule-database-connection-string': {
    messages: {
      MongoDBConnection: { detectors: ['url-credentials'] },
      MySQLConnection: { detectors: ['url-credentials'] },
      PostgreSQLConnection: { detectors: ['url-credentials'] },
    },
  },
  '@secretlint/secretlint-rule-hashicorp-vault': {
    messages: {
      HASHICORP_VAULT_SERVICE_TOKEN: { detectors: ['vault-service-token'] },
      HASHICORP_VAULT_BATCH_TOKEN: { detectors: ['vault-batch-token'] },
      HASHICORP_VAULT_RECOVERY_TOKEN: { detectors: ['vault-recovery-token'] },
    },
  },
  '@secretlint/secretlint-rule-vercel': {
    messages: {
      VERCEL_PERSONAL_ACCESS_TOKEN: { detectors: ['vercel-token'] },
      VERCEL_INTEGRATION_TOKEN: { detectors: ['vercel-token'] },
      VERCEL_APP_ACCESS_TOKEN: { detectors: ['vercel-token'] },
      VERCEL_APP_REFRESH_TOKEN: { detectors: ['vercel-token'] },
      VERCEL_AI_GATEWAY_API_KEY: { detectors: ['vercel-token'] },
    },
  },
  '@secretlint/secretlint-rule-databricks': {
    messages: {
      DATABRICKS_PERSONAL_ACCESS_TOKEN: { detectors: ['databricks-token'] },
    },
  },
  '@secretlint/secretlint-rule-docker': {
    messages: {
      DOCKER_PERSONAL_ACCESS_TOKEN: { detectors: ['docker-hub-token'] },
    },
  },
  '@secretlint/secretlint-rule-figma': {
    messages: {
      FIGMA_PERSONAL_ACCESS_TOKEN: { detectors: ['figma-token'] },
    },
  },
  '@secretlint/secretlint-rule-cloudflare': {
    messages: {
      CLOUDFLARE_API_TOKEN: { detectors: ['cloudflare-api-token'] },
    },
  },
  '@secretlint/secretlint-rule-filter-comments': {
    reason: 'A directive, not a detector: it reads `// secretlint-disable` comments in scanned files and drops the other rules\' reports they name. egress-guard has no in-text directives (a log line must not be able to switch its own scrubbing off); policies turn detectors off by id instead (`disable: [id]`).',
  },
});
