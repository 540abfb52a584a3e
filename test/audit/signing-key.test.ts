/**
 * `egress-guard run --ledger` signs its ledger without being asked: a key made on first use outside the
 * ledger (docs/audit.md, "The signing key"), or the one named by --signing-key or EGRESS_GUARD_SIGNING_KEY.
 * The command runs in this process against an in-process control plane; the config directory is a
 * temporary one (XDG_CONFIG_HOME), never the user's.
 */
import { assert } from 'chai';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readLedger } from '../../lib/audit/verify.ts';
import { runFlowCommand as runRun } from '../../lib/cli/run.ts';
import { defaultSigningKeyPath, SIGNING_KEY_ENV } from '../../lib/cli/keys-new.ts';
import { startControlPlane, type ControlPlane } from '../../lib/cloud/server.ts';
import { generateLocationKeySet, SigningKey } from '../../lib/crypto/jose.ts';
import type { Report } from '../../lib/audit/report.ts';
import { REPO } from '../helpers/cli.ts';
import { auditReportInProcess, inProcess } from '../helpers/in-process.ts';

const TOKEN = 'signing-key-test-token-0123456789';

describe('run --ledger: the ledger is signed by default', function () {
  this.timeout(60_000);
  let cp: ControlPlane;
  let work: string;
  let flowFile: string;
  let locationKey: string;
  before(async () => {
    work = mkdtempSync(join(tmpdir(), 'eg-sign-'));
    cp = await startControlPlane({ port: 0, dataDir: join(work, 'cp'), tenants: new Map([[TOKEN, 'default']]) });
    flowFile = join(work, 'flow.mts');
    writeFileSync(flowFile, `import { flow } from ${JSON.stringify(join(REPO, 'lib/core/index.ts'))};\nexport default flow({ name: 'signed' }, async () => 1);\n`);
    locationKey = join(work, 'loc.jwk');
    writeFileSync(locationKey, await generateLocationKeySet(), { mode: 0o600 });
  });
  after(async () => {
    await cp.close();
  });

  const run = (cwd: string, env: NodeJS.ProcessEnv, extra: string[] = []) =>
    inProcess(runRun, [flowFile, '--cloud', cp.url, '--token', TOKEN, '--key', locationKey, '--ledger', 'ledger', ...extra], { cwd, env });
  const fresh = () => {
    const cwd = mkdtempSync(join(work, 'run-'));
    return { cwd, env: { XDG_CONFIG_HOME: join(cwd, 'config'), HOME: join(cwd, 'home') } as NodeJS.ProcessEnv };
  };
  const kidsOf = (ledger: string) => [...new Set(readLedger(ledger).entries.filter((e) => e.type === 'checkpoint').map((e) => e.data.kid))];

  it('a key made on first use at $XDG_CONFIG_HOME/egress-guard/signing-key.jwk (mode 0600, its public key beside it), used again by the next run; the ledger verifies with that public key, and only with a key', async () => {
    const { cwd, env } = fresh();
    const first = await run(cwd, env);
    assert.equal(first.code, 0, first.stderr);
    const path = join(cwd, 'config', 'egress-guard', 'signing-key.jwk');
    assert.equal(defaultSigningKeyPath(env), path);
    assert.equal(statSync(path).mode & 0o777, 0o600);
    assert.equal(statSync(join(cwd, 'config', 'egress-guard')).mode & 0o777, 0o700);
    const key = await SigningKey.fromJson(readFileSync(path, 'utf8'), 'made');
    assert.isTrue(key.canSign);
    assert.include(first.stderr, `made the ledger signing key ${key.kid} at ${path} (mode 0600)`);
    assert.notInclude(first.stderr, String((JSON.parse(readFileSync(path, 'utf8')) as { d: string }).d), 'never a key');
    assert.deepEqual(readdirSync(join(cwd, 'config', 'egress-guard')).sort(), ['signing-key.jwk', 'signing-key.jwk.pub.json'], 'no temporary file left');
    const second = await run(cwd, env);
    assert.equal(second.code, 0, second.stderr);
    assert.notInclude(second.stderr, 'made the ledger signing key');
    const ledger = join(cwd, 'ledger');
    assert.deepEqual(kidsOf(ledger), [key.kid], 'both runs signed with it');
    assert.equal(readLedger(ledger).entries.at(-1)!.type, 'checkpoint', 'sealed on close');
    const verified = await auditReportInProcess(['--ledger', ledger, '--verify', '--key', `${path}.pub.json`, '--format', 'json']);
    assert.equal(verified.code, 0, verified.stdout);
    assert.equal((JSON.parse(verified.stdout) as Report).verification.status, 'verified');
    const noKey = await auditReportInProcess(['--ledger', ledger, '--verify']);
    assert.equal(noKey.code, 1, 'signed checkpoints are no proof without the key to check them');
  });

  it('--signing-key and EGRESS_GUARD_SIGNING_KEY come first; a key inside the ledger, a public key, a missing file or an unwritable default place is refused before anything runs, naming the file, never the key', async () => {
    const mine = await SigningKey.generate();
    const keyFile = join(work, 'mine.jwk');
    writeFileSync(keyFile, mine.toJson(true), { mode: 0o600 });
    writeFileSync(`${keyFile}.pub.json`, mine.toJson(false));

    const flag = fresh();
    assert.equal((await run(flag.cwd, flag.env, ['--signing-key', keyFile])).code, 0);
    assert.deepEqual(kidsOf(join(flag.cwd, 'ledger')), [mine.kid]);
    assert.isFalse(existsSync(defaultSigningKeyPath(flag.env)), 'no default key made when one is given');

    const viaEnv = fresh();
    assert.equal((await run(viaEnv.cwd, { ...viaEnv.env, [SIGNING_KEY_ENV]: keyFile })).code, 0);
    assert.deepEqual(kidsOf(join(viaEnv.cwd, 'ledger')), [mine.kid]);

    const refused = async (extra: string[], env: NodeJS.ProcessEnv, message: RegExp) => {
      const { cwd, env: base } = fresh();
      const r = await run(cwd, { ...base, ...env }, extra);
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, message);
      assert.notInclude(r.stderr, 'internal error');
      assert.notInclude(r.stderr, String((JSON.parse(mine.toJson(true)) as { d: string }).d));
      assert.isFalse(existsSync(join(cwd, 'ledger', 'ledger-000001.jsonl')), 'nothing was run or recorded');
      return cwd;
    };
    const inside = fresh();
    mkdirSync(join(inside.cwd, 'ledger'));
    writeFileSync(join(inside.cwd, 'ledger', 'key.jwk'), mine.toJson(true), { mode: 0o600 });
    const r = await run(inside.cwd, inside.env, ['--signing-key', 'ledger/key.jwk']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /run: the signing key \S+ledger\/key\.jwk \(--signing-key\) is inside the ledger directory \S+: whoever can edit the ledger could re-sign it/);
    await refused([], { [SIGNING_KEY_ENV]: `${keyFile}.pub.json` }, /holds only a public key; checkpoints are signed with the private key/);
    await refused(['--signing-key', join(work, 'nope.jwk')], {}, /cannot read the signing key \S+nope\.jwk \(--signing-key: it does not exist\); make one with `egress-guard keys new --signing --out/);
    const blocked = join(work, 'not-a-dir');
    writeFileSync(blocked, 'a file where the config directory should be');
    await refused([], { XDG_CONFIG_HOME: blocked }, /run: cannot make the ledger signing key at \S+ \(E[A-Z]+\); give one with --signing-key FILE or EGRESS_GUARD_SIGNING_KEY/);
    const given = fresh();
    assert.equal((await run(given.cwd, { ...given.env, XDG_CONFIG_HOME: blocked }, ['--signing-key', keyFile])).code, 0, 'a given key never needs the default place');

    // Readable by others: it still signs, with a warning that says how to fix it.
    const loose = join(work, 'loose.jwk');
    writeFileSync(loose, mine.toJson(true));
    chmodSync(loose, 0o644);
    const warned = fresh();
    const w = await run(warned.cwd, warned.env, ['--signing-key', loose]);
    assert.equal(w.code, 0);
    assert.include(w.stderr, `the signing key ${loose} can be read by other users (mode 0644): whoever reads it can re-sign a ledger; chmod 600 ${loose}`);
  });
});
