/**
 * `egress-guard scan`: findings at the right file, line and columns, in table, JSON and SARIF; exit 1 on
 * findings, 0 when clean, 2 on usage errors; never the matched text in any format. And the policy every
 * scrubbing command uses when none is named: EGRESS_GUARD_POLICY, then .egress-guard.yaml up the tree.
 */
import { assert } from 'chai';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { egressGuard } from '../../lib/cli/commands.ts';
import { BUILTIN_DETECTORS } from '../../lib/detect/catalogue/index.ts';
import { createEngineSync } from '../../lib/policy/create.ts';
import { inProcess } from '../helpers/in-process.ts';
import { assertNoSecret } from '../helpers/secrets.ts';

const GHP = 'ghp_' + 'R7tKq2mWx9LpZ4vN8sB3cD6fG1hJ5kM0yQeT';
const EMAIL = 'alice.smith@example.com';

interface SarifResult {
  ruleId: string;
  ruleIndex: number;
  message: { text: string };
  locations: { physicalLocation: { artifactLocation: { uri: string; uriBaseId?: string }; region: { startLine: number; startColumn: number; endColumn?: number } } }[];
}

describe('cli: egress-guard scan', function () {
  this.timeout(60_000);
  const tree = mkdtempSync(join(tmpdir(), 'eg-scan-'));
  mkdirSync(join(tree, 'logs/old'), { recursive: true });
  mkdirSync(join(tree, '.git'));
  writeFileSync(join(tree, 'logs/app.log'), `started\nuser ${EMAIL} logged in with ${GHP}\n{"level":"info","password":"hunter2-but-longer","n":1}\n`);
  writeFileSync(join(tree, 'logs/old/clean.log'), 'nothing to see\nhere either\n');
  writeFileSync(join(tree, 'logs/old/archive.gz'), Buffer.from([0x1f, 0x8b, 0, 1, 2, 3]));
  writeFileSync(join(tree, '.git/config'), `token ${GHP}\n`);
  const scan = (args: string[], opts: { input?: string } = {}) => inProcess(egressGuard, ['scan', ...args], { cwd: tree, ...opts });

  it('walks directories in name order, skips .git and binary files, and places each finding (exit 1)', async () => {
    const r = await scan(['logs']);
    assert.equal(r.code, 1, r.stderr);
    const rows = r.stdout.trim().split('\n');
    assert.match(rows[0]!, /^logs\/app\.log:2:6 {2}email-address -> mask \(23 chars\)$/);
    assert.match(rows[1]!, /^logs\/app\.log:2:45 {2}github-token -> remove \(40 chars\)$/);
    assert.match(rows[2]!, /^logs\/app\.log:3:\d+ {2}key-name -> remove at password \(the value\)$/);
    assert.match(rows.at(-1)!, /^2 file\(s\), 5 line\(s\), 1 binary file\(s\) skipped: 3 finding\(s\)/);
    assert.notInclude(r.stdout, '.git');
    assertNoSecret(r.stdout + r.stderr, { GHP, EMAIL, password: 'hunter2-but-longer' });
  });

  it('exit 0 with nothing to change; standard input with -', async () => {
    const clean = await scan(['logs/old/clean.log']);
    assert.equal(clean.code, 0, clean.stderr);
    assert.include(clean.stdout, 'nothing the policy would change');
    const piped = await scan(['-'], { input: `a\nb ${GHP}\n` });
    assert.equal(piped.code, 1);
    assert.match(piped.stdout, /^-:2:3 {2}github-token/);
  });

  it('usage errors exit 2 and say what to do', async () => {
    for (const [args, says] of [
      [[], 'name the files or directories'],
      [['--format', 'xml', 'logs'], '--format must be table, json, sarif'],
      [['--channel', 'locations', 'logs'], '--channel must be logs, parameters, exceptions'],
      [['no-such-dir'], 'cannot read no-such-dir (ENOENT)'],
    ] as const) {
      const r = await scan([...args]);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.include(r.stderr, says);
    }
  });

  it('SARIF 2.1.0: rules are detector ids, every region covers exactly what the policy would change', async () => {
    const r = await scan(['--format', 'sarif', 'logs']);
    assert.equal(r.code, 1, r.stderr);
    const log = JSON.parse(r.stdout) as { version: string; runs: { tool: { driver: { name: string; rules: { id: string }[] } }; results: SarifResult[] }[] };
    assert.equal(log.version, '2.1.0');
    const [run] = log.runs;
    assert.equal(run!.tool.driver.name, 'egress-guard');
    const ids = run!.tool.driver.rules.map((rule) => rule.id);
    const known = new Set([...BUILTIN_DETECTORS.map((d) => d.id), 'key-name']);
    for (const id of ids) assert.isTrue(known.has(id), `rule ${id} is a detector id`);
    const engine = createEngineSync('builtin:default');
    for (const result of run!.results) {
      assert.equal(ids[result.ruleIndex], result.ruleId);
      const { artifactLocation, region } = result.locations[0]!.physicalLocation;
      assert.equal(artifactLocation.uriBaseId, '%SRCROOT%');
      const line = readFileSync(join(tree, decodeURIComponent(artifactLocation.uri)), 'utf8').split('\n')[region.startLine - 1]!;
      if (region.endColumn === undefined) continue; // a structured record's field: placed at its key
      const covered = line.slice(region.startColumn - 1, region.endColumn - 1);
      assert.equal(engine.scrubText(covered, 'logs').findings[0]?.detector, result.ruleId, `${result.ruleId}: the region is its match`);
    }
  });

  it('never prints what matched, in any format: every detector example planted in a file', async () => {
    const engine = createEngineSync('builtin:default');
    const lines = BUILTIN_DETECTORS.flatMap((d) => d.examples?.positive ?? []);
    // (A description may show the format by example, as the phone detectors' do: that is not a leak.)
    const described = BUILTIN_DETECTORS.map((d) => d.description).join('\n');
    const matched = lines
      .flatMap((line) => engine.explainText(line, 'logs').map((s) => line.slice(s.start, s.end)))
      .filter((m) => m.length >= 8 && !described.includes(m));
    const dir = mkdtempSync(join(tmpdir(), 'eg-scan-all-'));
    writeFileSync(join(dir, 'planted.log'), lines.join('\n') + '\n');
    for (const format of ['table', 'json', 'sarif']) {
      const r = await inProcess(egressGuard, ['scan', '--format', format, 'planted.log'], { cwd: dir });
      assert.equal(r.code, 1, `${format}: exit 1 on findings`);
      assertNoSecret(r.stdout + r.stderr, matched, `scan --format ${format}`);
    }
  });
});

describe('cli: which policy a command uses', function () {
  this.timeout(30_000);
  // A policy that says so: its own detector removes a word no builtin detector knows.
  const policy = (word: string) =>
    `name: found-${word}\nversion: 1\nextends: [builtin:default]\ndetectors:\n  marker: { pattern: '${word}', keywords: ['${word}'] }\nchannels:\n  logs:\n    values:\n      - { detectors: [marker], action: remove }\n`;
  const project = mkdtempSync(join(tmpdir(), 'eg-discover-'));
  mkdirSync(join(project, 'jobs/nightly'), { recursive: true });
  writeFileSync(join(project, '.egress-guard.yaml'), policy('zebra'));
  writeFileSync(join(project, 'env-policy.yaml'), policy('giraffe'));
  const scrub = (env: NodeJS.ProcessEnv, extra: string[] = []) =>
    inProcess(egressGuard, ['scrub', '--channel', 'logs', ...extra], { cwd: join(project, 'jobs/nightly'), env, input: 'zebra giraffe\n' });

  it('.egress-guard.yaml in a parent directory, and stderr says which', async () => {
    const r = await scrub({});
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, '[REDACTED] giraffe\n');
    assert.match(r.stderr, /^policy found-zebra v1 \(\.egress-guard\.yaml found in \.\.\/\.\.\)$/m);
  });

  it('EGRESS_GUARD_POLICY before the file, --policy before both', async () => {
    const env = await scrub({ EGRESS_GUARD_POLICY: join(project, 'env-policy.yaml') });
    assert.equal(env.stdout, 'zebra [REDACTED]\n', env.stderr);
    assert.include(env.stderr, '(EGRESS_GUARD_POLICY)');
    const flag = await scrub({ EGRESS_GUARD_POLICY: join(project, 'env-policy.yaml') }, ['--policy', 'builtin:default']);
    assert.equal(flag.stdout, 'zebra giraffe\n', flag.stderr);
    assert.include(flag.stderr, 'policy default v1 (--policy)');
  });

  it('builtin:default when nothing is found', async () => {
    const bare = mkdtempSync(join(tmpdir(), 'eg-nopolicy-'));
    const r = await inProcess(egressGuard, ['scrub', '--channel', 'logs'], { cwd: bare, env: {}, input: 'zebra\n' });
    assert.equal(r.stdout, 'zebra\n');
    assert.include(r.stderr, 'policy default v1 (no --policy, EGRESS_GUARD_POLICY or .egress-guard.yaml)');
  });
});
