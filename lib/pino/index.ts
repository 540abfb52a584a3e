/**
 * egress-guard for apps that log with pino. Two doors, one code path (./line.ts):
 * - `guardPino()`: pino options that scrub every line the logger writes, in the application thread, through
 *   pino's `streamWrite` hook. The hook sees the line as it leaves (message with its `%s` arguments,
 *   merging object, mixin, child bindings, what serializers made of errors and requests), so nothing
 *   pino adds later escapes it, and the caller's objects are never touched: only the line is.
 * - `guardPinoTransport()`: the same in pino's worker thread (`egress-guard/pino-transport`), where
 *   the application thread pays nothing more than pino already pays, with the policy's shipping rules.
 * Nothing here imports pino: loading egress-guard without pino installed works.
 */
import { fileURLToPath } from 'node:url';
import type { AuditHook } from '../egress/gate.ts';
import { engineFor, loadAnySync, type PolicyArgument } from '../policy/create.ts';
import type { EngineOptions } from '../policy/engine.ts';
import { PinoAudit } from './audit.ts';
import { PinoLineGuard } from './line.ts';
import { resolveTransportOptions, type PinoTransportOptions } from './transport-options.ts';

export { engineFor, type PolicyArgument } from '../policy/create.ts';
export { guardPinoRecord, type GuardedPinoRecord } from './record.ts';
export { DEFAULT_DROP_SUMMARY_MS, type DropSummary } from './drops.ts';
export type { PinoTransportOptions } from './transport-options.ts';

/**
 * What `guardPino` takes: the policy, the engine's options, and the audit.
 *
 * @example
 * const options: GuardPinoOptions = { policy: 'policies/app.yaml', dropSummaryEvery: 0, ledger: Ledger.open({ dir: '.egress-guard/ledger' }) };
 */
export interface GuardPinoOptions extends EngineOptions {
  /** A policy file, `builtin:NAME`, a policy object or a compiled engine (default `builtin:default`). */
  policy?: PolicyArgument;
  /** Relative policy files are resolved against this directory (default: the working directory). */
  cwd?: string;
  /**
   * How often a drop rule's summary record goes out (ms, default 60 000): the first record a rule drops at
   * a level is replaced by a summary, then one summary per interval counts the rest. 0: one summary per
   * dropped record; Infinity: none (the counts stay available from `dropped()`).
   */
  dropSummaryEvery?: number;
  /** Records every line the logger writes in this audit ledger (channel `logs`): intent, then ack. */
  ledger?: AuditHook;
  /** Where the logger's lines go, for the ledger (a URL, a service name). */
  destination?: string;
  /** The logger's `messageKey`, when not `msg`; it is also set in the options returned. */
  messageKey?: string;
  /** Told when the ledger cannot record a line (the line still goes out). Default: a process warning. */
  onAuditError?: (error: unknown) => void;
}

/**
 * pino options to spread into `pino({...})`, plus the number of records each drop rule removed so far.
 *
 * @example
 * const guard: PinoGuard = guardPino();
 * const logger = pino({ ...guard, level: 'debug' });
 * guard.dropped(); // { '^GET /health ': 12 }
 */
export interface PinoGuard {
  hooks: { streamWrite(line: string): string };
  messageKey?: string;
  /** Not enumerable: spreading the guard into pino's options leaves it out. */
  dropped(): Record<string, number>;
}

const warn = (error: unknown) => process.emitWarning(error instanceof Error ? error : new Error(String(error)));

/**
 * pino options that apply a policy's logs rules to every line the logger writes: the message (after `%s`
 * interpolation), the merging object, child bindings, mixin output and the serialized `err` (its message and
 * stack under the exceptions rules). Drop rules replace records with summaries. The policy's `ship` and
 * `level` are not applied here: this guard is the whole logger's, local destinations included; the
 * transport (`guardPinoTransport`), which is where logs leave, applies them.
 *
 * @example
 * import pino from 'pino';
 * import { guardPino } from 'egress-guard/pino';
 *
 * const logger = pino({ ...guardPino({ policy: 'builtin:default' }), level: 'info' });
 * logger.info({ user: { email: 'alice@example.com' } }, 'deploy with %s', process.env.GITHUB_TOKEN);
 * // {"level":30,"time":…,"pid":…,"hostname":"…","user":{"email":"*************.com"},"msg":"deploy with [REDACTED]"}
 */
export function guardPino(options: GuardPinoOptions = {}): PinoGuard {
  const engine = engineFor(options.policy, options);
  const onAuditError = options.onAuditError ?? warn;
  const audit = options.ledger === undefined ? undefined : new PinoAudit(options.ledger, engine, { ...(options.destination !== undefined && { destination: options.destination }), onError: onAuditError });
  const lines = new PinoLineGuard(engine, {
    ...(options.messageKey !== undefined && { messageKey: options.messageKey }),
    ...(options.dropSummaryEvery !== undefined && { dropSummaryEvery: options.dropSummaryEvery }),
    ...(audit !== undefined && { audit }),
    // The engine's own hook hears the failures it contains; this one the ones it does not.
    onError: options.onError !== undefined ? (error) => options.onError!(error, 'logs') : warn,
  });
  const guard = {
    hooks: {
      streamWrite(line: string): string {
        const out = lines.guard(line);
        // pino hands the returned line to its destination as soon as this returns: the ack follows.
        if (audit !== undefined) queueMicrotask(() => out.forEach((o) => o.itemId !== undefined && audit.ack(o.itemId)));
        return out.length === 1 ? out[0]!.text : out.map((o) => o.text).join('');
      },
    },
    ...(options.messageKey !== undefined && { messageKey: options.messageKey }),
  } as PinoGuard;
  Object.defineProperty(guard, 'dropped', { value: () => lines.dropped(), enumerable: false });
  return guard;
}

/**
 * The module pino's worker loads: the compiled transport, or, when egress-guard runs from its TypeScript
 * sources, a JavaScript loader that registers tsx in the worker first (./transport.source.mjs).
 *
 * @example
 * pino.transport({ target: PINO_TRANSPORT_TARGET, options: { destination: 2 } }); // what guardPinoTransport({ destination: 2 }) gives, unchecked
 */
export const PINO_TRANSPORT_TARGET = fileURLToPath(new URL(import.meta.url.endsWith('.ts') ? './transport.source.mjs' : './transport.js', import.meta.url));

/**
 * A pino transport target: for `pino.transport(...)`, `pino({ transport })` or one of `targets`.
 *
 * @example
 * const target: PinoTransportTarget = guardPinoTransport({ destination: 'shipped.log', level: 'info' });
 * pino({ transport: { targets: [target] } });
 */
export interface PinoTransportTarget {
  target: string;
  options: PinoTransportOptions;
  level?: string;
}

/**
 * The egress-guard transport as a pino transport target, its options checked here (a broken policy throws
 * now, in the application, with its position, rather than in the worker) and its relative paths made
 * absolute. In the worker each line is scrubbed, shipped as the policy says (`ship`, `level`, a record's
 * `ship: false`, drop rules with summaries), optionally recorded in `ledger`, and written to `destination`
 * (a file or a file descriptor, default 1) or to the `forward` transport.
 *
 * @example
 * import pino from 'pino';
 * import { guardPinoTransport } from 'egress-guard/pino';
 *
 * const transport = pino.transport({
 *   targets: [
 *     { target: 'pino/file', options: { destination: 'app.log' } },                     // stays on the machine: full detail
 *     guardPinoTransport({ policy: 'builtin:default', destination: 1, level: 'info' }), // stdout, collected off the machine
 *   ],
 * });
 * const logger = pino(transport);
 */
export function guardPinoTransport(options: PinoTransportOptions & { level?: string } = {}): PinoTransportTarget {
  const { level, ...rest } = options;
  const resolved = resolveTransportOptions(rest);
  if (resolved.policy !== undefined) loadAnySync(resolved.policy, { ...(resolved.cwd !== undefined && { cwd: resolved.cwd }) });
  return { target: PINO_TRANSPORT_TARGET, options: resolved, ...(level !== undefined && { level }) };
}

/**
 * What `closeTransport` needs of the stream `pino.transport()` returns (pino's ThreadStream).
 *
 * @example
 * const transport: ClosableTransport = pino.transport(guardPinoTransport());
 */
export interface ClosableTransport {
  readonly closed?: boolean;
  readonly ready?: boolean;
  ref?(): unknown;
  end(): unknown;
  once(event: string, listener: (...args: unknown[]) => void): unknown;
  off(event: string, listener: (...args: unknown[]) => void): unknown;
}

/**
 * Ends a pino transport and resolves once its worker has written everything and closed (drop summaries
 * still pending included); rejects if the worker fails. pino does this by itself when the process exits;
 * this is for code that needs to know when (a test, a job that reads the file next).
 *
 * @example
 * const transport = pino.transport(guardPinoTransport({ destination: 'shipped.log' }));
 * pino(transport).info('done');
 * await closeTransport(transport);
 * readFileSync('shipped.log', 'utf8'); // '{"level":30,…,"msg":"done"}\n'
 */
export function closeTransport(transport: ClosableTransport): Promise<void> {
  if (transport.closed === true) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const onClose = () => {
      transport.off('error', onError);
      resolve();
    };
    const onError = (err: unknown) => {
      transport.off('close', onClose);
      reject(err instanceof Error ? err : new Error(String(err)));
    };
    transport.once('close', onClose);
    transport.once('error', onError);
    // pino unrefs the worker once it is ready: referenced again, the process waits for the close.
    const end = () => {
      transport.ref?.();
      transport.end();
    };
    if (transport.ready === false) transport.once('ready', end);
    else end();
  });
}
