/** The app's Sentry setup before egress-guard: events go to Sentry as the SDK builds them. */
import * as Sentry from '@sentry/node';

export interface SentryOptions {
  dsn: string;
  /** The SDK's default integrations instrument the whole process; the tests turn them off. */
  defaultIntegrations?: false;
}

export function initSentry(options: SentryOptions): Sentry.NodeClient | undefined {
  const client = Sentry.init({
    dsn: options.dsn,
    integrations: [Sentry.requestDataIntegration()],
    ...(options.defaultIntegrations === false && { defaultIntegrations: false, enableRuntimeChannelInjection: false }),
  });
  return client;
}
