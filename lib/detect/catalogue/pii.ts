/**
 * Personal data: contact details, government and financial identifiers, network addresses and usernames
 * in home-directory paths. Numeric detectors have no literal anchor (no keywords); their false positives
 * are held down by strict separators, boundaries and a checksum/structure validator. All examples are fake
 * (NANP numbers use the fictional 555-01xx range; cards, IBANs pass their checksums but belong to no one).
 */
import type { DetectorSpec } from '../types.ts';

const r = String.raw;


/**
 * Triggers of the numeric detectors: the part of each pattern that every match contains, without the
 * boundaries. They run in the scanner's trigger automaton, where each costs nothing per character, so they
 * are as tight as their pattern allows (a loose shared one sent every 8-digit id through all three
 * regexes).
 */
const NANP_TRIGGER = r`[2-9]\d\d[ .-]\d{4}`;
const SSN_TRIGGER = r`\d{3}[- .]\d{2}[- .]\d{4}`;
const CARD_TRIGGER = r`\d{13}|\d{4}[ -]\d{4}[ -]\d{4}|\d{4}[ -]\d{6}[ -]\d{4}|\d{4} \d{5} \d{6}`;
// With the character before it, as the pattern's look-behind wants: else every ISO date (`2024-01-15`)
// fired it, and ran the pattern on most log lines.
const NATIONAL_PHONE_TRIGGER = r`(?:[^\w.+/:-]|[Tt]el:)(?:0[1-9]\d{0,3}[ -]\d\d|\(0[1-9]\d{0,3}\))`;
// An ITIN has the shape of an SSN: the SSN's trigger, shared (one more trigger of its own, overlapping
// the SSN's and the NANP one's digits, doubled the automaton's states).
const ITIN_TRIGGER = SSN_TRIGGER;
const NHS_TRIGGER = r`\d{3}[ -]\d{3}[ -]\d{4}|\d{10}`;
const NINO_TRIGGER = r`[A-Z]{2} ?\d\d ?\d\d ?\d\d ?[A-D]`;
/**
 * A Bitcoin address starts where a word can (the pattern's look-behind) with `1` or `3` and 25+ more base58
 * characters, or with `bc1` and 8+ bech32 ones. The trigger asks for the boundary too: a count restarted
 * at every `1` or `3` inside a run multiplied the automaton's states past its cache on every log line,
 * while one that starts at a boundary runs alongside the base64-run count (which restarts there too).
 * Without the boundary, hex digests and ids fired it on most lines.
 */
const BITCOIN_TRIGGER = r`[^\w./+=-](?:[13][1-9A-HJ-NP-Za-km-z]{15}|bc1[02-9ac-hj-np-z]{8}|BC1[02-9AC-HJ-NP-Z]{8})`;

/** ITIN middle group (IRS): 50–65, 70–88, 90–92, 94–99. */
const ITIN_GROUP = r`(?:5\d|6[0-5]|7\d|8[0-8]|9[0-24-9])`;

/**
 * Not inside an IBAN-shaped run (`DE30 1424 5407 …`): a card number never follows a country code, check
 * digits and up to four 4-character groups (the longest IBAN leaves no 13 digits after a fifth). Keeps the
 * digit groups of an IBAN that fails mod-97 from being a "card". No `\b` before the country code: it made
 * recheck's fuzzer (the ReDoS test) take 90 s on the card pattern instead of 1.
 */
const NOT_IN_IBAN = r`(?<![A-Z]{2}\d{2}(?:[ -][A-Z0-9]{4}){0,4}[ -])`;

/** Words a phone number may be glued to (`phone+44…`, `tel+1…`): otherwise a `+` after a word is no phone's. */
const PHONE_WORD = r`(?:[Tt]el|TEL|[Pp]hone|PHONE|[Mm]obile|[Cc]ell|[Ff]ax|[Ss]ms|SMS)`;

/** After a number: not followed by a word character, a dash, or more digits after `.`/`,`. */
const NUM_END = r`(?![\w-]|[.,]?\d)`;

/**
 * Account names under /home or /Users that belong to no person: macOS shared folders, CI runners and
 * cloud images' default users. `/home/runner` (GitHub Actions) is deliberately NOT flagged.
 */
const SERVICE_USERS = r`(?:Shared|Guest|runner|ubuntu|ec2-user|vagrant|circleci|jenkins|gitlab-runner|buildkite-agent|node|git|linuxbrew|vscode|codespace)`;
const UNIX_NAME = r`[A-Za-z0-9._-]`;
const WIN_NAME = r`[^\\/:*?"<>|\s]`;

export const PII_DETECTORS: DetectorSpec[] = [
  {
    id: 'email-address',
    description: 'Email address (not git@ remotes or file@2x.png-style asset names)',
    tags: ['pii', 'contact'],
    // Not the `password@host` of a URL's userinfo (`https://user:password@host`, `user:pass@host`): that is
    // a credential (url-credentials, userinfo-credentials) or, when both parts are field names, a template.
    pattern: r`(?<![\w.%+-])(?<!:\/\/[^\s/@:]{0,64}:|\b(?:[Uu]ser(?:_?name)?|USER(?:_?NAME)?|[Ll]ogin|LOGIN):)(?!git@)[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63}){0,8}\.[A-Za-z]{2,24}\b(?<!\.(?:png|jpe?g|gif|svg|webp|css|js|ts|map|json|lock|md|txt|ya?ml|py|rb|go|rs|java))`,
    keywords: ['@'],
    examples: {
      positive: ['notify: jane.doe+ci@acme-corp.io on failure', '{"user": {"email": "r.okafor@mail.example.org"}}'],
      negative: [
        'git@github.com:acme/app.git', 'background: url(icon@2x.png)', 'npm i lodash@4.17.21', 'mention @alice in the channel',
        'git clone https://user:password@github.com/acme/app', 'dsn user:pass@db.example.com',
      ],
    },
  },
  {
    id: 'phone-number-international',
    description: 'Phone number in international +CC format (also long digit groups, and glued to tel:/phone)',
    tags: ['pii', 'contact', 'phone'],
    pattern: r`(?<![\w+](?<!${PHONE_WORD}))\+[1-9]\d{0,2}(?:[ .-]?\(\d{1,4}\))?(?:[ .-]\d{1,10}){1,5}${NUM_END}|(?<![\w+](?<!${PHONE_WORD}))\+[1-9]\d{9,14}\b`,
    keywords: ['+'],
    validate: 'phone',
    examples: {
      positive: [
        'call +44 20 7946 0958 for support',
        'contact: "+49-30-9018-2277"',
        'sms to +33612345078 failed',
        'phone=+1 (415) 555-0132',
        'Berlin office +49 30 7719384',
        'whatsapp +91 9845017263 (ops)',
        '<a href="tel:+442079460958">',
        'phone+81 90 3817 2264',
      ],
      negative: ['2024-01-15T10:00:00+05:30', 'score +15 points', 'tz=+0530', '+1234567890', '+44 20 79', 'c++11 build +2 warnings', 'a+44 20 7946 0958'],
    },
  },
  {
    id: 'phone-number-nanp',
    description: 'North-American phone number with separators ((415) 555-0132, 415-555-0132, 1-800-555-0199)',
    tags: ['pii', 'contact', 'phone'],
    pattern: r`(?<![\w+.-])(?:\+?1[ .-]?)?(?:\([2-9]\d{2}\)[ .]?|[2-9]\d{2}[ .-])[2-9]\d{2}[ .-]\d{4}${NUM_END}`,
    trigger: NANP_TRIGGER,
    validate: 'phone',
    examples: {
      positive: ['callback (415) 555-0132 after 5pm', 'Phone: 212-555-0187', 'toll free 1-800-555-0199.'],
      negative: ['2024-01-15 10:22:31', 'order 123-456-7890', 'ORD-2024-000123', 'call 555-0132', 'ip 192.168.100.200'],
    },
  },
  {
    id: 'phone-number-national',
    description: 'Phone number in national format with trunk prefix 0 and separators (030 7719384-0, 090-3817-2264, (020) 7946 0958)',
    tags: ['pii', 'contact', 'phone'],
    pattern: r`(?:(?<=\b[Tt]el:)|(?<![\w.+/:-])(?<!\d[ -])${NOT_IN_IBAN})(?:\(0[1-9]\d{0,3}\)[ -]?|0[1-9]\d{0,3}[ -])\d{2,8}(?:[ -]\d{2,8}){0,3}${NUM_END}`,
    trigger: NATIONAL_PHONE_TRIGGER,
    validate: 'phone',
    examples: {
      positive: ['Handy: 0151 2384 7719', 'call 090-3817-2264 (mobile)', 'Tel: (020) 7946 0958', 'tel:06 18 42 73 95', 'Festnetz 030 7719384'],
      negative: [
        '2024-01-15 10:22:31', 'v0.12.3 build 05 40', 'ORD-2024-000123 0', 'mode 0755 dir', 'at 01-15-2024', 'id=012-345-6789',
        '0123 4567 89', 'IBAN: DE30 4597 1153 0602 3976 05', 'rows 12 0602 3976 05',
      ],
    },
  },
  {
    id: 'us-ssn',
    description: 'US social security number with dashes, spaces or dots (area/group/serial range rules)',
    tags: ['pii', 'identity', 'government-id'],
    pattern: r`(?<![\w.-])(?:\d{3}-\d{2}-\d{4}|\d{3} \d{2} \d{4}|\d{3}\.\d{2}\.\d{4})${NUM_END}`,
    trigger: SSN_TRIGGER,
    validate: 'ssn',
    examples: {
      positive: ['SSN: 524-71-3398', '{"ssn": "301 22 8841"}', 'ssn=417.52.9036;'],
      negative: [
        'ssn=000-12-3456', 'ssn=666-12-3456', 'ssn=912-34-5678', 'ssn=078-05-1120', 'ssn=524-00-3398', 'ssn=524-71-0000',
        'zip 12345-6789', 'ssn=524.71.0000', 'lib 1.417.52.9036', 'v417.52.9036.1',
      ],
    },
  },
  {
    id: 'us-ssn-labelled',
    description: 'US social security number written as nine plain digits after its name (ssn: 524713398, "social_security_number": "524713398")',
    tags: ['pii', 'identity', 'government-id'],
    // Nine plain digits are any id; after the name, they are the number (area/group/serial rules still apply).
    pattern: r`\b(?:ssn|social[ _-]?security(?:[ _-]?(?:number|num|no))?)(?:\\?["'])?[ \t]{0,3}[:=#]?[ \t]{0,3}(?:\\?["'])?(\d{9})(?![\w.-])`,
    flags: 'i',
    keywords: ['ssn', 'social'],
    group: 1,
    validate: 'ssn',
    examples: {
      positive: ['ssn: 524713398', '{"social_security_number": "301228841"}', 'SSN=417529036;', 'Social Security No 524713398'],
      negative: ['ssn: 000123456', 'ssn: 666123456', 'ssn: 524000398', 'ssn_count: 524713398', 'ssn: 5247133981', 'ssn: 524713398.5'],
    },
  },
  {
    id: 'us-itin',
    description: 'US individual taxpayer identification number (9XX-GG-XXXX, group 50–65, 70–88, 90–92, 94–99)',
    tags: ['pii', 'identity', 'government-id'],
    pattern: r`(?<![\w.-])9\d{2}(?:-${ITIN_GROUP}-|\x20${ITIN_GROUP}\x20|\.${ITIN_GROUP}\.)\d{4}${NUM_END}`,
    trigger: ITIN_TRIGGER,
    examples: {
      positive: ['ITIN: 912-73-4406', '{"itin": "947 88 1023"}', 'tin=983.94.5512'],
      negative: ['itin=912-34-5678', 'itin=912-66-4406', 'itin=912-93-4406', 'itin=912-89-4406', 'itin=812-73-4406', 'ref 9912-73-4406'],
    },
  },
  {
    id: 'uk-national-insurance-number',
    description: 'UK National Insurance number (two letters without the unissued prefixes, 6 digits, suffix A–D)',
    tags: ['pii', 'identity', 'government-id'],
    pattern: r`(?<![\w-])(?!BG|GB|KN|NK|NT|TN|ZZ)[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z](?: ?\d{6}| \d{2} \d{2} \d{2}) ?[A-D](?![\w-])`,
    trigger: NINO_TRIGGER,
    examples: {
      positive: ['NINO: JT 47 19 82 B', '{"ni_number": "WR381764A"}', 'ni=HK 502913 C'],
      negative: ['ni=QQ123456C', 'ni=DA381764A', 'ni=GB381764A', 'ni=WO381764A', 'ni=WR381764E', 'build AB1234567C', 'hash 7WR381764A'],
    },
  },
  {
    id: 'uk-nhs-number',
    description: 'UK NHS number (10 digits in 3-3-4 groups, or bare after "NHS"; mod-11 check digit)',
    tags: ['pii', 'identity', 'health'],
    pattern: r`(?<![\w.+-])(?:\d{3} \d{3} \d{4}|\d{3}-\d{3}-\d{4}|(?<=\b[Nn][Hh][Ss](?:[ _-]?(?:[Nn]umber|[Nn]o\.?))?["']?[ \t]{0,3}[:=#]?[ \t]{0,3}["']?)\d{10})${NUM_END}`,
    trigger: NHS_TRIGGER,
    validate: 'nhs',
    examples: {
      positive: ['NHS number: 465 869 7904', 'patient 448-804-6851 admitted', '{"nhs_number": "4317395800"}', 'NHS No. 4000000004'],
      negative: ['NHS number: 465 869 7905', 'patient 448-804-6850', 'epoch=4317395800', 'NHS number: 000 000 0000', 'nhs=4658697904x'],
    },
  },
  {
    id: 'payment-card-number',
    description: 'Payment card number (Visa, Mastercard, Amex, Discover, Diners, JCB, UnionPay, Maestro, UATP), Luhn-validated, not inside an IBAN',
    tags: ['pii', 'financial', 'pci'],
    pattern: r`(?<![\w.-])${NOT_IN_IBAN}(?:(?=4|5|2[2-7]|3[04-9]|6)(?:\d{13,19}|\d{4}(?: \d{4}){2,3}(?: \d{1,3})?|\d{4}(?:-\d{4}){2,3}(?:-\d{1,3})?|\d{4}[ -]\d{6}[ -]\d{4,5})|1(?:\d{14}|\d{3} \d{5} \d{6}))${NUM_END}`,
    trigger: CARD_TRIGGER,
    validate: 'luhn',
    examples: {
      positive: [
        'card=4597115306023976 exp=12/27',
        'charged 5172 2175 0147 8979 for order 77',
        '{"pan": "3704-190093-58908"}',
        'paid with 2223-7642-6289-1169',
        'diners 36932674120565 ok',
        'uatp 120447318562996 booked',
        'card: 1204 47318 562996',
      ],
      negative: [
        'card=4090560856387805', 'id=1700000000000123', 'card=4597 1153 0602 397', 'ref 9597115306023976',
        'uatp 120447318562995', 'id=1204473185629961', 'IBAN: DE30 4597 1153 0602 3976 05', 'iban DE00-4597-1153-0602-3976-05',
      ],
    },
  },
  {
    id: 'iban',
    description: 'International bank account number (country length table and mod-97 checksum), compact or in groups separated by spaces or dashes',
    tags: ['pii', 'financial'],
    // Compact, or grouped: after the first group (a bank code, often letters) every group holds a digit, so
    // a following word (`… 05 EUR`, `BE98 7312 0451 8836 PAID`) is not taken as one more group.
    pattern: r`\b[A-Z]{2}\d{2}(?:[A-Z0-9]{11,30}|[ -][A-Z0-9]{4}(?:[ -](?=[A-Z]{0,3}\d)[A-Z0-9]{4}){1,6}(?:[ -](?=[A-Z]{0,2}\d)[A-Z0-9]{1,3})?)\b`,
    trigger: r`[A-Z]{2}\d{2}[ -]?[A-Z0-9]{4}`,
    validate: 'iban',
    examples: {
      positive: [
        'IBAN: DE29 1424 5407 2057 0978 05',
        'payout to GB72QXBK69903936145845 scheduled',
        '{"iban": "FR3259282677777786871010948"}',
        'NL44 RABO 3274 4474 69 (savings)',
        'iban=DE28-3705-1104-8319-2774-02',
        'send GB21QXBK40221863557104 EUR',
        'BE98 7312 0451 8836 PAID',
      ],
      negative: [
        'IBAN: DE30 1424 5407 2057 0978 05', 'IBAN: XX29142454072057097805', 'IBAN: DE2914245407205709780', 'SKU AB12CDEF3456',
        'iban=DE29-3705-1104-8319-2774-02', 'send GB22QXBK40221863557104 EUR',
      ],
    },
  },
  {
    id: 'bitcoin-address',
    description: 'Bitcoin address: base58check P2PKH (1…) / P2SH (3…), bech32/bech32m segwit (bc1…), checksum-validated',
    tags: ['pii', 'financial', 'crypto'],
    pattern: r`(?<![\w./+=-])(?:[13][1-9A-HJ-NP-Za-km-z]{25,33}|bc1[02-9ac-hj-np-z]{8,87}|BC1[02-9AC-HJ-NP-Z]{8,87})(?![\w/+=-])`,
    trigger: BITCOIN_TRIGGER,
    validate: 'bitcoin',
    examples: {
      positive: [
        'wallet: 17L43gqoYAe74Tuf3Epz5mZWFCT7KfjynC',
        'pay to 3MBWcrwZvkJmVMHfyoYhr27n3b1b736HZ2 today',
        '{"btc": "bc1q87l9eahyq2zvkcms6vyx58f2j5sl7fhnrxwvl2"}',
        'taproot bc1pxh4epp8asj54rlmqnsu57a3dw8847sg7crdxewlg0snrtpmy5qss3fqt6d.',
      ],
      negative: [
        'wallet: 17L43gqoYAe74Tuf3Epz5mZWFCT7KfjynD',
        'pay to 3MBWcrwZvkJmVMHfyoYhr27n3b1b736HZ3',
        'btc=bc1q87l9eahyq2zvkcms6vyx58f2j5sl7fhnrxwvl3',
        'mixed bc1Q87l9eahyq2zvkcms6vyx58f2j5sl7fhnrxwvl2',
        'key=x17L43gqoYAe74Tuf3Epz5mZWFCT7KfjynC',
      ],
    },
  },
  {
    id: 'ethereum-address',
    description: 'Ethereum address 0x + 40 hex digits (EIP-55 checksum when mixed case)',
    tags: ['pii', 'financial', 'crypto'],
    pattern: r`(?<![\w.-])0[xX][0-9a-fA-F]{40}(?![\w.-])`,
    keywords: ['0x'],
    validate: 'ethereum',
    examples: {
      positive: [
        'to: 0x50C88606Ca87653700D59B5bd4acF9B29811cEc1',
        '{"wallet": "0x151421362df419801f61fbd23eb23733c8ea0dff"}',
        'eth 0x151421362DF419801F61FBD23EB23733C8EA0DFF ok',
      ],
      negative: [
        'to: 0x50C88606Ca87653700D59B5bd4acF9B29811cEC1',
        'tx 0x50c88606ca87653700d59b5bd4acf9b29811cec150c88606ca87653700d59b5b',
        'addr 0x50c88606ca87653700d59b5bd4acf9b29811cec',
        'burn 0x0000000000000000000000000000000000000000',
      ],
    },
  },
  {
    id: 'ipv4-address',
    description: 'IPv4 address (not loopback/unspecified/broadcast; not a version number)',
    tags: ['pii', 'network'],
    pattern: r`(?<![\w.-])(?<!\b(?:version|ver|release|build)[ =:]{1,2})(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(?![\w-]|\.\d)`,
    trigger: r`\d\.\d{1,3}\.\d{1,3}\.\d`,
    validate: 'ipv4',
    examples: {
      positive: ['client 203.0.113.42 connected', 'DB_HOST=http://10.20.30.40:5432/', 'from=192.168.1.17.'],
      negative: ['listening on 127.0.0.1:8080', 'bind 0.0.0.0', 'release v1.2.3.4', 'version 10.4.1.2', 'version=10.4.1.2', '300.1.2.3', 'oid 1.3.6.1.4.1.311'],
    },
  },
  {
    id: 'ipv6-address',
    description: 'IPv6 address (full or :: compressed; not loopback/unspecified)',
    tags: ['pii', 'network'],
    pattern: r`(?<![\w:.])[0-9a-fA-F]{0,4}(?::[0-9a-fA-F]{0,4}){2,7}(?:\.\d{1,3}){0,3}(?![\w:])`,
    trigger: r`::|:[0-9A-Fa-f]{1,4}:[0-9A-Fa-f]{1,4}:[0-9A-Fa-f]{1,4}:`,
    validate: 'ipv6',
    examples: {
      positive: ['client [2001:db8:85a3::8a2e:370:7334]:443 connected', 'peer=fe80::1c2d:3e4f:5a6b:7c8d%eth0', 'x-forwarded-for: ::ffff:198.51.100.7'],
      negative: ['at 12:30:45 the job ended', 'mac 00:1a:2b:3c:4d:5e', 'listening on [::1]:8080', 'std::vector<int>'],
    },
  },
  {
    id: 'home-path-username',
    description: 'Username in a Unix or macOS home-directory path (/home/NAME, /Users/NAME): only the name',
    tags: ['pii', 'identity', 'path'],
    pattern: r`(?<![\w.-])(?:/home|/Users)/(?!${SERVICE_USERS}(?!${UNIX_NAME}))(${UNIX_NAME}{1,64})(?!${UNIX_NAME})`,
    keywords: ['/home/', '/users/'],
    group: 1,
    examples: {
      positive: ['Error: ENOENT: open \'/home/alice/project/config.yml\'', 'at Object.<anonymous> (/Users/j.smith/dev/app/index.js:12:5)', 'cwd=/home/bob'],
      negative: ['cp report.pdf /Users/Shared/reports/', 'ls /home/', '/home/runner/work/app/app/src/index.ts', 'GET /api/users/12345'],
    },
  },
  {
    id: 'windows-profile-username',
    description: 'Username in a Windows profile path (C:\\Users\\NAME\\, also JSON-escaped): only the name',
    tags: ['pii', 'identity', 'path'],
    pattern: r`\b[A-Za-z]:\\{1,2}Users\\{1,2}(?!(?:Public|Default|Default User|All Users|defaultuser0)\\)(${WIN_NAME}{1,64}(?: ${WIN_NAME}{1,64}){0,3}(?=\\)|${WIN_NAME}{1,64}(?!${WIN_NAME}))`,
    flags: 'i',
    keywords: ['\\users\\'],
    group: 1,
    examples: {
      positive: [
        'File "C:\\Users\\alice\\AppData\\Local\\app\\main.py", line 3',
        '{"path": "C:\\\\Users\\\\Jane Doe\\\\Documents\\\\q3.xlsx"}',
        'cd C:\\Users\\bob',
      ],
      negative: ['C:\\Users\\Public\\Desktop\\readme.txt', 'C:\\Users\\Default\\NTUSER.DAT', 'C:\\Program Files\\App\\app.exe'],
    },
  },
];
