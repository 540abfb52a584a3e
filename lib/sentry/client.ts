/**
 * What the callbacks cannot reach, through the client's hooks. The dynamic sampling context (DSC) carries
 * the root span's name (`transaction`) in the header of every envelope of a trace and in the `baggage`
 * header of outgoing requests; Sentry computes it before any callback runs, so its name is scrubbed when
 * the SDK creates it (`createDsc`). And a client reports each event's delivery (`afterSendEvent`): the
 * ack of a ledger's intent.
 */
import type { Engine } from '../policy/engine.ts';

/** The parts of a Sentry client the guard hooks into (a `Client` of any recent @sentry/* SDK). */
export interface SentryClientLike {
  on(hook: 'afterSendEvent', callback: (event: { event_id?: string }, response: { statusCode?: number }) => void): unknown;
  on(hook: 'createDsc', callback: (dsc: { transaction?: string }) => void): unknown;
}

/**
 * Scrubs the root span's name in every dynamic sampling context the client creates.
 *
 * @example scrubDscOf(client, engine); // envelope headers and baggage carry 'GET /reset?token=[REDACTED]'
 */
export function scrubDscOf(client: SentryClientLike, engine: Engine): void {
  client.on('createDsc', (dsc) => {
    // Sentry's hook is there to edit the context it passes.
    if (typeof dsc.transaction === 'string') dsc.transaction = scrubbedName(engine, dsc.transaction);
  });
}

/**
 * A transaction or span name as the parameters rules leave it.
 *
 * @example scrubbedName(engine, 'GET /users/alice.smith@example.com') // 'GET /users/*******************.com'
 */
export function scrubbedName(engine: Engine, name: string): string {
  return engine.scrubText(name, 'parameters').text;
}

/**
 * Calls `delivered(eventId)` for each event the client reports delivered (HTTP 2xx).
 *
 * @example onDelivered(client, (id) => audit.ack(receipts.get(id)));
 */
export function onDelivered(client: SentryClientLike, delivered: (eventId: string) => void): void {
  client.on('afterSendEvent', (event, response) => {
    const status = response.statusCode ?? 0;
    if (typeof event.event_id === 'string' && status >= 200 && status < 300) delivered(event.event_id);
  });
}
