/**
 * `guardSentry`: every callback at once, over one compiled policy and one ledger, for apps that want the
 * whole door in two lines: the options to spread into `Sentry.init`, and `connect` for the client it
 * returns.
 */
import { engineFor } from '../policy/create.ts';
import type { Engine } from '../policy/engine.ts';
import { guardSentryBreadcrumb, guardSentryLog, guardSentrySpan, type SentryBreadcrumbGuard, type SentryLogGuard, type SentrySpanGuard } from './callbacks.ts';
import type { SentryClientLike } from './client.ts';
import { guardSentryEvent, type SentryEventGuard, type SentryGuardOptions } from './event-guard.ts';

/** What `guardSentry` takes: the callbacks' options, and the client's trace lifecycle. */
export interface SentryGuardAllOptions extends SentryGuardOptions {
  /**
   * The client's `traceLifecycle`. `stream` (the default of @sentry/node 11): spans go out one by one,
   * through `beforeSendSpan`. `static`: they go out in transaction events, through
   * `beforeSendTransaction` (the SDK warns about the callback that does not apply, so only one is set).
   */
  traceLifecycle?: 'stream' | 'static';
}

/** What `guardSentry` returns: the callbacks for `Sentry.init`, and what works on the client it returns. */
export interface SentryGuard {
  /** Spread into `Sentry.init({ dsn, ...guard.options })`. */
  options: {
    beforeSend: SentryEventGuard;
    beforeSendTransaction?: SentryEventGuard;
    beforeBreadcrumb: SentryBreadcrumbGuard;
    beforeSendSpan?: SentrySpanGuard;
    beforeSendLog: SentryLogGuard;
  };
  readonly engine: Engine;
  /** See `SentryEventGuard.connect`: scrubbed sampling contexts, and acks for the ledger. */
  connect(client: SentryClientLike | undefined): void;
  /** What drop rules removed so far: events, breadcrumbs and logs, per rule. */
  dropped(): { events: Record<string, number>; breadcrumbs: Record<string, number>; logs: Record<string, number> };
  /** Resolves when every ledger write started so far is done (before closing the ledger). */
  settled(): Promise<void>;
}

/**
 * All of the Sentry door: `beforeSend`, `beforeBreadcrumb`, `beforeSendLog`, and `beforeSendSpan` or
 * (`traceLifecycle: 'static'`) `beforeSendTransaction`, over one policy (default `builtin:default`).
 *
 * @example
 * const guard = guardSentry({ policy: 'builtin:default' });
 * guard.connect(Sentry.init({ dsn: process.env.SENTRY_DSN, ...guard.options }));
 */
export function guardSentry(options: SentryGuardAllOptions = {}): SentryGuard {
  const engine = engineFor(options.policy, options);
  const shared = { ...options, policy: engine };
  const event = guardSentryEvent(shared);
  const breadcrumb = guardSentryBreadcrumb(shared);
  const span = guardSentrySpan(shared);
  const log = guardSentryLog(shared);
  return {
    options: {
      beforeSend: event,
      ...(options.traceLifecycle === 'static' ? { beforeSendTransaction: event } : { beforeSendSpan: span }),
      beforeBreadcrumb: breadcrumb,
      beforeSendLog: log,
    },
    engine,
    connect: (client) => event.connect(client),
    dropped: () => ({ events: event.dropped(), breadcrumbs: breadcrumb.dropped(), logs: log.dropped() }),
    settled: async () => {
      await Promise.all([event.settled(), span.settled(), log.settled()]);
    },
  };
}
