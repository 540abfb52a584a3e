/**
 * The options every door of an existing app takes (OpenTelemetry's processors, Sentry's callbacks): the
 * policy, the engine's options, and the audit ledger. Shared by lib/otel and lib/sentry.
 */
import type { AuditHook } from '../egress/gate.ts';
import { engineFor, type PolicyArgument } from '../policy/create.ts';
import type { Engine, EngineOptions } from '../policy/engine.ts';
import { DoorAudit } from './audit.ts';

/** What the doors of existing apps take (the OpenTelemetry processors, the Sentry callbacks). */
export interface DoorOptions extends EngineOptions {
  /** A policy file, `builtin:NAME`, a policy object, a loaded policy or a compiled engine (default `builtin:default`). */
  policy?: PolicyArgument;
  /** Relative policy files are resolved against this directory (default: the working directory). */
  cwd?: string;
  /** Records what leaves in this audit ledger (an open `Ledger` from `egress-guard`). */
  ledger?: AuditHook;
  /** Where the items go, for the ledger (a collector's URL, a Sentry project). */
  destination?: string;
  /**
   * Told when the ledger could not record an item (a full disk). The item still goes out: an app's
   * telemetry must not stop because its audit cannot be written; watch for this, such items are missing
   * from the audit. Default: one process warning.
   */
  onAuditError?: (error: unknown) => void;
}

/**
 * The engine and the audit for a door's options.
 *
 * @example const { engine, audit } = doorSetup({ policy: 'builtin:default' }, 'otel'); // audit: undefined without a ledger
 */
export function doorSetup(options: DoorOptions, door: string): { engine: Engine; audit: DoorAudit | undefined } {
  const engine = engineFor(options.policy, options);
  const audit = options.ledger === undefined ? undefined : new DoorAudit(options.ledger, {
    policy: engine.identity,
    ...(options.destination !== undefined && { destination: options.destination }),
    onError: options.onAuditError ?? warnOnce(door),
  });
  return { engine, audit };
}

function warnOnce(door: string): (error: unknown) => void {
  let warned = false;
  return (error) => {
    if (warned) return;
    warned = true;
    const reason = error instanceof Error ? error.message : String(error);
    process.emitWarning(`egress-guard (${door}): the audit ledger could not record an item, which still went out: ${reason}`, 'EgressGuardAuditWarning');
  };
}
