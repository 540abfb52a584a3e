/**
 * One ended span through the policy. A ReadableSpan is read-only by contract and other processors may
 * hold the same object, so it is never written: the result is a new object whose prototype is the
 * original span, with its own copies of every ReadableSpan field: the scrubbed name, attributes, events,
 * links and status message, and the unchanged ids, times, kind, resource and scope. Anything else an
 * exporter reads (an older SDK's `parentSpanId`, `instrumentationLibrary`) comes from the original.
 */
import type { Attributes, Link, SpanStatus } from '@opentelemetry/api';
import type { ReadableSpan, TimedEvent } from '@opentelemetry/sdk-trace-base';
import { BLOCKED_PLACEHOLDER, type Engine } from '../policy/engine.ts';
import type { Finding } from '../redact/findings.ts';
import { guardAttributes } from '../integrations/attributes.ts';
import { exceptionMessage } from '../integrations/exception-text.ts';
import { POLICY_ERROR, under } from '../integrations/findings.ts';

/** A span through the policy: the view for the inner processor, what the policy did, and the payload the ledger records. */
export interface GuardedSpan {
  /** The scrubbed view, for the inner processor. */
  span: ReadableSpan;
  findings: Finding[];
  /** The scrubbed span as JSON, for the ledger. */
  payload: Record<string, unknown>;
}

interface Scrubbed {
  name: string;
  attributes: Attributes;
  events: TimedEvent[];
  links: Link[];
  status: SpanStatus;
}

/**
 * The span as it may leave: name, attributes, events and links under the parameters rules (exception
 * attributes and the status message under the exceptions rules). If the policy or this code fails on it,
 * the view carries a placeholder name and no attributes, events or links (fail closed).
 *
 * @example guardSpan(engine, span).span.name // 'GET /users' (scrubbed)
 */
export function guardSpan(engine: Engine, span: ReadableSpan, onError?: (error: unknown) => void): GuardedSpan {
  const findings: Finding[] = [];
  let scrubbed: Scrubbed;
  try {
    scrubbed = scrub(engine, span, findings);
  } catch (err) {
    onError?.(err);
    findings.length = 0;
    findings.push(POLICY_ERROR);
    scrubbed = { name: BLOCKED_PLACEHOLDER, attributes: {}, events: [], links: [], status: { code: span.status?.code ?? 0 } };
  }
  const view = viewOf(span, scrubbed);
  return { span: view, findings, payload: payloadOf(view) };
}

function scrub(engine: Engine, span: ReadableSpan, findings: Finding[]): Scrubbed {
  const name = engine.scrubText(String(span.name), 'parameters');
  findings.push(...under(name.findings, 'name'));
  const attributes = guardAttributes(engine, span.attributes, 'parameters');
  findings.push(...under(attributes.findings, 'attributes'));
  const events = (span.events ?? []).map((event, i): TimedEvent => {
    const eventName = engine.scrubText(String(event.name), 'parameters');
    findings.push(...under(eventName.findings, `events[${i}].name`));
    const out: TimedEvent = { ...event, name: eventName.text };
    if (event.attributes !== undefined) {
      const a = guardAttributes(engine, event.attributes, 'parameters');
      findings.push(...under(a.findings, `events[${i}].attributes`));
      out.attributes = a.value as Attributes;
    }
    return out;
  });
  const links = (span.links ?? []).map((link, i): Link => {
    const out: Link = { ...link };
    if (link.attributes !== undefined) {
      const a = guardAttributes(engine, link.attributes, 'parameters');
      findings.push(...under(a.findings, `links[${i}].attributes`));
      out.attributes = a.value as Attributes;
    }
    return out;
  });
  const status: SpanStatus = { code: span.status.code };
  if (typeof span.status.message === 'string' && span.status.message !== '') {
    // A status message is most often an error's message: the exceptions rules say what of it goes.
    const message = exceptionMessage(engine, span.status.message);
    findings.push(...under(message.findings, 'status.message'));
    if (message.text !== undefined && message.text !== '') status.message = message.text;
  }
  return { name: name.text, attributes: attributes.value as Attributes, events, links, status };
}

/** Fields of ReadableSpan copied as they are (ids, times, counts, resource and scope: no content). */
const KEPT = ['kind', 'parentSpanContext', 'startTime', 'endTime', 'duration', 'ended', 'resource', 'instrumentationScope', 'droppedAttributesCount', 'droppedEventsCount', 'droppedLinksCount'] as const;

function viewOf(span: ReadableSpan, scrubbed: Scrubbed): ReadableSpan {
  const context = span.spanContext();
  const fields: PropertyDescriptorMap = {
    name: data(scrubbed.name),
    attributes: data(scrubbed.attributes),
    events: data(scrubbed.events),
    links: data(scrubbed.links),
    status: data(scrubbed.status),
    spanContext: data(() => context),
  };
  for (const key of KEPT) fields[key] = data(span[key]);
  return Object.create(span, fields) as ReadableSpan;
}

function data(value: unknown): PropertyDescriptor {
  return { value, enumerable: true, writable: true, configurable: true };
}

function payloadOf(view: ReadableSpan): Record<string, unknown> {
  const context = view.spanContext();
  return {
    traceId: context.traceId,
    spanId: context.spanId,
    ...(view.parentSpanContext?.spanId !== undefined && { parentSpanId: view.parentSpanContext.spanId }),
    name: view.name,
    kind: view.kind,
    startTime: view.startTime,
    endTime: view.endTime,
    status: view.status,
    attributes: view.attributes,
    events: view.events.map((e) => ({ name: e.name, time: e.time, ...(e.attributes !== undefined && { attributes: e.attributes }) })),
    links: view.links.map((l) => ({ traceId: l.context.traceId, spanId: l.context.spanId, ...(l.attributes !== undefined && { attributes: l.attributes }) })),
  };
}
