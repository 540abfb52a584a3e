/**
 * End to end: `egress-guard run` as a separate process against the reference control plane, when what the
 * run reports does not fit (a log record of several MB) or is refused (a wrong token). The summary line
 * must say what happened to every item.
 */
import { assert } from 'chai';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildReport } from '../../lib/audit/report.ts';
import { readLedger } from '../../lib/audit/verify.ts';
import { DEFAULT_MAX_BATCH_BYTES } from '../../lib/cloud/client.ts';
import { MAX_BODY_BYTES, startControlPlane, type ControlPlane } from '../../lib/cloud/server.ts';
import type { GuardedItem } from '../../lib/egress/types.ts';
import { canonicalJson, sha256Hex } from '../../lib/crypto/canonical.ts';
import { egressGuard, NODE_FLAGS, REPO, run } from '../helpers/cli.ts';
import { assertNoSecret } from '../helpers/secrets.ts';
import { assertOnlyRemoves } from '../cloud/only-removes.ts';

const GHP = 'ghp_' + 'R7tKq2mWx9LpZ4vN8sB3cD6fG1hJ5kM0yQeT';
const TOKEN = 'e2e-limits-token-0123456789abcdef';

describe('e2e: what the control plane cannot take or refuses, told truthfully', function () {
  this.timeout(60_000);
  // Flow modules live inside the package so they import `egress-guard` as users do.
  const modules = join(REPO, '.doc-examples', 'e2e-limits');
  const work = mkdtempSync(join(tmpdir(), 'eg-e2e-limits-'));
  const key = join(work, 'loc.jwk');
  let cp: ControlPlane;
  const data = join(work, 'cp');
  before(async () => {
    mkdirSync(modules, { recursive: true });
    assert.equal((await egressGuard(['keys', 'new', '--out', key])).code, 0);
    // 28 records of 216 kB, shipped as one logs item of 6 MB: over the control plane's 5 MiB body limit.
    // Each record stays under the policy's scan limits (one string, one record), so the gate lets it out
    // whole: the size is the client's to handle.
    writeFileSync(
      join(modules, 'big-log.ts'),
      `import { flow, task } from 'egress-guard';
const dump = task({ name: 'dump' }, async (_i: Record<string, never>, ctx) => {
  ctx.logger.info('before the dump');
  for (let k = 0; k < 28; k++) ctx.logger.info('part ' + k + ' ' + 'lorem ipsum dolor sit amet '.repeat(8000) + (k === 27 ? ${JSON.stringify(GHP)} : ''));
  ctx.logger.info('after the dump');
  return 1;
});
export default flow({ name: 'big-log' }, async () => dump({}));
`,
    );
    writeFileSync(join(modules, 'small.ts'), `import { flow } from 'egress-guard';\nexport default flow({ name: 'small' }, async (_p, ctx) => { ctx.logger.info('hello'); return 1; });\n`);
    cp = await startControlPlane({ port: 0, dataDir: data, tenants: new Map([[TOKEN, 'default']]) });
  });
  after(async () => {
    await cp.close();
  });

  // Only the summary line: the flow's local logs (on stderr, never scrubbed) hold the planted token.
  const lastLine = (text: string) => text.trimEnd().split('\n').at(-1) ?? '';
  const runFlow = (module: string, cwd: string, token = TOKEN) =>
    run(process.execPath, [...NODE_FLAGS, join(REPO, 'lib/cli/egress-guard.ts'), 'run', join(modules, module), '--cloud', cp.url, '--token', token, '--key', key, '--ledger', 'ledger'], { cwd });
  const storedFor = (runId: string) =>
    readFileSync(join(data, 'default', 'items.jsonl'), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as GuardedItem)
      .filter((i) => i.flowRunId === runId);

  it('a logs item of several MB: every other item (the final Success too) delivered, that one cut with its finding, exact counts', async () => {
    const cwd = mkdtempSync(join(work, 'big-'));
    const r = await runFlow('big-log.ts', cwd);
    assert.equal(r.code, 0, lastLine(r.stderr));
    const summary = /^flow run (\S+): Success; (\d+) item\(s\) delivered; 1 item\(s\) cut to fit the control plane's size limit \(limit:max_item_bytes; the audit ledger records what was cut\)$/m.exec(r.stderr);
    assert.isNotNull(summary, lastLine(r.stderr));
    const [, runId, delivered] = summary!;

    const stored = storedFor(runId!);
    const { entries, problems } = readLedger(join(cwd, 'ledger'));
    assert.deepEqual(problems, []);
    const intents = entries.filter((e) => e.type === 'intent');
    const ids = [...new Set(intents.map((e) => String(e.data.itemId)))];
    assert.equal(Number(delivered), ids.length, 'the summary counts every item the gate let out');
    assert.sameMembers(stored.map((i) => i.id), ids, 'each of them stored, once');
    assert.sameMembers(entries.filter((e) => e.type === 'ack').map((e) => String(e.data.itemId)), ids, 'and acknowledged');
    assert.isTrue(stored.some((i) => i.kind === 'state' && i.taskRunId === undefined && i.payload.state === 'Success'), 'the final Success state arrived');

    // The cut item: recorded twice, as the gate let it out (over the server's limit) and as it was sent.
    const logs = stored.filter((i) => i.kind === 'logs');
    assert.lengthOf(logs, 1);
    const cut = logs[0]!;
    const [whole, sent] = intents.filter((e) => e.data.itemId === cut.id).map((e) => e.data);
    assert.isAbove(Number(whole!.bytes), MAX_BODY_BYTES);
    assert.isAtMost(Buffer.byteLength(JSON.stringify(cut)), DEFAULT_MAX_BATCH_BYTES);
    assert.equal(sent!.payloadSha256, sha256Hex(canonicalJson(cut.payload)), 'the second intent is what was stored');
    const findings = sent!.findings as { detector: string; path: string; action: string }[];
    assert.isNotEmpty(findings);
    for (const f of findings) {
      assert.deepInclude(f, { detector: 'limit:max_item_bytes', action: 'truncate' });
      assert.match(f.path, /^records\[\d+\]\.message$/);
    }
    assertOnlyRemoves(whole!.payload, cut.payload);
    const report = buildReport([{ dir: join(cwd, 'ledger'), entries, problems, checkpoints: 0 }], {}, { performed: false, signaturesChecked: false });
    const shown = report.items.filter((i) => i.item_id === cut.id);
    assert.lengthOf(shown, 1, 'the report shows the cut item once, as it went out');
    assert.equal(shown[0]!.payload_sha256, sent!.payloadSha256);
    assert.lengthOf(report.items, ids.length, 'one row per item');
    const records = cut.payload.records as { message: string }[];
    assert.lengthOf(records, 30, 'no record dropped, only cut');
    assert.deepEqual([records[0]!.message, records[29]!.message], ['before the dump', 'after the dump'], 'the small records around them are whole');
    assertNoSecret(JSON.stringify(stored) + readFileSync(join(cwd, 'ledger', 'ledger-000001.jsonl'), 'utf8'), GHP);
    assert.equal(readFileSync(join(cwd, '.egress-guard', 'spool', 'spool.jsonl'), 'utf8'), '', 'nothing left in the spool');
  });

  it('items the control plane refuses (a wrong token) are counted as refused, not delivered, and the run exits 1', async () => {
    const cwd = mkdtempSync(join(work, 'refused-'));
    const r = await runFlow('small.ts', cwd, 'not-this-tenants-token-0000000000');
    assert.equal(r.code, 1, lastLine(r.stderr));
    // The ledger's checkpoints are refused by the witness for the same reason, and the line says so.
    const summary = /^flow run \S+: Success; 0 item\(s\) delivered; (\d+) item\(s\) refused by the control plane \(HTTP 401\), not retried; the audit ledger records them as refused(?:; \d+ ledger checkpoint\(s\) refused by the control plane's witness: missing or invalid bearer token)?$/m.exec(r.stderr);
    assert.isNotNull(summary, lastLine(r.stderr));
    const { entries } = readLedger(join(cwd, 'ledger'));
    assert.equal(Number(summary![1]), entries.filter((e) => e.type === 'intent').length);
    assert.deepEqual(entries.filter((e) => e.type === 'ack'), []);
    const refused = entries.filter((e) => e.type === 'refused');
    assert.deepEqual(
      refused.map((e) => [e.data.by, e.data.reason]),
      refused.map(() => ['control-plane', 'HTTP 401']),
    );
    assert.equal(refused.reduce((n, e) => n + Number(e.data.count), 0), Number(summary![1]), 'each refused item is recorded as refused');
  });
});
