import { assert } from 'chai';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import safeRegex from 'safe-regex';
import { loadPolicy, loadPolicyText, resolvePolicyObject, resolvePolicyObjectSync } from '../../lib/policy/load.ts';
import { PolicyError, type PolicyIssue } from '../../lib/policy/errors.ts';
import { checkRegexSafety } from '../../lib/policy/regex-safety.ts';
import { canonicalJson } from '../../lib/crypto/canonical.ts';
import { KeyReferenceError, readKeyReference } from '../../lib/crypto/keys.ts';
import { NODE_FLAGS, REPO } from '../helpers/cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'eg-policy-'));
function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

async function issuesOf(path: string): Promise<PolicyIssue[]> {
  try {
    await loadPolicy(path);
  } catch (err) {
    if (err instanceof PolicyError) return err.issues;
    throw err;
  }
  assert.fail('the policy should be refused');
}

describe('policy/load', function () {
  this.timeout(60_000);

  it('loads a minimal policy and the builtin ones', async () => {
    const p = await loadPolicy(file('min.yaml', 'name: min\nversion: 1\n'));
    assert.deepEqual(p.policy, { name: 'min', version: 1 });
    assert.match(p.identity.sha256, /^[0-9a-f]{64}$/);
    for (const name of ['default', 'strict', 'pci']) assert.equal((await loadPolicy(`builtin:${name}`)).identity.name, name);
  });

  it('loads a policy using every section (with its key files present)', async () => {
    const keys = join(dir, 'keys');
    writeFileSync(join(dir, 'locations.jwk'), '{}');
    void keys;
    const p = await loadPolicy(
      file(
        'sketch.yaml',
        `name: payments-prod
version: 3
extends: [builtin:default]
detectors:
  internal-account:
    pattern: 'ACCT-[0-9]{8}'
    keywords: ['ACCT-']
    tags: [pii]
channels:
  parameters:
    fields:
      - { path: '**.password', action: remove }
      - { path: 'db.url', action: { replace: '[db-url]' } }
    values: { detectors: [secret, pii], action: mask }
  logs:
    ship: true
    level: info
    drop: ['^healthcheck ']
  exceptions:
    message: { detectors: all, action: replace }
    stack: { frames: 15, paths: relative, usernames: remove }
  locations: { action: encrypt, key: file:locations.jwk }
hash: { key: env:EGRESS_GUARD_HASH_KEY }
tests:
  - channel: logs
    input: 'login with ghp_0123456789abcdefghijklmnopqrstuvwxyzAB'
    expect_absent: ['ghp_0123456789abcdefghijklmnopqrstuvwxyzAB']
`,
      ),
    );
    assert.deepEqual(p.sources, [join(dir, 'sketch.yaml'), 'builtin:default']);
    assert.equal(p.policy.channels?.locations?.key, `file:${join(dir, 'locations.jwk')}`, 'key paths made absolute');
    // Child rules first, then the parent's (first match wins).
    assert.equal(p.policy.channels?.parameters?.fields?.[1]?.path, 'db.url');
    // builtin:default adds no field rules of its own: the key-name classifier covers secret-named keys.
    assert.lengthOf(p.policy.channels?.parameters?.fields ?? [], 2);
    assert.deepEqual((p.policy.channels?.parameters?.values as unknown[])[0], { detectors: ['secret', 'pii'], action: 'mask' });
    assert.deepEqual(p.policy.channels?.logs?.drop, ['^healthcheck ']);
    assert.equal(p.policy.channels?.exceptions?.stack?.frames, 15);
    assert.lengthOf(p.policy.tests!, 1, 'tests are not inherited');
  });

  it('identity: same for the same content in another layout, different for other content', async () => {
    const a = await loadPolicy(file('a.yaml', 'name: x\nversion: 1\nchannels: { logs: { ship: false, level: warn } }\n'));
    const b = await loadPolicy(file('b.json', '{"channels":{"logs":{"level":"warn","ship":false}},"version":1,"name":"x"}'));
    const c = await loadPolicy(file('c.yaml', 'name: x\nversion: 1\nchannels: { logs: { ship: false, level: error } }\n'));
    assert.equal(a.identity.sha256, b.identity.sha256);
    assert.notEqual(a.identity.sha256, c.identity.sha256);
    assert.equal(canonicalJson({ b: 1, a: { d: [1, { f: 2, e: 3 }], c: undefined } }), '{"a":{"d":[1,{"e":3,"f":2}]},"b":1}');
  });

  it('points at an unknown key with a suggestion (chanels:)', async () => {
    const path = file('typo.yaml', 'name: t\nversion: 1\nchanels: {}\n');
    const [issue, ...rest] = await issuesOf(path);
    assert.deepEqual(rest, []);
    assert.deepInclude(issue, { file: path, line: 3, col: 1 });
    assert.equal(issue!.message, 'unknown key "chanels" in policy root (did you mean "channels"?)');
    assert.equal(new PolicyError([issue!]).message, `${path}:3:1: unknown key "chanels" in policy root (did you mean "channels"?)`);
  });

  it('suggests the closest allowed value for a misspelt action or level (hsah, inof)', async () => {
    const path = file('typo-values.yaml', 'name: t\nversion: 1\nchannels:\n  logs:\n    level: inof\n    values: { detectors: [secret], action: hsah }\n');
    const messages = (await issuesOf(path)).map((i) => `${i.line}:${i.col} ${i.message}`);
    assert.deepEqual(messages, [
      '5:12 channels.logs.level: must be one of error, warn, info, http, verbose, debug, silly (did you mean "info"?)',
      '6:44 channels.logs.values.action: invalid value (did you mean "hash"?); expected remove | replace | mask | hash | encrypt | allow, or {replace: TEMPLATE}, or {mask: {keep, char}}.',
    ]);
  });

  it('reports every schema error of a file with its position', async () => {
    const path = file(
      'types.yaml',
      'name: t\nversion: 1\nchannels:\n  exceptions:\n    stack: { frames: "ten" }\n    message: { detectors: all, action: { mask: { keep: -1 } } }\n  logs: { level: loud }\n',
    );
    const issues = await issuesOf(path);
    assert.deepEqual(
      issues.map((i) => `${i.line}:${i.col} ${i.message}`),
      [
        '5:22 channels.exceptions.stack.frames: must be integer',
        '6:56 channels.exceptions.message.action.mask.keep: must be >= 0',
        '7:18 channels.logs.level: must be one of error, warn, info, http, verbose, debug, silly',
      ],
    );
  });

  it('refuses unknown detectors, bad paths, hash without a key and encrypt outside locations', async () => {
    const path = file(
      'semantic.yaml',
      [
        'name: t',
        'version: 1',
        'disable: [github-tokn]',
        'channels:',
        '  logs:',
        '    values: [{ detectors: [secrte], action: hash }, { detectors: all, action: encrypt }]',
        '  parameters:',
        '    fields: [{ path: "a..b", action: remove }]',
        '    allowlist: ["x[y"]',
        '',
      ].join('\n'),
    );
    const issues = await issuesOf(path);
    assert.deepEqual(
      issues.map((i) => `${i.line}:${i.col} ${i.message.split(';')[0]}`),
      [
        '3:11 unknown builtin detector "github-tokn" (did you mean "github-token"?)',
        '6:28 unknown detector or tag "secrte" (did you mean "secret"?)',
        '6:45 the hash action needs a key: add hash: { key: env:NAME } (an unkeyed hash of a secret is a dictionary lookup away from the secret)',
        '6:79 the encrypt action applies to channels.locations.action only',
        '8:22 invalid key path "a..b": empty key at character 3',
        '9:17 invalid key path "x[y": unclosed "[" at character 2',
      ],
    );
  });

  it('refuses custom detectors that shadow builtins or tags, or name a missing group', async () => {
    const path = file(
      'custom.yaml',
      "name: t\nversion: 1\ndetectors:\n  github-token: { pattern: 'x' }\n  secret: { pattern: 'y' }\n  mine: { pattern: 'a(b)', group: 2 }\n",
    );
    const issues = await issuesOf(path);
    assert.deepEqual(
      issues.map((i) => `${i.line}:${i.col} ${i.message.split(';')[0]}`),
      [
        '4:3 detector "github-token" is a builtin detector',
        '5:3 detector id "secret" is a tag',
        '6:35 group 2 does not exist in the pattern',
      ],
    );
  });

  it('extends: unknown builtin, missing file and cycles, positioned at the entry', async () => {
    const bad = file('ext.yaml', 'name: t\nversion: 1\nextends: [builtin:defualt, ./missing.yaml]\n');
    const issues = await issuesOf(bad);
    assert.deepEqual(
      issues.map((i) => `${i.line}:${i.col} ${i.message.split(';')[0]}`),
      ['3:11 unknown builtin policy "builtin:defualt" (did you mean "default"?)', '3:28 cannot read extended policy ./missing.yaml (ENOENT)'],
    );
    file('cyc-a.yaml', 'name: a\nversion: 1\nextends: [./cyc-b.yaml]\n');
    file('cyc-b.yaml', 'name: b\nversion: 1\nextends: [./cyc-a.yaml]\n');
    const cycle = await issuesOf(join(dir, 'cyc-a.yaml'));
    assert.lengthOf(cycle, 1);
    assert.equal(cycle[0]!.file, './cyc-b.yaml');
    assert.match(cycle[0]!.message, /^extends cycle: .*cyc-a\.yaml -> .*cyc-b\.yaml -> .*cyc-a\.yaml/);
    const self = await issuesOf(file('self.yaml', 'name: s\nversion: 1\nextends: [./self.yaml]\n'));
    assert.match(self[0]!.message, /extends cycle/);
  });

  it('refuses a missing key file without reading or printing any key', async () => {
    const path = file('keys.yaml', "name: t\nversion: 1\nchannels:\n  locations: { action: encrypt, key: 'file:nope.jwk' }\n");
    const [issue] = await issuesOf(path);
    assert.deepInclude(issue, { line: 4, col: 38 });
    assert.include(issue!.message, 'egress-guard keys new --out FILE');
    // A variable that is unset defers the check to first use (the builtin policies rely on it).
    await loadPolicy(file('deferred.yaml', "name: t\nversion: 1\nchannels:\n  locations: { action: encrypt, key: 'file:${EG_SURELY_UNSET}' }\n"));
  });

  it('refuses YAML syntax errors, duplicate keys and alias bombs with positions', async () => {
    const syntax = await issuesOf(file('syntax.yaml', 'name: t\nversion: 1\nchannels: [\n'));
    assert.match(syntax[0]!.message, /^YAML syntax error/);
    const dup = await issuesOf(file('dup.yaml', 'name: t\nversion: 1\nname: u\n'));
    assert.deepInclude(dup[0], { line: 3, col: 1 });
    assert.match(dup[0]!.message, /unique/);
    const bomb = ['name: t', 'version: 1', 'description: &a x', ...Array.from({ length: 8 }, (_, i) => `x${i}: &b${i} [${Array(10).fill(i === 0 ? '*a' : `*b${i - 1}`).join(',')}]`)].join('\n');
    const issues = await issuesOf(file('bomb.yaml', bomb));
    assert.isAbove(issues.length, 0);
  });

  it('positions errors in JSON policy files too', async () => {
    const [issue] = await issuesOf(file('bad.json', '{\n  "name": "t",\n  "version": 1,\n  "chanels": {}\n}\n'));
    assert.deepInclude(issue, { line: 4, col: 3 });
  });

  it('resolves policy objects given in code, with the same checks', async () => {
    const p = await resolvePolicyObject({ name: 'inline', version: 2, extends: ['builtin:default'] });
    assert.deepEqual(p.sources, ['<inline>', 'builtin:default']);
    try {
      await resolvePolicyObject({ name: 'inline', version: 2, chanels: {} });
      assert.fail('refused');
    } catch (err) {
      assert.include((err as Error).message, '<inline>:1:1: unknown key "chanels"');
    }
  });

  it('loadPolicyText uses the given name in messages', async () => {
    try {
      await loadPolicyText('name: t\nversion: x\nversion: 2\n', 'text.yaml');
      assert.fail('refused');
    } catch (err) {
      assert.match((err as Error).message, /^text\.yaml:3:1: /);
    }
  });
});

describe('policy/regex-safety', function () {
  this.timeout(60_000);

  it('the asynchronous loads do not block: the event loop runs while recheck checks a policy\'s regexes, and the verdicts are the sync ones', async () => {
    // Patterns no earlier test checked (verdicts are cached for the process): a fresh child process each.
    const tag = `${process.pid}${Date.now()}`;
    const doc = (pattern: string) => ({ name: 'async', version: 1, detectors: { mine: { pattern, keywords: ['acct'] } } });
    let ticks = 0;
    const timer = setInterval(() => ticks++, 5);
    try {
      const loaded = await resolvePolicyObject(doc(`ACCT-${tag}-[0-9]+-[a-z]+`));
      assert.isAbove(ticks, 2, 'timers fired during the load');
      assert.equal(loaded.policy.detectors?.mine?.pattern, `ACCT-${tag}-[0-9]+-[a-z]+`);
    } finally {
      clearInterval(timer);
    }
    const unsafe = `(?:x${tag}|x${tag})*$`;
    const asyncError = await resolvePolicyObject(doc(unsafe)).then(() => undefined, (err: unknown) => err as PolicyError);
    let syncError: PolicyError | undefined;
    try {
      resolvePolicyObjectSync(doc(`(?:y${tag}|y${tag})*$`));
    } catch (err) {
      syncError = err as PolicyError;
    }
    assert.instanceOf(asyncError, PolicyError);
    assert.instanceOf(syncError, PolicyError);
    assert.include(asyncError!.message, 'unsafe or invalid regex (recheck): exponential backtracking');
    assert.equal(asyncError!.message.replaceAll(`x${tag}`, 'X'), syncError!.message.replaceAll(`y${tag}`, 'X'), 'the same verdict and message');
  });

  it('refuses (a|a)*$ by recheck, although safe-regex alone accepts it', async () => {
    assert.isTrue(safeRegex('(a|a)*$'), 'safe-regex misses it: the test is meaningful');
    const v = await checkRegexSafety('(a|a)*$');
    assert.isFalse(v.safe);
    assert.equal(v.safe === false && v.check, 'recheck');
    assert.match(v.safe === false ? v.reason : '', /exponential backtracking/);
  });

  it('refuses (a+)+$ and invalid syntax, saying which check and why', async () => {
    const nested = await checkRegexSafety('(a+)+$');
    assert.deepInclude(nested, { safe: false, check: 'recheck' });
    const syntax = await checkRegexSafety('[unclosed');
    assert.deepInclude(syntax, { safe: false, check: 'syntax' });
    assert.match(syntax.safe === false ? syntax.reason : '', /Unterminated character class/);
  });

  it('accepts ^\\d{5}(-\\d{4})?$ that safe-regex flags, because recheck proves it safe', async () => {
    assert.isFalse(safeRegex('^\\d{5}(-\\d{4})?$'), 'safe-regex flags it: the test is meaningful');
    assert.deepEqual(await checkRegexSafety('^\\d{5}(-\\d{4})?$'), { safe: true, checkedBy: 'recheck' });
  });

  it('refuses an unsafe custom detector pattern at load, naming the check', async () => {
    const path = file('redos.yaml', "name: t\nversion: 1\ndetectors:\n  evil: { pattern: '(a|a)*$' }\n");
    const [issue] = await issuesOf(path);
    assert.deepInclude(issue, { line: 4, col: 20, check: 'recheck' });
    assert.match(issue!.message, /^unsafe or invalid regex \(recheck\): exponential/);
  });
});

describe('policy/load: the files a policy names', function () {
  this.timeout(60_000);

  it('refuses a FIFO and /dev/zero as a policy, an extended policy or a key file, positioned, and never hangs', () => {
    const where = mkdtempSync(join(tmpdir(), 'eg-special-'));
    // A FIFO from mkfifo(1) (Node cannot make one); without it, /dev/zero stands in everywhere.
    const pipe = spawnSync('mkfifo', [join(where, 'pipe')]).status === 0 ? './pipe' : undefined;
    const special = pipe ?? '/dev/zero';
    writeFileSync(join(where, 'extends.yaml'), `name: t\nversion: 1\nextends: ['/dev/zero', '${special}']\n`);
    writeFileSync(join(where, 'keys.yaml'), `name: t\nversion: 1\nhash: { key: 'file:/dev/zero' }\nchannels:\n  locations: { action: encrypt, key: 'file:${special}' }\n`);
    // In a child process, killed after 30 s: reading either the old way blocks (or never ends) for good.
    const script = `
      const { lintPolicyFiles } = await import(${JSON.stringify(pathToFileURL(join(REPO, 'lib/policy/lint.ts')).href)});
      const { readKeyReference } = await import(${JSON.stringify(pathToFileURL(join(REPO, 'lib/crypto/keys.ts')).href)});
      const lint = await lintPolicyFiles(['/dev/zero', ${JSON.stringify(special)}, 'extends.yaml', 'keys.yaml'], ${JSON.stringify(where)});
      const keys = ['file:/dev/zero', 'file:${special}'].map((ref) => {
        try { readKeyReference(ref, { baseDir: ${JSON.stringify(where)}, purpose: 'key', hint: 'fix it' }); return 'read'; } catch (err) { return err.message; }
      });
      console.log(JSON.stringify({ lint, keys }));
    `;
    const t0 = performance.now();
    const r = spawnSync(process.execPath, [...NODE_FLAGS, '--input-type=module', '-e', script], { cwd: where, encoding: 'utf8', timeout: 30_000, killSignal: 'SIGKILL' });
    assert.isUndefined(r.error, `still running after 30 s (${r.error?.message}); stderr: ${r.stderr?.slice(0, 500)}`);
    assert.isBelow(performance.now() - t0, 30_000);
    assert.equal(r.status, 0, r.stderr);
    const { lint, keys } = JSON.parse(r.stdout) as { lint: { file: string; issues: PolicyIssue[] }[]; keys: string[] };
    const kind = pipe !== undefined ? 'a FIFO (named pipe)' : 'a character device';
    const got = lint.map((l) => l.issues.map((i) => `${i.file}:${i.line}:${i.col}: ${i.message}`));
    assert.deepEqual(got, [
      ['/dev/zero:1:1: cannot read policy file (ENOTREG): it is a character device, not a regular file'],
      [`${special}:1:1: cannot read policy file (ENOTREG): it is ${kind}, not a regular file`],
      [
        'extends.yaml:3:11: cannot read extended policy /dev/zero (ENOTREG): it is a character device, not a regular file; extends takes policy files',
        `extends.yaml:3:24: cannot read extended policy ${special} (ENOTREG): it is ${kind}, not a regular file; extends takes policy files`,
      ],
      [
        'keys.yaml:3:14: hash key file /dev/zero cannot be read (ENOTREG): it is a character device, not a regular file; give the path of a key file',
        `keys.yaml:5:38: location key file ${join(where, special)} cannot be read (ENOTREG): it is ${kind}, not a regular file; give the path of a key file`,
      ],
    ]);
    assert.deepEqual(keys, [
      'key: cannot read key file /dev/zero (ENOTREG: it is a character device, not a regular file); fix it',
      `key: cannot read key file ${join(where, special)} (ENOTREG: it is ${kind}, not a regular file); fix it`,
    ]);
  });

  it('stops at 1 MiB for a policy or an extended policy and at 64 KiB for a key file, saying so', async () => {
    const big = file('big.yaml', `name: big\nversion: 1\n# ${'x'.repeat(1024 * 1024)}\n`);
    const [own] = await issuesOf(big);
    assert.deepInclude(own, { line: 1, col: 1, message: 'cannot read policy file (EFBIG): it is larger than 1 MiB, the limit for this file' });
    const [parent] = await issuesOf(file('child-of-big.yaml', 'name: t\nversion: 1\nextends: [./big.yaml]\n'));
    assert.deepInclude(parent, { line: 3, col: 11, message: 'cannot read extended policy ./big.yaml (EFBIG): it is larger than 1 MiB, the limit for this file; extends takes policy files' });
    const keyFile = file('big.key', 'k'.repeat(64 * 1024 + 1));
    const [key] = await issuesOf(file('big-key.yaml', "name: t\nversion: 1\nhash: { key: 'file:big.key' }\n"));
    assert.deepInclude(key, { line: 3, col: 14, message: `hash key file ${keyFile} cannot be read (EFBIG): it is larger than 64 KiB, the limit for this file; give the path of a key file` });
    assert.throws(() => readKeyReference('file:big.key', { baseDir: dir, purpose: 'hash key', hint: 'fix it' }), KeyReferenceError, '(EFBIG: it is larger than 64 KiB');
    // At the limits exactly, both are read.
    writeFileSync(keyFile, 'k'.repeat(64 * 1024));
    assert.equal(readKeyReference('file:big.key', { baseDir: dir, purpose: 'hash key', hint: 'fix it' }).length, 64 * 1024);
    const header = 'name: big\nversion: 1\n# ';
    writeFileSync(big, `${header}${'x'.repeat(1024 * 1024 - header.length - 1)}\n`);
    assert.equal((await loadPolicy(big)).identity.name, 'big');
  });
});
