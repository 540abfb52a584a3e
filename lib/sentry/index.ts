/**
 * egress-guard for apps that report errors to Sentry: callbacks for the Sentry SDK's `beforeSend`,
 * `beforeSendTransaction`, `beforeBreadcrumb`, `beforeSendSpan` and `beforeSendLog` options that apply
 * the same policy as everything else to what the SDK is about to send (exceptions and their stack
 * frames, messages, breadcrumbs, request data, user, extra, contexts, tags, spans, logs), and can record
 * it in the audit ledger. The app's own `Sentry.init` loads the SDK: this module loads nothing of it, and
 * takes any object of the SDK's shapes, so one build fits the SDK versions the peer range allows.
 */
export { guardSentryEvent, type SentryEventGuard, type SentryGuardOptions } from './event-guard.ts';
export { guardSentryBreadcrumb, guardSentrySpan, guardSentryLog, type SentryBreadcrumbGuard, type SentrySpanGuard, type SentryLogGuard } from './callbacks.ts';
export { guardSentry, type SentryGuard, type SentryGuardAllOptions } from './guard-all.ts';
export type { SentryClientLike } from './client.ts';
export { guardEvent, type GuardedEvent } from './event.ts';
export { engineFor, type PolicyArgument } from '../policy/create.ts';
