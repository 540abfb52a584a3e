/**
 * The reference control plane: HTTP/JSON on 127.0.0.1. Bearer tokens map to tenants; everything a tenant
 * sends is stored as JSON lines under DIR/<tenant>/items.jsonl exactly as received, so anyone can inspect
 * what reached it; a tenant can never read another tenant's runs. It serves what a restart needs.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, readdirSync, writeSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { join } from 'node:path';

export const MAX_BODY_BYTES = 5 * 1024 * 1024;
export const MAX_ITEMS_PER_REQUEST = 1_000;
export const TENANT_NAME = /^[a-z0-9][a-z0-9_-]{0,63}$/;
const KINDS = new Set(['flow_run', 'task_run', 'state', 'logs']);

export interface ControlPlaneOptions {
  port: number;
  host?: string;
  dataDir: string;
  /** token -> tenant name */
  tenants: Map<string, string>;
}

export interface ControlPlane {
  url: string;
  port: number;
  close(): Promise<void>;
}

interface StoredItem {
  id: string;
  kind: string;
  flowRunId: string;
  taskRunId?: string;
  time: string;
  payload: Record<string, unknown>;
}

class TenantStore {
  readonly ids = new Set<string>();
  readonly items: StoredItem[] = [];
  /** The latest witnessed checkpoint per ledger id. */
  readonly witnesses = new Map<string, Record<string, unknown>>();
  constructor(readonly dir: string) {
    mkdirSync(dir, { recursive: true });
    const witnessFile = join(dir, 'witness.jsonl');
    if (existsSync(witnessFile)) {
      for (const line of readFileSync(witnessFile, 'utf8').split('\n')) {
        if (line === '') continue;
        try {
          this.keepWitness(JSON.parse(line) as Record<string, unknown>);
        } catch {
          // torn line
        }
      }
    }
    const file = join(dir, 'items.jsonl');
    if (!existsSync(file)) return;
    for (const line of readFileSync(file, 'utf8').split('\n')) {
      if (line === '') continue;
      try {
        const item = JSON.parse(line) as StoredItem;
        this.ids.add(item.id);
        this.items.push(item);
      } catch {
        // a torn last line from a crash: the client still has the item and will send it again
      }
    }
  }

  /** Appends the new items durably; returns how many were new. */
  append(raw: { text: string; item: StoredItem }[]): number {
    const fresh = raw.filter((r) => !this.ids.has(r.item.id));
    if (fresh.length === 0) return 0;
    const fd = openSync(join(this.dir, 'items.jsonl'), 'a', 0o600);
    try {
      const bytes = Buffer.from(fresh.map((r) => r.text + '\n').join(''), 'utf8');
      let written = 0;
      while (written < bytes.length) written += writeSync(fd, bytes, written);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    for (const r of fresh) {
      this.ids.add(r.item.id);
      this.items.push(r.item);
    }
    return fresh.length;
  }

  witness(w: Record<string, unknown>): void {
    appendDurably(join(this.dir, 'witness.jsonl'), JSON.stringify(w) + '\n');
    this.keepWitness(w);
  }

  private keepWitness(w: Record<string, unknown>): void {
    const id = String(w.ledger_id);
    const known = this.witnesses.get(id);
    if (known === undefined || Number(known.upto_seq) <= Number(w.upto_seq)) this.witnesses.set(id, w);
  }

  /** A run and its task runs with their latest state: what a restart needs. */
  flowRun(id: string): Record<string, unknown> | undefined {
    const items = this.items.filter((i) => i.flowRunId === id);
    const run = items.find((i) => i.kind === 'flow_run');
    if (run === undefined) return undefined;
    const tasks = new Map<string, Record<string, unknown>>();
    let state: unknown;
    for (const i of items) {
      if (i.kind === 'task_run' && i.taskRunId !== undefined) tasks.set(i.taskRunId, { task_run_id: i.taskRunId, ...i.payload });
      if (i.kind !== 'state') continue;
      if (i.taskRunId === undefined) {
        state = i.payload.state;
        continue;
      }
      const t = tasks.get(i.taskRunId) ?? { task_run_id: i.taskRunId };
      t.state = i.payload.state;
      if (i.payload.result_location !== undefined) t.result_location = i.payload.result_location;
      tasks.set(i.taskRunId, t);
    }
    return { flow_run_id: id, ...run.payload, state, task_runs: [...tasks.values()] };
  }
}

export async function startControlPlane(options: ControlPlaneOptions): Promise<ControlPlane> {
  const digests = [...options.tenants].map(([token, tenant]) => {
    if (!TENANT_NAME.test(tenant)) throw new Error(`invalid tenant name ${JSON.stringify(tenant)}: use ${TENANT_NAME.source}`);
    return { digest: sha256(token), tenant };
  });
  const stores = new Map<string, TenantStore>();
  const store = (tenant: string) => {
    let s = stores.get(tenant);
    if (s === undefined) stores.set(tenant, (s = new TenantStore(join(options.dataDir, tenant))));
    return s;
  };
  if (existsSync(options.dataDir)) for (const d of readdirSync(options.dataDir)) if (TENANT_NAME.test(d)) store(d);

  const tenantOf = (req: IncomingMessage): string | undefined => {
    const m = /^Bearer (.+)$/.exec(req.headers.authorization ?? '');
    if (m === null) return undefined;
    const d = sha256(m[1]!);
    // Constant time per candidate: the token's bytes do not steer the comparison.
    let found: string | undefined;
    for (const t of digests) if (timingSafeEqual(t.digest, d)) found = t.tenant;
    return found;
  };

  const server: Server = createServer((req, res) => {
    void handle(req, res).catch(() => send(res, 500, { error: 'internal error' }));
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://control-plane');
    if (url.pathname === '/api/v1/health') return send(res, 200, { ok: true });
    const tenant = tenantOf(req);
    if (tenant === undefined) return send(res, 401, { error: 'missing or invalid bearer token' });
    if (url.pathname === '/api/v1/items') {
      if (req.method !== 'POST') return send(res, 405, { error: 'use POST' });
      const body = await readBody(req);
      if (body === undefined) return send(res, 413, { error: `request larger than ${MAX_BODY_BYTES} bytes` });
      return receiveItems(body, store(tenant), res);
    }
    if (url.pathname === '/api/v1/witness') {
      if (req.method === 'GET') return send(res, 200, { heads: Object.fromEntries(store(tenant).witnesses) });
      if (req.method !== 'POST') return send(res, 405, { error: 'use GET or POST' });
      const body = await readBody(req);
      if (body === undefined) return send(res, 413, { error: 'request too large' });
      let w: Record<string, unknown>;
      try {
        w = JSON.parse(body) as Record<string, unknown>;
      } catch {
        return send(res, 400, { error: 'body is not JSON' });
      }
      if (typeof w.ledger_id !== 'string' || typeof w.upto_seq !== 'number' || typeof w.head !== 'string' || typeof w.jws !== 'string') {
        return send(res, 400, { error: 'a witness needs ledger_id, upto_seq, head and jws' });
      }
      store(tenant).witness({ ledger_id: w.ledger_id, upto_seq: w.upto_seq, head: w.head, prev_checkpoint: w.prev_checkpoint, time: w.time, kid: w.kid, jws: w.jws });
      return send(res, 200, { ok: true });
    }
    const run = /^\/api\/v1\/flow-runs\/([^/]+)$/.exec(url.pathname);
    if (run !== null && req.method === 'GET') {
      const found = store(tenant).flowRun(decodeURIComponent(run[1]!));
      // Another tenant's run and an unknown run look the same.
      return found === undefined ? send(res, 404, { error: 'no such flow run' }) : send(res, 200, found);
    }
    return send(res, 404, { error: 'no such endpoint' });
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '127.0.0.1', () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : options.port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function receiveItems(body: string, store: TenantStore, res: ServerResponse): void {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return send(res, 400, { error: 'body is not JSON: send {"items": [...]}' });
  }
  const items = (parsed as { items?: unknown }).items;
  if (!Array.isArray(items)) return send(res, 400, { error: 'body must be {"items": [...]}' });
  if (items.length > MAX_ITEMS_PER_REQUEST) return send(res, 413, { error: `at most ${MAX_ITEMS_PER_REQUEST} items per request` });
  const checked: { text: string; item: StoredItem }[] = [];
  for (const [i, item] of items.entries()) {
    const problem = invalid(item);
    // Says which item and which field, never what the payload holds.
    if (problem !== undefined) return send(res, 400, { error: `items[${i}]: ${problem}` });
    checked.push({ text: JSON.stringify(item), item: item as StoredItem });
  }
  store.append(checked);
  send(res, 200, { accepted: checked.map((c) => c.item.id) });
}

function invalid(item: unknown): string | undefined {
  if (item === null || typeof item !== 'object' || Array.isArray(item)) return 'must be an object';
  const i = item as Record<string, unknown>;
  if (typeof i.id !== 'string' || i.id === '' || i.id.length > 200) return 'id must be a non-empty string';
  if (typeof i.kind !== 'string' || !KINDS.has(i.kind)) return `kind must be one of ${[...KINDS].join(', ')}`;
  if (typeof i.flowRunId !== 'string' || i.flowRunId === '') return 'flowRunId must be a non-empty string';
  if (i.taskRunId !== undefined && typeof i.taskRunId !== 'string') return 'taskRunId must be a string';
  if (typeof i.time !== 'string') return 'time must be a string';
  if (i.payload === null || typeof i.payload !== 'object' || Array.isArray(i.payload)) return 'payload must be an object';
  return undefined;
}

function readBody(req: IncomingMessage): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY_BYTES) tooLarge = true;
      else chunks.push(c);
    });
    req.on('end', () => resolve(tooLarge ? undefined : Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function appendDurably(file: string, text: string): void {
  const fd = openSync(file, 'a', 0o600);
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

function sha256(s: string): Buffer {
  return createHash('sha256').update(s, 'utf8').digest();
}

