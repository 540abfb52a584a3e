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
 * The `key = value` detectors and the other forms a key takes (KEYED_FORMS), their keywords taken from a classifier: the builtin one for the catalogue, a
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
    ...KEYED_FORMS.flatMap((form) => [keyedForm(form, 'password', keyNames), keyedForm(form, 'token', keyNames)]),
  ];
}

/**
 * The forms a secret-named key and its value take besides `key = value`, each judged by the same
 * classifier: `key` ends where the value's `tail` (spaces, an opening quote) starts, `end` is what must
 * follow a token-like value.
 */
interface KeyedForm {
  name: 'flag' | 'element' | 'attribute';
  what: string;
  key: string;
  tail: string;
  end: string;
  examples: Record<'password' | 'token', { positive: string[]; negative: string[] }>;
}

const KEYED_FORMS: readonly KeyedForm[] = [
  {
    name: 'flag',
    what: 'a command-line flag followed by its value (--password VALUE, -token VALUE, --api-key "VALUE")',
    // `-p` alone is no name: a short flag is judged only by commands that define it (cli-login-password).
    // Letters, digits and hyphens, as flags are spelt: a short flag with its value glued on
    // (`-pYOUR_PASSWORD shop`) is no flag name followed by a value.
    key: r`(?<=^|[\s"'(])--?(?<key>[A-Za-z][A-Za-z0-9-]{0,63})`,
    tail: r`[ \t]{1,3}(?:\\?["'])?`,
    end: r`(?![^\s"'&,;?|)])`,
    examples: {
      password: {
        positive: ['psql --password Wk4pZ9qLm2 -h db.internal', "openssl enc -aes256 -pass 'pass:Tr0ub4dor3' -in x", 'vault-agent --db-password "s3cr3t Pa55"'],
        negative: ['docker login --password-stdin < pw.txt', 'app --password $DB_PASSWORD', 'app --password -', 'app --password-file /run/secrets/db', 'tool --password-min-length 12'],
      },
      token: {
        positive: ['huggingface-cli login --token Xk9vQ2mT7pLw4RzN8bC3dF6h', 'vault login -token Qm8sL2xV7pK4wZ9nR3tB6y', 'deploy --api-key "kF83jf02Ndk3LsP2x9Qm"'],
        negative: ['gh auth login --with-token < token.txt', 'app --token $GITHUB_TOKEN', 'tool --token-count 4096', 'app --session 3 --secret-name db-credentials-2024'],
      },
    },
  },
  {
    name: 'element',
    what: 'an XML element (<password>VALUE</password>, <ApiKey>VALUE</ApiKey>)',
    key: r`<(?<key>[A-Za-z_][\w.:-]{0,79})>`,
    tail: '',
    end: r`(?=<\/)`,
    examples: {
      password: {
        positive: ['<datasource><user>app</user><password>Wk4pZ9qLm2</password></datasource>', '<Password>hunter2x!</Password>'],
        negative: ['<password></password>', '<password>${DB_PASSWORD}</password>', '<password>********</password>', '<passwordPolicy>strict</passwordPolicy>'],
      },
      token: {
        positive: ['<ApiKey>kF83jf02Ndk3LsP2x9Qm</ApiKey>', '<config><token>Qm8sL2xV7pK4wZ9nR3tB6y</token></config>'],
        negative: ['<token>REDACTED</token>', '<tokenCount>4096</tokenCount>', '<session>12345678901234</session>', '<token><value>x</value></token>'],
      },
    },
  },
  {
    name: 'attribute',
    what: 'a key attribute naming the value attribute beside it (.NET appSettings: <add key="ApiKey" value="VALUE" />)',
    key: r`\bkey=(?:\\?["'])(?<key>[A-Za-z_][\w.:-]{0,79})(?:\\?["'])[ \t]{1,5}value=`,
    tail: r`(?:\\?["'])`,
    end: r`(?=\\?["'])`,
    examples: {
      password: {
        positive: ['<add key="DbPassword" value="Wk4pZ9qLm2" />', "<add key='SmtpPassword' value='hunter2x!'/>"],
        negative: ['<add key="DbPassword" value="" />', '<add key="DbPassword" value="${DB_PASSWORD}" />', '<add key="PasswordMinLength" value="12" />'],
      },
      token: {
        positive: ['<add key="ApiKey" value="kF83jf02Ndk3LsP2x9Qm" />', '<add key="StripeSecret" value="Qm8sL2xV7pK4wZ9nR3tB6y"/>'],
        negative: ['<add key="ApiKey" value="#{ApiKey}#" />', '<add key="TokenLifetime" value="3600" />', '<add key="ApiBaseUrl" value="https://api.internal/v2" />'],
      },
    },
  },
];

/** One form for one family: a password may be any text, a token must look random (as in `key = value`). */
function keyedForm(form: KeyedForm, family: 'password' | 'token', keyNames: KeyNameClassifier): DetectorSpec {
  const value =
    family === 'password'
      ? r`(?<value>${NOT_PLACEHOLDER}${NOT_CODE}(?![-/~]|[a-z]:\\|\d{1,6}(?:[\s"'&,;)}\]@<]|$))${VALUE})${form.name === 'flag' ? '' : form.end}`
      : r`(?<value>${NOT_PLACEHOLDER}${NOT_CODE}(?!-)(?!\d{1,64}(?:[\s"'&,;)}\]@<]|$))[^\s"'&,;<>(){}[\]?|]{10,})${form.end}`;
  return {
    id: `${family === 'password' ? 'password' : 'secret'}-${form.name}`,
    description: `${family === 'password' ? 'Password' : 'High-entropy secret'} given as ${form.what}, under a ${family === 'password' ? 'password-like' : 'secret-named'} key`,
    tags: ['secret', 'credentials', 'generic'],
    pattern: form.key + form.tail + value,
    split: { key: form.key, value: form.tail + value },
    flags: 'i',
    keywords: keyNames.keywords(family),
    group: 'value',
    keyGroup: 'key',
    keyFamily: family,
    ...(family === 'token' && { entropy: 3 }),
    examples: form.examples[family],
  };
}
