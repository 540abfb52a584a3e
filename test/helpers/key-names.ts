/**
 * Key names for the key-name classifier's tests and the kept-rate measurement: names under which a value
 * is a secret, names that only look like it, and innocent structured records as apps log them. Values are
 * fake, generated for this project.
 */
import { keyNameCasings } from '../../lib/cli/canary-run.ts';

/** Word lists written in one casing; `casings` renders them in every other. */
export const SECRET_KEY_WORDS: readonly string[][] = [
  ['password'], ['db', 'password'], ['db', 'pass'], ['pwd'], ['passwd'], ['pw'], ['passphrase'], ['admin', 'pwd'],
  ['secret'], ['secret', 'key'], ['client', 'secret'], ['webhook', 'secret'], ['app', 'secret'],
  ['token'], ['access', 'token'], ['refresh', 'token'], ['session', 'token'], ['github', 'token'], ['id', 'token'],
  ['api', 'key'], ['x', 'api', 'key'], ['private', 'key'], ['signing', 'key'], ['encryption', 'key'], ['master', 'key'],
  ['auth'], ['authorization'], ['proxy', 'authorization'], ['auth', 'token'], ['credentials'], ['credential'], ['creds'],
  ['session'], ['session', 'id'], ['cookie'], ['set', 'cookie'], ['bearer'], ['jwt'], ['dsn'], ['sentry', 'dsn'],
  ['connection', 'string'], ['aws', 'secret', 'access', 'key'], ['npm', 'auth', 'token'], ['password', 'hash'],
];

/** Glued spellings that carry a secret word with no separator at all. */
export const GLUED_SECRET_KEYS: readonly string[] = ['PGPASSWORD', 'MYSQL_PWD', 'dbpassword', 'githubtoken', 'apikey', 'APIKEY', 'clientsecret', 'accesstoken', 'privatekey', 'sessionid'];

/** Names that contain a secret word's letters but name something else: values under them are kept. */
export const INNOCENT_KEYS: readonly string[] = [
  'secretary', 'secretariat', 'tokenizer', 'tokenizers', 'keyboard', 'keyspace', 'keys_count', 'author', 'authority', 'authors',
  'primary_key', 'foreign_key', 'sort_key', 'partition_key', 'cache_key', 'key', 'keyId', 'passenger', 'passport_country',
  'bypass', 'compass', 'password_reset_url', 'token_type', 'token_endpoint', 'secret_name', 'secretRef', 'auth_method',
  'auth_provider', 'session_region', 'cookie_domain', 'cookie_path', 'pass_rate', 'passed', 'passes', 'password_policy',
  'oauth_provider', 'author_email_domain', 'x_key', 'x_axis_key', 'index_key',
];

/** Numbers or booleans under names that describe a secret's setting: kept. */
export const SETTING_VALUES: Readonly<Record<string, number | boolean>> = {
  max_tokens: 512,
  maxTokens: 1024,
  prompt_tokens: 87,
  completion_tokens: 311,
  total_tokens: 398,
  password_min_length: 12,
  passwordMinLength: 12,
  session_timeout_s: 900,
  sessionTtlSeconds: 3600,
  passwordless_enabled: true,
  token_expiry_minutes: 15,
  require_auth: true,
  auth_enabled: false,
  cookie_max_age: 86400,
  secret_rotation_days: 90,
  api_key_count: 3,
};

/** `words` in snake, SCREAMING, camel, Pascal, kebab, dotted and Train-Case spellings (the canary's own). */
export const casings = keyNameCasings;

/** Structured records as apps log and pass them, with no secret and no personal data in them. */
export const INNOCENT_RECORDS: readonly Record<string, unknown>[] = [
  { method: 'GET', path: '/api/v1/orders/12345', status: 200, duration_ms: 12, user_agent: 'curl/8.4.0' },
  { level: 'info', message: 'batch finished', rows: 120_000, region: 'eu-west-1', retries: 0 },
  { model: 'gpt-4o-mini', max_tokens: 512, temperature: 0.2, usage: { prompt_tokens: 87, completion_tokens: 311, total_tokens: 398 } },
  { auth: { method: 'oidc', provider: 'okta', enabled: true }, session_timeout_s: 900 },
  { password_policy: { min_length: 12, require_symbols: true }, password_min_length: 12, passwordless_enabled: false },
  { secretary: 'Board office', author: 'Release bot', tokenizer: 'cl100k_base', keyboard: 'us-intl' },
  { table: 'orders', primary_key: 'order_id', partition_key: 'tenant_id', sort_key: 'created_at' },
  { cache: { key: 'task-results/7c9e6679/output.json', ttl_s: 3600, hit: true } },
  { token_type: 'Bearer', expires_in: 3600, scope: 'read:orders' },
  { secret_name: 'prod/db', secretRef: 'vault://kv/app', keyspace: 'analytics' },
  { cookie_domain: '.shop.internal', cookie_path: '/', cookie_secure: true, cookie_max_age: 86400 },
  { auth_method: 'password', password_reset_url: 'https://accounts.internal/reset', auth_provider: 'ldap' },
  { flow: 'nightly-etl', day: '2026-11-23', dry_run: false, tables: ['orders', 'customers'] },
  { commit: '4b825dc642cb6eb9a060e54bf8d69288fbee4904', branch: 'main', build: 1234 },
  { passenger_count: 2, passport_country: 'NL', pass_rate: 0.97, bypass_cache: false },
];
