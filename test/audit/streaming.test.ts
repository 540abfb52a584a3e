/**
 * audit-report on ledgers too large to hold, and on hostile segments in the middle of a ledger: the
 * report streams (segment by segment, line by line), never crashes, bounds what one line may be, names
 * where anything went wrong, and reads on past it. The ledgers are written fast (test/helpers/audit.ts
 * fastLedger: the lines the Ledger writes, without its group commit).
 */
import { assert } from 'chai';
import fc from 'fast-check';
import { appendFileSync, closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { segmentName, serializeEntry, type LedgerEntry } from '../../lib/audit/entry.ts';
import { scanFates } from '../../lib/audit/fates.ts';
import { fatesOf, itemJson, rowOf } from '../../lib/audit/rows.ts';
import { bodyProblem, canonicalLineHash, lastScanned } from '../../lib/audit/shape.ts';
import { jsonVisible, type Report } from '../../lib/audit/report.ts';
import { readLedger } from '../../lib/audit/verify.ts';
import { SigningKey } from '../../lib/crypto/jose.ts';
import { auditReportInProcess } from '../helpers/in-process.ts';
import { auditRecord, fastLedger } from '../helpers/audit.ts';

const fresh = () => mkdtempSync(join(tmpdir(), 'eg-stream-'));

describe('audit-report streams: large ledgers, in bounded memory', function () {
  this.timeout(120_000);
  let dir: string;
  let pub: string;
  const ITEMS = 150_000;

  before(async () => {
    // 150,000 items: past the ~125,000 arguments at which the report's spreads (Math.max(...rows) in the
    // table, Math.min(...times) in the HTML chart) overflowed the stack, at 600,000 entries in issue #19.
    dir = fresh();
    const key = await SigningKey.generate();
    pub = join(dir, 'pub.json');
    writeFileSync(pub, key.toJson(false));
    await fastLedger(join(dir, 'ledger'), { items: ITEMS, key, checkpointEvery: 2_000, unacked: (i) => i % 25_000 === 7 });
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('150,000 items verified in every format: no stack overflow, every item counted, exit 0', async () => {
    const ledger = join(dir, 'ledger');
    const json = await auditReportInProcess(['--ledger', ledger, '--verify', '--key', pub, '--format', 'json', '-o', join(dir, 'r.json')]);
    assert.equal(json.code, 0, json.stderr);
    const report = JSON.parse(readFileSync(join(dir, 'r.json'), 'utf8')) as Report;
    assert.equal(report.verification.status, 'verified');
    assert.lengthOf(report.items, ITEMS);
    assert.equal(report.summary.items, ITEMS);
    assert.deepEqual(report.summary.unacked, ['item-7', 'item-25007', 'item-50007', 'item-75007', 'item-100007', 'item-125007']);
    // Each item is written where the ledger recorded it, though its acknowledgement comes after it (and
    // the never acknowledged ones hold nothing up).
    assert.deepEqual(report.items.slice(0, 3).map((i) => [i.item_id, i.acked]), [['item-0', true], ['item-1', true], ['item-2', true]]);
    assert.isTrue(report.items.every((item, i) => item.seq > (report.items[i - 1]?.seq ?? -1)));
    const table = await auditReportInProcess(['--ledger', ledger, '--verify', '--key', pub, '-o', join(dir, 'r.txt')]);
    assert.equal(table.code, 0, table.stderr);
    const text = readFileSync(join(dir, 'r.txt'), 'utf8');
    assert.match(text, /^time\s+channel/);
    assert.include(text, `items: ${ITEMS}, bytes: ${ITEMS * 42}, unacked: 6`);
    const html = await auditReportInProcess(['--ledger', ledger, '--verify', '--key', pub, '--format', 'html', '-o', join(dir, 'r.html')]);
    assert.equal(html.code, 0, html.stderr);
    const page = readFileSync(join(dir, 'r.html'), 'utf8');
    assert.include(page, '<svg id="chart"');
    assert.include(page, 'data-status="verified"');
    // A page to open: the first 10,000 items, and where the list stopped; the counts are of all.
    assert.include(page, `This page lists the first 10000 of ${ITEMS} items (it stopped after ${ledger} entry `);
    assert.include(page, `<b>${ITEMS}</b>items sent`);
    assert.isBelow(page.split('<tr>').length, 10_100);
  });

  it('NDJSON streams one item per line, then a line per ledger and the report', async () => {
    const r = await auditReportInProcess(['--ledger', join(dir, 'ledger'), '--verify', '--key', pub, '--format', 'ndjson', '-o', join(dir, 'r.ndjson')]);
    assert.equal(r.code, 0, r.stderr);
    const lines = readFileSync(join(dir, 'r.ndjson'), 'utf8').trimEnd().split('\n');
    assert.lengthOf(lines, ITEMS + 2);
    const first = JSON.parse(lines[0]!) as { record: string; item_id: string; acked: boolean };
    assert.deepInclude(first, { record: 'item', item_id: 'item-0', acked: true });
    assert.deepInclude(JSON.parse(lines[ITEMS]!) as object, { record: 'ledger', dir: join(dir, 'ledger') });
    const last = JSON.parse(lines[ITEMS + 1]!) as { record: string; verification: { status: string }; summary: { items: number } };
    assert.equal(last.record, 'report');
    assert.equal(last.verification.status, 'verified');
    assert.equal(last.summary.items, ITEMS);
  });
});

describe('audit-report: a torn or hostile segment in the middle is reported where it is, and the rest is read', function () {
  this.timeout(60_000);

  /** Three segments of 100 items each; `middle` rewrites the second one's lines. */
  async function threeSegments(middle: (lines: string[]) => string | Buffer): Promise<string> {
    const dir = join(fresh(), 'ledger');
    await fastLedger(dir, { items: 150, segmentEntries: 100 });
    const seg2 = join(dir, segmentName(2));
    const lines = readFileSync(seg2, 'utf8').split('\n').slice(0, -1);
    writeFileSync(seg2, middle(lines));
    return dir;
  }

  it('garbage, a 50 MB line and a torn tail in the middle segment: each named by segment and line (the long one by its byte offset too), never held whole; the last segment read', async () => {
    const dir = await threeSegments((lines) => [lines[0], '\u0000\u00ff not json', ...lines.slice(1, 50), ''].join('\n'));
    // A 50 MB line of one character, written in pieces, then the rest of the segment and a torn tail.
    const seg2 = join(dir, segmentName(2));
    const fd = openSync(seg2, 'a');
    const piece = Buffer.alloc(1024 * 1024, 0x61);
    for (let i = 0; i < 50; i++) writeSync(fd, piece);
    writeSync(fd, '\n');
    closeSync(fd);
    appendFileSync(seg2, '{"data":{"itemId":"x"},"ha');
    const before = process.memoryUsage().rss;
    // An 8 MiB bound: what the reader may keep of a line is then far below the 40 MB checked, whatever the
    // garbage collector leaves (with the default 32 MiB bound the margin was 8 MB, and CI once went past it).
    const r = await auditReportInProcess(['--ledger', dir, '--verify', '--format', 'json', '--max-entry-bytes', String(8 * 1024 * 1024)]);
    const grew = process.memoryUsage().rss - before;
    assert.equal(r.code, 1, r.stderr);
    const report = JSON.parse(r.stdout) as Report;
    const problems = report.verification.problems.map((p) => [p.kind, p.segment, p.line]);
    assert.deepInclude(problems, ['unreadable-entry', segmentName(2), 2]);
    const long = report.verification.problems.find((p) => p.kind === 'oversized-entry')!;
    assert.deepInclude(long, { segment: segmentName(2), line: 52 });
    assert.isAbove(long.offset!, 0);
    assert.include(long.message, `${segmentName(2)}:52: a line of ${50 * 1024 * 1024} bytes (at byte ${long.offset})`);
    assert.deepInclude(problems, ['torn-tail', segmentName(2), 53]);
    // The third segment was read: its items are in the report (the chain breaks where lines went missing).
    assert.isTrue(report.items.some((i) => i.seq > 200), 'items of the last segment');
    assert.isBelow(grew, 40 * 1024 * 1024, 'the 50 MB line was never held');
    rmSync(join(dir, '..'), { recursive: true, force: true });
  });

  it('a segment that is not a file (a directory, a device) is reported and the others read', async () => {
    const dir = join(fresh(), 'ledger');
    await fastLedger(dir, { items: 150, segmentEntries: 100 });
    mkdirSync(join(dir, segmentName(9)));
    const r = await auditReportInProcess(['--ledger', dir, '--verify', '--format', 'json']);
    const report = JSON.parse(r.stdout) as Report;
    assert.deepInclude(report.verification.problems.map((p) => [p.kind, p.segment]), ['unreadable-segment', segmentName(9)]);
    assert.lengthOf(report.items, 150);
  });

  it('--max-entry-bytes bounds what a line may be; a longer one is named, not read', async () => {
    const dir = await threeSegments((lines) => lines.join('\n') + '\n');
    appendFileSync(join(dir, segmentName(3)), JSON.stringify({ pad: 'p'.repeat(4000) }) + '\n');
    const r = await auditReportInProcess(['--ledger', dir, '--verify', '--max-entry-bytes', '2048', '--format', 'json']);
    const report = JSON.parse(r.stdout) as Report;
    assert.deepEqual(report.verification.problems.map((p) => p.kind), ['oversized-entry']);
    const bad = await auditReportInProcess(['--ledger', dir, '--max-entry-bytes', '12']);
    assert.equal(bad.code, 2);
    assert.include(bad.stderr, '--max-entry-bytes must be a whole number from 1024');
  });

  it('a report that cannot be written (a full disk) says where it stopped: exit 2, no half file left in place', async () => {
    const dir = join(fresh(), 'ledger');
    await fastLedger(dir, { items: 5_000 });
    if (existsSync('/dev/full')) {
      const full = await auditReportInProcess(['--ledger', dir, '--format', 'json', '-o', '/dev/full']);
      assert.equal(full.code, 2);
      assert.match(full.stderr, /^audit-report: cannot write \/dev\/full \(ENOSPC\): the report stopped at its item \d+, after \d+ bytes/);
    }
    const out = join(fresh(), 'report.json');
    writeFileSync(out, 'the previous report');
    const missing = await auditReportInProcess(['--ledger', join(dir, 'nope'), '-o', out]);
    assert.equal(missing.code, 2);
    assert.equal(readFileSync(out, 'utf8'), 'the previous report', 'a report that did not start leaves the file as it was');
  });

  it('past 1,000 problems in a ledger, the listing stops and says so; the verdict counts every one', async () => {
    const dir = await threeSegments((lines) => [...lines, ...Array.from({ length: 1_500 }, (_, i) => `garbage ${i}`)].join('\n') + '\n');
    const json = JSON.parse((await auditReportInProcess(['--ledger', dir, '--verify', '--format', 'json'])).stdout) as Report;
    assert.lengthOf(json.verification.problems, 1_000);
    assert.isAtLeast(json.verification.problems_total!, 1_500);
    assert.match(json.verification.verdict, new RegExp(`^FAILED: ${json.verification.problems_total} problems`));
    assert.equal(json.ledgers[0]!.problems, json.verification.problems_total);
    const table = (await auditReportInProcess(['--ledger', dir, '--verify'])).stdout;
    assert.include(table, `(listing stopped after 1000 problems: ${json.verification.problems_total! - 1000} more were found`);
  });
});

describe('audit: the streaming verifier and report agree with the definitions', function () {
  this.timeout(60_000);

  it('by property: the fast canonical test (a line hashed as its own text) agrees with serializeEntry, whatever the spelling', () => {
    const spelled = fc.record({
      data: fc.dictionary(fc.constantFrom('a', 'b', 'itemId', 'payload', '__proto__', '10', '9', 'é', 'z'), fc.jsonValue({ maxDepth: 3 }), { maxKeys: 5 }),
      reorder: fc.boolean(),
      space: fc.boolean(),
      rehash: fc.boolean(),
    });
    fc.assert(
      fc.property(spelled, ({ data, reorder, space, rehash }) => {
        const base = { v: 1, seq: 3, time: '2026-11-24T00:00:00.000Z', type: 'ack' as const, data, prev: 'a'.repeat(64) };
        const { hash, line } = serializeEntry(base);
        let text = line.slice(0, -1);
        const e = JSON.parse(text) as LedgerEntry;
        if (reorder) text = JSON.stringify({ type: e.type, hash: e.hash, data: e.data, seq: e.seq, prev: e.prev, time: e.time, v: e.v });
        if (space) text = text.replace('"seq":', '"seq": ');
        const parsed = JSON.parse(text) as LedgerEntry;
        if (rehash) (parsed as { hash: string }).hash = serializeEntry(parsed).hash;
        const fast = canonicalLineHash(parsed, text);
        const exact = serializeEntry(parsed);
        if (fast !== undefined) {
          assert.equal(fast, exact.hash, 'the fast hash is the entry hash');
          assert.equal(exact.line, text.replace(`"hash":"${parsed.hash}"`, `"hash":"${exact.hash}"`) + '\n', 'and the line is the canonical one');
        }
        // Integer-like keys come first in a JavaScript object, so canonical JSON writes them so: the exact path judges those.
        if (!reorder && !space && !/"\d+":/.test(line)) assert.equal(canonicalLineHash(JSON.parse(line) as LedgerEntry, line.slice(0, -1)), hash, 'a line the ledger wrote takes the fast path');
      }),
      { numRuns: 500 },
    );
  });

  it('by property: a line respelled (whitespace, numbers, escapes, keys repeated or out of order) never takes the fast path unless it is the canonical line', () => {
    const value = fc.jsonValue({ maxDepth: 3 });
    const respell = fc.record({ at: fc.nat(), how: fc.constantFrom('space', 'number', 'escape', 'duplicate', 'slash', 'exponent', 'none') });
    fc.assert(
      fc.property(fc.dictionary(fc.string({ maxLength: 4 }), value, { maxKeys: 4 }), fc.array(respell, { maxLength: 3 }), (data, edits) => {
        const base = { v: 1, seq: 3, time: '2026-11-24T00:00:00.000Z', type: 'ack' as const, data: { itemId: 'x', ...data }, prev: 'a'.repeat(64) };
        let text = serializeEntry(base).line.slice(0, -1);
        for (const { at, how } of edits) {
          const p = at % text.length;
          if (how === 'space') text = text.slice(0, p) + ' ' + text.slice(p);
          if (how === 'number') text = text.replace(/(?<=[:,[])(\d+)(?=[,}\]])/, '$1.0');
          if (how === 'exponent') text = text.replace(/(?<=[:,[])(\d+)(?=[,}\]])/, '$1e0');
          if (how === 'escape') text = text.replace(/"itemId":"x"/, '"itemId":"\\u0078"');
          if (how === 'slash') text = text.replace(/"time":"/, '"time":"\\/');
          if (how === 'duplicate') text = text.replace('{"data":{', '{"data":{"itemId":"y",');
        }
        let parsed: LedgerEntry;
        try {
          parsed = JSON.parse(text) as LedgerEntry;
        } catch {
          return;
        }
        // The chain asks for this hash only of well-formed entries (their fields of their types, no other).
        if (typeof parsed !== 'object' || parsed === null || typeof parsed.hash !== 'string' || bodyProblem(parsed) !== undefined) return;
        const exact = serializeEntry(parsed);
        // The hash as it would be had the text been hashed as it is (what an attacker recomputes).
        for (const hash of [parsed.hash, exact.hash]) {
          const e = { ...parsed, hash } as LedgerEntry;
          const t = text.replace(`"hash":"${parsed.hash}"`, `"hash":"${hash}"`);
          const fast = canonicalLineHash(JSON.parse(t) as LedgerEntry, t);
          if (fast === undefined) continue;
          assert.equal(fast, exact.hash, t);
          // Canonical but for the hash field itself (a stale hash is the chain's to call an edit).
          assert.equal(serializeEntry(e).line, t.replace(`"hash":"${hash}"`, `"hash":"${exact.hash}"`) + '\n', `taken as canonical, but it is not: ${t}`);
        }
      }),
      { numRuns: 2_000 },
    );
  });

  it('by property: the fates read from a ledger\'s bytes are those of its parsed entries (acknowledged or not, recorded again or not)', async () => {
    const events = fc.array(fc.oneof(fc.record({ t: fc.constantFrom('intent', 'blocked'), id: fc.integer({ min: 0, max: 6 }) }), fc.record({ t: fc.constant('ack'), id: fc.integer({ min: 0, max: 6 }) })), { maxLength: 40 });
    await fc.assert(
      fc.asyncProperty(events, fc.boolean(), async (evs, odd) => {
        const dir = fresh();
        let prev = '0'.repeat(64);
        const lines: string[] = [];
        const entries: LedgerEntry[] = [];
        evs.forEach((ev, seq) => {
          // Odd ids: quotes, backslashes and non-ASCII, as JSON escapes them.
          const id = odd ? `it"em\\${ev.id}é` : `item-${ev.id}`;
          const data = ev.t === 'ack' ? { itemId: id } : (auditRecord(ev.id, { itemId: id, ...(ev.t === 'blocked' && { blocked: 'policy-error' as const }) }) as unknown as Record<string, unknown>);
          const base = { v: 1, seq, time: '2026-11-24T00:00:00.000Z', type: ev.t as LedgerEntry['type'], data, prev };
          const { hash, line } = serializeEntry(base);
          prev = hash;
          lines.push(line);
          entries.push({ ...base, hash } as LedgerEntry);
        });
        writeFileSync(join(dir, segmentName(1)), lines.join(''));
        const fromBytes = scanFates(dir);
        const fromEntries = fatesOf(readLedger(dir).entries);
        assert.lengthOf(readLedger(dir).entries, entries.length);
        for (const e of entries) {
          if (e.type === 'ack') continue;
          const key = fromEntries.keyOf(e.seq);
          assert.equal(fromBytes.keyOf(e.seq), key);
          assert.equal(fromBytes.lastOf(key), fromEntries.lastOf(key));
          assert.equal(fromBytes.acked(key), fromEntries.acked(key));
        }
      }),
      { numRuns: 150 },
    );
  });
});

describe('audit: JSON items made from the ledger\'s line are those JSON.stringify makes', function () {
  it('by property: any record, ASCII or not, recorded once: the same JSON either way', () => {
    // Mostly plain text (what the scan reads without escapes), else anything.
    const plain = fc.stringMatching(/^[a-zA-Z0-9 :._/@-]{0,12}$/);
    const text = fc.oneof({ arbitrary: plain, weight: 8 }, { arbitrary: fc.string({ maxLength: 12 }), weight: 1 }, { arbitrary: fc.string({ maxLength: 12, unit: 'binary' }), weight: 1 });
    let compared = 0;
    const record = fc.record({
      itemId: text,
      kind: text,
      channel: text,
      flowRunId: text,
      taskRunId: fc.option(text, { nil: undefined }),
      destination: fc.option(text, { nil: undefined }),
      time: text,
      bytes: fc.oneof(fc.nat(), fc.double({ min: 0, max: 1e22, noNaN: true })),
      payload: fc.option(fc.oneof(fc.dictionary(plain, fc.oneof(plain, fc.integer(), fc.double(), fc.boolean(), fc.constant(null)), { maxKeys: 4 }), fc.jsonValue({ maxDepth: 3 })), { nil: undefined }),
      findings: fc.array(fc.record({ detector: text, path: text, action: text, count: fc.integer() }), { maxLength: 3 }),
      blocked: fc.boolean(),
    });
    fc.assert(
      fc.property(record, fc.boolean(), (r, acked) => {
        const data: Record<string, unknown> = { ...auditRecord(0), itemId: r.itemId, kind: r.kind, channel: r.channel, flowRunId: r.flowRunId, time: r.time, bytes: r.bytes, findings: r.findings, payloadSha256: 'c'.repeat(64) };
        if (r.taskRunId !== undefined) data.taskRunId = r.taskRunId;
        if (r.destination !== undefined) data.destination = r.destination;
        if (r.payload === undefined) delete data.payload;
        else data.payload = r.payload;
        if (r.blocked) data.blocked = 'policy-error';
        const { line } = serializeEntry({ v: 1, seq: 9, time: '2026-11-24T00:00:00.000Z', type: r.blocked ? 'blocked' : 'intent', data, prev: 'a'.repeat(64) });
        const text = line.slice(0, -1);
        const e = JSON.parse(text) as LedgerEntry;
        if (bodyProblem(e) !== undefined) return;
        const row = rowOf(e, '/srv/ledger "x"');
        row.item.acked = acked;
        const expected = jsonVisible(JSON.stringify(row.item));
        if (canonicalLineHash(e, text) !== e.hash) return;
        const scanned = lastScanned(text);
        // Made from the line only where the line is ASCII (as the report does): nothing there to write out.
        if (scanned === undefined || Buffer.byteLength(text) !== text.length) return;
        const made = itemJson(JSON.stringify('/srv/ledger "x"'), row.item, scanned);
        assert.isDefined(made);
        assert.equal(`${made},"acked":${acked},"blocked":${row.item.blocked}}`, expected);
        compared++;
      }),
      { numRuns: 1_000 },
    );
    assert.isAbove(compared, 50, 'lines made into JSON from their text were compared');
  });
});
