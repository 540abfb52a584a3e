/**
 * Format-independent secrets: private keys, JWTs, credentials in URLs, headers and command lines, password
 * hashes, and the generic keyword-assignment detectors (tagged `generic`: the scanner attributes a span to
 * a specific detector over a generic one when both match). All example values are fake.
 */
import type { DetectorSpec } from '../types.ts';
import { END, GLUED, NOT_PLACEHOLDER, START } from './common.ts';

const r = String.raw;

const PEM_KIND = r`(?:(?:RSA|DSA|EC|ENCRYPTED|PGP) )?PRIVATE KEY(?: BLOCK)?`;
/** A line break, real or JSON-escaped. */
const NL = r`(?:\r?\n|\\n)`;

/** An HTTP authentication scheme: an RFC 9110 token (`Bearer`, `Api-Token`, `AWS4-HMAC-SHA256`). */
const AUTH_SCHEME = r`[A-Za-z][A-Za-z0-9!#$%&*+.^_|~-]{0,39}`;

export const PRIVATE_KEY_DETECTORS: DetectorSpec[] = [
  {
    id: 'pem-private-key',
    description: 'PEM private key block (PKCS#1, PKCS#8, EC, DSA, encrypted, PGP), whole block, also JSON-escaped',
    tags: ['secret', 'private-key'],
    pattern: r`-----BEGIN ${PEM_KIND}-----${NL}?(?:[A-Za-z-]{1,20}: [^\r\n\\]{1,200}${NL}){0,6}[A-Za-z0-9+/=\s\\]{64,16384}-----END ${PEM_KIND}-----`,
    keywords: ['private key'],
    examples: {
      positive: [
        'key file:\n-----BEGIN RSA PRIVATE KEY-----\nm/ajmXdyqK/uszL04OfW+e12VKhlXdMTUUBaGy5jXDDloKiOeXzZyRMmlnBUXbgY\neBIlpYOxIzjwNsv2bGooZT2nw0p7EF/SB7zZHDJ5zC3SP5D1WmwxNkKV2ktpiM7H\n50eIcoeDt6SDcmpqmlLMk7GyGy1lGzNjJ9JKh6aEXnufnBCTsa9C86hJnTBQ/xfp\nRn2XOItVtC5r661FvwVqd0QANTMQMMPz+Ut0G1LcEisnf9cjKrg2TmjHdhmLRzge\nePwthKN/baoSh3wosFNZtuN/inRYMY==\n-----END RSA PRIVATE KEY-----\n(end)',
        'TLS_KEY="-----BEGIN PRIVATE KEY-----\\nWXsPdgerAV+Y850697eZjxfWgMR9QzE2TFrOBvhnC3ZAV1wyke8jfZb3ky+rhISx\\npW/VlnlcB6ttpV/9l/dFrcJoNiGnp6Zx22bIPe9KrvFPDFBBlGng5trib1/n09ws\\nelEoOt/rYMK4nYXqA430men4Wk/ixsScJXc1563Y\\n-----END PRIVATE KEY-----\\n"',
        'echo "-----BEGIN EC PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,7305D7077F1594E3524D5B16466DE7B5\n\nCUwVllC7rM6L/znbc1kL4BK/G+YN4jLSutRdx6xzFZLgS46tJq7EmrtV9XXbf16o\n2stqU4960zXphUlt/AEBCyyOTStWW55DXgtY5PorkdMF\n-----END EC PRIVATE KEY-----" > key.pem',
      ],
      negative: [
        '-----BEGIN PUBLIC KEY-----\nHZM18ReY1LN/hg/pcshyoRgfE9l0X/2HvFi1msWg42QMuX3vxVprZBsdW2WH8IvK\nzYQh8GIMiwW9QzcMPOD50aCeDPYZJtbqywFUjeFvTAVv62B7z13heI/zTqVTveNd\n-----END PUBLIC KEY-----',
        '-----BEGIN PRIVATE KEY-----\nk/jEpSDQu6yiH+e1Reiolbhz+RmTlozMmfR83ELQK2mkO/dS/F8X1ml9zDVUEWqd\n9mp+DeniYw0NjWU4f7RaVaZw0U3KHNB3SXrOxQdO1skhjT/cLCry41Wxix23ISjC\n(truncated)',
        '-----BEGIN PRIVATE KEY-----\n...\n-----END PRIVATE KEY-----',
      ],
    },
  },
  {
    id: 'openssh-private-key',
    description: 'OpenSSH private key block, whole block, also JSON-escaped',
    tags: ['secret', 'private-key', 'ssh'],
    pattern: r`-----BEGIN OPENSSH PRIVATE KEY-----[A-Za-z0-9+/=\s\\]{64,16384}-----END OPENSSH PRIVATE KEY-----`,
    keywords: ['begin openssh private key'],
    examples: {
      positive: [
        'cat ~/.ssh/id_ed25519\n-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW\nexsfyh8Zw6WiyhipCRqZFIsoZmKixbeWSZXMzWRrWnroAlKCahNdTgJD/GxUdicp\nCnYJ6hQapdtyDMu88fNmL5TfeUPtOoJdTm61GRKSGMAdedRyMjcAKf+2kJ4l2M6C\nE+KAN+O7xoo3BdU5R05w==\n-----END OPENSSH PRIVATE KEY-----\n',
        '{"deploy_key": "-----BEGIN OPENSSH PRIVATE KEY-----\\nb3BlbnNzaC1rZXktdjE7HdsV4ZUDJBPV4wJ8hkLU0aNVAPBmPon73NVU/9Xuivek\\nsWq2wZnM9wt6IpF6QcQhfZIVtjNmcfYz9f9nsMUdxrTFyo0zXvf9wnMOwleag0lt\\n-----END OPENSSH PRIVATE KEY-----\\n"}',
      ],
      negative: [
        'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI5XtVuCEYZ5DKnAmZXfoVkdyCGGWJCOId+SK+ADdriuW ci@build',
        '-----BEGIN OPENSSH PRIVATE KEY-----\n<redacted>\n-----END OPENSSH PRIVATE KEY-----',
      ],
    },
  },
  {
    id: 'age-secret-key',
    description: 'age encryption secret key',
    tags: ['secret', 'private-key'],
    pattern: r`${GLUED}AGE-SECRET-KEY-1[QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L]{58}\b`,
    keywords: ['age-secret-key-1'],
    examples: {
      positive: ['# created: 2024-05-01\nAGE-SECRET-KEY-1SJ684NCWGLRE3685U9TJEQAP326W74M9ZM88GCLX067K93SCDCCS8TLVNP', 'SOPS_AGE_KEY=AGE-SECRET-KEY-1LWV72W4SNK8A7YG2F296HA4VR38J2AT3YF7H8QX549XMER0XX9PSE3CT0M'],
      negative: ['SOPS_AGE_KEY=AGE-SECRET-KEY-1KYMYA9F9P0ANJ62YE6RYE0ULP4UUZY', 'recipient: age19wear7nep2yl4roolsswkdxf7prh4cmiqve9ys8s5vgkoig8x9e2m1wkuv'],
    },
  },
];

export const CREDENTIAL_DETECTORS: DetectorSpec[] = [
  {
    id: 'jwt',
    description: 'JSON Web Token (header and payload are base64url JSON; the header names an alg)',
    tags: ['secret', 'credentials', 'token'],
    // Glued like any prefix, but not within 64 characters after another `eyJ`: else each `eyJ` of a long run
    // (`eyJeyJeyJ…`) scans up to 4,096 characters before it fails, 4,097 steps per character. With the
    // look-behind the starts tried are over 64 apart: at most about 64 steps per character.
    pattern: r`${GLUED}(?<!eyJ[A-Za-z0-9_-]{0,64})eyJ[A-Za-z0-9_-]{8,4096}\.eyJ[A-Za-z0-9_-]{8,16384}\.[A-Za-z0-9_-]{16,4096}${END}`,
    keywords: ['eyj'],
    validate: 'jwt',
    examples: {
      positive: [
        'id_token=eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.eyJO0Ul5ZjACxDvv4IyPJzbKlY7Gk6mj-moGa6SQxIwqtWEbXtgIHecynRjWxzScQU6uZV-iv-LeyTH2GK4.muP_7O6IwcePiK8eMxSz6thrIgrl4DodQN2T_kifDDa7ZlAh2yz9Hib12mycxRZ__RasVP2f4FUVLhnb9xZeaP',
        '{"access_token": "eyJhbGciOiJIUzI1NiJ9.eyJzdWIilTTOkG7YjL1HPTX69S0D31vntiWWKv1OY3oOjfbL.32OMzSzimZ73PSOH2OOcIYOEEuLXE5h-b2NhfKOmVRy", "expires_in": 3600}',
      ],
      negative: [
        'token=eyJXMH_KOHlsyp8aLMDDvNO9wxNe6FJykHb3H2cWRhu.eyJ1EKr0E1WSI3Uh_Shs-Q-IRgdmd92arGWMpktgTGS.agPLUE4k31pGlpbPfW_5v6PXjQFW4DUII4GkzyXHXaO',
        'token=eyJhbGciOiJIUzI1NiJ9.eyJzdWIiKTn0Vt45uniF0mqBJfyfTZwHG-Av7Cg3VXk42VAW.',
        'data=eyJhbGciOiJIUzI1NiJ9',
      ],
    },
  },
  {
    id: 'url-credentials',
    description: 'Password in a URL or connection string (scheme://user:password@host): only the password',
    tags: ['secret', 'credentials'],
    // The host is part of the match (not of the group): the detector claims the whole URL authority,
    // so `password@host` is not also taken for an email address.
    pattern: r`://[^\s:/@"'<>]{0,128}:(${NOT_PLACEHOLDER}[^\s/"'<>]{1,256})@[A-Za-z0-9[][\w.-]{0,253}`,
    flags: 'i',
    keywords: ['://'],
    group: 1,
    examples: {
      positive: [
        'DATABASE_URL=postgres://app:dFL6vkGpn72Kl31i@db.internal:5432/orders',
        'connecting to mongodb+srv://svc-reader:lOfvQCG6kzs1%40x@cluster0.abcde.mongodb.net/?retryWrites=true',
        'redis://:v8DcEjcYhvYSQ0f5eWxZ@cache.internal:6379/0',
      ],
      negative: [
        'DATABASE_URL=postgres://app:${DB_PASSWORD}@db.internal:5432/orders',
        'DATABASE_URL=postgres://app:****@db.internal:5432/orders',
        'GET http://localhost:8080/api/v1/users?email=a@b.co',
        'DATABASE_URL=postgres://app@db.internal:5432/orders',
      ],
    },
  },
  {
    id: 'userinfo-credentials',
    description: 'Password in user:password@host written without a scheme (error messages, DSNs, proxies): only the password',
    tags: ['secret', 'credentials'],
    // Not a URI scheme that takes an address (mailto:alice@…), nor an image digest (app:1.2@sha256:…);
    // the password holds no colon, so a time (10:30@…) is never one.
    pattern: r`(?<![\w.%+:/-])(?!(?:mailto|sips?|xmpp|tel):)[A-Za-z0-9._%+-]{1,64}:(${NOT_PLACEHOLDER}[^\s:/@"'<>]{6,128})@(?!sha\d{3}\b)[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63}){0,10}`,
    flags: 'i',
    keywords: ['@'],
    group: 1,
    examples: {
      positive: [
        'login failed for admin:Tr0ub4dor-and-3@db.internal',
        'proxy=svc-backup:xK9vQ2mLw7pZ@proxy.corp:3128',
        'OperationalError: could not connect with etl:S3cr3tPassw0rd@warehouse-01',
      ],
      negative: [
        'mailto:alice.smith@example.com',
        'image registry.local/app:1.24.3@sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08',
        'meeting at 10:30@hq',
        'user=admin:${DB_PASSWORD}@db.internal',
        'git clone git@github.com:org/repo.git',
        'ssh: alice@bastion.corp',
      ],
    },
  },
  {
    id: 'authorization-header',
    description: 'Credential in an Authorization / Proxy-Authorization header, under any scheme (Bearer, Basic, Digest, Token, Api-Token, a custom one) or none',
    tags: ['secret', 'credentials', 'http', 'generic'],
    // Glued too: `HTTP_AUTHORIZATION` (a CGI/WSGI environment dump), `X_AUTHORIZATION`. Any scheme (an
    // HTTP token) before the credential; a Digest header's credential is its `response`
    // (digest-auth-response). A credential that is a placeholder leaves the scheme word as the match: an
    // over-redaction, never the credential kept.
    pattern: r`${GLUED}(?:proxy-)?authorization(?:\\?["'])?[ \t]{0,3}[:=][ \t]{0,3}(?:\\?["'])?(?:${AUTH_SCHEME}[ \t]{1,3})?(${NOT_PLACEHOLDER}[A-Za-z0-9._~+/:=-]{8,8192})`,
    flags: 'i',
    keywords: ['authorization'],
    group: 1,
    entropy: 3,
    examples: {
      positive: [
        'curl -H "Authorization: Bearer A8kL5p6JAb6f8r5ST66Ew_68tjU3QlzmtKObo0yL" https://api.internal/v1/jobs',
        '{"headers": {"Authorization": "Basic 0gQHUZNZKTC1A++MijwLgKwjHEir="}}',
        'authorization: token kPSQq8BAzs2HAWjhhsLVv7Cws7d8c8zSBr2eyIWN',
        'Authorization: Api-Token 7Rk2pQ9xLm4Wv8Zt3Nc6Hb1Yd5',
        'proxy-authorization: Custom.Scheme_2 mZ8q1Kx7Lp3Wv9Rt4Nb6',
      ],
      negative: [
        'curl -H "Authorization: Bearer ${API_TOKEN}" https://api.internal/v1/jobs',
        'Authorization: Bearer <token>',
        'Authorization: Bearer REDACTED',
        'authorization: required',
        'Authorization header missing',
      ],
    },
  },
  {
    id: 'digest-auth-response',
    description: 'The response of an HTTP Digest Authorization header (a hash of the password, open to offline guessing)',
    tags: ['secret', 'credentials', 'http', 'generic'],
    pattern: r`${START}response[ \t]{0,2}=[ \t]{0,2}(?:\\?")?([0-9a-f]{32}(?:[0-9a-f]{32})?)(?![0-9a-z])`,
    flags: 'i',
    keywords: ['response'],
    group: 1,
    examples: {
      positive: [
        'Authorization: Digest username="svc", realm="api", nonce="dcd98b7102dd2f0e", uri="/v1", response="6629fae49393a05397450978507c4ef1"',
        '{"authorization": "Digest username=\\"svc\\", qop=auth, nc=00000001, response=\\"1949323746fe6a43ef61f9606e7febea\\""}',
      ],
      negative: ['response=200 in 12 ms', 'response="6629fae49393a05397450978507c4ef"', 'http_response=ok'],
    },
  },
  {
    id: 'bearer-token',
    description: 'Bearer token (or an ApiKey, Api-Token or SSWS credential) outside an Authorization header',
    tags: ['secret', 'credentials', 'http', 'generic'],
    // At a word start: glued, it is `OAUTHBEARER`, Kafka's SASL mechanism, which a class name follows.
    pattern: r`${START}(?:bearer|api-?key|api-token|ssws)[ \t]{1,3}(${NOT_PLACEHOLDER}[A-Za-z0-9._~+/-]{20,8192}={0,2})`,
    flags: 'i',
    keywords: ['bearer', 'apikey', 'api-key', 'api-token', 'ssws'],
    group: 1,
    entropy: 3.5,
    examples: {
      positive: ['requests.get(url, headers=auth("Bearer 3snvplS-6T-fma54mYaxb5sN89540uckbPjji-0UQUFUHEJu"))', 'token_type=bearer WiU8NNjrFbVYLhXxyDQohYf7DNWDIOxT expires_in=3600', 'sent ApiKey Xk9vQ2mT7pLw4RzN8bC3dF6h to the gateway', 'okta: SSWS 00QCjAl4MlV-WPXM0fsJp9bQxNk2Qe7LmPn3RtYv'],
      negative: ['the bearer of this document', 'Bearer ********************', 'Bearer xxxxxxxxxxxxxxxxxxxxxxxx'],
    },
  },
  {
    id: 'password-in-prose',
    description: "A password written out in a sentence (password is …, with password '…', passphrase …): quoted, or unquoted when it mixes letters and digits",
    tags: ['secret', 'credentials', 'generic'],
    // A sentence names the password and then says it: `is`, `was`, `set to`, `for USER is`. Quoted, any
    // text of 4 or more; unquoted, only what looks made up (a letter and a digit, 8 or more), since prose
    // goes on after the word (`password was reset`, `password policy`).
    pattern: r`${START}(?:password|passphrase|passwd|passcode)(?:[ \t]{1,3}(?:is|was|of|set[ \t]to|changed[ \t]to|reset[ \t]to|for[ \t][\w.@+-]{1,64}(?:[ \t]is)?))?[ \t]{1,3}(?:["'\u0060]?)(${NOT_PLACEHOLDER}(?:(?<=["'\u0060])[^"'\u0060\r\n]{4,128}(?=["'\u0060])|(?<!["'\u0060])(?=[^\s"'\u0060]{0,127}?(?:[a-z]\d|\d[a-z]))[^\s"'\u0060]{8,128}(?![^\s"'\u0060,;.!?)])))`,
    flags: 'i',
    keywords: ['password', 'passphrase', 'passwd', 'passcode'],
    group: 1,
    examples: {
      positive: [
        "login failed for user bob with password 'Tr0ub4dor3'",
        'the new password is Wk4pZ9qLm2, change it after login',
        'ssh -i key.pem ec2-user@host # passphrase s3cr3tPa55phrase',
        'password for alice@example.com is Xk9vQ2mT7pLw',
      ],
      negative: ['password was reset by an administrator', 'password is incorrect', 'the password policy v2 applies', "password '********'", 'password is ${DB_PASSWORD}', 'password expired 2024-11-23'],
    },
  },
  {
    id: 'cli-login-password',
    description: 'Password given to the short flag of a command that takes one there: docker/podman/helm registry login -p, sshpass -p, redis-cli -a',
    tags: ['secret', 'credentials'],
    // Only commands whose short flag is defined as the password (elsewhere `-p` is a port or a path).
    // Words up to the flag, each not itself the flag: one way to match, whatever the line holds.
    pattern: r`\b(?:(?:docker|podman|nerdctl|buildah|skopeo|oras|finch)[ \t]{1,4}login|helm[ \t]{1,4}registry[ \t]{1,4}login|sshpass|redis-cli|keydb-cli)(?:[ \t]{1,4}(?!-[pa](?:[ \t=]|$))[^\s|;&]{1,64}){0,12}[ \t]{1,4}-[pa](?:[ \t]{1,3}|=)["']?(${NOT_PLACEHOLDER}[^\s"'\-][^\s"']{2,127})`,
    flags: 'i',
    keywords: ['login', 'sshpass', 'redis-cli', 'keydb-cli'],
    group: 1,
    examples: {
      positive: ['docker login -u ci -p Xk9vQ2mT7pLw registry.acme.io', 'redis-cli -h cache.internal -a Wk4pZ9qLm2 ping', "sshpass -p 'Tr0ub4dor3' ssh deploy@host", 'helm registry login ghcr.io -u bot -p Qm8sL2xV7pK4'],
      negative: ['docker login -u ci --password-stdin registry.acme.io', 'docker run -p 8080:80 nginx', 'redis-cli -h cache.internal ping', 'docker login -u ci -p $REGISTRY_PASSWORD registry.acme.io'],
    },
  },
  {
    id: 'cli-user-password',
    description: 'user:password given to -u / --user on a command line (curl, wget, httpie): only the password',
    tags: ['secret', 'credentials'],
    // Attached (`-uroot:pw`) too; an empty user only inside quotes (`-u ":pw"`); the password alone may be
    // quoted (`-u u:"pw"`). Not a uid:gid pair (`docker run -u 1000:1000`).
    pattern: r`(?<![\w-])(?:-u {0,3}|--user(?: {1,3}|=))(?:["'][^\s:"']{0,64}|(?!\d{1,10}:\d{1,10}(?![^\s"']))[^\s:"'-][^\s:"']{0,63}):["']?(${NOT_PLACEHOLDER}[^\s"']{1,128})`,
    flags: 'i',
    keywords: ['-u'],
    group: 1,
    examples: {
      positive: [
        'curl -u deploy:zfUUNuzedTOTZm https://artifacts.internal/upload',
        'wget --user=ci:sK8cc5sk0R2n https://mirror.internal/x.tgz',
        'curl -u ":Rq8vXk2mLp" https://api.internal/v1',
        "curl -udeploy:'T4kz9Wq1Lm' https://artifacts.internal",
        'curl -u deploy:"pV7xQ2nL9k" -X POST https://api.internal',
      ],
      negative: ['docker run -u 1000:1000 --rm alpine true', 'docker run -u1000:1000 alpine', 'curl -u deploy:${DEPLOY_PASSWORD} https://artifacts.internal/upload', 'curl -u deploy https://x', 'mysql -uroot orders'],
    },
  },
  {
    id: 'cli-attached-password',
    description: 'Password glued to -p on a mysql, mysqldump, mysqladmin or mariadb command line (-pSECRET): only the password',
    tags: ['secret', 'credentials'],
    // -p takes its value only when attached (`-p secret` would be a database name), so the value starts
    // right after -p; `-P3306` (the port) is another flag.
    // Words up to the flag, each not itself -p...: one way to match, whatever the line holds. Twelve words
    // of up to 64 characters: wider bounds made recheck's fuzzer call it polynomial.
    pattern: r`\b(?:mysql(?:dump|admin|import|check|show)?|mariadb(?:-dump|-admin)?)(?:[ \t]{1,4}(?!-p)[^\s|;&]{1,64}){0,12}[ \t]{1,4}-p(${NOT_PLACEHOLDER}[^\s"'\-][^\s"']{2,127})`,
    keywords: ['mysql', 'mariadb'],
    group: 1,
    examples: {
      positive: ['mysql -h db.internal -u etl -pWq9vLx2mTz7r orders < load.sql', 'mysqldump --single-transaction -uroot -pN0tS0Secret! shop > shop.sql', 'command failed: mariadb -u app -p4bZq8TkLw2 -e "select 1"'],
      negative: ['mysql -h db.internal -u etl -p orders', 'mysql -u etl -p${MYSQL_PASSWORD} orders', 'mysql -P3306 -h db -u app', 'mysqldump --all-databases -p --result-file=x.sql'],
    },
  },
  {
    id: 'password-hash',
    description: 'bcrypt or Argon2 password hash (crackable offline)',
    tags: ['secret', 'credentials'],
    pattern: r`\$2[aby]\$\d{2}\$[./A-Za-z0-9]{53}(?![./A-Za-z0-9])|\$argon2(?:id|i|d)\$v=\d{1,3}\$m=\d{1,7},t=\d{1,3},p=\d{1,3}\$[A-Za-z0-9+/]{11,64}\$[A-Za-z0-9+/]{16,128}`,
    keywords: ['$2a$', '$2b$', '$2y$', '$argon2'],
    examples: {
      positive: ['UPDATE users SET hash=\'$2b$12$Ym9AePzmTtWgspFiLkLRkcXggwPxUin6IgO5zwsVfsbrDX2rSFO2C\' WHERE id=7', 'admin:$argon2id$v=19$m=65536,t=3,p=4$D5TWK8RIAJ4kFGTE7/PDwa$yPfgYEtTDNjnCsGsTTgUdH1+poxuLX9WaQmScYnmqgd'],
      negative: ['hash=$2b$12$w1fIRICbdBssmIRpOHDt', 'price is $2b (two billion)'],
    },
  },
];

export const GENERIC_SECRET_DETECTORS: DetectorSpec[] = [...PRIVATE_KEY_DETECTORS, ...CREDENTIAL_DETECTORS];
