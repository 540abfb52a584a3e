/**
 * Tokens glued to what comes before them: a letter, a digit, `_` or an ANSI colour code right before a
 * token's prefix (`xAKIA…`, `id=1glpat-…`, `v=_ghp_…`, `\x1b[33mghp_…`). The cases are generated from the
 * catalogue's positive examples, so a detector added later is covered too: it finds its token glued, or
 * LEFT_ANCHORED says why not. Failure messages name the detector, the example index and the glue, never
 * the example text.
 */
import { assert } from 'chai';
import { BUILTIN_DETECTORS } from '../../lib/detect/catalogue/index.ts';
import { compileScanner } from '../../lib/detect/scanner.ts';
import type { DetectorSpec } from '../../lib/detect/types.ts';
import { INNOCENT_GLUED_CORPUS } from './glued-corpus.ts';

/** What is glued in front of a token; the colour code ends in the letter `m`. */
const GLUES: Record<string, string> = { letter: 'x', digit: '1', underscore: '_', ansi: '\x1b[33m' };

interface Anchored {
  reason: string;
  /** Only the tokens starting with one of these (case-insensitively); every token of the detector otherwise. */
  prefixes?: string[];
  /** Anchored with START, which an ANSI escape still satisfies: the `ansi` glue is tested all the same. */
  afterAnsi?: true;
}

/**
 * The detectors, or some of their prefixes, that a word glued in front of a token defeats on purpose: the
 * one place where that is decided, each with its reason.
 */
const LEFT_ANCHORED: Record<string, Anchored> = {
  // Weak prefixes: glued, they end common words or base64 runs, and those fit the body after them.
  'digest-auth-response': { reason: '`response` ends other keys (`http_response=`, `raw_response=`), whose 32 hex digits are a digest of data, not of a password', afterAnsi: true },
  'bearer-token': { reason: 'glued, `bearer` is Kafka\'s `OAUTHBEARER` mechanism, followed by a class name', afterAnsi: true },
  'facebook-access-token': { reason: '`EAA` runs through base64 data by chance (zero bytes encode as `A`)', afterAnsi: true },
  'fly-io-token': { reason: '`fo1_` ends `info1_`, and the body takes a snake_case name', prefixes: ['fo1_'], afterAnsi: true },
  'mailgun-api-key': { reason: '`key-` ends words (`apikey-`, `monkey-`) that 32 hex digits may follow', prefixes: ['key-'], afterAnsi: true },
  'onepassword-secret-key': { reason: '`A3-` ends part and serial numbers (`LA3-`) whose dash-separated groups fit the key', afterAnsi: true },
  'twilio-api-key-sid': { reason: '`SK` is two letters: glued, it ends words (`TASK`, `DESK`) that hex digits may follow', afterAnsi: true },
  'vercel-token': { reason: '`vca_`, `vcp_` end names such as `svca_`, `svcp_`', afterAnsi: true },
  'huggingface-token': { reason: '`hf_` ends snake_case names (`load_hf_`), and a class name fits the letters-only body', afterAnsi: true },
  'netlify-token': { reason: '`nfo_` ends `info_`', prefixes: ['nfo_'], afterAnsi: true },
  'openai-api-key': {
    reason: '`sk-` ends kebab-case names (`risk-admin-…`) that the body of the non-legacy keys takes',
    prefixes: ['sk-proj-', 'sk-svcacct-', 'sk-admin-'],
    afterAnsi: true,
  },
  'square-access-token': { reason: '`EAAA` runs through base64 data by chance (zero bytes encode as `A`)', prefixes: ['EAAA'], afterAnsi: true },
  'supabase-token': { reason: '`sb_secret_` ends `usb_secret_`, and the body takes a snake_case name', prefixes: ['sb_secret_'], afterAnsi: true },
  'authress-service-client-access-key': { reason: '`sc_` and `ext_` end snake_case names (`misc_`, `text_`), and the dotted body takes a dotted name', afterAnsi: true },
  'clickhouse-cloud-api-secret-key': { reason: '`4b1d` is four hex digits: glued, it is part of a longer hex or base64 run', afterAnsi: true },
  'easypost-api-token': { reason: '`EZAK`, `EZTK` run through base64 data by chance', afterAnsi: true },
  'harness-api-key': { reason: '`pat.` and `sat.` end words and dotted names (`compat.`, `kubesat.`)', afterAnsi: true },
  'infracost-api-token': { reason: '`ico-` ends words (`mexico-`, `favico-`)', afterAnsi: true },
  'octopus-deploy-api-key': { reason: '`API-` ends names (`REST-API-`, `MYAPI-`) followed by capitals and digits', afterAnsi: true },
  'scalingo-api-token': { reason: '`tk-us-` ends kebab-case names (`…tk-us-east-1-…`), which the body takes', afterAnsi: true },
  'settlemint-access-token': { reason: '`sm_pat_` and the like end snake_case names (`csm_pat_`)', afterAnsi: true },
  'artifactory-reference-token': { reason: '`cmVmd` is base64 text: glued, it is a stretch of a longer base64 run' },
  // key=value: the key is the whole word before the separator, glued characters included, and the key-name
  // classifier (lib/detect/key-names.ts) judges it.
  'password-assignment': { reason: 'the key-name classifier judges the glued key' },
  'secret-assignment': { reason: 'the key-name classifier judges the glued key' },
  'vendor-name-assignment': { reason: 'the key-name classifier judges the glued key (`xadafruit` names no provider)' },
  'password-flag': { reason: 'a flag glued to a word is no flag (`x--password`)' },
  'secret-flag': { reason: 'a flag glued to a word is no flag (`x--token`)' },
  'password-attribute': { reason: '`key=` glued to a word is another attribute (`cachekey=`)' },
  'secret-attribute': { reason: '`key=` glued to a word is another attribute (`cachekey=`)' },
  'password-in-prose': { reason: 'the word glued to another is another word (`xpassword`), and prose has no key to judge' },
  'npmrc-auth': { reason: '`_auth`, `_password` glued to a word are the tail of another name (`obj_auth=`)' },
  // No literal prefix: the token's first characters are its data, so a character glued in front makes it
  // a different string (or a flag, a path, a number that is not one).
  'azure-ad-client-secret': { reason: 'the `Q~` literal comes after 4 data characters' },
  'terraform-cloud-token': { reason: 'the `.atlasv1.` literal comes after 14 data characters' },
  'maxmind-license-key': { reason: 'the `_mmk` literal comes after 36 data characters', afterAnsi: true },
  'facebook-app-access-token': { reason: 'starts with the numeric app id', afterAnsi: true },
  'discord-bot-token': { reason: 'starts with a base64 user id' },
  'telegram-bot-token': { reason: 'starts with the bot\'s numeric id' },
  'mailchimp-api-key': { reason: 'starts with 32 hex digits' },
  'kubernetes-secret-data-sorted': { reason: '`data:` must start its line: glued to a word it is another YAML key' },
  'cli-user-password': { reason: '`-u` glued to a word is not a flag' },
  'cli-attached-password': { reason: 'a command name glued to a word is another command' },
  'cli-login-password': { reason: 'a command name glued to a word is another command' },
  'phone-number-international': { reason: 'a number glued to a word is an id' },
  'phone-number-nanp': { reason: 'a number glued to a word is an id' },
  'us-ssn': { reason: 'a number glued to a word is an id' },
  'phone-number-national': { reason: 'a number glued to a word is an id' },
  'us-itin': { reason: 'a number glued to a word is an id' },
  'us-ssn-labelled': { reason: '`ssn` glued to a word is another word (`xssn`, `lessn`)' },
  'uk-national-insurance-number': { reason: 'two letters and digits glued to a word are part of a longer code' },
  'uk-nhs-number': { reason: 'a number glued to a word is an id' },
  'bitcoin-address': { reason: 'base58 glued to a word is part of a longer base58 or base64 run' },
  'ethereum-address': { reason: '0x glued to a word is part of an identifier or a longer hex literal' },
  'payment-card-number': { reason: 'a number glued to a word is an id' },
  'iban': { reason: 'starts with a country code: glued, it is part of a longer code' },
  'ipv4-address': { reason: 'a number glued to a word is an id or a version' },
  'ipv6-address': { reason: 'glued to a word it is hex data or a `::` of code' },
  'home-path-username': { reason: 'a path glued to a word is a subdirectory (`/srv/app/home/x`), not a home' },
  'windows-profile-username': { reason: 'a drive letter glued to a word is no drive' },
};

const byId = new Map(BUILTIN_DETECTORS.map((d) => [d.id, d]));
const singleScanners = new Map(BUILTIN_DETECTORS.map((d) => [d.id, compileScanner([d])]));
const fullScanner = compileScanner(BUILTIN_DETECTORS);

/** A positive example's first finding, and where the raw match holding it (prefix and all) starts. */
interface Token {
  example: number;
  text: string;
  /** Where the glue goes: the start of the raw match. */
  at: number;
  /** The raw match: the key and the value for detectors with a group. */
  raw: string;
  /** The finding, unglued. */
  start: number;
  end: number;
}

function tokens(d: DetectorSpec): Token[] {
  return d.examples!.positive.map((text, example) => {
    const found = singleScanners.get(d.id)!.scan(text).find((m) => m.detector === d.id);
    assert.isDefined(found, `${d.id}: positive #${example} not found unglued`);
    const re = new RegExp(d.pattern, 'g' + (d.flags ?? ''));
    for (let m = re.exec(text); m !== null; m = re.exec(text)) {
      if (m.index <= found!.start && m.index + m[0].length >= found!.end) {
        return { example, text, at: m.index, raw: m[0], start: found!.start, end: found!.end };
      }
      if (m[0].length === 0) re.lastIndex++;
    }
    throw new Error(`${d.id}: positive #${example} has no raw match around its finding`);
  });
}

/** Which glues a token must survive: all, only the ANSI one, or none. */
function gluesFor(d: DetectorSpec, token: Token): string[] {
  const anchored = LEFT_ANCHORED[d.id];
  const applies = anchored !== undefined && (anchored.prefixes === undefined || anchored.prefixes.some((p) => token.raw.toLowerCase().startsWith(p.toLowerCase())));
  if (!applies) return Object.keys(GLUES);
  return anchored.afterAnsi ? ['ansi'] : [];
}

describe('tokens glued to the text before them', function () {
  describe('LEFT_ANCHORED', function () {
    it('names only existing detectors', function () {
      for (const id of Object.keys(LEFT_ANCHORED)) assert.isTrue(byId.has(id), `LEFT_ANCHORED names an unknown detector: ${id}`);
    });

    it('lists only prefixes that start some positive example of their detector', function () {
      for (const [id, anchored] of Object.entries(LEFT_ANCHORED)) {
        const d = byId.get(id);
        if (d === undefined || anchored.prefixes === undefined) continue;
        const raws = tokens(d).map((t) => t.raw.toLowerCase());
        for (const p of anchored.prefixes) assert.isTrue(raws.some((r) => r.startsWith(p.toLowerCase())), `${id}: no positive example starts with the listed prefix #${anchored.prefixes.indexOf(p)}`);
      }
    });
  });

  for (const d of BUILTIN_DETECTORS) {
    const anchored = LEFT_ANCHORED[d.id];
    if (anchored !== undefined && anchored.prefixes === undefined && anchored.afterAnsi === undefined) continue;
    it(`${d.id}: finds its examples' tokens glued, and covers them whole`, function () {
      for (const token of tokens(d)) {
        for (const glue of gluesFor(d, token)) {
          const g = GLUES[glue]!;
          const text = token.text.slice(0, token.at) + g + token.text.slice(token.at);
          const [start, end] = [token.start + g.length, token.end + g.length];
          const what = `${d.id}: positive #${token.example} glued to ${glue}`;
          const own = singleScanners.get(d.id)!.scan(text).filter((m) => m.detector === d.id);
          assert.isTrue(own.some((m) => m.start <= start && m.end >= end), `${what}: not found whole`);
          assert.isTrue(fullScanner.scan(text).some((m) => m.start <= start && m.end >= end), `${what}: not covered by the full catalogue`);
        }
      }
    });
  }

  it('finds nothing in innocent glued text', function () {
    const hits: string[] = [];
    INNOCENT_GLUED_CORPUS.forEach((line, i) => {
      for (const m of fullScanner.scan(line)) hits.push(`line #${i}: ${m.detector}`);
    });
    assert.deepEqual(hits, [], 'false positives (line index: detector)');
    assert.deepEqual(fullScanner.scan(INNOCENT_GLUED_CORPUS.join('\n')).map((m) => m.detector), []);
  });
});
