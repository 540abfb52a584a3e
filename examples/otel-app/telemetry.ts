/** The app's OpenTelemetry setup with egress-guard: the collector gets spans and logs scrubbed by the policy. */
import { BatchLogRecordProcessor, LoggerProvider } from '@opentelemetry/sdk-logs';
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { GuardLogRecordProcessor, GuardSpanProcessor } from 'egress-guard/otel';
import { JsonHttpExporter } from './exporter.ts';

export interface TelemetryOptions {
  /** The collector that receives traces (`/v1/traces`) and logs (`/v1/logs`). */
  collector: string;
}

export function startTelemetry(options: TelemetryOptions) {
  const traces = new BasicTracerProvider({
    spanProcessors: [
      new GuardSpanProcessor(new BatchSpanProcessor(new JsonHttpExporter(`${options.collector}/v1/traces`)), { policy: 'builtin:default' }),
    ],
  });
  const logs = new LoggerProvider({
    processors: [
      new GuardLogRecordProcessor(new BatchLogRecordProcessor({ exporter: new JsonHttpExporter(`${options.collector}/v1/logs`) }), { policy: 'builtin:default' }),
    ],
  });
  return {
    tracer: traces.getTracer('shop'),
    logger: logs.getLogger('shop'),
    flush: () => Promise.all([traces.forceFlush(), logs.forceFlush()]),
    shutdown: () => Promise.all([traces.shutdown(), logs.shutdown()]),
  };
}
