import { assert } from 'chai';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { disguise, DISGUISES, EXTRA_ROWS, readable, type CanaryReport, type Plant } from '../../lib/cli/canary-run.ts';
import { BUILTIN_DETECTORS } from '../../lib/detect/catalogue/index.ts';
import { egressGuard } from '../helpers/cli.ts';

/** Leaked cells as `row in channel: forms` (forms name disguises, key names and places, never values). */
function leakedCells(report: CanaryReport): string[] {
  return report.cells.filter((c) => c.leaked).map((c) => `${c.detector} in ${c.channel}: ${c.forms.join(', ')}`);
}

function policyFile(name: string, body: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'eg-canary-')), `${name}.yaml`);
  writeFileSync(file, `name: ${name}\nversion: 1\n${body}`);
  return file;
}

async function canaryJson(policy?: string): Promise<{ code: number; report: CanaryReport; stderr: string }> {
  const r = await egressGuard(['canary', ...(policy === undefined ? [] : ['--policy', policy]), '--format', 'json']);
  return { code: r.code, report: JSON.parse(r.stdout) as CanaryReport, stderr: r.stderr };
}

describe('egress-guard canary', function () {
  this.timeout(120_000);

  it('builtin:default: every detector planted in every channel, nothing reaches the control plane (exit 0)', async () => {
    const { code, report, stderr } = await canaryJson();
    assert.deepEqual(leakedCells(report), [], 'leaked rows under builtin:default');
    assert.equal(code, 0, stderr);
    assert.equal(report.planted, BUILTIN_DETECTORS.length, 'one plant per builtin detector');
    assert.deepEqual(report.rows, [...BUILTIN_DETECTORS.map((d) => d.id), ...EXTRA_ROWS]);
    assert.lengthOf(report.cells, report.rows.length * 5);
    assert.equal(report.leaks, 0);
    // Every detector raw and disguised (glued only where the pattern allows a word before it), plus key names, names and shapes.
    assert.isAbove(report.plants, BUILTIN_DETECTORS.length * (DISGUISES.length - 1));
    assert.isAbove(report.items, BUILTIN_DETECTORS.length * 4);
  });

  it('a policy that lets things through is caught, per channel and detector (exit 1)', async () => {
    // Only logs are protected, and only against secrets: PII in logs and everything elsewhere leaks.
    const weak = policyFile('weak', "channels:\n  logs:\n    values: { detectors: [secret], action: remove }\n  locations: { action: allow }\n");
    const { code, report } = await canaryJson(weak);
    assert.equal(code, 1);
    const cell = (detector: string, channel: string) => report.cells.find((c) => c.detector === detector && c.channel === channel)!;
    assert.isTrue(cell('github-token', 'parameters').leaked);
    assert.includeMembers(cell('github-token', 'parameters').forms, ['raw', 'zero-width', 'base64x3']);
    assert.isFalse(cell('github-token', 'logs').leaked, 'logs: secrets removed, raw and disguised');
    assert.isTrue(cell('email-address', 'logs').leaked);
    assert.isTrue(cell('github-token', 'exceptions').leaked);
    assert.isTrue(cell('github-token', 'locations').leaked);
    // Tags are scanned by the parameters channel's rules, which this policy has none of.
    assert.isTrue(cell('github-token', 'metadata').leaked);
    assert.isTrue(cell('names-and-tags', 'metadata').leaked);
    const table = await egressGuard(['canary', '--policy', weak]);
    assert.equal(table.code, 1);
    assert.match(table.stdout, /\d+ LEAK\(S\)/);
    assert.match(table.stdout, /^ {2}github-token in parameters: raw, /m, 'the table names each leaked row and channel');
  });

  it('turning the key-name checks off is caught on the key-name row (exit 1)', async () => {
    const [fields, text] = await Promise.all([
      canaryJson(policyFile('keys-allowed', 'extends: [builtin:default]\nkey_names: { action: allow }\n')),
      canaryJson(policyFile('no-assignments', 'extends: [builtin:default]\ndisable: [password-assignment, secret-assignment]\n')),
    ]);
    const cell = (report: CanaryReport, channel: string) => report.cells.find((c) => c.detector === 'key-name' && c.channel === channel)!;
    // Structured values under secret-named keys go out: parameters and log fields.
    assert.equal(fields.code, 1);
    for (const channel of ['parameters', 'logs']) {
      assert.isTrue(cell(fields.report, channel).leaked, `key_names: allow, ${channel}`);
      assert.includeMembers(cell(fields.report, channel).forms, ['field:dbPassword', 'field:X_API_KEY', 'field:PGPASSWORD']);
    }
    assert.isFalse(cell(fields.report, 'exceptions').leaked, 'key=value text is still found');
    assert.isFalse(fields.report.cells.some((c) => c.leaked && c.detector === 'github-token'));
    // key=value text goes out: log and exception messages.
    assert.equal(text.code, 1);
    for (const channel of ['logs', 'exceptions']) {
      assert.isTrue(cell(text.report, channel).leaked, `assignment detectors disabled, ${channel}`);
      assert.includeMembers(cell(text.report, channel).forms, ['text:db-password', 'text:clientSecret', 'text:Session-Token', 'text:MYSQL_PWD']);
      assert.notInclude(cell(text.report, channel).forms.join(' '), 'field:', 'structured keys are still removed');
    }
    assert.isFalse(cell(text.report, 'parameters').leaked);
  });

  it('a policy that disables one detector is caught on that detector\'s row (exit 1)', async () => {
    const r = await egressGuard(['canary', '--policy', policyFile('no-github', 'extends: [builtin:default]\ndisable: [github-token]\n')]);
    assert.equal(r.code, 1);
    for (const channel of ['parameters', 'logs', 'exceptions', 'metadata']) assert.match(r.stdout, new RegExp(`^ {2}github-token in ${channel}: raw, glued, zero-width`, 'm'));
    assert.match(r.stdout, /^ {2}names-and-tags in metadata: task-name:github/m);
    const rows = [...r.stdout.matchAll(/^ {2}(\S+) in \w+:/gm)].map((m) => m[1]);
    assert.sameMembers([...new Set(rows)], ['github-token', 'names-and-tags'], 'no other row leaks');
  });

  describe('its own disguises and normaliser', () => {
    const plant: Plant = { detector: 'd', text: 'login with tok_Q7mZ2xW9 now', secrets: ['tok_Q7mZ2xW9'], start: 11, end: 23, matchStart: 11, leftAnchored: false };

    it('each disguise hides the secret from a plain search, readable() or the listed spelling finds it again', () => {
      for (const form of DISGUISES) {
        const d = disguise(plant, form)!;
        if (form === 'raw' || form === 'glued' || form === 'ansi-before') {
          assert.include(d.text, 'tok_Q7mZ2xW9', form);
          continue;
        }
        assert.notInclude(d.text, 'tok_Q7mZ2xW9', form);
        const seen = readable(d.text).includes('tok_Q7mZ2xW9') || d.disguised.some((s) => d.text.includes(s));
        assert.isTrue(seen, form);
      }
      assert.isUndefined(disguise({ ...plant, leftAnchored: true }, 'glued'), 'no glued form for a left-anchored detector');
      assert.equal(disguise(plant, 'glued')!.text, 'login with xtok_Q7mZ2xW9 now');
    });

    it('readable() strips ANSI and invisible characters, decodes entities and fullwidth forms', () => {
      assert.equal(readable('gh\u200bp_&#65;\x1b[0mＢ'), 'ghp_AB');
      assert.equal(readable('\x1b[1;31mred\x1b[0m \u202eab\u2066c\u00ad'), 'red abc');
      assert.equal(readable('alice&#64;example&#x2e;com &amp; bob&commat;x.org'), 'alice@example.com & bob@x.org');
    });
  });
});
