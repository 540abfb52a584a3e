/**
 * The HTML report in a real browser: headless Chromium (Debian's `chromium` package) renders the page and
 * takes a screenshot, and its console shows no Content-Security-Policy violation (the page's stylesheet is
 * allowed by its hash; what the ledger holds is text). Runs where Chromium is installed (.ci/run installs
 * it and sets EGRESS_GUARD_BROWSER_TESTS=1, which makes a missing browser a failure rather than an absent
 * test).
 */
import { assert } from 'chai';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ledger } from '../../lib/audit/ledger.ts';
import { buildReport } from '../../lib/audit/report.ts';
import { renderHtml } from '../../lib/audit/html.ts';
import { readLedger, verifyCheckpoints } from '../../lib/audit/verify.ts';
import { SigningKey } from '../../lib/crypto/jose.ts';
import { EgressGate } from '../../lib/egress/gate.ts';
import { createEngine } from '../../lib/policy/create.ts';
import { assertNoSecret } from '../helpers/secrets.ts';

const CHROMIUM = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => p !== undefined && existsSync(p));
const REQUIRED = process.env.EGRESS_GUARD_BROWSER_TESTS === '1';
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--hide-scrollbars'];

if (CHROMIUM !== undefined || REQUIRED) {
  describe('audit-report --format html in headless Chromium', function () {
    this.timeout(60_000);

    it('renders the verdict, the chart and the tables; the screenshot is a real image', async () => {
      assert.isDefined(CHROMIUM, 'EGRESS_GUARD_BROWSER_TESTS=1 but no Chromium: apt-get install chromium');
      const dir = mkdtempSync(join(tmpdir(), 'eg-html-'));
      const engine = await createEngine({ name: 'browser', version: 2, extends: ['builtin:default'], channels: { locations: { action: 'remove' } } });
      const key = await SigningKey.generate();
      const ledger = Ledger.open({ dir: join(dir, 'ledger'), signingKey: key, checkpointIntervalMs: 600_000 });
      let t = Date.parse('2026-11-23T00:00:00Z');
      const gate = new EgressGate({ engine, audit: ledger, sink: { send: (i) => void ledger.ack(i.id) }, now: () => new Date(t) });
      for (let i = 0; i < 12; i++) {
        gate.submit({ kind: 'logs', flowRunId: 'r', records: [{ flowRunId: 'r', level: 'info', time: 't', message: `login ghp_R7tKq2mWx9LpZ4vN8sB3cD6fG1hJ5kM0yQeT ${i}` }] });
        gate.submit({ kind: 'state', flowRunId: 'r', taskRunId: `t${i}`, state: 'Success', resultLocation: `results/${i}.json` });
        await gate.drain();
        t += 3_600_000;
      }
      // What someone editing a ledger would plant: markup in a finding's path (a log metadata key).
      await ledger.intent({
        itemId: 'hostile',
        kind: 'logs',
        channel: 'logs',
        flowRunId: 'r',
        time: new Date(t).toISOString(),
        policy: engine.identity,
        findings: [{ detector: 'key-name', path: 'records[0].extra.<img src=x onerror="document.title=1">', action: 'remove', count: 1 }],
        payloadSha256: 'b'.repeat(64),
        bytes: 1,
        payload: {},
      });
      await ledger.close();
      const reading = readLedger(join(dir, 'ledger'));
      const cps = await verifyCheckpoints(reading, key);
      const html = renderHtml(buildReport([{ dir: 'ledger', entries: reading.entries, problems: [...reading.problems, ...cps.problems], checkpoints: cps.checkpoints, seal: cps.seal }], {}, { performed: true, signaturesChecked: true }));
      const page = join(dir, 'report.html');
      writeFileSync(page, html);
      const run = (extra: string[]) => execFileSync(CHROMIUM!, [...FLAGS, `--user-data-dir=${join(dir, 'profile')}`, ...extra, `file://${page}`], { encoding: 'utf8', timeout: 45_000, stdio: ['ignore', 'pipe', 'ignore'] });
      // The DOM, with the console on stderr: a blocked stylesheet, script or image would be logged there.
      const dumped = spawnSync(CHROMIUM!, [...FLAGS, `--user-data-dir=${join(dir, 'profile')}`, '--enable-logging=stderr', '--v=0', '--dump-dom', `file://${page}`], { encoding: 'utf8', timeout: 45_000 });
      const dom = dumped.stdout;
      assert.notMatch(dumped.stderr, /Content Security Policy/i, 'nothing on the page violates its own policy');
      assert.match(dom, /<div class="verdict ok" id="verdict" data-status="verified">Verified/);
      assert.notMatch(dom, /<img\b/i, 'markup from the ledger stays text');
      assert.include(dom, 'records[0].extra.&lt;img src=x onerror=');
      assert.match(dom, /<svg id="chart"[^>]*>.*<rect/s, 'the chart has bars');
      assert.include(dom, 'github-token');
      assertNoSecret(dom, 'ghp_R7tKq2mWx9LpZ4vN8sB3cD6fG1hJ5kM0yQeT');
      const png = join(dir, 'shot.png');
      run(['--window-size=1200,1400', `--screenshot=${png}`]);
      const bytes = readFileSync(png);
      assert.deepEqual([...bytes.subarray(1, 4)], [...Buffer.from('PNG')]);
      assert.isAbove(bytes.length, 20_000, 'a rendered page, not a blank one');
    });
  });
}
