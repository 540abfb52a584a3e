import { assert } from 'chai';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { egressGuard, run, REPO } from '../helpers/cli.ts';
import { assertNoSecret } from '../helpers/secrets.ts';
import { inProcess } from '../helpers/in-process.ts';
import { egressGuard as egressGuardCommand } from '../../lib/cli/commands.ts';
import { auditReport } from '../../lib/cli/audit-report-command.ts';
import { COMMAND_HELP } from '../../lib/cli/usage.ts';

const GHP = 'ghp_' + 'R7tKq2mWx9LpZ4vN8sB3cD6fG1hJ5kM0yQeT';
const PASSWORD = 'hunter2-but-longer';

describe('cli: egress-guard', function () {
  this.timeout(30_000);
  const scratch = mkdtempSync(join(tmpdir(), 'eg-cli-'));

  describe('scrub', () => {
    it('scrubs JSON lines as values and other lines as text, one output line per input line', async () => {
      const input = [
        JSON.stringify({ user: 'bob', password: PASSWORD, nested: { note: `token ${GHP}` } }),
        `plain text with ${GHP} inside`,
        '{"broken json ' + GHP,
        '"a JSON string with ' + GHP + '"',
        '42',
        '',
        '\u0000\u0001 binary-ish \uFFFD',
      ].join('\n');
      const r = await egressGuard(['scrub', '--channel', 'logs'], { input: input + '\n' });
      assert.equal(r.code, 0, r.stderr);
      const out = r.stdout.split('\n').slice(0, -1);
      assert.lengthOf(out, 7);
      assert.deepEqual(JSON.parse(out[0]!), { user: 'bob', nested: { note: 'token [REDACTED]' } });
      assert.equal(out[1], 'plain text with [REDACTED] inside');
      assert.equal(out[2], '{"broken json [REDACTED]');
      assert.equal(JSON.parse(out[3]!), 'a JSON string with [REDACTED]');
      assert.equal(out[4], '42');
      assertNoSecret(r.stdout, GHP.slice(4, 20));
      assertNoSecret(r.stdout, PASSWORD);
    });

    it('drops records removed by a drop rule and reads from a file', async () => {
      const policy = join(scratch, 'drop.yaml');
      writeFileSync(policy, "name: drop\nversion: 1\nextends: ['builtin:default']\nchannels:\n  logs:\n    drop: [' INFO healthcheck ']\n");
      const r = await egressGuard(['scrub', '--policy', policy, '--channel', 'logs', join(REPO, 'examples/sample.log')]);
      assert.equal(r.code, 0, r.stderr);
      const input = readFileSync(join(REPO, 'examples/sample.log'), 'utf8').split('\n').filter(Boolean);
      assert.lengthOf(r.stdout.split('\n').filter(Boolean), input.length - 1);
      assert.notInclude(r.stdout, 'healthcheck');
      assertNoSecret(r.stdout, 'S3cr3tPassw0rd');
      assert.include(r.stdout, 'db.internal');
    });

    it('encrypts locations with --key, one token per line', async () => {
      const key = join(scratch, 'loc.jwk');
      assert.equal((await egressGuard(['keys', 'new', '--out', key])).code, 0);
      const r = await egressGuard(['scrub', '--channel', 'locations', '--key', key], { input: 'results/a.json\nresults/b.json\n' });
      assert.equal(r.code, 0, r.stderr);
      const tokens = r.stdout.trim().split('\n');
      assert.lengthOf(tokens, 2);
      for (const t of tokens) assert.lengthOf(t.split('.'), 5);
      assert.notInclude(r.stdout, 'results');
    });

    it('decrypt-location returns what scrub encrypted; a tampered token exits 2 without output', async () => {
      const key = join(scratch, 'dec.jwk');
      assert.equal((await egressGuard(['keys', 'new', '--out', key])).code, 0);
      const token = (await egressGuard(['scrub', '--channel', 'locations', '--key', key], { input: 'results/c.json\n' })).stdout.trim();
      const ok = await egressGuard(['decrypt-location', '--key', key, token]);
      assert.equal(ok.code, 0, ok.stderr);
      assert.equal(ok.stdout, 'results/c.json\n');
      const parts = token.split('.');
      parts[3] = (parts[3]![0] === 'A' ? 'B' : 'A') + parts[3]!.slice(1);
      const bad = await egressGuard(['decrypt-location', '--key', key, parts.join('.')]);
      assert.equal(bad.code, 2);
      assert.equal(bad.stdout, '');
      assert.include(bad.stderr, 'integrity check failed');
    });

    it('a missing location key names the command that makes one (exit 2)', async () => {
      const r = await egressGuard(['scrub', '--channel', 'locations'], { input: 'x\n', env: { EGRESS_GUARD_LOCATION_KEY: '' } });
      assert.equal(r.code, 2);
      assert.include(r.stderr, 'egress-guard keys new --out FILE');
      assert.notInclude(r.stderr, 'internal error');
    });

    it('usage errors exit 2 with a message that says what to do', async () => {
      const missing = await egressGuard(['scrub', '--channel', 'logs', join(scratch, 'nope.log')]);
      assert.equal(missing.code, 2);
      assert.match(missing.stderr, /cannot read .*nope\.log \(ENOENT\)/);
      const channel = await egressGuard(['scrub', '--channel', 'metrics']);
      assert.equal(channel.code, 2);
      assert.include(channel.stderr, 'use one of parameters, logs, exceptions, locations');
      const flag = await egressGuard(['scrub', '--chanel', 'logs']);
      assert.equal(flag.code, 2);
      assert.include(flag.stderr, "Unknown option '--chanel'");
      assert.include(flag.stderr, 'usage: egress-guard scrub');
      const policy = await egressGuard(['scrub', '--channel', 'logs', '--policy', 'builtin:nope']);
      assert.equal(policy.code, 2);
      assert.include(policy.stderr, 'builtin:nope');
    });
  });

  describe('policy', () => {
    it('lint warns (still exit 0) when the policy hashes with a key from an environment variable that is not set', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'eg-lint-env-'));
      writeFileSync(join(dir, 'h.yaml'), 'name: h\nversion: 1\nhash: { key: env:EG_LINT_TEST_HASH_KEY }\nchannels:\n  parameters:\n    values: { detectors: [pii], action: hash }\n');
      const unset = await egressGuard(['policy', 'lint', 'h.yaml'], { cwd: dir, env: { EG_LINT_TEST_HASH_KEY: '' } });
      assert.equal(unset.code, 0);
      assert.equal(unset.stdout, 'h.yaml: ok\n');
      assert.include(unset.stderr, 'h.yaml:3:14: warning: hash.key is env:EG_LINT_TEST_HASH_KEY, which is not set here');
      const set = await egressGuard(['policy', 'lint', 'h.yaml'], { cwd: dir, env: { EG_LINT_TEST_HASH_KEY: 'k'.repeat(64) } });
      assert.equal(set.stderr, '', 'no warning once it is set');
      // policy test then refuses, at the same place.
      writeFileSync(join(dir, 't.yaml'), 'name: t\nversion: 1\nextends: [h.yaml]\ntests:\n  - { name: x, channel: parameters, input: { a: b }, expect: { a: b } }\n');
      const test = await egressGuard(['policy', 'test', 't.yaml'], { cwd: dir, env: {} });
      assert.equal(test.code, 2);
      assert.match(test.stderr, /^h\.yaml:3:14: policy t: hash key: environment variable EG_LINT_TEST_HASH_KEY .* is not set/m);
      // A policy whose key is set up but which hashes nothing: no warning.
      writeFileSync(join(dir, 'n.yaml'), 'name: n\nversion: 1\nhash: { key: env:EG_LINT_TEST_HASH_KEY }\nchannels:\n  parameters:\n    values: { detectors: [pii], action: remove }\n');
      assert.equal((await egressGuard(['policy', 'lint', 'n.yaml'], { cwd: dir, env: {} })).stderr, '');
    });

    it('lint: 0 for valid policies, 2 with FILE:LINE:COL for invalid ones', async () => {
      const bad = join(scratch, 'bad.yaml');
      writeFileSync(bad, 'name: bad\nversion: 1\nchanels: {}\n');
      const ok = await egressGuard(['policy', 'lint', join(REPO, 'policies/default.yaml')]);
      assert.equal(ok.code, 0, ok.stderr);
      const r = await egressGuard(['policy', 'lint', join(REPO, 'policies/default.yaml'), bad]);
      assert.equal(r.code, 2);
      assert.include(r.stderr, `${bad}:3:1: unknown key "chanels"`);
    });

    it('test: the builtin policies pass; a failing case exits 1 without printing the secret', async () => {
      const builtins = await egressGuard(['policy', 'test', 'builtin:default', 'builtin:strict', 'builtin:pci']);
      assert.equal(builtins.code, 0, builtins.stdout + builtins.stderr);
      assert.match(builtins.stdout, /\d+ passed, 0 failed/);
      const weak = join(scratch, 'weak.yaml');
      writeFileSync(
        weak,
        ['name: weak', 'version: 1', 'tests:', '  - channel: logs', `    input: 'token ${GHP}'`, `    expect_absent: ['${GHP}']`].join('\n'),
      );
      const r = await egressGuard(['policy', 'test', weak]);
      assert.equal(r.code, 1);
      assert.include(r.stdout, 'FAIL');
      assert.include(r.stdout, 'expect_absent[0] (40 chars) is still in the output');
      assertNoSecret(r.stdout + r.stderr, GHP);
    });

    it('explain: names detectors and actions, masks what matched', async () => {
      const r = await egressGuard(['policy', 'explain', '--channel', 'logs'], {
        input: `login with ${GHP}\n{"password":"${PASSWORD}"}\nclean\nurl https://u:Sh0rtPassw0rd@db.internal/x\n`,
      });
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /line 1:\n {2}col 12-51: [a-z-]+ -> remove {2}"\*{36}yQeT"/);
      assert.match(r.stdout, /line 2:\n {2}password: key-name -> remove/);
      assert.notInclude(r.stdout, 'line 3');
      assert.match(r.stdout, /line 4:\n {2}col 15-27: url-credentials -> remove {2}"\*{13}"/, 'short secrets show nothing');
      assertNoSecret(r.stdout, GHP);
      assertNoSecret(r.stdout, PASSWORD);
    });
  });

  it('keys new: mode 0600, never overwrites', async () => {
    const key = join(scratch, 'k.jwk');
    const first = await egressGuard(['keys', 'new', '--out', key]);
    assert.equal(first.code, 0, first.stderr);
    assert.equal(statSync(key).mode & 0o777, 0o600);
    const before = readFileSync(key, 'utf8');
    const again = await egressGuard(['keys', 'new', '--out', key]);
    assert.equal(again.code, 2);
    assert.include(again.stderr, 'already exists');
    assert.equal(readFileSync(key, 'utf8'), before);
    assertNoSecret(first.stderr + again.stderr, (JSON.parse(before) as { keys: { k: string }[] }).keys[0]!.k);
  });

  it('help, version and unknown commands', async () => {
    const help = await inProcess(egressGuardCommand, ['--help']);
    assert.equal(help.code, 0);
    assert.include(help.stdout, 'egress-guard scrub');
    const none = await inProcess(egressGuardCommand, []);
    assert.equal(none.code, 2);
    const version = (JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { version: string }).version;
    assert.equal((await inProcess(egressGuardCommand, ['--version'])).stdout.trim(), version);
    assert.equal((await inProcess(auditReport, ['--version'])).stdout.trim(), version, 'both bins');
    const unknown = await inProcess(egressGuardCommand, ['scrubb']);
    assert.equal(unknown.code, 2);
    assert.include(unknown.stderr, 'unknown command "scrubb" (did you mean "scrub"?)');
  });

  it('--help on every command and subcommand: usage, purpose, every option described, an example; exit 0, nothing run', async () => {
    for (const command of Object.keys(COMMAND_HELP)) {
      for (const flag of ['--help', '-h']) {
        const r = await inProcess(egressGuardCommand, [...command.split(' '), flag]);
        assert.equal(r.code, 0, `${command} ${flag}`);
        assert.match(r.stdout, new RegExp(`^usage: egress-guard ${command}\\b`), `${command} ${flag}`);
        assert.equal(r.stderr, '');
        assert.match(r.stdout, new RegExp(`\nexample:\n  [^\n]*egress-guard ${command}\\b`), `${command}: an example of itself`);
        // Every option of the synopsis has its line under options:, with a meaning.
        for (const option of COMMAND_HELP[command as keyof typeof COMMAND_HELP].usage.match(/--[a-z-]+/g) ?? []) {
          assert.match(r.stdout, new RegExp(`\\n  ${option}\\b[^\\n]*\\s{2}\\S`), `${command}: ${option} is described`);
        }
      }
      // After other options too: parseCommandArgs answers it before reading them.
      const late = await inProcess(egressGuardCommand, [...command.split(' '), '--no-such-option', '--help']);
      assert.equal(late.code, 0, `${command} ... --help`);
      assert.match(late.stdout, /^usage: .*\n\n\S/, `${command} ... --help: the usage, then what the command is for`);
    }
    const report = await inProcess(auditReport, ['--ledger', 'nowhere', '--help']);
    assert.equal(report.code, 0);
    assert.match(report.stdout, /^usage: audit-report /);
  });

  it('a group lists its subcommands; a misspelt one gets a suggestion (exit 2; --help: exit 0)', async () => {
    const policy = await inProcess(egressGuardCommand, ['policy']);
    assert.equal(policy.code, 2);
    for (const sub of ['lint', 'test', 'explain']) assert.include(policy.stderr, `egress-guard policy ${sub}`);
    const typo = await inProcess(egressGuardCommand, ['policy', 'lnt']);
    assert.equal(typo.code, 2);
    assert.include(typo.stderr, 'unknown subcommand "lnt" (did you mean "lint"?)');
    const help = await inProcess(egressGuardCommand, ['keys', '--help']);
    assert.equal(help.code, 0);
    assert.include(help.stdout, 'egress-guard keys new');
  });

  it('values a command cannot use are usage errors, never an empty answer: detectors --tag, canary --format', async () => {
    const tag = await inProcess(egressGuardCommand, ['detectors', '--tag', 'secrt']);
    assert.equal(tag.code, 2, tag.stderr);
    assert.include(tag.stderr, 'no detector has the tag "secrt" (did you mean "secret"?)');
    assert.equal(tag.stdout, '');
    const format = await inProcess(egressGuardCommand, ['canary', '--format', 'yaml']);
    assert.equal(format.code, 2);
    assert.include(format.stderr, 'canary: --format must be table or json (got "yaml")');
  });

  it('the built command works (npm ci runs the build)', async () => {
    const r = await run(process.execPath, [join(REPO, 'dist/lib/cli/egress-guard.js'), 'scrub', '--channel', 'logs'], { input: `x ${GHP}\n` });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'x [REDACTED]\n');
  });
});
