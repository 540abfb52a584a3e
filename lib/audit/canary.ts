/**
 * The canary: proof that a policy does what it claims. It plants the builtin detectors' own example
 * secrets and personal data in every channel of a synthetic flow (parameters, log records, exception
 * messages and tracebacks, result locations), runs it through the real runner, gate and client against an
 * in-process control plane, and reports, per channel and per detector, whether anything reached it.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import winston from 'winston';
import { CloudClient } from '../cloud/client.ts';
import { startControlPlane } from '../cloud/server.ts';
import { runFlow } from '../core/runner.ts';
import type { Result } from '../core/results.ts';
import { flow, task } from '../core/flow.ts';
import { compileScanner } from '../detect/scanner.ts';
import { EgressGate } from '../egress/gate.ts';
import type { Engine } from '../policy/engine.ts';

/** Where plants go, plus `metadata` (names, states, counts), where none may ever show up. */
export const CANARY_CHANNELS = ['parameters', 'logs', 'exceptions', 'locations', 'metadata'] as const;

export interface CanaryCell {
  detector: string;
  channel: (typeof CANARY_CHANNELS)[number];
  leaked: boolean;
}

export interface CanaryReport {
  policy: string;
  planted: number;
  items: number;
  cells: CanaryCell[];
  leaks: number;
}

interface Plant {
  detector: string;
  text: string;
  /** The sensitive parts the detector finds in the text: none of them may reach the control plane. */
  secrets: string[];
}

/** One plant per builtin detector in the engine's catalogue: its first positive example that it detects. */
export function canaryPlants(engine: Engine): Plant[] {
  const plants: Plant[] = [];
  for (const d of engine.detectors) {
    const scanner = compileScanner([d]);
    for (const text of d.examples?.positive ?? []) {
      const secrets = scanner.scan(text).map((m) => text.slice(m.start, m.end));
      if (secrets.length > 0) {
        plants.push({ detector: d.id, text, secrets });
        break;
      }
    }
  }
  return plants;
}

/** A Result that reports a planted text as its location: the locations channel sees it as is. */
class PlantedLocation implements Result {
  constructor(readonly location: string) {}
  async write(): Promise<string> {
    return this.location;
  }
  async read(): Promise<unknown> {
    return null;
  }
  async exists(): Promise<boolean> {
    return false;
  }
}

export async function runCanary(engine: Engine): Promise<CanaryReport> {
  const plants = canaryPlants(engine);
  const work = mkdtempSync(join(tmpdir(), 'egress-guard-canary-'));
  const token = randomBytes(24).toString('hex');
  const server = await startControlPlane({ port: 0, dataDir: join(work, 'cp'), tenants: new Map([[token, 'canary']]) });
  try {
    const client = new CloudClient({ url: server.url, token, spoolDir: join(work, 'spool') });
    const gate = new EgressGate({ engine, sink: client });
    const canaryFlow = flow({ name: 'canary' }, async (params: Record<string, unknown>, ctx) => {
      for (const [i, p] of plants.entries()) {
        ctx.logger.info(`planted ${i}: ${p.text}`, { note: p.text });
        // Exceptions: the message (and so the traceback header) carries the plant.
        await task({ name: `fails-${i}` }, async () => {
          throw new Error(`planted ${i}: ${p.text}`);
        })({}).catch(() => undefined);
        // Locations: a result whose location is the plant itself.
        await task({ name: `located-${i}`, checkpoint: true, result: new PlantedLocation(p.text) }, async () => 1)({});
      }
      return Object.keys(params).length;
    });
    const params = Object.fromEntries(plants.map((p, i) => [`planted_${i}`, p.text]));
    await runFlow(canaryFlow, params, { gate, localTransports: [new winston.transports.Console({ silent: true })] });
    await client.close({ deadlineMs: 10_000 });
    const stored = readFileSync(join(work, 'cp', 'canary', 'items.jsonl'), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { channel: string; kind: string; payload: unknown });
    // What each channel sent, as stored (a traceback is a log record of the exceptions channel).
    const byChannel = new Map<string, string>();
    for (const item of stored) byChannel.set(item.channel, (byChannel.get(item.channel) ?? '') + JSON.stringify(item.payload));
    const cells: CanaryCell[] = [];
    for (const p of plants) {
      for (const channel of CANARY_CHANNELS) {
        const sent = byChannel.get(channel) ?? '';
        // As stored, a secret may appear raw or JSON-escaped (quotes, backslashes, newlines of a PEM key).
        cells.push({ detector: p.detector, channel, leaked: p.secrets.some((s) => sent.includes(s) || sent.includes(JSON.stringify(s).slice(1, -1))) });
      }
    }
    return { policy: `${engine.identity.name}@${engine.identity.version}`, planted: plants.length, items: stored.length, cells, leaks: cells.filter((c) => c.leaked).length };
  } finally {
    await server.close();
    rmSync(work, { recursive: true, force: true });
  }
}
