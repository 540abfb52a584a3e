import { assert } from 'chai';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CanaryReport } from '../../lib/audit/canary.ts';
import { BUILTIN_DETECTORS } from '../../lib/detect/catalogue/index.ts';
import { egressGuard } from '../helpers/cli.ts';

describe('egress-guard canary', function () {
  this.timeout(60_000);

  it('builtin:default: every detector planted in every channel, nothing reaches the control plane (exit 0)', async () => {
    const r = await egressGuard(['canary', '--format', 'json']);
    assert.equal(r.code, 0, r.stderr);
    const report = JSON.parse(r.stdout) as CanaryReport;
    assert.equal(report.planted, BUILTIN_DETECTORS.length, 'one plant per builtin detector');
    assert.lengthOf(report.cells, BUILTIN_DETECTORS.length * 5);
    assert.equal(report.leaks, 0);
    assert.isAbove(report.items, BUILTIN_DETECTORS.length * 4);
  });

  it('a policy that lets things through is caught, per channel and detector (exit 1)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'eg-canary-'));
    const weak = join(dir, 'weak.yaml');
    // Only logs are protected, and only against secrets: PII in logs and everything elsewhere leaks.
    writeFileSync(weak, "name: weak\nversion: 1\nchannels:\n  logs:\n    values: { detectors: [secret], action: remove }\n  locations: { action: allow }\n");
    const r = await egressGuard(['canary', '--policy', weak, '--format', 'json']);
    assert.equal(r.code, 1);
    const report = JSON.parse(r.stdout) as CanaryReport;
    const leaked = (detector: string, channel: string) => report.cells.find((c) => c.detector === detector && c.channel === channel)!.leaked;
    assert.isTrue(leaked('github-token', 'parameters'));
    assert.isFalse(leaked('github-token', 'logs'));
    assert.isTrue(leaked('email-address', 'logs'));
    assert.isTrue(leaked('github-token', 'exceptions'));
    assert.isTrue(leaked('github-token', 'locations'));
    assert.isFalse(leaked('github-token', 'metadata'));
    const table = await egressGuard(['canary', '--policy', weak]);
    assert.equal(table.code, 1);
    assert.match(table.stdout, /\d+ LEAK\(S\)/);
  });
});
