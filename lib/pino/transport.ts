/**
 * `egress-guard/pino-transport`: a pino transport target that applies a policy in pino's worker thread, so
 * the application thread pays only what pino already pays (formatting a line and handing it to the
 * worker). Each line is scrubbed and shipped as the policy says (`ship`, `level`, drop rules with their
 * summaries), optionally recorded in a ledger, and written to a file, a file descriptor, or another
 * transport. pino loads it by path in the worker: see `guardPinoTransport()` in `egress-guard/pino`.
 */
import build from 'pino-abstract-transport';
import { Ledger } from '../audit/ledger.ts';
import { logsShipped } from '../channels/logs.ts';
import { engineFor } from '../policy/create.ts';
import { PinoAudit } from './audit.ts';
import { openDestination } from './destination.ts';
import { PinoLineGuard } from './line.ts';
import { describeDestination, resolveTransportOptions, type PinoTransportOptions } from './transport-options.ts';

export type { PinoTransportOptions } from './transport-options.ts';

/**
 * Builds the transport's stream (pino's worker calls this with the target's `options`).
 *
 * @example
 * // In the application (pino starts a worker that loads this module):
 * const transport = pino.transport({ target: import.meta.resolve('egress-guard/pino-transport'), options: { policy: 'builtin:default', destination: '/var/log/app/out.log' } });
 * const logger = pino(transport);
 */
export default async function egressGuardPinoTransport(given: PinoTransportOptions = {}) {
  const options = resolveTransportOptions(given);
  const engine = engineFor(options.policy, {
    ...(options.cwd !== undefined && { cwd: options.cwd }),
    ...(options.projectRoot !== undefined && { projectRoot: options.projectRoot }),
    ...(options.locationKeyFile !== undefined && { locationKeyFile: options.locationKeyFile }),
  });
  const destination = await openDestination(options);
  const ledger = options.ledger === undefined ? undefined : Ledger.open(typeof options.ledger === 'string' ? { dir: options.ledger } : options.ledger);
  // The worker's warnings reach the application's stderr; a ledger that cannot be written never stops the logs.
  const onError = (err: unknown) => process.emitWarning(err instanceof Error ? err : new Error(String(err)));
  const audit = ledger === undefined ? undefined : new PinoAudit(ledger, engine, { destination: describeDestination(options), onError });
  const lines = new PinoLineGuard(engine, {
    ...(options.messageKey !== undefined && { messageKey: options.messageKey }),
    ...(options.dropSummaryEvery !== undefined && { dropSummaryEvery: options.dropSummaryEvery }),
    ...(audit !== undefined && { audit }),
    shipping: { ship: logsShipped(engine, process.env), level: engine.logs.level },
  });

  const write = async (outs: ReturnType<PinoLineGuard['guard']>) => {
    for (const out of outs) {
      await destination.write(out.text);
      if (out.itemId !== undefined) audit?.ack(out.itemId);
    }
  };

  let consumed: Promise<void> = Promise.resolve();
  return build(
    (source) => {
      consumed = (async () => {
        for await (const line of source as AsyncIterable<string>) await write(lines.guard(line + '\n'));
      })();
      return consumed;
    },
    {
      parse: 'lines',
      async close() {
        // Every line read is written first; then what was dropped since the last summary, then the end.
        await consumed.catch(() => {});
        await write(lines.flush());
        await destination.close();
        await ledger?.close();
      },
    },
  );
}
