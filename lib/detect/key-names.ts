/**
 * The key-name classifier: whether a value is a secret because of the name it is stored under. Names are
 * split into words (snake_case, camelCase, kebab-case, UPPER, dotted, and glued names such as PGPASSWORD
 * whose last part is a secret word), and judged by the words, never by substrings: `secretary`,
 * `tokenizer`, `keyboard` and `author` hold no secret word. One classifier serves structured keys
 * (redact/walk.ts) and `key=value` text (the assignment detectors), so the two paths agree.
 * See docs/detectors.md#key-names.
 */

import { shannonEntropy } from './validators.ts';

/**
 * - `secret`: the value is a secret (`db_password`, `GITHUB_TOKEN`, `x-api-key`).
 * - `setting`: a secret word made into a setting (`max_tokens`, `password_min_length`, `token_type`):
 *   a number or boolean under it is kept, a string is scanned like any other.
 * - `descriptor`: only words that describe (`type`, `enabled`, `expires_at`): under a secret-named
 *   object these are kept (`auth: { type: basic, ... }`).
 * - `plain`: nothing of the above.
 */
export type KeyClass = 'secret' | 'setting' | 'descriptor' | 'plain';

/**
 * A secret word's family decides how `key=value` text is judged (structured values are removed either
 * way): a password can be any text (`changeme`), a token must look random, since prose says
 * `session: started` and `auth: failed`. A `vendor` name is a provider's name alone (`adafruit`,
 * `SUMOLOGIC`): it says whose value it is, not that it is a secret, so its value must look like a
 * credential and nothing else (`github = true`, `slack: #ops` and `npm: 10.2.4` are settings).
 */
export type SecretFamily = 'password' | 'token' | 'vendor';

export interface KeyVerdict {
  kind: KeyClass;
  /** For `secret`: the family of the secret word the name ends with. */
  family?: SecretFamily;
  /** For `secret`: the secret word is plural (`tokens`, `secrets`): a number under it is a count. */
  plural?: boolean;
  /**
   * For `secret`: the name says only that it holds some key (`RAPIDAPI_KEY`, `adafruitKey`): its value is
   * a secret when it looks like a credential (credentialShaped), and is scanned like any other when not
   * (`widget_key: sidebar`). Always set for the `vendor` family.
   */
  shaped?: boolean;
}

/** What a policy adds to or takes from the builtin vocabulary (the `key_names` section). */
export interface KeyNameOptions {
  /** More words (or `two words`) that mark a secret, in the password family. */
  secret?: readonly string[];
  /** Builtin secret words or phrases that no longer mark one. */
  notSecret?: readonly string[];
}

/** Single words that mark a secret, and their family. */
const SECRET_WORDS: Readonly<Record<string, SecretFamily>> = {
  password: 'password', passwd: 'password', pwd: 'password', pw: 'password', pass: 'password',
  passphrase: 'password', passcode: 'password',
  secret: 'token', token: 'token', apikey: 'token', auth: 'token', authorization: 'token',
  credential: 'token', cred: 'token', creds: 'token', session: 'token', sessionid: 'token', cookie: 'token',
  bearer: 'token', jwt: 'token', dsn: 'token', privatekey: 'token', connectionstring: 'token', pat: 'token',
  // card verification codes: short, any digits, so the password family
  cvv: 'password', cvc: 'password', cvv2: 'password',
};

/**
 * Names of a signature (`sig`, `X-Amz-Signature`, a SAS URL's `sig=`): a request signed this way is
 * replayable until it expires, so the value is a credential, but only when it looks like one (`signature:
 * John Smith` stays).
 */
const SIGNATURE_WORDS = new Set(['sig', 'signature']);

/** Plural secret words: the same family; a number under them counts something (`prompt_tokens`). */
const PLURALS: Readonly<Record<string, string>> = {
  passwords: 'password', secrets: 'secret', tokens: 'token', credentials: 'credential', cookies: 'cookie',
  sessions: 'session', apikeys: 'apikey', jwts: 'jwt',
};

/**
 * Two-word phrases that mark a secret though neither word does alone (`key` is everywhere: `cache_key`,
 * `primary_key`). Written as the two words.
 */
const SECRET_PHRASES: readonly string[] = [
  'api key', 'private key', 'secret key', 'signing key', 'encryption key', 'decryption key', 'access key',
  'master key', 'client key', 'session key', 'auth key', 'ssh key', 'license key', 'consumer key', 'shared key',
  'hmac key', 'app key', 'account key', 'storage key', 'webhook key', 'session id', 'secret id', 'connection string',
  'conn str', 'set cookie', 'service key', 'root key', 'deploy key', 'subscription key', 'admin key', 'write key',
];

/**
 * Words that make a name about a secret rather than the secret: after the secret word (`token_type`,
 * `password_reset_url`, `session_timeout_s`) or, for the prefix list, before it (`max_tokens`).
 */
const DESCRIPTOR_WORDS = new Set([
  'type', 'types', 'kind', 'name', 'names', 'id', 'ids', 'url', 'urls', 'uri', 'endpoint', 'path', 'file', 'filename',
  'dir', 'location', 'ref', 'reference', 'hint', 'label', 'length', 'len', 'min', 'max', 'minimum', 'maximum',
  'count', 'num', 'size', 'expiry', 'expires', 'expiration', 'expire', 'expired', 'exp', 'ttl', 'timeout', 'lifetime', 'age',
  'duration', 'interval', 'period', 'seconds', 'secs', 'sec', 's', 'ms', 'minutes', 'mins', 'hours', 'days', 'at',
  'enabled', 'enable', 'disabled', 'disable', 'required', 'require', 'optional', 'policy', 'rotation', 'rotate',
  'provider', 'providers', 'method', 'methods', 'scheme', 'mode', 'format', 'algorithm', 'alg', 'field', 'fields',
  'param', 'version', 'strength', 'prompt', 'reset', 'changed', 'updated', 'created', 'set', 'is', 'has', 'use',
  'used', 'usage', 'allowed', 'limit', 'limits', 'regex', 'pattern', 'rules', 'valid', 'invalid', 'error', 'errors',
  'failed', 'failures', 'attempts', 'retries', 'strategy', 'env', 'var', 'source', 'domain', 'region', 'less',
  'secure', 'httponly', 'samesite', 'rate', 'status', 'state', 'level', 'scope', 'scopes', 'issuer', 'audience',
  'digits', 'store', 'backend', 'arn', 'consent', 'banner',
]);

/**
 * Words before a final `key` that name a key of data, not a credential (`cache_key`, `sort_key`,
 * `public_key`): with any other word (`RAPIDAPI_KEY`, `adafruit_key`, `stripeKey`) the name holds a
 * vendor's key, a secret when its value looks like one.
 */
const DATA_KEY_KINDS = new Set([
  'cache', 'primary', 'foreign', 'sort', 'sorting', 'partition', 'index', 'hash', 'range', 'row', 'column', 'object', 's3',
  'bucket', 'idempotency', 'idempotent', 'dedup', 'dedupe', 'deduplication', 'lookup', 'map', 'unique', 'composite',
  'natural', 'surrogate', 'compound', 'routing', 'route', 'shard', 'group', 'cluster', 'message', 'event', 'record',
  'item', 'entity', 'table', 'field', 'attribute', 'dict', 'json', 'public', 'pub', 'translation', 'i18n', 'locale',
  'react', 'list', 'hot', 'shortcut', 'join', 'parent', 'child', 'query', 'search', 'cursor', 'page', 'resource',
  'kms', 'metric', 'label', 'tag', 'axis', 'redis', 'memcache', 'memcached', 'config', 'feature', 'flag', 'state',
  'sequence', 'version', 'lock', 'queue', 'topic', 'stream', 'file', 'path', 'url', 'name', 'id', 'type', 'mode',
]);

/**
 * Words that, before a secret word, make the name a setting or a count (`max_tokens`, `require_auth`,
 * `prompt_tokens`). Not `new`, `reset` or `change`: `new_password` holds one.
 */
const PREFIX_MODIFIERS = new Set(['max', 'min', 'num', 'n', 'count', 'total', 'is', 'has', 'use', 'enable', 'disable', 'require', 'allow', 'no', 'skip', 'should', 'can', 'must', 'ignore', 'prompt', 'input', 'output', 'completion', 'cached', 'reasoning']);

/**
 * Providers whose name alone is used as the key of their credential (`adafruit = …`, `SUMOLOGIC: …`, as
 * in CI variables, ini files and gitleaks' provider rules), written as one word in any case (`newrelic`,
 * `NewRelic`, `NEWRELIC`; not `new_relic`, whose words say something else). Only distinctive names: a provider named by a plain
 * word (Square, Linear, Segment, Lob) would turn settings such as `square: 16` into candidates.
 */
const VENDOR_NAMES = new Set([
  'adafruit', 'airtable', 'algolia', 'alibaba', 'aliyun', 'anthropic', 'artifactory', 'asana', 'atlassian',
  'aws', 'azure', 'bitbucket', 'bittrex', 'braintree', 'brevo', 'buildkite', 'circleci', 'clickhouse', 'clojars',
  'cloudflare', 'codecov', 'cohere', 'coinbase', 'confluent', 'contentful', 'databricks', 'datadog', 'deepseek',
  'digitalocean', 'discord', 'docker', 'dockerhub', 'doppler', 'droneci', 'dropbox', 'duffel', 'dynatrace', 'easypost',
  'etsy', 'fastly', 'figma', 'finicity', 'finnhub', 'flickr', 'flutterwave', 'frameio', 'freemius', 'freshbooks',
  'github', 'gitlab', 'gitter', 'gocardless', 'grafana', 'groq', 'heroku', 'hubspot', 'huggingface', 'infracost',
  'intercom', 'jfrog', 'kucoin', 'launchdarkly', 'linkedin', 'mailchimp', 'mailgun', 'mapbox', 'mattermost',
  'meraki', 'messagebird', 'mistral', 'netlify', 'newrelic', 'npm', 'nytimes', 'okta', 'openai', 'openrouter',
  'pagerduty', 'paystack', 'perplexity', 'pinecone', 'planetscale', 'postman', 'postmark', 'pulumi', 'pypi', 'rapidapi',
  'razorpay', 'replicate', 'rubygems', 'scalingo', 'sendbird', 'sendgrid', 'sendinblue', 'sentry', 'shippo',
  'shopify', 'slack', 'snyk', 'sonarcloud', 'sonarqube', 'squarespace', 'stripe', 'sumologic', 'supabase', 'tailscale',
  'telegram', 'travisci', 'twilio', 'twitch', 'twitter', 'typeform', 'vercel', 'yandex', 'zendesk',
]);

/**
 * Endings of glued names that are a secret word (PGPASSWORD, dbpassword, githubtoken, clientsecret);
 * `pass` only with a short prefix, since English glues it everywhere (bypass, compass, trespass).
 */
const GLUED_SUFFIXES: readonly string[] = ['password', 'passwd', 'passphrase', 'secret', 'token', 'apikey', 'credentials', 'credential', 'cookie', 'privatekey', 'sessionid', 'pwd', 'dsn', 'jwt'];
const GLUED_SHORT_PASS = /^[a-z]{1,3}pass$/;
const GLUED_PASS_WORDS = new Set(['bypass', 'compass', 'surpass', 'overpass', 'underpass', 'trespass', 'impass']);

/**
 * A name's words, lower-cased: split at every non-alphanumeric character, at lower-to-upper and
 * letter-digit changes, and before the last capital of a capital run followed by lower case
 * (`APIKey` → `api`, `key`).
 *
 * @example splitKeyWords('dbPassword') // ['db', 'password']
 */
export function splitKeyWords(name: string): string[] {
  const spaced = name
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .replace(/([A-Za-z])(\d)/g, '$1 $2')
    .replace(/(\d)([A-Za-z])/g, '$1 $2');
  return spaced.toLowerCase().split(/[^a-z0-9]+/).filter((w) => w !== '');
}

/**
 * Classifies key names with the builtin vocabulary, changed by a policy's `key_names`.
 *
 * @example
 * const keys = new KeyNameClassifier();
 * keys.classify('DB_PASSWORD').kind; // 'secret'
 * keys.classify('max_tokens').kind;  // 'setting'
 * keys.classify('secretary').kind;   // 'plain'
 */
export class KeyNameClassifier {
  private readonly words = new Map<string, SecretFamily>();
  private readonly phrases = new Map<string, SecretFamily>();
  private readonly gluedSuffixes: string[];
  private readonly vendors: Set<string>;
  /** Names seen, and their verdict: records repeat their keys. Bounded: names can be data too. */
  private readonly memo = new Map<string, KeyVerdict>();

  constructor(options: KeyNameOptions = {}) {
    const removed = new Set((options.notSecret ?? []).map(normalizeWordList));
    for (const [w, f] of Object.entries(SECRET_WORDS)) if (!removed.has(w)) this.words.set(w, f);
    for (const p of SECRET_PHRASES) if (!removed.has(p)) this.phrases.set(p, 'token');
    for (const added of options.secret ?? []) {
      const w = normalizeWordList(added);
      if (w.includes(' ')) this.phrases.set(w, 'password');
      else this.words.set(w, 'password');
    }
    this.gluedSuffixes = GLUED_SUFFIXES.filter((s) => this.words.has(s));
    this.vendors = new Set([...VENDOR_NAMES].filter((v) => !removed.has(v)));
  }

  /**
   * Per family, words of which one occurs in every name this classifier calls a secret of that family:
   * the keyword prefilter of the `key=value` detectors.
   *
   * @example new KeyNameClassifier().keywords('password') // ['password', 'passwd', 'pwd', 'pw', 'pass', ...]
   */
  keywords(family: SecretFamily): string[] {
    if (family === 'vendor') return [...this.vendors];
    const out = new Set<string>(family === 'token' ? SIGNATURE_WORDS : []);
    for (const [w, f] of this.words) if (f === family) out.add(w);
    for (const [p, f] of this.phrases) {
      if (f !== family) continue;
      const [first, second] = p.split(' ') as [string, string];
      if (!out.has(first) && !out.has(second)) out.add(second === 'key' ? second : first);
    }
    // Keywords match anywhere (substrings): `auth` already finds `authorization`.
    return [...out].filter((w) => ![...out].some((o) => o !== w && w.includes(o)));
  }

  /**
   * The verdict for one key name.
   *
   * @example new KeyNameClassifier().classify('password_min_length') // { kind: 'setting' }
   */
  classify(name: string): KeyVerdict {
    let verdict = this.memo.get(name);
    if (verdict !== undefined) return verdict;
    // A custom HTTP header ending in `-Key` (`X-Vault-Key`, `X-Functions-Key`, `X-RapidAPI-Key`) carries one.
    const words = splitKeyWords(name);
    // A token taken for a key (`ghp_…Pw…: upstream`): its camel-case pieces can spell `pw` or `pass`,
    // but a name has no long run of letters mixed with digits.
    verdict = hasTokenRun(name) ? PLAIN : this.judge(words);
    if (verdict.kind === 'plain' && HEADER_KEY_NAME.test(name)) verdict = HEADER_KEY;
    // The provider's name alone, written as one word in any case (`adafruit`, `SUMOLOGIC`, `NewRelic`):
    // the name holds the vendor as written, so the vendor names are also the keyword prefilter.
    else if (verdict.kind === 'plain' && this.vendors.has(words.join('')) && name.toLowerCase().includes(words.join(''))) verdict = VENDOR_NAME;
    if (this.memo.size >= MEMO_LIMIT) this.memo.clear();
    this.memo.set(name, verdict);
    return verdict;
  }

  private judge(raw: string[]): KeyVerdict {
    const words = raw.flatMap((w) => this.unglue(w));
    // The last secret word or phrase decides; what follows it can make the name a setting.
    let last = -1;
    let family: SecretFamily = 'token';
    let plural = false;
    for (let i = 0; i < words.length; i++) {
      const w = words[i]!;
      const single = this.words.get(w) ?? this.words.get(PLURALS[w] ?? '');
      const phrase = i > 0 ? this.phrases.get(`${words[i - 1]} ${w}`) : undefined;
      const pluralPhrase = i > 0 && phrase === undefined && w.endsWith('s') ? this.phrases.get(`${words[i - 1]} ${w.slice(0, -1)}`) : undefined;
      if (phrase !== undefined || pluralPhrase !== undefined) {
        last = i;
        family = (phrase ?? pluralPhrase)!;
        plural = pluralPhrase !== undefined;
      } else if (single !== undefined) {
        last = i;
        family = single;
        plural = PLURALS[w] !== undefined;
      }
    }
    if (last < 0) {
      if (SIGNATURE_WORDS.has(words[words.length - 1]!)) return SIGNATURE_KEY;
      if (this.words.has('key') === false && isVendorKey(words)) return VENDOR_KEY;
      return words.length > 0 && words.every((w) => DESCRIPTOR_WORDS.has(w)) ? DESCRIPTOR : PLAIN;
    }
    for (let i = last + 1; i < words.length; i++) if (DESCRIPTOR_WORDS.has(words[i]!)) return SETTING;
    for (let i = 0; i < last; i++) if (PREFIX_MODIFIERS.has(words[i]!)) return SETTING;
    return { kind: 'secret', family, ...(plural && { plural }) };
  }

  /** A glued word ending in a secret word, in two (`pgpassword` → `pg`, `password`); else as it is. */
  private unglue(word: string): string[] {
    if (this.words.has(word) || PLURALS[word] !== undefined) return [word];
    for (const s of this.gluedSuffixes) {
      if (word.length > s.length && word.endsWith(s)) return [word.slice(0, -s.length), s];
    }
    if (this.words.has('pass') && GLUED_SHORT_PASS.test(word) && !GLUED_PASS_WORDS.has(word)) return [word.slice(0, -4), 'pass'];
    if (word.endsWith('less') && word.length > 4) {
      // passwordless, tokenless: the secret word, then `less` (a descriptor)
      const stem = word.slice(0, -4);
      if (this.words.has(stem)) return [stem, 'less'];
    }
    return [word];
  }
}

const MEMO_LIMIT = 4096;
const PLAIN: KeyVerdict = Object.freeze({ kind: 'plain' });
const SETTING: KeyVerdict = Object.freeze({ kind: 'setting' });
const DESCRIPTOR: KeyVerdict = Object.freeze({ kind: 'descriptor' });
const HEADER_KEY: KeyVerdict = Object.freeze({ kind: 'secret', family: 'token' });
const HEADER_KEY_NAME = /^x-[a-z0-9-]*-key$/i;
const VENDOR_KEY: KeyVerdict = Object.freeze({ kind: 'secret', family: 'token', shaped: true });
/** Whether the name has a run of 20 or more letters and digits with two digits or more: a token, not a word. One pass. */
function hasTokenRun(name: string): boolean {
  let run = 0;
  let digits = 0;
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    const digit = c >= 48 && c <= 57;
    if (digit || (c >= 65 && c <= 90) || (c >= 97 && c <= 122)) {
      run++;
      if (digit) digits++;
      if (run >= 20 && digits >= 2) return true;
    } else {
      run = 0;
      digits = 0;
    }
  }
  return false;
}
const SIGNATURE_KEY: KeyVerdict = Object.freeze({ kind: 'secret', family: 'token', shaped: true });
const VENDOR_NAME: KeyVerdict = Object.freeze({ kind: 'secret', family: 'vendor', shaped: true });

/** `<vendor> key`: a final `key` after a word of two or more letters that names no key of data, and no setting before it. */
function isVendorKey(words: readonly string[]): boolean {
  const before = words.at(-2);
  return words.length >= 2 && words.at(-1) === 'key' && before !== undefined && /^[a-z][a-z0-9]+$/.test(before) && !DATA_KEY_KINDS.has(before) && !words.some((w) => PREFIX_MODIFIERS.has(w));
}

/**
 * Whether a value under a vendor's key name (`RAPIDAPI_KEY`, or the vendor's name alone) looks like a
 * credential: one run of 10 or more characters (a session cookie or an opaque token can be thousands) with no space or delimiter, letters and digits mixed (a
 * letter next to a digit: random keys always have one, `release-2024-11-23` and `sidebar` have none),
 * about as random as the key=value detectors ask (3 bits a character), and not a URL, a path, a version
 * or a reference (`https://…`, `./certs`, `1.24.3-alpine3.19`, `$TOKEN`): those say where a key is, not what.
 *
 * @example credentialShaped('SJpIwoeIiXReHA24s6m3JGn5ITWoE65B') // true; credentialShaped('sidebar') // false
 */
export function credentialShaped(value: string): boolean {
  return (
    /^[^\s"'&,;<>(){}[\]?|]{10,}$/.test(value) &&
    /[A-Za-z]\d|\d[A-Za-z]/.test(value) &&
    !NOT_A_CREDENTIAL.test(value) &&
    shannonEntropy(value) >= 3
  );
}

/**
 * Whether a value under a key that `verdict` says holds some key looks like that key: credentialShaped,
 * and under a provider's name alone (the `vendor` family: `github: acme/widgets2`, `npm: 10.2.4`) only a
 * run of token characters of 16 or more, no `.`, `:` or `/`, as the vendor-name-assignment detector asks.
 *
 * @example shapedForKey(classifier.classify('github'), 'acme/widgets2') // false
 */
export function shapedForKey(verdict: KeyVerdict, value: string): boolean {
  if (verdict.family === 'vendor' && !/^[\w+~-]{16,}={0,2}$/.test(value)) return false;
  return credentialShaped(value);
}

/**
 * A URL, a relative or home path, a channel or handle, a version, a `$` reference: never the credential
 * itself. Not a leading `/`: base64 keys (AWS secret keys) may start with one.
 */
const NOT_A_CREDENTIAL = /^(?:[a-z][a-z0-9+.-]*:\/\/|[~#@$]|\.{1,2}\/|v?\d+\.\d+)/i;

/** `API-Key`, `api key`, `apiKey` → `api key`: words joined by one space, lower case. */
function normalizeWordList(text: string): string {
  return splitKeyWords(text).join(' ');
}

/**
 * The builtin vocabulary, for the documentation (`egress-guard detectors` prints it).
 *
 * @example keyNameVocabulary().phrases.includes('api key') // true
 */
export function keyNameVocabulary(): { words: Record<'password' | 'token', string[]>; phrases: string[]; descriptors: string[]; prefixModifiers: string[]; gluedEndings: string[]; dataKeyKinds: string[]; vendors: string[] } {
  const words: Record<'password' | 'token', string[]> = { password: [], token: [] };
  for (const [w, f] of Object.entries(SECRET_WORDS)) if (f !== 'vendor') words[f].push(w);
  return { words, phrases: [...SECRET_PHRASES], descriptors: [...DESCRIPTOR_WORDS], prefixModifiers: [...PREFIX_MODIFIERS], gluedEndings: [...GLUED_SUFFIXES, 'pass'], dataKeyKinds: [...DATA_KEY_KINDS], vendors: [...VENDOR_NAMES] };
}

/** The builtin classifier (no policy changes), shared. */
export const BUILTIN_KEY_NAMES = new KeyNameClassifier();
