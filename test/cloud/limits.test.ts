/**
 * What the client does at the edges of the control plane's contract: URLs that carry credentials, items and
 * batches larger than it takes, and answers that retrying cannot change.
 */
import { assert } from 'chai';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CloudClient, cutToFit, fetchWitnesses, parseControlPlaneUrl, postWitness, type CloudClientOptions } from '../../lib/cloud/client.ts';
import { startControlPlane, type ControlPlane } from '../../lib/cloud/server.ts';
import type { GuardedItem } from '../../lib/egress/types.ts';
import type { Finding } from '../../lib/redact/findings.ts';
import { assertNoSecret } from '../helpers/secrets.ts';
import { assertOnlyRemoves, SIZE_MARKER } from './only-removes.ts';

const TOKEN = 'limits-tenant-token-0123456789';
const PASSWORD = 'Hunter2-is-n0t-a-g00d-passw0rd';

/** Test data only: a cast the gate would make (the gate itself is tested in test/egress). */
function item(id: string, payload: Record<string, unknown>, extra: Partial<GuardedItem> = {}): GuardedItem {
  return { id, kind: 'logs', channel: 'logs', flowRunId: 'run-limits', time: '2026-12-01T00:00:00.000Z', payload, ...extra } as GuardedItem;
}

const jsonBytes = (v: unknown) => Buffer.byteLength(JSON.stringify(v));
const tmp = (prefix: string) => mkdtempSync(join(tmpdir(), prefix));
const stored = (dir: string) =>
  existsSync(join(dir, 'a', 'items.jsonl')) ? readFileSync(join(dir, 'a', 'items.jsonl'), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as GuardedItem) : [];

describe('cloud: control-plane URLs', () => {
  it('parseControlPlaneUrl: the base URL of http(s) URLs; refuses credentials, queries, other schemes and non-URLs without echoing secrets', () => {
    assert.equal(parseControlPlaneUrl('https://cp.example.com:8443/eg/'), 'https://cp.example.com:8443/eg');
    assert.equal(parseControlPlaneUrl('HTTP://127.0.0.1:9/'), 'http://127.0.0.1:9');
    const refused: [string, string | RegExp][] = [
      [`http://ci:${PASSWORD}@cp.example.com:8080`, 'http://***@cp.example.com:8080 carries credentials'],
      [`http://${PASSWORD}@cp.example.com`, 'http://***@cp.example.com carries credentials'],
      // A password with a / in it: the URL parses as host `ci`, port `12`, path `/<rest>@host`.
      [`http://ci:12/${PASSWORD}@cp.example.com`, 'http://***@cp.example.com carries credentials'],
      [`https://cp.example.com/?token=${PASSWORD}`, 'https://cp.example.com?*** has a query'],
      [`https://cp.example.com/#${PASSWORD}`, 'https://cp.example.com#*** has a query or a fragment'],
      ['ftp://cp.example.com', 'must start with http:// or https:// (not ftp://)'],
      [`ci:${PASSWORD}@cp.example.com`, /must start with http:\/\/ or https:\/\/$/],
      [PASSWORD, 'is not an absolute URL'],
    ];
    for (const [url, message] of refused) {
      let error: Error | undefined;
      try {
        parseControlPlaneUrl(url);
      } catch (err) {
        error = err as Error;
      }
      assert.isDefined(error, url);
      if (typeof message === 'string') assert.include(error!.message, message);
      else assert.match(error!.message, message);
      assertNoSecret(error!.message, PASSWORD);
    }
  });

  it('the client, postWitness and fetchWitnesses refuse a URL with credentials: nothing is sent', async () => {
    const data = tmp('eg-cp-');
    const cp = await startControlPlane({ port: 0, dataDir: data, tenants: new Map([[TOKEN, 'a']]) });
    try {
      const withPassword = cp.url.replace('http://', `http://ci:${PASSWORD}@`);
      assert.throws(() => new CloudClient({ url: withPassword, token: TOKEN, spoolDir: tmp('eg-spool-') }), /carries credentials/);
      assert.isFalse((await postWitness(withPassword, TOKEN, { ledger_id: 'l', upto_seq: 0, head: 'h', jws: 'j' })).ok);
      const fetching = await fetchWitnesses(withPassword, TOKEN).then(
        () => assert.fail('fetchWitnesses took a URL with credentials'),
        (err: Error) => err,
      );
      assert.include(fetching.message, 'http://***@127.0.0.1');
      assertNoSecret(fetching.message, PASSWORD);
      assert.isFalse(existsSync(join(data, 'a', 'witness.jsonl')), 'no witness reached the control plane');
    } finally {
      await cp.close();
    }
  });
});

describe('cloud: cutToFit', () => {
  it('leaves an item that fits as it is', () => {
    const small = item('i', { records: [{ message: 'hello' }] });
    assert.deepEqual(cutToFit(small, 10_000), { item: small, findings: [] });
  });

  it('cuts the longest strings to their beginning plus a size marker, keeps everything else, and only removes', () => {
    const original = item('big', {
      records: [
        { level: 'info', message: 'before' },
        { level: 'error', message: 'dump ' + 'abcdefgh '.repeat(5_000), meta: { rows: ['x'.repeat(30_000), 'short'] } },
        { level: 'info', message: 'after' },
      ],
    });
    const before = structuredClone(original);
    const { item: cut, findings } = cutToFit(original, 4_096)!;
    assert.deepEqual(original, before, 'the original is not changed');
    assert.isAtMost(jsonBytes(cut), 4_096);
    assert.isAbove(jsonBytes(cut), 4_000, 'as much is kept as fits');
    for (const k of ['id', 'kind', 'channel', 'flowRunId', 'time'] as const) assert.equal(cut[k], original[k]);
    assertOnlyRemoves(original.payload, cut.payload);
    const records = cut.payload.records as { level: string; message: string; meta?: { rows: string[] } }[];
    assert.deepEqual(records.map((r) => r.level), ['info', 'error', 'info']);
    assert.deepEqual([records[0]!.message, records[2]!.message, records[1]!.meta!.rows[1]], ['before', 'after', 'short']);
    assert.equal(records[1]!.message, '[size limit: 45005 bytes]', 'the largest string went first, whole');
    assert.match(records[1]!.meta!.rows[0]!, /^x+\[size limit: 30000 bytes\]$/, 'the next one keeps what fits');
    assert.deepEqual(findings, [
      { detector: 'limit:max_item_bytes', path: 'records[1].message', action: 'truncate', count: 1 },
      { detector: 'limit:max_item_bytes', path: 'records[1].meta.rows[0]', action: 'truncate', count: 1 },
    ]);
  });

  it('counts bytes as the request carries them (escapes, multi-byte characters) and never splits a surrogate pair', () => {
    for (const unit of ['"\\\n', 'é', '€', '😀', '\u0001', '\ud800']) {
      const original = item('u', { message: `${unit}x`.repeat(3_000) });
      for (const max of [600, 601, 602, 603]) {
        const { item: cut } = cutToFit(original, max)!;
        assert.isAtMost(jsonBytes(cut), max, JSON.stringify(unit));
        assert.isAbove(jsonBytes(cut), max - 8, `${JSON.stringify(unit)}: as much is kept as fits`);
        const kept = (cut.payload.message as string).replace(SIZE_MARKER, '');
        assert.isTrue((original.payload.message as string).startsWith(kept));
        if (unit === '😀') assert.notMatch(kept, /[\ud800-\udbff]$/, 'no half of a pair at the cut');
      }
    }
  });

  it('a payload too large without long strings is replaced whole, keeping its short top-level values; undefined when nothing fits', () => {
    const original = item('s', { state: 'Failed', attempt: 2, cached_parameters: { ids: Array.from({ length: 5_000 }, (_, i) => i) } }, { kind: 'state', channel: 'parameters', taskRunId: 't' });
    const { item: cut, findings } = cutToFit(original, 1_024)!;
    assert.deepEqual(cut.payload, { state: 'Failed', attempt: 2, size_limit: `[size limit: ${jsonBytes(original.payload)} bytes]` });
    assertOnlyRemoves(original.payload, cut.payload);
    assert.equal(cut.taskRunId, 't');
    assert.deepEqual(findings, [{ detector: 'limit:max_item_bytes', path: '$', action: 'replace', count: 1 }]);
    assert.isUndefined(cutToFit(original, 100));
  });
});

describe('cloud: batches, sizes and refusals against the control plane', function () {
  this.timeout(30_000);
  let servers: { close(): Promise<void> }[] = [];
  let clients: CloudClient[] = [];
  let requests: { bytes: number; status: number }[] = [];
  const realFetch = globalThis.fetch;
  beforeEach(() => {
    requests = [];
    // Records each request to the items endpoint (the client's own fetch, real HTTP underneath).
    globalThis.fetch = async (input: string | URL | Request, init?: RequestInit) => {
      const res = await realFetch(input, init);
      if (String(input).endsWith('/api/v1/items')) requests.push({ bytes: Buffer.byteLength(String(init?.body)), status: res.status });
      return res;
    };
  });
  afterEach(async () => {
    globalThis.fetch = realFetch;
    for (const c of clients) await c.close({ deadlineMs: 0 });
    for (const s of servers) await s.close();
    clients = [];
    servers = [];
  });
  const start = async (dataDir: string, maxBodyBytes?: number): Promise<ControlPlane> => {
    const s = await startControlPlane({ port: 0, dataDir, tenants: new Map([[TOKEN, 'a']]), ...(maxBodyBytes !== undefined && { maxBodyBytes }) });
    servers.push(s);
    return s;
  };
  const client = (url: string, extra: Partial<CloudClientOptions> = {}) => {
    const c = new CloudClient({ url, token: TOKEN, spoolDir: tmp('eg-spool-'), flushIntervalMs: 10, retry: { baseMs: 5, maxMs: 20 }, ...extra });
    clients.push(c);
    return c;
  };

  it('splits batches by size (maxBatchBytes) as well as by count: no request over the limit, every item once, in order', async () => {
    const data = tmp('eg-cp-');
    const s = await start(data);
    const c = client(s.url, { maxBatchBytes: 2_048, batchSize: 50 });
    const sent = Array.from({ length: 30 }, (_, i) => item(`i-${i}`, { message: `line ${i} ${'y'.repeat(300)}` }));
    for (const i of sent) c.send(i);
    assert.deepEqual(await c.close(), { delivered: 30, spooled: 0, dropped: 0, unsaved: 0 });
    assert.deepEqual(stored(data), sent);
    assert.isAbove(requests.length, 5);
    for (const r of requests) {
      assert.equal(r.status, 200);
      assert.isAtMost(r.bytes, 2_048);
    }
  });

  it('a control plane with a smaller body limit: each 413 halves the batch, an item too large for the limit learnt is cut (recorded first); all delivered, in order', async () => {
    const data = tmp('eg-cp-');
    const s = await start(data, 4_096);
    const cuts: { item: GuardedItem; findings: Finding[] }[] = [];
    const c = client(s.url, { onCut: (cut, findings) => void cuts.push({ item: cut, findings }) });
    const sent = [
      ...Array.from({ length: 40 }, (_, i) => item(`a-${i}`, { message: `line ${i} ${'z'.repeat(250)}` })),
      item('huge', { records: [{ level: 'error', message: 'trace ' + 'w'.repeat(10_000) }] }),
      ...Array.from({ length: 5 }, (_, i) => item(`b-${i}`, { message: `after ${i}` })),
    ];
    for (const i of sent) c.send(i);
    assert.deepEqual(await c.close(), { delivered: 46, spooled: 0, dropped: 0, unsaved: 0, cut: 1 });

    const got = stored(data);
    assert.deepEqual(got.map((i) => i.id), sent.map((i) => i.id), 'each item once, in order');
    assert.deepEqual(got.filter((i) => i.id !== 'huge'), sent.filter((i) => i.id !== 'huge'), 'the others as sent');
    const huge = got.find((i) => i.id === 'huge')!;
    assert.match((huge.payload.records as { message: string }[])[0]!.message, /^trace w+\[size limit: \d+ bytes\]$/);
    assertOnlyRemoves(sent[40]!.payload, huge.payload);
    assert.deepEqual(huge, cuts.at(-1)!.item, 'what was stored is what onCut recorded last');
    for (const cut of cuts) assert.deepEqual(cut.findings, [{ detector: 'limit:max_item_bytes', path: 'records[0].message', action: 'truncate', count: 1 }]);
    assert.deepEqual(requests.slice(0, 3).map((r) => r.status), [413, 413, 413], 'halved three times: 26 kB, 13 kB, 6.5 kB');
    assert.deepEqual(requests.map((r) => r.status), requests.map((r) => (r.bytes > 4_096 ? 413 : 200)), 'only requests over the limit were refused');
  });

  it('a lone item refused with 413 is cut smaller until it fits, and counted once; one that cannot fit even cut is refused and reported', async () => {
    const s = await start(tmp('eg-cp-'), 4_096);
    const cuts: Finding[][] = [];
    const c = client(s.url, { onCut: (_cut, findings) => void cuts.push(findings) });
    c.send(item('huge', { message: 'v'.repeat(10_000) }));
    assert.deepEqual(await c.close(), { delivered: 1, spooled: 0, dropped: 0, unsaved: 0, cut: 1 });
    assert.deepEqual(requests.map((r) => r.status), [413, 413, 200], '10 kB refused, cut to 5 kB refused, cut to 2.5 kB taken');
    assert.lengthOf(cuts, 2, 'each cut recorded before it was sent');

    requests = [];
    const tiny = await start(tmp('eg-cp-'), 150);
    const refusals: [string[], string][] = [];
    const d = client(tiny.url, { onRefused: (ids, reason) => void refusals.push([ids, reason]) });
    d.send(item('never-fits', { message: 'v'.repeat(1_000) }));
    assert.deepEqual(await d.close(), { delivered: 0, spooled: 0, dropped: 0, unsaved: 0, cut: 1, refused: 1 });
    assert.match(refusals[0]![1], /^larger than \d+ bytes even when cut$/);
    assert.deepEqual(refusals[0]![0], ['never-fits']);
    assert.deepEqual([...new Set(requests.map((r) => r.status))], [413]);
  });

  it('a cut is never sent unrecorded: while onCut fails the item waits whole; once it succeeds the cut item goes out', async () => {
    const data = tmp('eg-cp-');
    const s = await start(data);
    let failures = 2;
    const recorded: GuardedItem[] = [];
    const c = client(s.url, {
      maxBatchBytes: 1_024,
      onCut: async (cut) => {
        if (failures-- > 0) throw new Error('the ledger is full');
        recorded.push(cut);
      },
    });
    c.send(item('big', { message: 'q'.repeat(5_000) }));
    c.send(item('next', { message: 'small' }));
    assert.deepEqual(await c.close({ deadlineMs: 10_000 }), { delivered: 2, spooled: 0, dropped: 0, unsaved: 0, cut: 1 });
    assert.lengthOf(recorded, 1);
    assert.deepEqual(stored(data), [recorded[0]!, item('next', { message: 'small' })]);
  });

  it('a 4xx other than 408, 413 and 429 is not retried: the batch is refused and reported, and what follows is delivered', async () => {
    const data = tmp('eg-cp-');
    const s = await start(data);
    const refusals: [string[], string][] = [];
    const c = client(s.url, { onRefused: (ids, reason) => void refusals.push([ids, reason]) });
    c.send(item('ok-1', { n: 1 }));
    await c.flush();
    c.send(item('bad', { n: 2 }, { kind: 'nope' as GuardedItem['kind'] }));
    await c.flush();
    c.send(item('ok-2', { n: 3 }));
    assert.deepEqual(await c.close(), { delivered: 2, spooled: 0, dropped: 0, unsaved: 0, refused: 1 });
    assert.deepEqual(refusals, [[['bad'], 'HTTP 400']]);
    assert.deepEqual(requests.map((r) => r.status), [200, 400, 200], 'the refused batch was sent once');
    assert.deepEqual(stored(data).map((i) => i.id), ['ok-1', 'ok-2']);

    const wrongToken = new CloudClient({ url: s.url, token: 'not-a-tenant-token-0000000000', spoolDir: tmp('eg-spool-') });
    clients.push(wrongToken);
    wrongToken.send(item('w-1', {}));
    wrongToken.send(item('w-2', {}));
    assert.deepEqual(await wrongToken.close(), { delivered: 0, spooled: 0, dropped: 0, unsaved: 0, refused: 2 });
  });

  it('408 is retried like 429 and 5xx', async () => {
    const answers = [408, 200];
    const server: Server = createServer((req, res) => {
      req.resume().on('end', () => res.writeHead(answers.shift() ?? 500, { 'content-type': 'application/json' }).end('{}'));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    servers.push({ close: () => new Promise<void>((resolve) => server.close(() => resolve())) });
    const c = client(`http://127.0.0.1:${(server.address() as { port: number }).port}`);
    c.send(item('slow', {}));
    assert.deepEqual(await c.close(), { delivered: 1, spooled: 0, dropped: 0, unsaved: 0 });
    assert.deepEqual(requests.map((r) => r.status), [408, 200]);
  });
});
