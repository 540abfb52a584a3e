/**
 * Starts the example service:
 *   SENTRY_DSN=https://KEY@o0.ingest.sentry.io/0 PORT=3000 node --import tsx examples/sentry-app/server.ts
 * Failures go to Sentry, scrubbed by egress-guard.
 */
import * as Sentry from '@sentry/node';
import { createApp } from './app.ts';
import { initSentry } from './sentry.ts';

initSentry({ dsn: process.env.SENTRY_DSN ?? '' });
const server = createApp().listen(Number(process.env.PORT ?? 3000), '127.0.0.1');
process.on('SIGTERM', () => {
  server.close();
  void Sentry.close(2000);
});
