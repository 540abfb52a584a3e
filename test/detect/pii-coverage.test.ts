/**
 * PII coverage beyond the catalogue's own examples: the exact span each new or widened detector redacts,
 * and innocent lines (dates, versions, ids, ports, invalid checksums) that the whole catalogue must leave
 * alone. All values are fake (checksums computed for this project). Failure messages give row indexes only.
 */
import { assert } from 'chai';
import { BUILTIN_DETECTORS } from '../../lib/detect/catalogue/index.ts';
import { compileScanner } from '../../lib/detect/scanner.ts';

const full = compileScanner(BUILTIN_DETECTORS);
const single = new Map(BUILTIN_DETECTORS.map((d) => [d.id, compileScanner([d])]));

describe('detect/pii coverage', function () {
  // [detector, line, the exact span redacted]
  const spans: [string, string, string][] = [
    ['bitcoin-address', 'wallet: 17L43gqoYAe74Tuf3Epz5mZWFCT7KfjynC.', '17L43gqoYAe74Tuf3Epz5mZWFCT7KfjynC'],
    ['bitcoin-address', 'to "bc1q87l9eahyq2zvkcms6vyx58f2j5sl7fhnrxwvl2"', 'bc1q87l9eahyq2zvkcms6vyx58f2j5sl7fhnrxwvl2'],
    ['ethereum-address', 'eth=0x50C88606Ca87653700D59B5bd4acF9B29811cEc1,', '0x50C88606Ca87653700D59B5bd4acF9B29811cEc1'],
    ['uk-national-insurance-number', 'NI: JT 47 19 82 B.', 'JT 47 19 82 B'],
    ['uk-national-insurance-number', 'ni=WR381764A', 'WR381764A'],
    ['uk-nhs-number', 'NHS number: 465 869 7904.', '465 869 7904'],
    ['uk-nhs-number', 'nhs_no=4317395800', '4317395800'],
    ['us-itin', 'ITIN 912-73-4406.', '912-73-4406'],
    ['us-ssn', 'ssn 417.52.9036.', '417.52.9036'],
    ['phone-number-international', 'Berlin +49 30 7719384.', '+49 30 7719384'],
    ['phone-number-international', 'call +91 9845017263 now', '+91 9845017263'],
    ['phone-number-international', 'href="tel:+442079460958"', '+442079460958'],
    ['phone-number-international', 'phone+44 20 7946 0958', '+44 20 7946 0958'],
    ['phone-number-national', 'Tokyo 090-3817-2264.', '090-3817-2264'],
    ['phone-number-national', 'Tel: (020) 7946 0958', '(020) 7946 0958'],
    ['payment-card-number', 'uatp 1204 47318 562996 ok', '1204 47318 562996'],
    ['iban', 'iban DE28-3705-1104-8319-2774-02.', 'DE28-3705-1104-8319-2774-02'],
    ['iban', 'pay GB21QXBK40221863557104 EUR', 'GB21QXBK40221863557104'],
    ['iban', 'pay GB21 QXBK 4022 1863 5571 04 EUR', 'GB21 QXBK 4022 1863 5571 04'],
    ['iban', 'BE98 7312 0451 8836 PAID', 'BE98 7312 0451 8836'],
  ];
  spans.forEach(([id, line, expected], i) => {
    it(`${id} (span #${i}) redacts exactly the value`, function () {
      const own = single.get(id)!.scan(line).map((m) => line.slice(m.start, m.end));
      assert.deepEqual(own, [expected], `span #${i}: own detector`);
      const at = line.indexOf(expected);
      assert.isTrue(full.scan(line).some((m) => m.start <= at && m.end >= at + expected.length), `span #${i}: full catalogue`);
    });
  });

  const innocent: string[] = [
    // an IBAN-shaped run failing mod-97 whose digit groups pass Luhn: no card either
    'IBAN: DE30 4597 1153 0602 3976 05',
    'iban DE00-4597-1153-0602-3976-05',
    'iban GB00 QXBK 4597 1153 0602 3976',
    // dates, times, versions, ids, ports, counters
    '2024-01-15 10:22:31 started, 01/15/2024 09:30, 15.01.2024',
    'release v10.4.1 build 05 40 30, node 20.11.1, epoch=1705314151',
    'listening on 0.0.0.0:8080, pid 04821, mode 0755 dir',
    'ORD-2024-000123 INV-000045678 ticket 0001-2345',
    'chmod 0644 file; umask 0022; exit 0',
    'duration 00:12:34.567 offset -08:00 tz=+0530',
    'sha1 0x9fceb02d0ae598e95dc970b74767f19372d61af8e1',
    'tx 0x50c88606ca87653700d59b5bd4acf9b29811cec150c88606ca87653700d59b5b',
    'uuid 3f2b8c1e-9d4a-4e6f-b1c2-7a8d9e0f1a2b',
    // shapes of the new detectors with wrong checksums or ranges
    'wallet: 17L43gqoYAe74Tuf3Epz5mZWFCT7KfjynD',
    'btc=bc1q87l9eahyq2zvkcms6vyx58f2j5sl7fhnrxwvl3',
    'to: 0x50C88606Ca87653700D59B5bd4acF9B29811cEC1',
    'ni=QQ123456C ni=GB381764A',
    'NHS number: 165 869 7905',
    'itin=912-34-5678',
    'ssn=524.71.0000',
    'card 120447318562995',
    // placeholders around PII-looking text
    'postgres://user:password@localhost:5432/app',
    'git clone https://user:password@github.com/acme/app',
  ];
  innocent.forEach((line, i) => {
    it(`leaves innocent line #${i} alone`, function () {
      assert.deepEqual(full.scan(line).map((m) => m.detector), [], `innocent #${i}`);
    });
  });
});
