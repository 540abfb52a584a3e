import { assert } from 'chai';
import { BUILTIN_DETECTORS } from '../../lib/detect/catalogue/index.ts';
import { KeyNameClassifier, type KeyVerdict } from '../../lib/detect/key-names.ts';
import { compileScanner, type Scanner } from '../../lib/detect/scanner.ts';
import { VALIDATORS } from '../../lib/detect/validators.ts';
import type { Match } from '../../lib/detect/types.ts';
import { scanAll } from '../../lib/redact/encoded.ts';

const GHP = 'ghp_' + 'R7tKq2mWx9LpZ4vN8sB3cD6fG1hJ5kM0yQeT';
const b64 = (s: string) => Buffer.from(s).toString('base64');

// Raw, assignment, validated (IPv4), encoded (base64 after the findings that call out) and escaped findings:
// whatever scratch a scan keeps, the outer one must come out whole after an inner one ran in its middle.
const OUTER = [
  'conn=10.0.12.7:5432 session=Zk2Lq9Xp4Rt7Wm3Nb8Vc5Hy6 api_key=SJpIwoeIiXReHA24s6m3JGn5ITWoE65B',
  `mail alice.smith@example.com then ${b64('password=hunter2-but-longer')} and "note\\n${GHP}"`,
  `host 192.168.7.21 and 10.1.2.3 sent ${b64(`token ${GHP}`)}`,
];
const INNER = [`nested ${GHP} 172.16.0.9 ${b64('password=inner-secret-value')}`, 'nothing here at all', `x-api-key: 81b78b217903a36984664cfd2986628e`];

describe('redact/detect: scans re-entered while they run', () => {
  const reference = compileScanner(BUILTIN_DETECTORS);
  const expectedOuter = OUTER.map((t) => scanAll(t, reference));
  const expectedInner = INNER.map((t) => scanAll(t, reference));

  /** Checks that every inner scan found what a scan on its own finds. */
  function checkInner(results: { text: string; found: Match[] }[]): void {
    assert.isNotEmpty(results, 'the scan was re-entered');
    for (const r of results) assert.deepEqual(r.found, expectedInner[INNER.indexOf(r.text)], r.text);
  }

  it('a key-name classifier that scans with the same scanner: the outer findings stay whole', () => {
    const inner: { text: string; found: Match[] }[] = [];
    let scanner: Scanner | undefined;
    let calls = 0;
    class Reentering extends KeyNameClassifier {
      override classify(name: string): KeyVerdict {
        const text = INNER[calls++ % INNER.length]!;
        inner.push({ text, found: [...scanAll(text, scanner!)] });
        return super.classify(name);
      }
    }
    scanner = compileScanner(BUILTIN_DETECTORS, { keyNames: new Reentering() });
    for (const [i, text] of OUTER.entries()) assert.deepEqual(scanAll(text, scanner), expectedOuter[i], text);
    checkInner(inner);
  });

  it('a validator that scans (with this scanner and another): the outer findings stay whole', () => {
    const inner: { text: string; found: Match[] }[] = [];
    const original = VALIDATORS.ipv4;
    let scanner: Scanner | undefined;
    let calls = 0;
    VALIDATORS.ipv4 = (value) => {
      const text = INNER[calls++ % INNER.length]!;
      inner.push({ text, found: [...scanAll(text, calls % 2 === 0 ? scanner! : reference)] });
      return original(value);
    };
    try {
      scanner = compileScanner(BUILTIN_DETECTORS); // compiled with the re-entering validator
      for (const [i, text] of OUTER.entries()) assert.deepEqual(scanAll(text, scanner), expectedOuter[i], text);
    } finally {
      VALIDATORS.ipv4 = original;
    }
    checkInner(inner);
  });
});
