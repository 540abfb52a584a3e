/**
 * `egress-guard run MODULE`: runs the flow a module default-exports on this machine, reporting to a control
 * plane through the gate (and the audit ledger, with --ledger). Exit 0 when the run succeeds, 1 when it
 * fails, 2 on usage errors.
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Ledger, ledgerId, type Refusal, type Witness } from '../audit/ledger.ts';
import { readLedger } from '../audit/verify.ts';
import { witnessesOf } from '../audit/witness.ts';
import { CloudClient, intentIndex, parseControlPlaneUrl, WitnessReporter } from '../cloud/client.ts';
import { SigningKey } from '../crypto/jose.ts';
import { runFlow, type Flow, type RestartPlan } from '../core/runner.ts';
import type { LocalLogSink } from '../core/logger.ts';
import { auditRecordOf, EgressGate } from '../egress/gate.ts';
import type { GuardedItem } from '../egress/types.ts';
import type { Engine } from '../policy/engine.ts';
import type { Finding } from '../redact/findings.ts';
import { EXIT_CHECK_FAILED, EXIT_OK, UserError, parseCommandArgs, write, type CommandIO } from './io.ts';
import { ledgerSigningKey } from './keys-new.ts';
import { engineFromOptions } from './policy-options.ts';
import { COMMAND_HELP } from './usage.ts';

export interface RunSetup {
  flow: Flow<Record<string, unknown>, unknown>;
  params: Record<string, unknown>;
  engine: Engine;
  /** The control plane's URL (checked by parseControlPlaneUrl: no credentials in it). */
  cloud: string;
  token: string;
  ledgerDir?: string;
  restart?: string;
  spoolDir: string;
  /** Signs ledger checkpoints; each is also reported to the control plane as a witness. */
  signingKey?: SigningKey;
  /** Where the run's own (unscrubbed) logs go locally; default: the console. */
  localTransports?: LocalLogSink[];
}

export async function runFlowCommand(args: string[], io: CommandIO): Promise<number> {
  const { values, positionals } = parseCommandArgs(
    'run',
    args,
    {
      param: { type: 'string', multiple: true },
      'params-file': { type: 'string' },
      policy: { type: 'string' },
      key: { type: 'string' },
      cloud: { type: 'string' },
      token: { type: 'string' },
      ledger: { type: 'string' },
      'signing-key': { type: 'string' },
      restart: { type: 'string' },
    },
    COMMAND_HELP.run.usage,
  );
  const usage = (m: string) => new UserError(`run: ${m}\nusage: ${COMMAND_HELP.run.usage}`);
  if (positionals.length !== 1) throw usage('name exactly one MODULE');
  if (typeof values.cloud !== 'string') throw usage('--cloud URL is required');
  let cloud: string;
  try {
    cloud = parseControlPlaneUrl(values.cloud);
  } catch (err) {
    // Before anything runs or is written: the URL would reach every audit record and every request.
    throw usage(`--cloud: ${(err as Error).message}`);
  }
  const token = typeof values.token === 'string' ? values.token : io.env.EGRESS_GUARD_TOKEN;
  if (token === undefined || token === '') throw usage('--token T (or EGRESS_GUARD_TOKEN) is required');
  const flow = await loadFlow(resolve(io.cwd, positionals[0]!));
  const params = readParams(values, io);
  const engine = await engineFromOptions(values, io, { onError: (err) => void write(io.stderr, policyFailure(err)) });
  try {
    await engine.checkLocationKey();
  } catch (err) {
    throw usage((err as Error).message);
  }
  // A ledger is always signed: with --signing-key FILE, EGRESS_GUARD_SIGNING_KEY, or the default key,
  // made on first use outside the ledger (docs/audit.md). An unsigned ledger proves nothing to an auditor.
  let signingKey: SigningKey | undefined;
  if (typeof values.ledger === 'string') {
    const file = typeof values['signing-key'] === 'string' ? values['signing-key'] : undefined;
    const found = await ledgerSigningKey({ command: 'run', ...(file !== undefined && { file }), env: io.env, cwd: io.cwd, ledgerDir: values.ledger }, (m) => void write(io.stderr, `egress-guard: ${m}\n`));
    signingKey = found.key;
  } else if (typeof values['signing-key'] === 'string') {
    throw usage('--signing-key signs ledger checkpoints: give --ledger DIR too');
  }
  const outcome = await executeRun(
    {
      ...(signingKey !== undefined && { signingKey }),
      flow,
      params,
      engine,
      cloud,
      token,
      spoolDir: resolve(io.cwd, '.egress-guard/spool'),
      ...(typeof values.ledger === 'string' && { ledgerDir: resolve(io.cwd, values.ledger) }),
      ...(typeof values.restart === 'string' && { restart: values.restart }),
    },
    io,
  );
  return outcome.state === 'Success' && outcome.lost === 0 && outcome.rejected === 0 ? EXIT_OK : EXIT_CHECK_FAILED;
}

/** Wires policy, gate, ledger and client around one run; prints a one-line summary on stderr. */
export interface RunOutcome {
  flowRunId: string;
  state: string;
  /** Items the control plane acknowledged (cut ones included). */
  delivered: number;
  spooled: number;
  /** Items cut to fit the control plane's size limit (delivered or spooled cut). */
  cut: number;
  /**
   * Items that never reached the control plane and are kept nowhere (refused, dropped from a full spool,
   * withheld or unsaved): the run exits 1.
   */
  lost: number;
  /** Spooled items refused as altered or injected (CloseResult.rejected): the run exits 1. */
  rejected: number;
}

export async function executeRun(setup: RunSetup, io: CommandIO): Promise<RunOutcome> {
  const cloud = parseControlPlaneUrl(setup.cloud);
  const witness = setup.ledgerDir !== undefined && setup.signingKey !== undefined ? witnessReporter(cloud, setup.token, setup.signingKey, setup.ledgerDir) : undefined;
  // A full disk under the ledger or the spool: said once, as it happens, then counted in the summary.
  const warned = new Set<string>();
  const warnOnce = (what: string, message: string) => {
    if (warned.has(what)) return;
    warned.add(what);
    void write(io.stderr, `egress-guard: ${message}\n`);
  };
  let unrecordedAcks = 0;
  let ledger: Ledger | undefined;
  try {
    ledger =
      setup.ledgerDir === undefined
        ? undefined
        : Ledger.open({
            dir: setup.ledgerDir,
            record: setup.engine.policy.audit?.record ?? 'payload',
            ...(setup.signingKey !== undefined && {
              signingKey: setup.signingKey,
              onCheckpoint: (w: Witness) => witness?.report(w),
            }),
          });
  } catch (err) {
    // A ledger that cannot be opened (its ledger.json damaged, a directory that cannot be written): say
    // which, before anything runs.
    throw new UserError(`run: cannot open the audit ledger in ${setup.ledgerDir}: ${(err as Error).message}; nothing was run`);
  }
  try {
    await ledger?.recordPolicy(setup.engine.identity);
  } catch (err) {
    // Nothing has run yet: better not to start than to run a flow whose every item would be withheld.
    await ledger?.close();
    throw new UserError(`run: ${(err as Error).message}; nothing was run`);
  }
  const refusals = new Set<string>();
  const spoolRejections = new Set<string>();
  const recordRefusal = (refusal: Refusal) =>
    ledger?.refused(refusal).catch((err: unknown) => warnOnce('refused', `${(err as Error).message}; a refusal is not in the audit ledger (the summary below counts it)`));
  const client = new CloudClient({
    url: cloud,
    token: setup.token,
    spoolDir: setup.spoolDir,
    onRefused: (ids, reason) => {
      refusals.add(reason);
      recordRefusal({ by: 'control-plane', reason, count: ids.length, itemIds: ids });
    },
    onSpoolRejected: (ids, reason, lines) => {
      spoolRejections.add(reason);
      recordRefusal({ by: 'spool', reason, count: lines, itemIds: ids });
    },
    ...(ledger !== undefined && {
      // Spooled items are delivered only if this ledger recorded their intent.
      intents: () => intentIndex(readLedger(setup.ledgerDir!).entries),
      onDelivered: (ids: string[]) =>
        ids.forEach((id) =>
          ledger.ack(id).catch((err: unknown) => {
            unrecordedAcks++;
            warnOnce('ack', `${(err as Error).message} (deliveries go on; the audit shows them unacknowledged)`);
          }),
        ),
      // What actually leaves is recorded before it leaves, as the gate records the whole item.
      onCut: (item: GuardedItem, findings: Finding[]) =>
        ledger.intent(auditRecordOf(item, findings, setup.engine.identity, cloud)).catch((err: unknown) => {
          warnOnce('intent', `${(err as Error).message}; items wait, and none is sent unrecorded`);
          throw err;
        }),
    }),
  });
  const gate = new EgressGate({
    engine: setup.engine,
    sink: client,
    ...(ledger !== undefined && { audit: ledger }),
    env: io.env,
    destination: cloud,
    onPolicyError: (err) => void write(io.stderr, policyFailure(err)),
    onAuditError: (err) => warnOnce('intent', `${(err as Error).message}; items wait, and none is sent unrecorded`),
  });
  const restart = setup.restart === undefined ? undefined : await restartPlan(cloud, setup.token, setup.restart, setup.engine);
  const outcome = await runFlow(setup.flow, setup.params, {
    gate,
    env: io.env,
    ...(restart !== undefined && { restart }),
    ...(setup.localTransports !== undefined && { localTransports: setup.localTransports }),
  });
  const closed = await client.close({ deadlineMs: 5_000 });
  await ledger?.close();
  const witnessed = await witness?.settle();
  const cut = closed.cut ?? 0;
  const refused = closed.refused ?? 0;
  const rejected = closed.rejected ?? 0;
  const inLedger = (what: string) => (ledger === undefined ? '' : `; the audit ledger ${what}`);
  const notes = [
    cut > 0 && `${cut} item(s) cut to fit the control plane's size limit (limit:max_item_bytes${inLedger('records what was cut')})`,
    refused > 0 && `${refused} item(s) refused by the control plane (${[...refusals].join(', ')}), not retried${inLedger('records them as refused')}`,
    rejected > 0 && `${rejected} spooled item(s) refused and not delivered: ${[...spoolRejections].join('; ')} (the lines are kept in ${setup.spoolDir}/spool.rejected.jsonl${inLedger('records them as refused')})`,
    closed.spooled > 0 && `${closed.spooled} item(s) stayed in the spool (.egress-guard/spool), delivered on the next run`,
    closed.dropped > 0 && `${closed.dropped} item(s) dropped, oldest first, because the spool was full`,
    closed.unsaved > 0 && `${closed.unsaved} item(s) could not be delivered nor spooled (${closed.spoolError}); the audit ledger lists them as unacknowledged`,
    gate.withheld > 0 && `${gate.withheld} item(s) withheld because the audit ledger could not record them; nothing was sent unrecorded, and local results and logs are whole`,
    unrecordedAcks > 0 && `${unrecordedAcks} delivery acknowledgement(s) could not be recorded in the ledger`,
    witnessed !== undefined && witnessed.refused > 0 && `${witnessed.refused} ledger checkpoint(s) refused by the control plane's witness: ${witnessed.reasons.join('; ')}`,
    witnessed !== undefined && witnessed.unreachable > 0 && `${witnessed.unreachable} ledger checkpoint(s) did not reach the control plane's witness; the next run posts them`,
  ].filter((n): n is string => typeof n === 'string');
  const failure = outcome.state === 'Failed' ? ` (${(outcome.error as Error)?.name ?? 'Error'})` : '';
  await write(io.stderr, `flow run ${outcome.flowRunId}: ${outcome.state}${failure}; ${closed.delivered} item(s) delivered${notes.map((n) => `; ${n}`).join('')}\n`);
  return {
    flowRunId: outcome.flowRunId,
    state: outcome.state,
    delivered: closed.delivered,
    spooled: closed.spooled,
    cut,
    lost: refused + closed.dropped + closed.unsaved + gate.withheld,
    rejected,
  };
}

/**
 * What a run says when the policy failed on a value: the cause's name only, since its message may quote
 * the value (a getter or proxy of the user's that throws with its data).
 */
function policyFailure(err: unknown): string {
  const name = err instanceof Error ? err.name.replace(/[^\w.-]/g, '').slice(0, 60) || 'Error' : typeof err;
  return `egress-guard: the policy failed on an item (${name}; its message is not shown, it may hold the item's data); a placeholder was sent instead\n`;
}

/** Reports each checkpoint to the control plane's witness, posting first those of the ledger it missed. */
function witnessReporter(cloud: string, token: string, key: SigningKey, dir: string): WitnessReporter {
  return new WitnessReporter({ url: cloud, token, jwk: JSON.parse(key.toJson(false)) as Record<string, unknown>, backlog: () => witnessesOf(readLedger(dir), ledgerId(dir)) });
}


/** Asks the control plane what the earlier run did, and decrypts its result locations locally. */
async function restartPlan(cloud: string, token: string, runId: string, engine: Engine): Promise<RestartPlan> {
  let res: Response;
  try {
    res = await fetch(`${cloud}/api/v1/flow-runs/${encodeURIComponent(runId)}`, { headers: { authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(10_000) });
  } catch (err) {
    throw new UserError(`run --restart: the control plane at ${cloud} cannot be reached (${(err as Error).message}); a restart needs it`);
  }
  if (res.status === 404) throw new UserError(`run --restart: no flow run ${runId} for this token`);
  if (!res.ok) throw new UserError(`run --restart: the control plane answered ${res.status}`);
  const run = (await res.json()) as { task_runs?: { task_name?: string; call_index?: number; state?: string; result_location?: string }[] };
  const tasks: RestartPlan['tasks'] = [];
  for (const t of run.task_runs ?? []) {
    if (typeof t.task_name !== 'string' || typeof t.call_index !== 'number' || typeof t.state !== 'string') continue;
    let resultLocation: string | undefined;
    if (typeof t.result_location === 'string') {
      try {
        resultLocation = await engine.decryptLocation(t.result_location);
      } catch {
        resultLocation = undefined; // not ours to read (hashed, removed or another key): the task runs again
      }
    }
    tasks.push({ taskName: t.task_name, callIndex: t.call_index, state: t.state, ...(resultLocation !== undefined && { resultLocation }) });
  }
  return { flowRunId: runId, tasks };
}

async function loadFlow(path: string): Promise<Flow<Record<string, unknown>, unknown>> {
  if (!existsSync(path)) throw new UserError(`run: module ${path} does not exist`);
  let mod: { default?: unknown };
  try {
    mod = (await import(pathToFileURL(path).href)) as { default?: unknown };
  } catch (err) {
    const hint = path.endsWith('.ts') ? ' (TypeScript modules need a loader: run `node --import tsx node_modules/.bin/egress-guard run ...`)' : '';
    throw new UserError(`run: cannot load ${path}: ${(err as Error).message.split('\n')[0]}${hint}`);
  }
  const f = mod.default as Partial<Flow<Record<string, unknown>, unknown>> | undefined;
  if (f === undefined || typeof f.name !== 'string' || typeof f.body !== 'function') {
    throw new UserError(`run: ${path} has no default-exported flow; write \`export default flow({ name }, async (params, ctx) => ...)\``);
  }
  return f as Flow<Record<string, unknown>, unknown>;
}

function readParams(values: { param?: string[]; 'params-file'?: string }, io: CommandIO): Record<string, unknown> {
  const params: Record<string, unknown> = {};
  if (values['params-file'] !== undefined) {
    const file = resolve(io.cwd, values['params-file']);
    let parsed: unknown;
    try {
      parsed = JSON.parse(readFileSync(file, 'utf8'));
    } catch (err) {
      throw new UserError(`run: --params-file ${file}: ${(err as NodeJS.ErrnoException).code ?? 'not valid JSON'}; give a JSON object`);
    }
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new UserError(`run: --params-file ${file} must hold a JSON object`);
    Object.assign(params, parsed);
  }
  for (const [i, p] of (values.param ?? []).entries()) {
    const eq = p.indexOf('=');
    // Not echoed: a mistyped parameter may well be a secret.
    if (eq <= 0) throw new UserError(`run: --param number ${i + 1} must be key=value`);
    const raw = p.slice(eq + 1);
    let value: unknown = raw;
    try {
      value = JSON.parse(raw);
    } catch {
      // not JSON: the string itself
    }
    params[p.slice(0, eq)] = value;
  }
  return params;
}
