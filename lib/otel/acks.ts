/**
 * Acks for spans and log records. A processor is never told whether its exporter delivered what it handed
 * on: a batch processor exports on its own timer and reports a failure only to OpenTelemetry's global
 * error handler, so even a successful forceFlush() does not prove that earlier batches arrived. The
 * exporter knows: `ackExports(exporter)` wraps one so that each guarded span or log record in a batch the
 * exporter reports as exported gets its ack in the ledger. Without it the ledger holds intents only.
 */
import type { DoorAudit, Receipt } from '../integrations/audit.ts';

/** The guarded items (the views the processors hand on) still waiting for their export result. */
const awaiting = new WeakMap<object, { audit: DoorAudit; receipt: Receipt }>();

/**
 * Marks a guarded item as waiting for its export: the exporter wrapped by `ackExports` acks it.
 *
 * @example awaitExport(view, audit, audit.intent(item));
 */
export function awaitExport(item: object, audit: DoorAudit, receipt: Receipt): void {
  awaiting.set(item, { audit, receipt });
}

/** What an OpenTelemetry exporter's result callback receives (`ExportResult`: code 0 is SUCCESS). */
export interface ExportResultLike {
  code: number;
  error?: Error;
}

/** An OpenTelemetry SpanExporter or LogRecordExporter, as far as acks are concerned. */
export interface ExporterLike {
  export(items: never[], resultCallback: (result: ExportResultLike) => void): void;
}

const SUCCESS = 0;

/**
 * The exporter, reporting each guarded item it exported successfully to the ledger of the guard that
 * handed it on (`GuardSpanProcessor`, `GuardLogRecordProcessor` with a `ledger`). Everything else is the
 * exporter's own: methods are called on it, properties read from it.
 *
 * @example
 * const processor = new GuardSpanProcessor(new BatchSpanProcessor(ackExports(new OTLPTraceExporter())), { ledger });
 */
export function ackExports<E extends ExporterLike>(exporter: E): E {
  const exportAcked = (items: object[], resultCallback: (result: ExportResultLike) => void): void => {
    (exporter.export as (items: object[], cb: (result: ExportResultLike) => void) => void).call(exporter, items, (result) => {
      if (result.code === SUCCESS) {
        for (const item of items) {
          const waiting = awaiting.get(item);
          if (waiting === undefined) continue;
          awaiting.delete(item);
          waiting.audit.ack(waiting.receipt);
        }
      }
      resultCallback(result);
    });
  };
  return new Proxy(exporter, {
    get(target, property) {
      if (property === 'export') return exportAcked;
      const value = Reflect.get(target, property, target) as unknown;
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}
