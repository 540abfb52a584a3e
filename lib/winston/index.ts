/**
 * egress-guard for apps that log with winston: a format that applies a policy's logs-channel rules to each
 * record, and a transport wrapper that puts it in front of the transports that ship logs off the machine,
 * so local transports keep full detail. Records are copied, never modified.
 */
import { randomUUID } from 'node:crypto';
import TransportStream from 'winston-transport';
import { format, type Logform } from 'winston';
import type { AuditHook } from '../egress/gate.ts';
import { canonicalJson, sha256Hex } from '../policy/canonical.ts';
import { createEngineSync, DEFAULT_POLICY } from '../policy/create.ts';
import type { Engine, EngineOptions } from '../policy/engine.ts';
import type { LoadedPolicy, PolicyDocument } from '../policy/types.ts';
import type { Finding } from '../redact/findings.ts';

const LEVEL = Symbol.for('level');
const MESSAGE = Symbol.for('message');
const SPLAT = Symbol.for('splat');

type Info = Logform.TransformableInfo & { [key: symbol]: unknown };

/**
 * A scrubbed copy of a winston record: its fields through the logs channel (field rules and value
 * detectors), `splat()` arguments and an already formatted message too. `false` when a drop rule removes it.
 */
export function scrubRecord(info: Info, engine: Engine, findings?: Finding[]): Info | false {
  const fields: Record<string, unknown> = {};
  for (const key of Object.keys(info)) fields[key] = info[key];
  const scrubbed = engine.scrubValue(fields, 'logs');
  if (scrubbed.dropped !== undefined) return false;
  findings?.push(...scrubbed.findings);
  const out = { ...(scrubbed.value as Record<string, unknown>) } as Info;
  // Level and routing survive whatever the policy does to the content.
  out.level = info.level;
  out[LEVEL] = info[LEVEL];
  if (info[SPLAT] !== undefined) out[SPLAT] = engine.scrubValue(info[SPLAT], 'logs').value;
  if (typeof info[MESSAGE] === 'string') out[MESSAGE] = engine.scrubText(info[MESSAGE], 'logs').text;
  return out;
}

/** A compiled engine, a policy file, `builtin:NAME`, a policy object or a loaded policy. */
export type PolicyArgument = Engine | string | PolicyDocument | LoadedPolicy;

/** The engine for a policy argument; policies are loaded synchronously, so formats can be made anywhere. */
export function engineFor(policy: PolicyArgument = DEFAULT_POLICY, options: EngineOptions & { cwd?: string } = {}): Engine {
  if (typeof policy === 'object' && 'scrubText' in policy) return policy;
  return createEngineSync(policy, options);
}

/** A winston format applying a policy's logs-channel rules (default `builtin:default`). */
export function guardFormat(policy: PolicyArgument = DEFAULT_POLICY, options: EngineOptions & { cwd?: string } = {}): Logform.Format {
  const engine = engineFor(policy, options);
  return format((info) => scrubRecord(info as Info, engine))();
}

/**
 * Wraps an outbound transport (HTTP, a log service) so that it receives scrubbed records only. The
 * wrapped transport's own level and format still apply, after the guard. With `ledger`, every record that
 * leaves is recorded in the audit ledger (channel `logs`): intent before the transport gets it, ack when
 * the transport has taken it.
 */
export function guardTransport(
  transport: TransportStream,
  options: { policy?: PolicyArgument; engine?: Engine; ledger?: AuditHook; destination?: string } = {},
): TransportStream {
  const engine = options.engine ?? engineFor(options.policy);
  const { ledger } = options;
  const pending = new WeakMap<object, { itemId: string }>();
  const guard =
    ledger === undefined
      ? guardFormat(engine)
      : format((info) => {
          const findings: Finding[] = [];
          const out = scrubRecord(info as Info, engine, findings);
          if (out === false) return false;
          const payload = { ...out } as Record<string, unknown>;
          const json = canonicalJson(payload);
          const itemId = randomUUID();
          void ledger.intent({
            itemId,
            kind: 'logs',
            channel: 'logs',
            flowRunId: 'winston',
            time: new Date().toISOString(),
            policy: engine.identity,
            ...(options.destination !== undefined && { destination: options.destination }),
            findings,
            payloadSha256: sha256Hex(json),
            bytes: Buffer.byteLength(json),
            payload,
          });
          pending.set(out, { itemId });
          return out;
        })();
  const inner = transport as TransportStream & { log?: (info: unknown, next: () => void) => void };
  const formats = inner.format !== undefined ? [guard, inner.format] : [guard];
  const wrapper = new TransportStream({
    format: format.combine(...formats),
    ...(inner.level !== undefined && { level: inner.level }),
    ...(inner.handleExceptions !== undefined && { handleExceptions: inner.handleExceptions }),
  });
  (wrapper as unknown as { log(info: object, next: () => void): void }).log = (info, next) => {
    const item = pending.get(info);
    const done = () => {
      if (item !== undefined) void ledger?.ack(item.itemId);
      next();
    };
    if (typeof inner.log === 'function') inner.log(info, done);
    else done();
  };
  return wrapper;
}
