/**
 * `egress-guard run MODULE`: runs the flow a module default-exports on this machine, reporting to a control
 * plane through the gate (and the audit ledger, with --ledger). Exit 0 when the run succeeds, 1 when it
 * fails, 2 on usage errors.
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Ledger, type Witness } from '../audit/ledger.ts';
import { CloudClient, postWitness } from '../cloud/client.ts';
import { SigningKey } from '../crypto/jose.ts';
import { runFlow, type Flow, type RestartPlan } from '../core/runner.ts';
import { EgressGate } from '../egress/gate.ts';
import { createEngine, DEFAULT_POLICY } from '../policy/create.ts';
import type { Engine } from '../policy/engine.ts';
import { EXIT_CHECK_FAILED, EXIT_OK, UserError, parseCommandArgs, write, type CommandIO } from './io.ts';

export const RUN_USAGE =
  'egress-guard run MODULE [--param k=v ...] [--params-file F] [--policy P] [--key FILE] --cloud URL --token T [--ledger DIR [--signing-key FILE]] [--restart RUN_ID]';

export interface RunSetup {
  flow: Flow<Record<string, unknown>, unknown>;
  params: Record<string, unknown>;
  engine: Engine;
  cloud: string;
  token: string;
  ledgerDir?: string;
  restart?: string;
  spoolDir: string;
  /** Signs ledger checkpoints; each is also reported to the control plane as a witness. */
  signingKey?: SigningKey;
  /** Where the run's own (unscrubbed) logs go locally; default: the console. */
  localTransports?: import('winston').transport[];
}

export async function runCommand(args: string[], io: CommandIO): Promise<number> {
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
    RUN_USAGE,
  );
  const usage = (m: string) => new UserError(`run: ${m}\nusage: ${RUN_USAGE}`);
  if (positionals.length !== 1) throw usage('name exactly one MODULE');
  if (typeof values.cloud !== 'string') throw usage('--cloud URL is required');
  const token = typeof values.token === 'string' ? values.token : io.env.EGRESS_GUARD_TOKEN;
  if (token === undefined || token === '') throw usage('--token T (or EGRESS_GUARD_TOKEN) is required');
  const flow = await loadFlow(resolve(io.cwd, positionals[0]!));
  const params = readParams(values, io);
  const keyFile = typeof values.key === 'string' ? resolve(io.cwd, values.key) : undefined;
  const engine = await createEngine(typeof values.policy === 'string' ? values.policy : DEFAULT_POLICY, {
    cwd: io.cwd,
    env: io.env,
    projectRoot: io.cwd,
    ...(keyFile !== undefined && { locationKeyFile: keyFile }),
  });
  try {
    await engine.checkLocationKey();
  } catch (err) {
    throw usage((err as Error).message);
  }
  let signingKey: SigningKey | undefined;
  if (typeof values['signing-key'] === 'string') {
    if (typeof values.ledger !== 'string') throw usage('--signing-key signs ledger checkpoints: give --ledger DIR too');
    const file = resolve(io.cwd, values['signing-key']);
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      throw usage(`cannot read signing key ${file} (${(err as NodeJS.ErrnoException).code ?? 'error'}); make one with \`egress-guard keys new --signing --out FILE\``);
    }
    signingKey = await SigningKey.fromJson(text, `signing key ${file}`);
  }
  const outcome = await executeRun(
    {
      ...(signingKey !== undefined && { signingKey }),
      flow,
      params,
      engine,
      cloud: values.cloud,
      token,
      spoolDir: resolve(io.cwd, '.egress-guard/spool'),
      ...(typeof values.ledger === 'string' && { ledgerDir: resolve(io.cwd, values.ledger) }),
      ...(typeof values.restart === 'string' && { restart: values.restart }),
    },
    io,
  );
  return outcome.state === 'Success' && outcome.lost === 0 ? EXIT_OK : EXIT_CHECK_FAILED;
}

/** Wires policy, gate, ledger and client around one run; prints a one-line summary on stderr. */
export interface RunOutcome {
  flowRunId: string;
  state: string;
  delivered: number;
  spooled: number;
  /** Items that never reached the control plane and are kept nowhere (withheld or unsaved): the run exits 1. */
  lost: number;
}

export async function executeRun(setup: RunSetup, io: CommandIO): Promise<RunOutcome> {
  const witnesses: Promise<boolean>[] = [];
  // A full disk under the ledger or the spool: said once, as it happens, then counted in the summary.
  const warned = new Set<string>();
  const warnOnce = (what: string, message: string) => {
    if (warned.has(what)) return;
    warned.add(what);
    void write(io.stderr, `egress-guard: ${message}\n`);
  };
  let unrecordedAcks = 0;
  const ledger =
    setup.ledgerDir === undefined
      ? undefined
      : Ledger.open({
          dir: setup.ledgerDir,
          record: setup.engine.policy.audit?.record ?? 'payload',
          ...(setup.signingKey !== undefined && {
            signingKey: setup.signingKey,
            onCheckpoint: (w: Witness) => void witnesses.push(postWitness(setup.cloud, setup.token, w)),
          }),
        });
  try {
    await ledger?.recordPolicy(setup.engine.identity);
  } catch (err) {
    // Nothing has run yet: better not to start than to run a flow whose every item would be withheld.
    await ledger?.close();
    throw new UserError(`run: ${(err as Error).message}; nothing was run`);
  }
  const client = new CloudClient({
    url: setup.cloud,
    token: setup.token,
    spoolDir: setup.spoolDir,
    ...(ledger !== undefined && {
      onDelivered: (ids: string[]) =>
        ids.forEach((id) =>
          ledger.ack(id).catch((err: unknown) => {
            unrecordedAcks++;
            warnOnce('ack', `${(err as Error).message} (deliveries go on; the audit shows them unacknowledged)`);
          }),
        ),
    }),
  });
  const gate = new EgressGate({
    engine: setup.engine,
    sink: client,
    ...(ledger !== undefined && { audit: ledger }),
    env: io.env,
    destination: setup.cloud,
    onPolicyError: (err) => void write(io.stderr, `egress-guard: the policy failed on an item; a placeholder was sent instead (${(err as Error).message})\n`),
    onAuditError: (err) => warnOnce('intent', `${(err as Error).message}; items wait, and none is sent unrecorded`),
  });
  const restart = setup.restart === undefined ? undefined : await restartPlan(setup.cloud, setup.token, setup.restart, setup.engine);
  const outcome = await runFlow(setup.flow, setup.params, {
    gate,
    env: io.env,
    ...(restart !== undefined && { restart }),
    ...(setup.localTransports !== undefined && { localTransports: setup.localTransports }),
  });
  const closed = await client.close({ deadlineMs: 5_000 });
  await ledger?.close();
  await Promise.all(witnesses);
  const notes = [
    closed.spooled > 0 && `${closed.spooled} item(s) stayed in the spool (.egress-guard/spool), delivered on the next run`,
    closed.unsaved > 0 && `${closed.unsaved} item(s) could not be delivered nor spooled (${closed.spoolError}); the audit ledger lists them as unacknowledged`,
    gate.withheld > 0 && `${gate.withheld} item(s) withheld because the audit ledger could not record them; nothing was sent unrecorded, and local results and logs are whole`,
    unrecordedAcks > 0 && `${unrecordedAcks} delivery acknowledgement(s) could not be recorded in the ledger`,
  ].filter((n): n is string => typeof n === 'string');
  const failure = outcome.state === 'Failed' ? ` (${(outcome.error as Error)?.name ?? 'Error'})` : '';
  await write(io.stderr, `flow run ${outcome.flowRunId}: ${outcome.state}${failure}; ${closed.delivered} item(s) delivered${notes.map((n) => `; ${n}`).join('')}\n`);
  return { flowRunId: outcome.flowRunId, state: outcome.state, delivered: closed.delivered, spooled: closed.spooled, lost: closed.unsaved + gate.withheld };
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

function readParams(values: Record<string, unknown>, io: CommandIO): Record<string, unknown> {
  const params: Record<string, unknown> = {};
  if (typeof values['params-file'] === 'string') {
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
  for (const [i, p] of ((values.param as string[] | undefined) ?? []).entries()) {
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
