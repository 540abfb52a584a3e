/** The app's Sentry setup with egress-guard: every event, breadcrumb, span and log is scrubbed by the policy first. */
import * as Sentry from '@sentry/node';
import { guardSentry } from 'egress-guard/sentry';

export interface SentryOptions {
  dsn: string;
  /** The SDK's default integrations instrument the whole process; the tests turn them off. */
  defaultIntegrations?: false;
}

export function initSentry(options: SentryOptions): Sentry.NodeClient | undefined {
  const guard = guardSentry({ policy: 'builtin:default' });
  const client = Sentry.init({
    dsn: options.dsn,
    integrations: [Sentry.requestDataIntegration()],
    ...(options.defaultIntegrations === false && { defaultIntegrations: false, enableRuntimeChannelInjection: false }),
    ...guard.options,
  });
  guard.connect(client);
  return client;
}
