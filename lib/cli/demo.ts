/**
 * `egress-guard demo`: starts the reference control plane in-process (free port, temporary data directory
 * and key), runs the example flow with fake secrets planted in every channel (its load step fails the
 * first time, then a restart finishes it), and shows what reached the control plane and how each planted
 * secret was handled.
 */
import { appendFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative, sep } from 'node:path';
import { randomBytes } from 'node:crypto';
import { readLedger } from '../audit/verify.ts';
import { startControlPlane } from '../cloud/server.ts';
import { generateLocationKeySet, SigningKey } from '../crypto/jose.ts';
import { createEngine } from '../policy/create.ts';
import { packageRoot } from '../package-root.ts';
import demoFlow from '../../examples/nightly-etl/flow.ts';
import type { LogInfo } from '../core/logger.ts';
import { EXIT_CHECK_FAILED, EXIT_OK, parseCommandArgs, write, type CommandIO } from './io.ts';
import { executeRun } from './run.ts';
import { COMMAND_HELP } from './usage.ts';

const PLANTED = [
  { what: 'GitHub token', where: 'parameters and logs', value: 'ghp_' + 'R7tKq2mWx9LpZ4vN8sB3cD6fG1hJ5kM0yQeT', rules: ['key-name', 'github-token'] },
  { what: 'customer email', where: 'logs', value: 'alice.smith@example.com', rules: ['email-address'] },
  { what: 'warehouse password', where: 'exception message and traceback', value: 'Wh4reh0usePassw0rd', rules: ['url-credentials'] },
  { what: 'result location (contains the day)', where: 'locations', value: 'nightly-etl/extract-2026-11-23.json', rules: ['location'] },
];

export async function demoCommand(args: string[], io: CommandIO): Promise<number> {
  parseCommandArgs('demo', args, {}, COMMAND_HELP.demo.usage);
  const work = mkdtempSync(join(tmpdir(), 'egress-guard-demo-'));
  const data = join(work, 'control-plane');
  const token = randomBytes(24).toString('hex');
  const keyFile = join(work, 'location.jwk');
  await writeFile(keyFile, await generateLocationKeySet(), { mode: 0o600 });
  const server = await startControlPlane({ port: 0, dataDir: data, tenants: new Map([[token, 'demo']]) });
  const say = (s: string) => write(io.stdout, s + '\n');
  const cwd = process.cwd();
  try {
    // The flow writes its results under ./results: keep them in the demo's directory.
    process.chdir(work);
    const engine = await createEngine('builtin:default', { locationKeyFile: keyFile, env: io.env, projectRoot: work });
    await say(`control plane: ${server.url} (data in ${data})`);
    await say(`policy: ${engine.identity.name} v${engine.identity.version} (sha256 ${engine.identity.sha256.slice(0, 12)})\n`);
    // Local logs stay whole (only the outbound copy is scrubbed): they go to a file in the demo directory.
    const localLog = join(work, 'local.log');
    // The ledger is signed (as `run --ledger` always is): a throwaway key, its public half beside it for --verify.
    const signingKey = await SigningKey.generate();
    const publicKey = join(work, 'signing-key.pub.json');
    writeFileSync(publicKey, signingKey.toJson(false));
    const base = { flow: demoFlow as never, engine, cloud: server.url, token, spoolDir: join(work, 'spool'), ledgerDir: join(work, 'ledger'), signingKey };
    // Local logs, complete and unscrubbed, in a file (JSON lines).
    const local = () => ({ localTransports: [{ log: (info: LogInfo, next: () => void) => (appendFileSync(localLog, String(info[Symbol.for('message')]) + '\n'), next()) }] });
    const params = { day: '2026-11-23', token: PLANTED[0]!.value };
    await say('run 1: the load step fails (its exception carries a password)');
    const first = await executeRun({ ...base, ...local(), params: { ...params, fail_load: true } }, io);
    await say(`run 2: restart of ${first.flowRunId}: finished steps are reloaded from their (encrypted) result locations`);
    const second = await executeRun({ ...base, ...local(), params, restart: first.flowRunId }, io);

    const stored = readFileSync(join(data, 'demo', 'items.jsonl'), 'utf8');
    const items = stored.split('\n').filter(Boolean).map((l) => JSON.parse(l) as { kind: string; channel: string; payload: Record<string, unknown> });
    // Counted as audit-report counts them (every recorded item's payload), so the two agree.
    const recorded = readLedger(join(work, 'ledger')).entries.filter((e) => e.type === 'intent' || e.type === 'blocked');
    const bytes = recorded.reduce((n, e) => n + Number(e.data.bytes ?? 0), 0);
    await say(`\nwhat reached the control plane (${recorded.length} items, ${bytes} bytes of payload; stored in ${join(data, 'demo', 'items.jsonl')}):`);
    for (const item of items) await say(`  ${item.kind.padEnd(8)} ${item.channel.padEnd(10)} ${summarize(item.payload)}`);

    // How each was handled, from what the audit ledger recorded (findings: rule, channel, action).
    const handled = new Map<string, Set<string>>();
    for (const e of readLedger(join(work, 'ledger')).entries) {
      for (const f of (e.data.findings as { detector: string; action: string }[] | undefined) ?? []) {
        const set = handled.get(f.detector) ?? new Set<string>();
        set.add(`${f.action} in ${String(e.data.channel)}`);
        handled.set(f.detector, set);
      }
    }
    await say('\nplanted secrets:');
    let leaked = 0;
    for (const p of PLANTED) {
      const found = stored.includes(p.value);
      if (found) leaked++;
      const how = p.rules.flatMap((r) => [...(handled.get(r) ?? [])].map((h) => `${r}: ${h}`));
      await say(`  ${found ? 'LEAKED ' : 'absent '} ${p.what} (planted in ${p.where})${how.length > 0 ? `: ${how.join('; ')}` : ''}`);
    }
    await say(`\nrun 1: ${first.state}, run 2: ${second.state}. ${leaked === 0 ? 'No planted secret reached the control plane.' : `${leaked} planted secret(s) reached the control plane.`}`);
    await say(`local logs, complete and unscrubbed, stayed on this machine: ${localLog}`);
    await say(`audit ledger: ${join(work, 'ledger')} (try: ${auditReportCommand(cwd)} --ledger ${join(work, 'ledger')} --verify --key ${publicKey})`);
    return leaked === 0 && second.state === 'Success' ? EXIT_OK : EXIT_CHECK_FAILED;
  } finally {
    process.chdir(cwd);
    await server.close();
  }
}

function summarize(payload: Record<string, unknown>): string {
  const text = JSON.stringify(payload);
  return text.length <= 110 ? text : text.slice(0, 107) + '...';
}

/** How to run audit-report from here: `npx audit-report` where the package is installed, its script in a checkout (where no bin is linked). */
function auditReportCommand(cwd: string): string {
  const root = packageRoot();
  return root.split(sep).includes('node_modules') ? 'npx audit-report' : `node ${relative(cwd, join(root, 'dist/lib/cli/audit-report.js')) || '.'}`;
}
