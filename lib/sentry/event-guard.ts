/**
 * `guardSentryEvent`: the callback for `beforeSend` and `beforeSendTransaction`. It applies the policy to
 * each error, message and transaction event (lib/sentry/event.ts), counts what drop rules remove, fails
 * closed when its own code fails, and, with a ledger, records each event it lets go (an intent) and,
 * once connected to the client, its delivery (an ack).
 */
import { BLOCKED_PLACEHOLDER, type Engine } from '../policy/engine.ts';
import type { Finding } from '../redact/findings.ts';
import type { DoorItem, Receipt } from '../integrations/audit.ts';
import { POLICY_ERROR } from '../integrations/findings.ts';
import { doorSetup, type DoorOptions } from '../integrations/options.ts';
import { onDelivered, scrubDscOf, type SentryClientLike } from './client.ts';
import { Counts } from './counts.ts';
import { guardEvent, METADATA } from './event.ts';

/** What the Sentry callbacks take: the policy, the engine's options (`projectRoot` for stack paths), and the ledger. */
export type SentryGuardOptions = DoorOptions;

/** `beforeSend` and `beforeSendTransaction`, with what the client's hooks add. */
export interface SentryEventGuard {
  <E extends object>(event: E, hint?: unknown): E | null;
  /** The compiled policy. */
  readonly engine: Engine;
  /**
   * Hooks into the client `Sentry.init()` returned: the root span's name in dynamic sampling contexts
   * (envelope headers, outgoing `baggage`) is scrubbed, and, with a ledger, each event the client reports
   * delivered (HTTP 2xx) gets its ack.
   */
  connect(client: SentryClientLike | undefined): void;
  /** Events each drop rule removed so far. */
  dropped(): Record<string, number>;
  /** Resolves when every ledger write started so far is done (before closing the ledger). */
  settled(): Promise<void>;
}

/** Events recorded and not yet reported delivered: at most this many are remembered for their ack. */
const MAX_AWAITING_ACK = 10_000;

/**
 * A `beforeSend` / `beforeSendTransaction` callback applying a policy (default `builtin:default`) to
 * every error, message and transaction event. Returns a new event, or null when a drop rule matches the
 * event's message (never for exceptions without a message, or transactions).
 *
 * @example
 * const guard = guardSentryEvent({ policy: 'builtin:default' });
 * guard.connect(Sentry.init({ dsn, beforeSend: guard, beforeSendTransaction: guard }));
 */
export function guardSentryEvent(options: SentryGuardOptions = {}): SentryEventGuard {
  const { engine, audit } = doorSetup(options, 'sentry');
  const drops = new Counts();
  const awaiting = new Map<string, Receipt>();
  const guard = <E extends object>(event: E): E | null => {
    let out: ReturnType<typeof guardEvent>;
    try {
      out = guardEvent(engine, event);
    } catch (err) {
      options.onError?.(err, 'exceptions');
      // A transaction has nothing valid to send in its place; an error still says that one happened.
      if (safeType(event) !== undefined) return null;
      out = { event: placeholderOf(event), findings: [POLICY_ERROR] };
    }
    if ('dropped' in out) {
      drops.add(out.dropped);
      return null;
    }
    if (audit !== undefined) {
      const receipt = audit.intent(itemOf(out.event, out.findings));
      const id = out.event.event_id;
      if (typeof id === 'string') {
        awaiting.set(id, receipt);
        // The oldest are forgotten: their intents stay in the ledger, unacked.
        if (awaiting.size > MAX_AWAITING_ACK) awaiting.delete(awaiting.keys().next().value!);
      }
    }
    return out.event as E;
  };
  return Object.assign(guard, {
    engine,
    connect(client: SentryClientLike | undefined) {
      if (client === undefined) return;
      scrubDscOf(client, engine);
      if (audit === undefined) return;
      onDelivered(client, (id) => {
        const receipt = awaiting.get(id);
        if (receipt === undefined) return;
        awaiting.delete(id);
        audit.ack(receipt);
      });
    },
    dropped: () => drops.totals(),
    settled: () => audit?.settled() ?? Promise.resolve(),
  });
}

function itemOf(event: Record<string, unknown>, findings: Finding[]): DoorItem {
  const contexts = event.contexts as { trace?: { trace_id?: unknown } } | undefined;
  const traceId = contexts?.trace?.trace_id;
  const kind = event.type === 'transaction' ? 'transaction' : 'event';
  // captureMessage's events carry a synthetic exception too: their message is what they are about.
  const channel = kind === 'transaction' ? 'parameters' : event.message === undefined && event.exception !== undefined ? 'exceptions' : 'logs';
  // The SDK's processing metadata never leaves: it is not part of what is recorded either.
  const { sdkProcessingMetadata: _internal, ...payload } = event;
  return {
    kind,
    channel,
    flowRunId: typeof traceId === 'string' ? traceId : 'sentry',
    ...(typeof event.event_id === 'string' && { taskRunId: event.event_id }),
    findings,
    payload,
  };
}

function safeType(event: object): unknown {
  try {
    return (event as { type?: unknown }).type;
  } catch {
    return 'unreadable';
  }
}

/** An error event that could not be read: its metadata and a fixed message (fail closed). */
function placeholderOf(event: object): Record<string, unknown> {
  const out: Record<string, unknown> = { message: BLOCKED_PLACEHOLDER };
  for (const key of METADATA) {
    try {
      const value = (event as Record<string, unknown>)[key];
      if (value !== undefined) out[key] = value;
    } catch {
      // unreadable metadata stays out
    }
  }
  return out;
}
