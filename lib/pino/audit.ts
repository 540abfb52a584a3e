/**
 * The audit of what pino ships: each record that leaves is recorded in the ledger (channel `logs`) with its
 * findings and digest before it is handed on (intent), and acknowledged once the destination has taken it
 * (ack), as winston's guardTransport does, so `audit-report` lists pino's records with everything else.
 * A ledger that cannot be written never breaks the app's logging: the failure is reported, the record ships.
 */
import { randomUUID } from 'node:crypto';
import type { AuditHook } from '../egress/gate.ts';
import { canonicalJson, sha256Hex } from '../crypto/canonical.ts';
import type { Engine } from '../policy/engine.ts';
import type { Finding } from '../redact/findings.ts';
import type { PinoRecord } from './drops.ts';

/**
 * The flow run id pino's records carry in the ledger (they belong to no flow run).
 *
 * @example
 * audit-report --run pino   # what pino shipped
 */
export const PINO_FLOW_RUN_ID = 'pino';

/**
 * Records pino records in an audit ledger: `intent()` before a record is handed on, `ack()` after.
 *
 * @example
 * const audit = new PinoAudit(ledger, engine, { destination: 'fd:1', onError: console.warn });
 * const id = audit.intent({ level: 30, time: Date.now(), msg: 'started' }, []);
 * audit.ack(id);
 */
export class PinoAudit {
  constructor(
    private readonly ledger: AuditHook,
    private readonly engine: Engine,
    private readonly options: { destination?: string; onError: (error: unknown) => void },
  ) {}

  /** Records that a scrubbed record is about to leave; returns its item id, for `ack()`. */
  intent(record: PinoRecord, findings: Finding[], blocked?: 'policy-error'): string {
    const itemId = randomUUID();
    const json = canonicalJson(record);
    this.settle(() =>
      this.ledger.intent({
        itemId,
        kind: 'logs',
        channel: 'logs',
        flowRunId: PINO_FLOW_RUN_ID,
        time: new Date().toISOString(),
        policy: this.engine.identity,
        ...(this.options.destination !== undefined && { destination: this.options.destination }),
        findings,
        payloadSha256: sha256Hex(json),
        bytes: Buffer.byteLength(json),
        payload: record,
        ...(blocked !== undefined && { blocked }),
      }),
    );
    return itemId;
  }

  /** Records that the destination took the record. */
  ack(itemId: string): void {
    this.settle(() => this.ledger.ack(itemId));
  }

  /** Runs a ledger call without waiting for it; a failure (sync or async) goes to onError, never to the logger. */
  private settle(call: () => void | Promise<void>): void {
    try {
      void Promise.resolve(call()).catch(this.options.onError);
    } catch (err) {
      this.options.onError(err);
    }
  }
}
