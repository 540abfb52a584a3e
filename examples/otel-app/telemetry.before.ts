/** The app's OpenTelemetry setup before egress-guard: spans and logs go to the collector as they are. */
import { BatchLogRecordProcessor, LoggerProvider } from '@opentelemetry/sdk-logs';
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { JsonHttpExporter } from './exporter.ts';

export interface TelemetryOptions {
  /** The collector that receives traces (`/v1/traces`) and logs (`/v1/logs`). */
  collector: string;
}

export function startTelemetry(options: TelemetryOptions) {
  const traces = new BasicTracerProvider({
    spanProcessors: [
      new BatchSpanProcessor(new JsonHttpExporter(`${options.collector}/v1/traces`)),
    ],
  });
  const logs = new LoggerProvider({
    processors: [
      new BatchLogRecordProcessor({ exporter: new JsonHttpExporter(`${options.collector}/v1/logs`) }),
    ],
  });
  return {
    tracer: traces.getTracer('shop'),
    logger: logs.getLogger('shop'),
    flush: () => Promise.all([traces.forceFlush(), logs.forceFlush()]),
    shutdown: () => Promise.all([traces.shutdown(), logs.shutdown()]),
  };
}
