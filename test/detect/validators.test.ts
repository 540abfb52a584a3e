import { assert } from 'chai';
import { createHash } from 'node:crypto';
import { IBAN_LENGTHS, VALIDATORS, keccak256, shannonEntropy } from '../../lib/detect/validators.ts';
import type { ValidatorName } from '../../lib/detect/types.ts';

/** [input, expected]: failure messages show the validator and row index only. */
const TABLE: Record<ValidatorName, [string, boolean][]> = {
  luhn: [
    ['4597115306023976', true],
    ['4597 1153 0602 3976', true],
    ['4597-1153-0602-3976', true],
    ['370419009358908', true], // 15 digits (Amex)
    ['36932674120565', true], // 14 digits (Diners)
    ['4223237700367437500', true], // 19 digits
    ['4597115306023977', false], // check digit off by one
    ['4090560856387805', false],
    ['0000000000000000', false], // passes the sum, but no card
    ['12345678903', false], // 11 digits: too short
    ['42232377003674375001', false], // 20 digits: too long
    ['4597x15306023976', false],
    ['4597.1153.0602.3976', false],
    ['', false],
  ],
  iban: [
    ['DE29142454072057097805', true],
    ['DE29 1424 5407 2057 0978 05', true],
    ['GB72QXBK69903936145845', true],
    ['GB86 MDLB 8872 4593 1702 61', true],
    ['FR3259282677777786871010948', true],
    ['NL44RABO3274447469', true],
    ['ES1760443570163176068536', true],
    ['IT91K5383546386210002144866', true],
    ['CH5390985025894377306', true],
    ['BE09657033116970', true],
    ['de29142454072057097805', true], // lower case is normalised
    ['DE30142454072057097805', false], // wrong check digits
    ['DE29142454072057097806', false], // altered digit
    ['DE2914245407205709780', false], // one character short for DE
    ['GB72QXBK699039361458451', false], // one character long for GB
    ['XX29142454072057097805', false], // unknown country
    ['DE29-1424-5407-2057-0978-05', true], // dashes between groups
    ['DE28-3705-1104-8319-2774-02', true],
    ['DE29-3705-1104-8319-2774-02', false],
    ['DE29_1424_5407_2057_0978_05', false],
    ['', false],
  ],
  ssn: [
    ['524-71-3398', true],
    ['301 22 8841', true],
    ['524713398', true],
    ['001-01-0001', true],
    ['899-99-9999', true],
    ['000-12-3456', false], // area 000
    ['666-12-3456', false], // area 666
    ['900-12-3456', false], // area 9xx
    ['999-12-3456', false],
    ['524-00-3398', false], // group 00
    ['524-71-0000', false], // serial 0000
    ['078-05-1120', false], // advertising sample
    ['219-09-9999', false], // advertising sample
    ['123-45-6789', false], // documentation sample
    ['524-71-339', false],
    ['417.52.9036', true], // dots
    ['417.52.0000', false],
    ['912.73.4406', false], // 9xx: an ITIN, not an SSN
    ['abc-de-fghi', false],
  ],
  ipv4: [
    ['203.0.113.42', true],
    ['10.0.0.1', true],
    ['192.168.1.254', true],
    ['255.255.255.0', true],
    ['1.2.3.4', true],
    ['0.0.0.0', false], // unspecified: decided not to flag
    ['255.255.255.255', false], // broadcast
    ['127.0.0.1', false], // loopback
    ['127.12.0.9', false],
    ['256.1.1.1', false],
    ['01.2.3.4', false], // leading zero
    ['1.2.3', false],
    ['1.2.3.4.5', false],
    ['1.2.3.-4', false],
    ['a.b.c.d', false],
  ],
  ipv6: [
    ['2001:db8:85a3::8a2e:370:7334', true],
    ['2001:0db8:85a3:0000:0000:8a2e:0370:7334', true],
    ['fe80::1c2d:3e4f:5a6b:7c8d', true],
    ['::ffff:198.51.100.7', true],
    ['2001:db8::', true],
    ['::', false], // unspecified
    ['::1', false], // loopback
    ['0:0:0:0:0:0:0:1', false],
    ['12:30:45', false],
    ['00:1a:2b:3c:4d:5e', false],
    ['2001:db8::85a3::7334', false], // two ::
    ['2001:db8:85a3:0:0:8a2e:370:7334:1', false], // nine groups
    ['g001:db8::1', false],
  ],
  phone: [
    ['+44 20 7946 0958', true],
    ['(415) 555-0132', true],
    ['1-800-555-0199', true],
    ['+33612345078', true],
    ['+1 (415) 555-0132', true],
    ['+49-30-9018-2277', true],
    ['555-0132', false], // 7 digits
    ['+44 20 79', false],
    ['+1234567890123456', false], // 16 digits
    ['+1234567890', false], // ascending run
    ['9876543210', false], // descending run
    ['0123456789', false],
    ['555-555-5555'.replace(/5/g, '7'), false], // one digit repeated
    ['202401151230', false], // bare digit run that starts like a date
    ['202-401-1512', true], // with separators the same digits are a Washington DC number, not a date
    ['+202401151230', true], // an explicit + makes it a phone number
  ],
  nhs: [
    ['465 869 7904', true],
    ['448-804-6851', true],
    ['4317395800', true], // check digit 0
    ['4000000004', true],
    ['465 869 7905', false], // check digit off by one
    ['4488046850', false],
    ['4000000080', false], // computed check digit 10: never issued
    ['0000000000', false], // one digit repeated
    ['431739580', false], // 9 digits
    ['43173958001', false], // 11 digits
    ['431.739.5800', false],
  ],
  bitcoin: [
    ['17L43gqoYAe74Tuf3Epz5mZWFCT7KfjynC', true], // P2PKH
    ['3MBWcrwZvkJmVMHfyoYhr27n3b1b736HZ2', true], // P2SH
    ['bc1q87l9eahyq2zvkcms6vyx58f2j5sl7fhnrxwvl2', true], // v0, 20-byte program (bech32)
    ['BC1Q87L9EAHYQ2ZVKCMS6VYX58F2J5SL7FHNRXWVL2', true], // the same, upper case
    ['bc1qa0w7k53wzde0lgsrt7kerh3690j0k2s98qm9sn3fs72jv52wj9eqsp05ds', true], // v0, 32-byte program
    ['bc1pxh4epp8asj54rlmqnsu57a3dw8847sg7crdxewlg0snrtpmy5qss3fqt6d', true], // v1 taproot (bech32m)
    ['17L43gqoYAe74Tuf3Epz5mZWFCT7KfjynD', false], // checksum
    ['37L43gqoYAe74Tuf3Epz5mZWFCT7KfjynC', false], // P2PKH payload under the P2SH prefix
    ['3MBWcrwZvkJmVMHfyoYhr27n3b1b736HZ3', false],
    ['17L43gqoYAe74Tuf3Epz5mZWFCT7Kfjyn0', false], // 0 is not base58
    ['bc1q87l9eahyq2zvkcms6vyx58f2j5sl7fhnrxwvl3', false], // bech32 checksum
    ['bc1Q87l9eahyq2zvkcms6vyx58f2j5sl7fhnrxwvl2', false], // mixed case
    ['bc1qxh4epp8asj54rlmqnsu57a3dw8847sg7crdxewlg0snrtpmy5qss3fqt6d', false], // v0 data under a bech32m checksum
    ['bc1q87l9eahyq2zb', false],
    ['', false],
  ],
  ethereum: [
    ['0x50C88606Ca87653700D59B5bd4acF9B29811cEc1', true], // EIP-55
    ['0x151421362DF419801f61FBd23EB23733C8EA0dFF', true],
    ['0x151421362df419801f61fbd23eb23733c8ea0dff', true], // all lower: no checksum to check
    ['0x151421362DF419801F61FBD23EB23733C8EA0DFF', true], // all upper
    ['0x50C88606Ca87653700D59B5bd4acF9B29811cEC1', false], // one letter's case flipped
    ['0x50c88606Ca87653700D59B5bd4acF9B29811cEc1', false],
    ['0x0000000000000000000000000000000000000000', false], // the zero address
    ['0x50c88606ca87653700d59b5bd4acf9b29811cec', false], // 39 digits
    ['0x50c88606ca87653700d59b5bd4acf9b29811cecg', false],
    ['', false],
  ],
  jwt: [
    ['eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJlLXBhcnQtZmFrZQ', true],
    ['eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.eyJhIjoxfQ.c2ln', true],
    ['eyJ0eXAiOiJKV1QifQ.eyJhIjoxfQ.c2ln', false], // no alg
    ['eyJhbGciOjF9.eyJhIjoxfQ.c2ln', false], // alg not a string
    ['WyJhbGciXQ.eyJhIjoxfQ.c2ln', false], // header is an array
    ['bm90IGpzb24.eyJhIjoxfQ.c2ln', false], // header not JSON
    ['eyJhbGc+.eyJhIjoxfQ.c2ln', false], // not base64url
    ['.eyJhIjoxfQ.c2ln', false],
    ['nodots', false],
  ],
};

describe('detect/validators', function () {
  for (const name of Object.keys(TABLE) as ValidatorName[]) {
    it(`${name}: accepts the valid and rejects the invalid rows`, function () {
      TABLE[name].forEach(([input, expected], i) => {
        assert.strictEqual(VALIDATORS[name](input), expected, `${name}: row #${i} should be ${expected ? 'valid' : 'invalid'}`);
      });
    });
  }

  it('has a validator for every ValidatorName', function () {
    assert.sameMembers(Object.keys(VALIDATORS), ['luhn', 'iban', 'ssn', 'ipv4', 'ipv6', 'phone', 'jwt', 'bitcoin', 'ethereum', 'nhs']);
  });

  it('computes Keccak-256 (the empty input, and the permutation against SHA3-256 with its padding)', function () {
    const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
    assert.equal(hex(keccak256(new Uint8Array(0))), 'c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470');
    for (const n of [0, 1, 135, 136, 137, 300]) {
      const msg = Buffer.alloc(n, 0x5a);
      assert.equal(hex(keccak256(msg, 0x06)), createHash('sha3-256').update(msg).digest('hex'), `length ${n}`);
    }
  });

  it('knows IBAN lengths between 15 and 34 for two-letter country codes', function () {
    for (const [cc, len] of Object.entries(IBAN_LENGTHS)) {
      assert.match(cc, /^[A-Z]{2}$/);
      assert.isTrue(len >= 15 && len <= 34, `${cc}: length ${len}`);
    }
    assert.equal(IBAN_LENGTHS['DE'], 22);
    assert.equal(IBAN_LENGTHS['GB'], 22);
    assert.equal(IBAN_LENGTHS['FR'], 27);
    assert.equal(IBAN_LENGTHS['NO'], 15);
  });

  it('computes Shannon entropy in bits per character', function () {
    assert.equal(shannonEntropy(''), 0);
    assert.equal(shannonEntropy('aaaaaaaa'), 0);
    assert.closeTo(shannonEntropy('ab'), 1, 1e-12);
    assert.closeTo(shannonEntropy('abcd'), 2, 1e-12);
    assert.closeTo(shannonEntropy('0123456789abcdef'), 4, 1e-12);
    assert.isBelow(shannonEntropy('0000000000000000000000000000000000000001'), 1);
    assert.isAbove(shannonEntropy('wJ8r/Kq2+Zm5Tx9Lp3Vb7NcQ4sYh6Ud1Fe0Ga'), 4.5);
  });

  it('keeps validators fast on long inputs', function () {
    const long = '4'.repeat(100_000);
    const t = process.hrtime.bigint();
    for (const v of Object.values(VALIDATORS)) v(long);
    assert.isBelow(Number(process.hrtime.bigint() - t) / 1e6, 200, 'validators took too long on a 100k input');
  });
});
