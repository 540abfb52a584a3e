/**
 * A stand-in for Sentry's ingestion: a real HTTP server on 127.0.0.1 (a port the system assigns) that
 * takes envelopes as @sentry/node's transport posts them, gzip-compressed (bodies over 32 KB) or plain,
 * and keeps each one decoded and parsed. The DSN points the SDK at it.
 */
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';

export interface EnvelopeItem {
  header: Record<string, unknown>;
  payload: unknown;
}

export interface Envelope {
  /** The body as the server received it, decompressed. */
  raw: string;
  encoding: 'gzip' | 'plain';
  path: string;
  header: Record<string, unknown>;
  items: EnvelopeItem[];
}

export interface SentryServer {
  dsn: string;
  envelopes: Envelope[];
  /** The status the server answers with (default 200). */
  status: number;
  /** Every item of a type (`event`, `transaction`, `span`, `log`), with its envelope. */
  items(type: string): { envelope: Envelope; item: EnvelopeItem }[];
  close(): Promise<void>;
}

export async function startSentryServer(): Promise<SentryServer> {
  const envelopes: Envelope[] = [];
  const state = { status: 200 };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const gzip = req.headers['content-encoding'] === 'gzip';
      if (!gzip && req.headers['content-encoding'] !== undefined) throw new Error(`unexpected content-encoding ${req.headers['content-encoding']}`);
      const raw = (gzip ? gunzipSync(body) : body).toString('utf8');
      envelopes.push({ raw, encoding: gzip ? 'gzip' : 'plain', path: req.url ?? '', ...parseEnvelope(raw) });
      res.writeHead(state.status, { 'content-type': 'application/json' }).end('{}');
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    dsn: `http://publickey@127.0.0.1:${port}/4242`,
    envelopes,
    get status() {
      return state.status;
    },
    set status(s: number) {
      state.status = s;
    },
    items: (type) => envelopes.flatMap((envelope) => envelope.items.filter((i) => i.header.type === type).map((item) => ({ envelope, item }))),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** Envelope: a header line, then for each item a header line and a payload (`length` bytes, or a line). */
function parseEnvelope(raw: string): { header: Record<string, unknown>; items: EnvelopeItem[] } {
  const buffer = Buffer.from(raw, 'utf8');
  let at = 0;
  const line = (): string => {
    const end = buffer.indexOf(0x0a, at);
    const text = buffer.subarray(at, end < 0 ? buffer.length : end).toString('utf8');
    at = end < 0 ? buffer.length : end + 1;
    return text;
  };
  const header = JSON.parse(line()) as Record<string, unknown>;
  const items: EnvelopeItem[] = [];
  while (at < buffer.length) {
    const text = line();
    if (text.trim() === '') continue;
    const itemHeader = JSON.parse(text) as Record<string, unknown>;
    let payloadText: string;
    if (typeof itemHeader.length === 'number') {
      payloadText = buffer.subarray(at, at + itemHeader.length).toString('utf8');
      at += itemHeader.length + 1;
    } else {
      payloadText = line();
    }
    let payload: unknown = payloadText;
    try {
      payload = JSON.parse(payloadText);
    } catch {
      // an attachment: kept as text
    }
    items.push({ header: itemHeader, payload });
  }
  return { header, items };
}
