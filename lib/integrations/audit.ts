/**
 * The audit ledger for the doors of existing apps (spans, log records, Sentry events): an intent with the
 * item's findings and payload digest when the door hands the scrubbed item on, and an ack when the door
 * learns that it was delivered. The door is synchronous where the libraries call it, so the intent is
 * written in the background, as winston's transport does; an ack is only ever written after its intent.
 * Shared by lib/otel and lib/sentry.
 */
import { randomUUID } from 'node:crypto';
import type { AuditHook, AuditRecord } from '../egress/gate.ts';
import { canonicalJson, sha256Hex } from '../crypto/canonical.ts';
import type { PolicyIdentity } from '../policy/types.ts';
import type { Finding } from '../redact/findings.ts';
import { blocked } from './findings.ts';

export interface DoorItem {
  /** What the item is: `span`, `logs`, `event`, `transaction`. */
  kind: AuditRecord['kind'];
  channel: AuditRecord['channel'];
  /** Groups items in the report's `run` column: the trace id, else the door's name. */
  flowRunId: string;
  taskRunId?: string;
  findings: Finding[];
  /** The scrubbed item, as JSON. */
  payload: Record<string, unknown>;
}

export interface DoorAuditOptions {
  policy: PolicyIdentity;
  destination?: string;
  onError: (error: unknown) => void;
}

/** An intent being written: what `ack` needs. */
export interface Receipt {
  itemId: string;
  /** Whether the intent was recorded. */
  written: Promise<boolean>;
}

/**
 * One door's writer to the ledger.
 *
 * @example
 * const audit = new DoorAudit(ledger, { policy: engine.identity, onError: console.warn });
 * audit.ack(audit.intent({ kind: 'span', channel: 'parameters', flowRunId: traceId, findings, payload }));
 */
export class DoorAudit {
  private readonly writes = new Set<Promise<unknown>>();

  constructor(private readonly ledger: AuditHook, private readonly options: DoorAuditOptions) {}

  /**
   * Records the intent to send an item; returns the receipt that `ack` takes.
   *
   * @example const receipt = audit.intent({ kind: 'span', channel: 'parameters', flowRunId: traceId, findings, payload });
   */
  intent(item: DoorItem): Receipt {
    const itemId = randomUUID();
    let written: Promise<boolean>;
    try {
      const json = canonicalJson(item.payload);
      const record: AuditRecord = {
        itemId,
        kind: item.kind,
        channel: item.channel,
        flowRunId: item.flowRunId,
        ...(item.taskRunId !== undefined && { taskRunId: item.taskRunId }),
        time: new Date().toISOString(),
        policy: this.options.policy,
        ...(this.options.destination !== undefined && { destination: this.options.destination }),
        findings: item.findings,
        payloadSha256: sha256Hex(json),
        bytes: Buffer.byteLength(json),
        payload: item.payload,
        ...(blocked(item.findings) && { blocked: 'policy-error' as const }),
      };
      written = Promise.resolve(this.ledger.intent(record)).then(() => true, (err: unknown) => this.failed(err));
    } catch (err) {
      written = Promise.resolve(this.failed(err));
    }
    this.track(written);
    return { itemId, written };
  }

  /**
   * Records that an item was delivered (after its intent; not at all if the intent could not be written).
   *
   * @example audit.ack(receipt);
   */
  ack(receipt: Receipt): void {
    this.track(receipt.written.then(async (ok) => {
      if (ok) await this.ledger.ack(receipt.itemId);
    }).catch((err: unknown) => this.failed(err)));
  }

  /**
   * Resolves when every ledger write started so far is done (before closing the ledger).
   *
   * @example await audit.settled(); await ledger.close();
   */
  async settled(): Promise<void> {
    while (this.writes.size > 0) await Promise.all([...this.writes]);
  }

  private failed(err: unknown): false {
    try {
      this.options.onError(err);
    } catch {
      // a hook that throws must not break the app's telemetry
    }
    return false;
  }

  private track(p: Promise<unknown>): void {
    this.writes.add(p);
    void p.finally(() => this.writes.delete(p));
  }
}
