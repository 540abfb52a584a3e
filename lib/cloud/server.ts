/**
 * The reference control plane: HTTP/JSON on 127.0.0.1. Bearer tokens map to tenants; everything a tenant
 * sends is stored as JSON lines under DIR/<tenant>/items.jsonl exactly as received, so anyone can inspect
 * what reached it; a tenant can never read another tenant's runs. It serves what a restart needs, and
 * witnesses audit ledgers: every signed checkpoint of a ledger is kept, append-only, once its JWS verifies
 * under the key registered with the ledger's first checkpoint and it extends the last one (docs/cloud.md).
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, readdirSync, writeSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { join } from 'node:path';
import { GENESIS } from '../audit/ledger.ts';
import {
  checkpointDigest,
  jwkThumbprint,
  notExtending,
  parsePublicJwk,
  signatureProblem,
  type PublicJwk,
  type WitnessedCheckpoint,
  type WitnessLog,
} from '../audit/witness.ts';
import { SigningKey } from '../crypto/jose.ts';

export const MAX_BODY_BYTES = 5 * 1024 * 1024;
export const MAX_ITEMS_PER_REQUEST = 1_000;
export const TENANT_NAME = /^[a-z0-9][a-z0-9_-]{0,63}$/;
const KINDS = new Set(['flow_run', 'task_run', 'state', 'logs']);
/** A checkpoint is a few hundred bytes: a larger witness request is not one. */
export const MAX_WITNESS_BYTES = 16 * 1024;
/** Ledger ids are UUIDs (ledger.json); anything of this shape is taken. */
export const LEDGER_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
const HEX64 = /^[0-9a-f]{64}$/;
const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

/** Where the reference control plane listens (127.0.0.1 unless `host`), stores (`dataDir`), and whom it serves (`tenants`). */
export interface ControlPlaneOptions {
  /** 0: any free port (see ControlPlane.url). */
  port: number;
  host?: string;
  dataDir: string;
  /** token -> tenant name */
  tenants: Map<string, string>;
  /** Request bodies larger than this are answered 413 (default MAX_BODY_BYTES). */
  maxBodyBytes?: number;
}

/** A running reference control plane: its base URL and port, and `close()` to stop it. */
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

/** One ledger's witness: its registered key and every checkpoint, oldest first. */
interface LedgerWitness {
  jwk: PublicJwk;
  thumbprint: string;
  key: Promise<SigningKey>;
  checkpoints: StoredCheckpoint[];
  /** checkpointDigest of each stored JWS: a checkpoint posted again is recognised. */
  digests: Set<string>;
}

/** A line of witness.jsonl: the first of a ledger also carries the key it registered. */
interface StoredCheckpoint extends WitnessedCheckpoint {
  ledger_id: string;
  witnessed_at: string;
  jwk?: PublicJwk;
}

class TenantStore {
  readonly ids = new Set<string>();
  readonly items: StoredItem[] = [];
  /** Every witnessed checkpoint per ledger id: append-only, never replaced. */
  readonly ledgers = new Map<string, LedgerWitness>();
  constructor(readonly dir: string) {
    mkdirSync(dir, { recursive: true });
    const witnessFile = join(dir, 'witness.jsonl');
    if (existsSync(witnessFile)) {
      const text = readFileSync(witnessFile, 'utf8');
      // A torn last line (a crash mid-write) is ended, so that the next checkpoint starts a line of its own.
      if (text !== '' && !text.endsWith('\n')) appendDurably(witnessFile, '\n');
      for (const line of text.split('\n')) {
        if (line === '') continue;
        try {
          this.replay(JSON.parse(line) as StoredCheckpoint);
        } catch {
          // a torn line
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

  /** Stores a checkpoint durably (its signature and place were checked by the caller), then keeps it. */
  witness(c: StoredCheckpoint): void {
    appendDurably(join(this.dir, 'witness.jsonl'), JSON.stringify(c) + '\n');
    this.keep(c);
  }

  /**
   * Takes a stored line back at start-up only if it still fits: the first of a ledger with its key and 64
   * zeros, each next one extending the last. Lines that do not (written by an earlier version, which kept
   * heads it never checked, or torn) are skipped: a ledger's client posts them again, in order.
   */
  private replay(c: StoredCheckpoint): void {
    if (typeof c.ledger_id !== 'string' || invalidCheckpoint(c) !== undefined) return;
    const known = this.ledgers.get(c.ledger_id);
    const jwk = known === undefined ? parsePublicJwk(c.jwk) : undefined;
    if (jwk !== undefined && 'error' in jwk) return;
    if (known?.digests.has(checkpointDigest(c.jws)) === true || notExtending(known?.checkpoints.at(-1), c) !== undefined) return;
    this.keep({ ...c, ...(jwk !== undefined && { jwk: jwk.jwk }) });
  }

  private keep(c: StoredCheckpoint): void {
    let l = this.ledgers.get(c.ledger_id);
    if (l === undefined) {
      const jwk = c.jwk!;
      l = { jwk, thumbprint: jwkThumbprint(jwk), key: keyOf(jwk), checkpoints: [], digests: new Set() };
      this.ledgers.set(c.ledger_id, l);
    }
    l.checkpoints.push(c);
    l.digests.add(checkpointDigest(c.jws));
  }

  /** What GET /api/v1/witness answers for a ledger: its key and every checkpoint, without storage fields. */
  log(id: string): WitnessLog | undefined {
    const l = this.ledgers.get(id);
    if (l === undefined) return undefined;
    return { jwk: l.jwk, checkpoints: l.checkpoints.map(({ upto_seq, head, prev_checkpoint, time, kid, jws, witnessed_at }) => ({ upto_seq, head, prev_checkpoint, time, kid, jws, witnessed_at })) };
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

/**
 * Starts the reference control plane (HTTP/JSON, for demos, tests and seeing exactly what a run sends): bearer
 * tokens map to tenants, items are stored as received under `dataDir/TENANT/`. Throws on an invalid
 * tenant name.
 *
 * @example
 * const server = await startControlPlane({ port: 0, dataDir: 'cp-data', tenants: new Map([['example-token-0123456789', 'acme']]) });
 * const client = new CloudClient({ url: server.url, token: 'example-token-0123456789', spoolDir: 'spool' });
 * await server.close();
 */
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
  const maxBodyBytes = options.maxBodyBytes ?? MAX_BODY_BYTES;

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
      const body = await readBody(req, maxBodyBytes);
      if (body === undefined) return send(res, 413, { error: `request larger than ${maxBodyBytes} bytes` });
      return receiveItems(body, store(tenant), res);
    }
    if (url.pathname === '/api/v1/witness') {
      if (req.method === 'GET') return answerWitnessLogs(url, store(tenant), res);
      if (req.method !== 'POST') return send(res, 405, { error: 'use GET or POST' });
      const limit = Math.min(maxBodyBytes, MAX_WITNESS_BYTES);
      const body = await readBody(req, limit);
      if (body === undefined) return send(res, 413, { error: `a witness request is at most ${limit} bytes: send one checkpoint per request` });
      return receiveWitness(body, store(tenant), res);
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

/**
 * POST /api/v1/witness: one checkpoint `{ ledger_id, upto_seq, head, prev_checkpoint, time, kid, jws, jwk }`.
 * Stored only if its JWS verifies under the ledger's registered key (the first checkpoint registers `jwk`),
 * its fields are what was signed, and it extends the last stored checkpoint. Errors name the rule broken and
 * what the control plane holds, never what was sent.
 */
async function receiveWitness(body: string, store: TenantStore, res: ServerResponse): Promise<void> {
  let w: Record<string, unknown>;
  try {
    w = JSON.parse(body) as Record<string, unknown>;
  } catch {
    return send(res, 400, { error: 'body is not JSON: send one checkpoint { ledger_id, upto_seq, head, prev_checkpoint, time, kid, jws, jwk }' });
  }
  if (w === null || typeof w !== 'object' || Array.isArray(w)) return send(res, 400, { error: 'body must be one checkpoint object' });
  if (typeof w.ledger_id !== 'string' || !LEDGER_ID.test(w.ledger_id)) return send(res, 400, { error: 'ledger_id must be 1 to 128 letters, digits, ".", "_" or "-" (the id in ledger.json)' });
  const problem = invalidCheckpoint(w);
  if (problem !== undefined) return send(res, 400, { error: problem });
  const ledgerId = w.ledger_id;
  const c = w as unknown as WitnessedCheckpoint;
  let sent: PublicJwk | undefined;
  if (w.jwk !== undefined) {
    const parsed = parsePublicJwk(w.jwk);
    if ('error' in parsed) return send(res, 400, { error: parsed.error });
    sent = parsed.jwk;
  }
  const known = store.ledgers.get(ledgerId);
  const registered = known?.jwk ?? sent;
  if (registered === undefined) {
    return send(res, 400, { error: "the first checkpoint of a ledger must carry the public key that signs its checkpoints (jwk): it is registered for the ledger", code: 'key-required' });
  }
  const conflict = (rest: string) => send(res, 409, { error: `this ledger's checkpoints are signed by key ${registered.kid}, registered with its first checkpoint; ${rest}`, code: 'key-conflict' });
  if (sent !== undefined && known !== undefined && (jwkThumbprint(sent) !== known.thumbprint || sent.kid !== known.jwk.kid)) {
    return conflict('another key is refused: a new key needs a new ledger (a new ledger directory)');
  }
  if (c.kid !== registered.kid) {
    // Before a key is registered, every kid in sight was sent: none is named.
    if (known === undefined) return send(res, 400, { error: "kid must be the kid of the key sent as jwk: a ledger's first checkpoint registers the key that signs it" });
    return conflict('a checkpoint signed by another key is refused');
  }
  let key: SigningKey;
  try {
    key = await (known?.key ?? keyOf(registered));
  } catch {
    return send(res, 400, { error: 'jwk was refused as a P-256 public key' });
  }
  const bad = await signatureProblem(key, c);
  // A fixed message: the library's would quote the JWS header that was sent.
  if (bad !== undefined) {
    const whose = known === undefined ? 'the key sent with it (jwk)' : `the ledger's key ${registered.kid}`;
    return send(res, 422, { error: `the checkpoint was refused: its JWS does not verify under ${whose}, or what it signs differs from its fields`, code: 'bad-signature' });
  }
  // Verifying took a turn of the event loop: check the ledger as it is now, then store in the same turn, so
  // two checkpoints posted at once cannot both extend the same one.
  const now = store.ledgers.get(ledgerId);
  if (now !== undefined && jwkThumbprint(registered) !== now.thumbprint) {
    return send(res, 409, { error: `this ledger's checkpoints are signed by key ${now.jwk.kid}, registered meanwhile by another first checkpoint; another key is refused`, code: 'key-conflict' });
  }
  const digest = checkpointDigest(c.jws);
  if (now?.digests.has(digest) === true) return send(res, 200, { ok: true, duplicate: true, checkpoints: now.checkpoints.length });
  const last = now?.checkpoints.at(-1);
  const why = notExtending(last, c);
  if (why !== undefined) {
    return send(res, 409, {
      error: `the checkpoint was refused: ${why}`,
      code: 'not-extending',
      last: last === undefined ? null : { upto_seq: last.upto_seq, checkpoint: checkpointDigest(last.jws) },
    });
  }
  store.witness({
    ledger_id: ledgerId,
    upto_seq: c.upto_seq,
    head: c.head,
    prev_checkpoint: c.prev_checkpoint,
    time: c.time,
    kid: c.kid,
    jws: c.jws,
    witnessed_at: new Date().toISOString(),
    ...(now === undefined && { jwk: registered }),
  });
  send(res, 200, { ok: true, checkpoints: store.ledgers.get(ledgerId)!.checkpoints.length });
}

/** GET /api/v1/witness[?ledger=ID]: `{ ledgers: { ID: { jwk, checkpoints: [...] } } }`, oldest first. */
function answerWitnessLogs(url: URL, store: TenantStore, res: ServerResponse): void {
  const id = url.searchParams.get('ledger');
  if (id === null) return send(res, 200, { ledgers: Object.fromEntries([...store.ledgers.keys()].map((l) => [l, store.log(l)])) });
  if (!LEDGER_ID.test(id)) return send(res, 400, { error: 'ledger must be a ledger id (the id in ledger.json)' });
  const log = store.log(id);
  // Another tenant's ledger and an unknown one look the same.
  return log === undefined ? send(res, 404, { error: 'no checkpoint of that ledger was witnessed' }) : send(res, 200, { ledgers: { [id]: log } });
}

/** What is wrong with a checkpoint's fields (their form: the signature is checked after), or undefined. */
function invalidCheckpoint(c: Record<string, unknown> | WitnessedCheckpoint): string | undefined {
  const w = c as Record<string, unknown>;
  if (typeof w.upto_seq !== 'number' || !Number.isSafeInteger(w.upto_seq) || w.upto_seq < -1) return 'upto_seq must be a safe integer, -1 or more (the last entry the checkpoint seals)';
  if (typeof w.head !== 'string' || !HEX64.test(w.head)) return 'head must be 64 lower-case hex digits (an entry hash)';
  if (w.upto_seq === -1 && w.head !== GENESIS) return 'a checkpoint of an empty ledger (upto_seq -1) seals the head of 64 zeros';
  if (typeof w.prev_checkpoint !== 'string' || !HEX64.test(w.prev_checkpoint)) return 'prev_checkpoint must be 64 lower-case hex digits (the SHA-256 of the previous checkpoint\'s JWS, or zeros)';
  if (typeof w.time !== 'string' || w.time.length > 40 || Number.isNaN(Date.parse(w.time))) return 'time must be an ISO 8601 time';
  if (typeof w.kid !== 'string' || w.kid === '' || w.kid.length > 200) return 'kid must be the signing key\'s id (1 to 200 characters)';
  if (typeof w.jws !== 'string' || w.jws.length > 4096 || !COMPACT_JWS.test(w.jws)) return 'jws must be the checkpoint\'s compact JWS (at most 4096 characters)';
  return undefined;
}

/** A verifier for a registered key; made once per ledger. */
function keyOf(jwk: PublicJwk): Promise<SigningKey> {
  const key = SigningKey.fromJson(JSON.stringify(jwk), 'the ledger key');
  key.catch(() => undefined); // a key refused here is reported when a checkpoint needs it
  return key;
}

function readBody(req: IncomingMessage, maxBytes: number): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > maxBytes) tooLarge = true;
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

