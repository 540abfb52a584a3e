/**
 * egress-guard for apps that export traces and logs with OpenTelemetry: processors that sit in front of
 * the SDK's own (simple or batch, any exporter) and hand them scrubbed views of each ended span and each
 * log record, under the same policy as everything else. Spans and records are never modified, so other
 * processors (a local console exporter) keep full detail. Needs @opentelemetry/sdk-trace-base (spans) or
 * @opentelemetry/sdk-logs (logs), which this module only knows by their types: it loads neither.
 */
export { GuardSpanProcessor, type GuardSpanProcessorOptions } from './span-processor.ts';
export { GuardLogRecordProcessor, type GuardLogRecordProcessorOptions } from './log-processor.ts';
export { ackExports, type ExporterLike, type ExportResultLike } from './acks.ts';
export { guardSpan, type GuardedSpan } from './span.ts';
export { guardLogRecord, type GuardedLogRecord } from './log-record.ts';
export { guardAttributes, type GuardedAttributes } from '../integrations/attributes.ts';
export { DROPPED_ATTRIBUTE } from './drop-summary.ts';
export type { DoorOptions } from '../integrations/options.ts';
export { engineFor, type PolicyArgument } from '../policy/create.ts';
