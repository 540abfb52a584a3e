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
const SSN_TRIGGER = r`\d{3}[- ]\d{2}[- ]\d{4}`;
const CARD_TRIGGER = r`\d{13}|\d{4}[ -]\d{4}[ -]\d{4}|\d{4}[ -]\d{6}[ -]\d{4}`;

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
    pattern: r`(?<![\w.%+-])(?!git@)[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63}){0,8}\.[A-Za-z]{2,24}\b(?<!\.(?:png|jpe?g|gif|svg|webp|css|js|ts|map|json|lock|md|txt|ya?ml|py|rb|go|rs|java))`,
    keywords: ['@'],
    examples: {
      positive: ['notify: jane.doe+ci@acme-corp.io on failure', '{"user": {"email": "r.okafor@mail.example.org"}}'],
      negative: ['git@github.com:acme/app.git', 'background: url(icon@2x.png)', 'npm i lodash@4.17.21', 'mention @alice in the channel'],
    },
  },
  {
    id: 'phone-number-international',
    description: 'Phone number in international +CC format',
    tags: ['pii', 'contact', 'phone'],
    pattern: r`(?<![\w+])\+[1-9]\d{0,2}(?:[ .-]?\(\d{1,4}\))?(?:[ .-]\d{1,6}){1,5}${NUM_END}|(?<![\w+])\+[1-9]\d{9,14}\b`,
    keywords: ['+'],
    validate: 'phone',
    examples: {
      positive: ['call +44 20 7946 0958 for support', 'contact: "+49-30-9018-2277"', 'sms to +33612345078 failed', 'phone=+1 (415) 555-0132'],
      negative: ['2024-01-15T10:00:00+05:30', 'score +15 points', 'tz=+0530', '+1234567890', '+44 20 79'],
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
    id: 'us-ssn',
    description: 'US social security number (area/group/serial range rules)',
    tags: ['pii', 'identity', 'government-id'],
    pattern: r`(?<![\w.-])(?:\d{3}-\d{2}-\d{4}|\d{3} \d{2} \d{4})${NUM_END}`,
    trigger: SSN_TRIGGER,
    validate: 'ssn',
    examples: {
      positive: ['SSN: 524-71-3398', '{"ssn": "301 22 8841"}'],
      negative: ['ssn=000-12-3456', 'ssn=666-12-3456', 'ssn=912-34-5678', 'ssn=078-05-1120', 'ssn=524-00-3398', 'ssn=524-71-0000', 'zip 12345-6789'],
    },
  },
  {
    id: 'payment-card-number',
    description: 'Payment card number (Visa, Mastercard, Amex, Discover, Diners, JCB, UnionPay, Maestro), Luhn-validated',
    tags: ['pii', 'financial', 'pci'],
    pattern: r`(?<![\w.-])(?=4|5|2[2-7]|3[04-9]|6)(?:\d{13,19}|\d{4}(?: \d{4}){2,3}(?: \d{1,3})?|\d{4}(?:-\d{4}){2,3}(?:-\d{1,3})?|\d{4}[ -]\d{6}[ -]\d{4,5})${NUM_END}`,
    trigger: CARD_TRIGGER,
    validate: 'luhn',
    examples: {
      positive: [
        'card=4597115306023976 exp=12/27',
        'charged 5172 2175 0147 8979 for order 77',
        '{"pan": "3704-190093-58908"}',
        'paid with 2223-7642-6289-1169',
        'diners 36932674120565 ok',
      ],
      negative: ['card=4090560856387805', 'id=1700000000000123', 'card=4597 1153 0602 397', 'ref 9597115306023976'],
    },
  },
  {
    id: 'iban',
    description: 'International bank account number (country length table and mod-97 checksum), with or without spaces',
    tags: ['pii', 'financial'],
    pattern: r`\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,3})?\b`,
    trigger: r`[A-Z]{2}\d{2} ?[A-Z0-9]{4}`,
    validate: 'iban',
    examples: {
      positive: [
        'IBAN: DE29 1424 5407 2057 0978 05',
        'payout to GB72QXBK69903936145845 scheduled',
        '{"iban": "FR3259282677777786871010948"}',
        'NL44 RABO 3274 4474 69 (savings)',
      ],
      negative: ['IBAN: DE30 1424 5407 2057 0978 05', 'IBAN: XX29142454072057097805', 'IBAN: DE2914245407205709780', 'SKU AB12CDEF3456'],
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
