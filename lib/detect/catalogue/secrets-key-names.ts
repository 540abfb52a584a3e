/**
 * The `key=value` detectors: a value assigned, in text, JSON, YAML, a query string, a header or a command
 * line, to a key that the key-name classifier (../key-names.ts) calls a secret. The same classifier judges
 * structured keys (redact/walk.ts), so `db_password: abc` is found written either way. Tagged `generic`:
 * a specific detector that matches the same span names the finding.
 */
import type { KeyNameClassifier } from '../key-names.ts';
import type { DetectorSpec } from '../types.ts';
import { ASSIGN_OPERATOR, ASSIGN_TAIL, NOT_CODE, NOT_PLACEHOLDER, VALUE } from './common.ts';

const r = String.raw;

/**
 * A key name as written before its value: a word of letters, digits, `_`, `.` and `-`, maybe after `$`,
 * `@` or `--`, where a key can start (not inside a value: `a=b=c` has one key). The classifier, not the
 * regex, decides whether it names a secret.
 */
const KEY = r`(?<=^|[\s"'{,;&?(\[<>|])[-$@]{0,2}(?<key>[A-Za-z_][\w.-]{0,79})`;

/** A key and its operator, then after optional spaces and quote the value: as one pattern, and cut for the scanner. */
function assignment(value: string): Pick<DetectorSpec, 'pattern' | 'split'> {
  const key = KEY + ASSIGN_OPERATOR;
  return { pattern: key + ASSIGN_TAIL + value, split: { key, value: ASSIGN_TAIL + value } };
}

/**
 * The three detectors, their keywords taken from a classifier: the builtin one for the catalogue, a
 * policy's own when it changes the vocabulary (`key_names`).
 *
 * @example keyAssignmentDetectors(BUILTIN_KEY_NAMES).map((d) => d.id) // ['password-assignment', 'secret-assignment', 'vendor-name-assignment']
 */
export function keyAssignmentDetectors(keyNames: KeyNameClassifier): DetectorSpec[] {
  return [
    {
      id: 'password-assignment',
      description: 'Value assigned to a password-like key (db_password, PGPASSWORD, passwd, pwd, passphrase, ...) in text, JSON, YAML or a query string',
      tags: ['secret', 'credentials', 'generic'],
      // Not a path (PWD=/home/...), a drive (C:\) or a small number (a port, a count).
      ...assignment(r`(?<value>${NOT_PLACEHOLDER}${NOT_CODE}(?![/~]|[a-z]:\\|\d{1,6}(?:[\s"'&,;)}\]@]|$))${VALUE})`),
      flags: 'i',
      keywords: keyNames.keywords('password'),
      group: 'value',
      keyGroup: 'key',
      keyFamily: 'password',
      examples: {
        positive: [
          'password=hunter2x!',
          '{"username": "svc", "password": "correct horse battery staple"}',
          'GET /login?user=bob&password=Tr0ub4dor3&next=/home',
          'DB_PASSWORD: changeme',
          'Server=tcp:db.internal,1433;User ID=app;Pwd=9fQ!x2Lm#;Encrypt=true',
          'PGPASSWORD=Wk4!pZ9q psql -h db.internal',
          'export dbPass="s3cr3t-but-short"',
          'mysql --password=Tr0ub4dor-3 orders',
        ],
        negative: [
          'password_reset_url=https://accounts.internal/reset',
          'password=${DB_PASSWORD}',
          '"password": null',
          'password=',
          'password: "<your-password>"',
          'password: {{ secret }}',
          'password=%s',
          'password: ***',
          'password=REDACTED',
          'PWD=/home/runner/work/app',
          'password_min_length=12',
          'compass=north bypass=enabled',
        ],
      },
    },
    {
      id: 'secret-assignment',
      description: 'High-entropy value assigned to a secret-named key (token, secret, api key, auth, credentials, session, cookie, dsn, ...)',
      tags: ['secret', 'credentials', 'generic'],
      ...assignment(r`(?<value>${NOT_PLACEHOLDER}${NOT_CODE}(?!\d{1,64}(?:[\s"'&,;)}\]@]|$))[^\s"'&,;<>(){}[\]?|]{10,})(?![^\s"'&,;?|])`),
      flags: 'i',
      keywords: keyNames.keywords('token'),
      group: 'value',
      keyGroup: 'key',
      keyFamily: 'token',
      entropy: 3,
      examples: {
        positive: [
          'API_KEY=SJpIwoeIiXReHA24s6m3JGn5ITWoE65B',
          '{"client_secret": "KPLI9Ep-FEV8qgJq2rvbEEGeTU1y0CIQc8NDgLXF"}',
          'x-api-key: 81b78b217903a36984664cfd2986628e',
          'auth_token: bamXS0yQzJwdwEAWYHOVBlKc',
          'GITHUB_TOKEN=Qm9vYXJ2ZWxvcGVyX3Rva2VuX3Rlc3Q',
          'sessionId=9f8Kq2LxZ7mW4tR1vB6nC3',
          'SENTRY_DSN=Zk2Lq9Xp4Rt7Wm3Nb8Vc5Hy6',
        ],
        negative: [
          'token_count=5',
          'max_tokens: 100',
          'api_key: "{{ secret }}"',
          'CLIENT_SECRET=${CLIENT_SECRET}',
          'token=aaaaaaaaaaaaaaaa',
          'session_token=1234567890123',
          'token_type=Bearer',
          'secretary: Zk2Lq9Xp4Rt7Wm3Nb8Vc5Hy6',
          'tokenizer=cl100k_base_v2',
          'primary_key: order_id_and_tenant',
        ],
      },
    },
    {
      id: 'vendor-name-assignment',
      description: "Credential-shaped value assigned to a key that is a provider's name alone (adafruit = …, SUMOLOGIC: …, NewRelic: …)",
      tags: ['secret', 'credentials', 'generic'],
      // The name says whose value it is, not that it is secret: only a run of token characters with a
      // letter next to a digit, 16 or more, and nothing else up to the delimiter. No `.`, `:` or `/`, so
      // versions, URLs, hosts and repository slugs (`npm: 10.2.4`, `github: acme/widgets`) never match.
      ...assignment(r`(?<value>${NOT_PLACEHOLDER}(?=[\w+~-]{0,255}?(?:[a-z]\d|\d[a-z]))[\w+~-]{16,}={0,2})(?![^\s"'&,;?|])`),
      flags: 'i',
      keywords: keyNames.keywords('vendor'),
      group: 'value',
      keyGroup: 'key',
      keyFamily: 'vendor',
      entropy: 3,
      examples: {
        positive: [
          'adafruit = f70svs7akfw4vziblbxxe5wgh0oeawep',
          'ADAFRUIT="k2bq9x7m4tz1wd8rv5nc3hp6yl0sj2ga"',
          'sumologic: y7m4kYhmhPvdXae7DDnuHEFdfeFXi6fGa38N',
          '{"heroku": "7589f11c-a703-c330-4a00-b8a3b33f3aa1"}',
          'export NewRelic=Qx82Lm4Zp9Tv1Wk7Rb3Nc6Hy',
        ],
        negative: [
          'provider = aws',
          'github = true',
          'slack: #channel-name',
          'npm: 10.2.4',
          'docker: 24.0.7-ce-build20240101',
          'github: acme/widgets-2024',
          'github: https://github.com/acme/widgets2',
          'sentry: release-2024-11-23-hotfix',
          'twilio: ${TWILIO_CREDENTIALS}',
          'stripe: YOUR_STRIPE_SECRET_KEY',
          'adafruit: xxxxxxxxxxxxxxxxxxxxxxxx',
          'github_repo = acme-widgets-2024x9',
          'datadog: enabledByDefaultForAllHosts',
        ],
      },
    },
  ];
}
