/**
 * End to end over real HTTP: `egress-guard run` as a separate process against the reference control plane
 * (`cloud serve`, also a separate process), real files, real encryption, real ledger.
 */
import { assert } from 'chai';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync, existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LedgerEntry } from '../../lib/audit/ledger.ts';
import { checkpointDigest } from '../../lib/audit/witness.ts';
import { fetchWitnesses, postWitness } from '../../lib/cloud/client.ts';
import { SigningKey } from '../../lib/crypto/jose.ts';
import { canonicalJson, sha256Hex } from '../../lib/crypto/canonical.ts';
import { egressGuard, NODE_FLAGS, REPO, run, TEST_SIGNING_PUBLIC_KEY } from '../helpers/cli.ts';
import { assertNoSecret } from '../helpers/secrets.ts';
import { resign } from '../helpers/audit.ts';

const GHP = 'ghp_' + 'R7tKq2mWx9LpZ4vN8sB3cD6fG1hJ5kM0yQeT';
const TOKEN = 'e2e-tenant-token-0123456789abcdef';

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

async function serve(data: string, port = 0): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, [...NODE_FLAGS, join(REPO, 'lib/cli/egress-guard.ts'), 'cloud', 'serve', '--port', String(port), '--data', data, '--token', TOKEN]);
  const line = await new Promise<string>((resolve, reject) => {
    child.stdout!.once('data', (d: Buffer) => resolve(String(d)));
    child.once('exit', () => reject(new Error('cloud serve exited')));
  });
  return { url: /listening on (\S+)/.exec(line)![1]!, child };
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  child.kill('SIGTERM');
  await new Promise((r) => child.once('close', r));
}

describe('e2e: egress-guard run against the control plane over HTTP', function () {
  this.timeout(60_000);
  // Flow modules live inside the package so they import `egress-guard` as users do.
  const modules = join(REPO, '.doc-examples', 'e2e');
  mkdirSync(modules, { recursive: true });
  const work = mkdtempSync(join(tmpdir(), 'eg-e2e-'));
  const key = join(work, 'loc.jwk');
  const children: ChildProcess[] = [];
  before(async () => {
    assert.equal((await egressGuard(['keys', 'new', '--out', key])).code, 0);
    writeFileSync(
      join(modules, 'flow.ts'),
      `import { flow, task, LocalResult } from 'egress-guard';
const results = new LocalResult({ dir: ${JSON.stringify(join(work, 'results'))}, location: '{flow_name}/{task_name}-{inputs.day}.json' });
const extract = task({ name: 'extract', checkpoint: true, result: results }, async (i: { day: string; token: string }, ctx) => {
  ctx.logger.info('pulling with ' + i.token + ' for carol.jones@example.net');
  return [1, 2, 3];
});
const load = task({ name: 'load', checkpoint: true, result: results }, async (i: { day: string; rows: number[]; fail: boolean }) => {
  if (i.fail) throw new Error('cannot connect to postgres://etl:S3cr3tPassw0rd@db.internal:5432/prod');
  return i.rows.length;
});
export default flow({ name: 'e2e-etl' }, async (p: { day: string; token: string; fail?: boolean }) => {
  const rows = await extract({ day: p.day, token: p.token });
  return load({ day: p.day, rows, fail: p.fail === true });
});
`,
    );
  });
  after(async () => {
    for (const c of children) await stop(c);
  });

  const runFlow = (url: string, extra: string[], env: NodeJS.ProcessEnv = {}) =>
    run(process.execPath, [...NODE_FLAGS, join(REPO, 'lib/cli/egress-guard.ts'), 'run', join(modules, 'flow.ts'), '--cloud', url, '--token', TOKEN, '--key', key, '--param', 'day=2026-11-23', '--param', `token=${GHP}`, ...extra], { cwd: work, env });

  it('planted secrets never reach the data directory; metadata does; the ledger verifies; restart finishes the run', async () => {
    const data = join(work, 'cp1');
    const { url, child } = await serve(data);
    children.push(child);
    const ledger = join(work, 'ledger1');
    const failed = await runFlow(url, ['--param', 'fail=true', '--ledger', ledger]);
    assert.equal(failed.code, 1, failed.stderr);
    const runId = /flow run (\S+): Failed/.exec(failed.stderr)![1]!;
    const stored = readFileSync(join(data, 'default', 'items.jsonl'), 'utf8');
    for (const secret of [GHP, 'carol.jones@example.net', 'S3cr3tPassw0rd', 'extract-2026-11-23']) assertNoSecret(stored, secret);
    for (const meta of ['e2e-etl', '"extract"', '"load"', '"Failed"', '"Success"', '"error"', '"info"', '2026-11-23']) assert.include(stored, meta);

    const restarted = await runFlow(url, ['--restart', runId, '--ledger', ledger]);
    assert.equal(restarted.code, 0, restarted.stderr);
    const after = readFileSync(join(data, 'default', 'items.jsonl'), 'utf8');
    assert.match(after, /"restart_of":"[^"]+"/);
    assert.match(after, /"state":"Cached","result_location":"ey/, 'extract reloaded from its encrypted location, not re-run');
    assertNoSecret(after, GHP);

    const report = await run(process.execPath, [...NODE_FLAGS, join(REPO, 'lib/cli/audit-report.ts'), '--ledger', ledger, '--verify', '--key', TEST_SIGNING_PUBLIC_KEY, '--fail-on', 'unacked']);
    assert.equal(report.code, 0, report.stdout + report.stderr);
    assertNoSecret(report.stdout, GHP);
  });

  it('witnessed checkpoints: a local ledger cut short is caught by audit-report --verify --cloud', async () => {
    const data = join(work, 'cp-witness');
    const { url, child } = await serve(data);
    children.push(child);
    const signing = join(work, 'ckpt.jwk');
    assert.equal((await egressGuard(['keys', 'new', '--signing', '--out', signing])).code, 0);
    const ledger = join(work, 'ledger-witness');
    const r = await runFlow(url, ['--ledger', ledger, '--signing-key', signing]);
    assert.equal(r.code, 0, r.stderr);
    assert.isTrue(existsSync(join(data, 'default', 'witness.jsonl')), 'the head was reported');
    const report = (extra: string[] = []) =>
      run(process.execPath, [...NODE_FLAGS, join(REPO, 'lib/cli/audit-report.ts'), '--ledger', ledger, '--verify', '--key', `${signing}.pub.json`, '--cloud', url, '--token', TOKEN, ...extra]);
    const clean = await report();
    assert.equal(clean.code, 0, clean.stdout + clean.stderr);
    // Cut the ledger short by whole entries: every remaining chain link still verifies locally.
    const seg = join(ledger, 'ledger-000001.jsonl');
    const lines = readFileSync(seg, 'utf8').split('\n').filter(Boolean);
    writeFileSync(seg, lines.slice(0, -3).join('\n') + '\n');
    const cut = await report();
    assert.equal(cut.code, 1);
    assert.include(cut.stdout, 'entries were removed from its end');
    assertNoSecret(cut.stdout + cut.stderr, TOKEN);
  });

  it('witnessed checkpoints: a ledger rewritten and re-signed with the real key after earlier checkpoints were witnessed is caught by audit-report --verify --cloud', async () => {
    const data = join(work, 'cp-rewrite');
    const { url, child } = await serve(data);
    children.push(child);
    const cwd = mkdtempSync(join(tmpdir(), 'eg-e2e-rewrite-'));
    const signing = join(cwd, 'ckpt.jwk');
    assert.equal((await egressGuard(['keys', 'new', '--signing', '--out', signing])).code, 0);
    const ledger = join(cwd, 'ledger');
    const flowArgs = ['run', join(modules, 'flow.ts'), '--cloud', url, '--token', TOKEN, '--key', key, '--param', 'day=2026-11-23', '--param', `token=${GHP}`, '--ledger', ledger, '--signing-key', signing];
    for (let i = 0; i < 2; i++) {
      const r = await run(process.execPath, [...NODE_FLAGS, join(REPO, 'lib/cli/egress-guard.ts'), ...flowArgs], { cwd });
      assert.equal(r.code, 0, r.stderr);
    }
    const id = (JSON.parse(readFileSync(join(ledger, 'ledger.json'), 'utf8')) as { id: string }).id;
    const witnessed = (await fetchWitnesses(url, TOKEN))[id]!.checkpoints;
    assert.isAtLeast(witnessed.length, 2, 'a checkpoint of each run was witnessed');
    const report = (extra: string[]) => run(process.execPath, [...NODE_FLAGS, join(REPO, 'lib/cli/audit-report.ts'), '--ledger', ledger, '--verify', '--key', `${signing}.pub.json`, ...extra]);
    assert.equal((await report(['--cloud', url, '--token', TOKEN])).code, 0, 'clean before');

    // On the machine, with its signing key: the first intent replaced (what was sent, and its digest), every
    // entry of every segment rehashed, every checkpoint re-signed with the real key and chained again.
    const realKey = await SigningKey.fromJson(readFileSync(signing, 'utf8'), 'signing key');
    const segments = readdirSync(ledger).filter((f) => /^ledger-\d{6}\.jsonl$/.test(f)).sort();
    const bySegment = segments.map((f) => readFileSync(join(ledger, f), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as LedgerEntry));
    const firstIntent = bySegment.flat().find((e) => e.type === 'intent')!.seq;
    const innocent = { flow_name: 'e2e-etl', parameters: { day: '1999-01-01' } };
    const flat = await resign(bySegment.flat(), realKey, {
      change: (e) => (e.seq === firstIntent ? { ...e, data: { ...e.data, payload: innocent, payloadSha256: sha256Hex(canonicalJson(innocent)), bytes: Buffer.byteLength(canonicalJson(innocent)) } } : e),
    });
    // Back into the segments they came from.
    const rewritten = bySegment.map((segment) => flat.splice(0, segment.length));
    segments.forEach((f, i) => writeFileSync(join(ledger, f), rewritten[i]!.map((e) => canonicalJson(e)).join('\n') + '\n'));
    const local = await report([]);
    assert.equal(local.code, 0, `every local check passes with the real public key: ${local.stdout}`);

    // The old witness took any head not lower than the last one: re-posting the re-signed checkpoints fooled it.
    const jwk = JSON.parse(realKey.toJson(false)) as Record<string, unknown>;
    for (const e of rewritten.flat().filter((x) => x.type === 'checkpoint')) {
      const answer = await postWitness(url, TOKEN, { ledger_id: id, ...e.data, jwk });
      assert.deepInclude(answer, { ok: false, status: 409, code: 'not-extending' });
    }
    // A checkpoint that extends what was witnessed and seals the rewritten head is taken: it is validly signed.
    const last = rewritten.flat().at(-1)!;
    const claim = { upto_seq: last.seq, head: last.hash, time: new Date().toISOString(), prev_checkpoint: checkpointDigest(witnessed.at(-1)!.jws) };
    assert.deepEqual(await postWitness(url, TOKEN, { ledger_id: id, ...claim, kid: realKey.kid, jws: await realKey.sign(claim), jwk }), { ok: true });
    // The checkpoints witnessed before the rewrite still hold the heads the ledger had.
    const caught = await report(['--cloud', url, '--token', TOKEN]);
    assert.equal(caught.code, 1, caught.stdout + caught.stderr);
    assert.include(caught.stdout, 'differs from the head the control plane witnessed: the ledger was rewritten', caught.stdout.split('\n').filter((l) => !/^20\d\d-/.test(l)).join('\n'));
    assertNoSecret(caught.stdout + caught.stderr, TOKEN);
  });

  it('the control plane being down loses nothing: items wait in the spool and go out on the next run', async () => {
    const port = await freePort();
    const down = await runFlow(`http://127.0.0.1:${port}`, []);
    assert.equal(down.code, 0, 'the flow itself succeeds without the control plane');
    const spooled = Number(/(\d+) item\(s\) stayed in the spool/.exec(down.stderr)?.[1]);
    assert.isAbove(spooled, 5, down.stderr);
    const data = join(work, 'cp2');
    const { url, child } = await serve(data, port);
    children.push(child);
    const next = await runFlow(url, []);
    assert.equal(next.code, 0, next.stderr);
    const stored = readFileSync(join(data, 'default', 'items.jsonl'), 'utf8').split('\n').filter(Boolean);
    const runs = new Set(stored.map((l) => (JSON.parse(l) as { flowRunId: string }).flowRunId));
    assert.equal(runs.size, 2, 'both runs reached the control plane');
    assert.isFalse(readFileSync(join(work, '.egress-guard', 'spool', 'spool.jsonl'), 'utf8').length > 0, 'spool emptied');
    assertNoSecret(stored.join('\n'), GHP);
  });

  it('usage errors exit 2 with a clear message and no secret', async () => {
    const noFlow = join(modules, 'not-a-flow.ts');
    writeFileSync(noFlow, 'export const x = 1;\n');
    const r1 = await run(process.execPath, [...NODE_FLAGS, join(REPO, 'lib/cli/egress-guard.ts'), 'run', noFlow, '--cloud', 'http://127.0.0.1:9', '--token', TOKEN]);
    assert.equal(r1.code, 2);
    assert.include(r1.stderr, 'no default-exported flow');
    const r2 = await runFlow('http://127.0.0.1:9', ['--param', GHP]);
    assert.equal(r2.code, 2);
    assert.include(r2.stderr, 'must be key=value');
    assertNoSecret(r2.stderr, GHP);
    const r3 = await run(process.execPath, [...NODE_FLAGS, join(REPO, 'lib/cli/egress-guard.ts'), 'run', join(modules, 'missing.ts'), '--cloud', 'http://127.0.0.1:9', '--token', TOKEN]);
    assert.equal(r3.code, 2);
    assert.include(r3.stderr, 'does not exist');
    assert.isFalse(existsSync(join(work, 'results', 'nope')));
    for (const [cloud, message] of [
      ['x', '--cloud: the control-plane URL is not an absolute URL'],
      ['ftp://127.0.0.1:9', '--cloud: the control-plane URL must start with http:// or https:// (not ftp://)'],
    ]) {
      const r = await runFlow(cloud!, []);
      assert.equal(r.code, 2, r.stderr);
      assert.include(r.stderr, message!);
    }
  });

  it('a --cloud URL with credentials is refused before anything runs or is written: exit 2, the password nowhere', async () => {
    const password = 'Pr0d-CP-passw0rd-do-not-log';
    const data = join(work, 'cp-credentials');
    const { url, child } = await serve(data);
    children.push(child);
    const cwd = mkdtempSync(join(tmpdir(), 'eg-e2e-credentials-'));
    const withPassword = url.replace('http://', `http://ci-bot:${password}@`);
    const r = await run(
      process.execPath,
      [...NODE_FLAGS, join(REPO, 'lib/cli/egress-guard.ts'), 'run', join(modules, 'flow.ts'), '--cloud', withPassword, '--token', TOKEN, '--key', key, '--param', 'day=2026-11-23', '--ledger', 'ledger', '--restart', 'some-run'],
      { cwd },
    );
    assert.equal(r.code, 2, r.stderr);
    assert.include(r.stderr, `run: --cloud: the control-plane URL ${url.replace('http://', 'http://***@')} carries credentials`);
    assert.include(r.stderr, 'pass the token with --token T or EGRESS_GUARD_TOKEN');
    assert.notMatch(r.stderr, /\n\s+at |internal error/, 'a usage error, not a stack trace');
    assertNoSecret(r.stdout + r.stderr, password);
    assert.deepEqual(readdirSync(cwd), [], 'no ledger, spool or result was written');
    assert.isFalse(existsSync(join(data, 'default', 'items.jsonl')), 'nothing reached the control plane');
  });

  it('egress-guard demo: exit 0, no planted secret in its output or the control plane', async () => {
    const r = await egressGuard(['demo']);
    assert.equal(r.code, 0, r.stderr);
    assert.include(r.stdout, 'No planted secret reached the control plane.');
    assert.match(r.stdout, /run 1: Failed, run 2: Success/);
    for (const secret of [GHP, 'alice.smith@example.com', 'Wh4reh0usePassw0rd']) assertNoSecret(r.stdout + r.stderr, secret);
    // The audit-report command it suggests runs as printed here (a checkout, where no bin is linked), and
    // counts what the demo counted.
    const suggested = /\(try: (.+)\)$/m.exec(r.stdout)?.[1];
    assert.isString(suggested, 'the demo suggests an audit-report command');
    const report = await run('bash', ['-c', `${suggested} --format json`], { cwd: REPO });
    assert.equal(report.code, 0, report.stderr);
    const { summary } = JSON.parse(report.stdout) as { summary: { items: number; bytes: number } };
    assert.include(r.stdout, `(${summary.items} items, ${summary.bytes} bytes of payload;`);
  });
});
