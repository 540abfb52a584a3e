/**
 * Placeholder values after a secret's key (catalogue/common.ts, NOT_PLACEHOLDER): innocent lines that show
 * where a secret goes are left alone, each by a rule on the value's shape, while real (also weak) values
 * stay found. Through the whole catalogue, so that no other detector takes over the span either.
 * Failure messages give the row index only.
 */
import { assert } from 'chai';
import { BUILTIN_DETECTORS } from '../../lib/detect/catalogue/index.ts';
import { compileScanner } from '../../lib/detect/scanner.ts';

const scanner = compileScanner(BUILTIN_DETECTORS);

describe('detect/placeholders', function () {
  const placeholders: [string, string][] = [
    ['template userinfo', 'postgres://user:password@localhost:5432/app'],
    ['template userinfo', 'git clone https://username:pass@git.example.com/acme/app'],
    ['template userinfo', 'curl -u user:password https://api.example.com'],
    ['angle template', 'url: https://<user:password>@host/x'],
    ['angle template', 'client_secret: <client-secret>'],
    ['brace template', 'DB_PASSWORD=${DB_PASSWORD}'],
    ['brace template', 'token={token}'],
    ['printf template', 'secret=%(secret)s'],
    ['regex reference', 'sed -E "s/(.*):(.*)/https:\\/\\/$1:$2@host/"'],
    ['regex reference', 'password: $1'],
    ['repeated character', 'password=xxxx'],
    ['repeated character', 'api_key: 00000000'],
    ['repeated character', 'password: ########'],
    ['repeated character', 'mysql -u root -p.......... shop'],
    ['secret name', 'password: YOUR_PASSWORD'],
    ['secret name', 'token: ACCESS_TOKEN'],
    ['secret name', 'api_key=API_KEY'],
    ['secret name', 'api_key=not_a_real_token'],
    ['secret name', 'mysql -u root -pYOUR_PASSWORD shop'],
    ['secret name', 'Authorization: Bearer YOUR_ACCESS_TOKEN'],
    ['hcl reference', 'password = var.db_password'],
    ['hcl reference', 'password = local.db_password'],
    ['hcl reference', 'client_secret = data.vault_generic_secret.app.data'],
    ['dummy word', 'api_key: fake'],
    ['dummy word', 'secret: placeholder'],
    ['dummy word', 'password=sample'],
    ['dummy word', 'token=dummy-token'],
    ['dummy word', 'api_key="example_value"'],
  ];
  placeholders.forEach(([rule, line], i) => {
    it(`leaves placeholder #${i} alone (${rule})`, function () {
      assert.deepEqual(scanner.scan(line).map((m) => m.detector), [], `placeholder row #${i}`);
    });
  });

  // [line, the value that must be redacted]
  const real: [string, string][] = [
    ['password=changeme', 'changeme'],
    ['DB_PASSWORD: password', 'password'],
    ['postgres://admin:password@db/x', 'password'],
    ['password: hunter2', 'hunter2'],
    ['password=Example123!', 'Example123!'],
    ['password: correct_horse_battery', 'correct_horse_battery'],
    ['secret_key = "EXAMPLEKEY7Q2ZL9XK4RT"', 'EXAMPLEKEY7Q2ZL9XK4RT'],
    ['token=example_token_9f8a7b6c5d', 'example_token_9f8a7b6c5d'],
    ['api_key=Zk2Lq9Xp4Rt7Wm3Nb8Vc5Hy6', 'Zk2Lq9Xp4Rt7Wm3Nb8Vc5Hy6'],
    ['curl -u deploy:password https://x', 'password'],
    ['password: aaab', 'aaab'],
    ['mysql -u root -pRootPw_9 shop', 'RootPw_9'],
  ];
  real.forEach(([line, value], i) => {
    it(`still redacts real value #${i}`, function () {
      const at = line.indexOf(value);
      const covered = scanner.scan(line).some((m) => m.start <= at && m.end >= at + value.length);
      assert.isTrue(covered, `real row #${i} not redacted`);
    });
  });
});
