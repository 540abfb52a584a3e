/**
 * Starts the example service:
 *   COLLECTOR=http://127.0.0.1:4318 PORT=3000 node --import tsx examples/otel-app/server.ts
 * Spans go to COLLECTOR/v1/traces, logs to COLLECTOR/v1/logs, scrubbed by egress-guard.
 */
import { createApp } from './app.ts';
import { startTelemetry } from './telemetry.ts';

const telemetry = startTelemetry({ collector: process.env.COLLECTOR ?? 'http://127.0.0.1:4318' });
const server = createApp(telemetry).listen(Number(process.env.PORT ?? 3000), '127.0.0.1');
process.on('SIGTERM', () => {
  server.close();
  void telemetry.shutdown();
});
