/**
 * A small JSON-over-HTTP exporter for spans and log records, standing in for the OTLP/HTTP exporters
 * (@opentelemetry/exporter-trace-otlp-http, -logs-otlp-http) so that the example runs without them: it
 * posts each batch as JSON to a collector URL and reports the result as OpenTelemetry exporters do.
 * It knows nothing of egress-guard.
 */
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import type { LogRecordExporter, ReadableLogRecord } from '@opentelemetry/sdk-logs';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base';

export class JsonHttpExporter implements SpanExporter, LogRecordExporter {
  constructor(private readonly url: string) {}

  export(items: ReadableSpan[] | ReadableLogRecord[], done: (result: ExportResult) => void): void {
    const body = JSON.stringify(items.map((item: ReadableSpan | ReadableLogRecord) => (isSpan(item) ? spanJson(item) : logJson(item))));
    fetch(this.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body })
      .then((res) => done({ code: res.ok ? ExportResultCode.SUCCESS : ExportResultCode.FAILED }))
      .catch((error: Error) => done({ code: ExportResultCode.FAILED, error }));
  }

  async shutdown(): Promise<void> {}

  async forceFlush(): Promise<void> {}
}

function isSpan(item: ReadableSpan | ReadableLogRecord): item is ReadableSpan {
  return typeof (item as ReadableSpan).spanContext === 'function';
}

function spanJson(span: ReadableSpan): Record<string, unknown> {
  const { traceId, spanId } = span.spanContext();
  return { traceId, spanId, name: span.name, kind: span.kind, attributes: span.attributes, events: span.events, links: span.links, status: span.status };
}

function logJson(record: ReadableLogRecord): Record<string, unknown> {
  return { traceId: record.spanContext?.traceId, severityText: record.severityText, body: record.body, attributes: record.attributes, eventName: record.eventName };
}
