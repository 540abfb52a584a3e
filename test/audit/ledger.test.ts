import { assert } from 'chai';
import { spawn } from 'node:child_process';
import { appendFileSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GENESIS, Ledger, segmentName, type LedgerEntry } from '../../lib/audit/ledger.ts';
import { ENTRY_FORMAT, serializeEntry } from '../../lib/audit/entry.ts';
import { readLedger, verifyCheckpoints } from '../../lib/audit/verify.ts';
import { SigningKey } from '../../lib/crypto/jose.ts';
import type { AuditRecord } from '../../lib/egress/gate.ts';
import { canonicalJson } from '../../lib/crypto/canonical.ts';
import { NODE_FLAGS } from '../helpers/cli.ts';
import { auditRecord } from '../helpers/audit.ts';

const record = (i: number, extra: Partial<AuditRecord> = {}): AuditRecord =>
  auditRecord(i, { findings: [{ detector: 'github-token', path: 'records[0].message', action: 'remove', count: 1 }], payload: { records: [{ message: `line ${i} [REDACTED]` }] }, ...extra });

const fresh = () => mkdtempSync(join(tmpdir(), 'eg-ledger-'));
const lines = (dir: string, seg = 1) => readFileSync(join(dir, segmentName(seg)), 'utf8').split('\n').filter(Boolean);

describe('audit/ledger', () => {
  it('chains entries, group-commits them, and verifies clean', async () => {
    const dir = fresh();
    const ledger = Ledger.open({ dir });
    await ledger.recordPolicy({ name: 'default', version: 1, sha256: 'a'.repeat(64) });
    await Promise.all(Array.from({ length: 50 }, (_, i) => ledger.intent(record(i))));
    await ledger.ack('item-0');
    await ledger.close();
    const { entries, problems } = readLedger(dir);
    assert.deepEqual(problems, []);
    assert.lengthOf(entries, 52);
    assert.deepEqual(entries.map((e) => e.seq), Array.from({ length: 52 }, (_, i) => i));
    assert.deepEqual([entries[0]!.type, entries[1]!.type, entries[51]!.type], ['policy', 'intent', 'ack']);
    assert.equal(entries[2]!.prev, entries[1]!.hash);
  });

  it('every entry says its format (v); entries written before v existed still verify; a format this version does not know is named, not called an edit', async () => {
    const dir = fresh();
    const ledger = Ledger.open({ dir });
    for (let i = 0; i < 3; i++) await ledger.intent(record(i));
    await ledger.close();
    const written = lines(dir).map((l) => JSON.parse(l) as LedgerEntry);
    assert.deepEqual(written.map((e) => e.v), [ENTRY_FORMAT, ENTRY_FORMAT, ENTRY_FORMAT]);
    // The same entries as the ledger wrote them before `v`: chained and hashed without it.
    const legacy = fresh();
    let prev = GENESIS;
    const old = written.map(({ v: _v, hash: _h, ...e }) => {
      const { hash, line } = serializeEntry({ ...e, prev });
      prev = hash;
      return line;
    });
    writeFileSync(join(legacy, segmentName(1)), old.join(''));
    assert.deepEqual(readLedger(legacy).problems, []);
    assert.lengthOf(readLedger(legacy).entries, 3);
    // Entry 1 in a future format, rehashed and rechained: named as such, and the ledger does not verify.
    const future = fresh();
    prev = GENESIS;
    const next = written.map(({ hash: _h, ...e }, i) => {
      const { hash, line } = serializeEntry({ ...e, ...(i === 1 && { v: ENTRY_FORMAT + 1 }), prev });
      prev = hash;
      return line;
    });
    writeFileSync(join(future, segmentName(1)), next.join(''));
    const reading = readLedger(future);
    assert.deepEqual(reading.problems.map((p) => [p.kind, p.seq]), [['unknown-format', 1]]);
    assert.include(reading.problems[0]!.message, `entry 1 is in entry format ${ENTRY_FORMAT + 1}; this egress-guard reads format ${ENTRY_FORMAT}`);
    assert.deepEqual(reading.entries.map((e) => e.seq), [0, 2], 'the entries around it are read');
  });

  it('continues the chain across processes in a new segment, and can keep only digests', async () => {
    const dir = fresh();
    const a = Ledger.open({ dir });
    await a.intent(record(1));
    await a.close();
    const b = Ledger.open({ dir, record: 'digest' });
    await b.intent(record(2));
    await b.close();
    assert.sameMembers(readdirSync(dir), [segmentName(1), segmentName(2), 'ledger.json']);
    const { entries, problems } = readLedger(dir);
    assert.deepEqual(problems, []);
    assert.equal(entries[1]!.prev, entries[0]!.hash);
    assert.property(entries[0]!.data, 'payload');
    assert.notProperty(entries[1]!.data, 'payload', 'digest mode keeps payloadSha256 only');
    assert.equal(entries[1]!.data.payloadSha256, record(2).payloadSha256);
  });

  it('rotates segments by size and verifies across them', async () => {
    const dir = fresh();
    const ledger = Ledger.open({ dir, segmentBytes: 2_000 });
    for (let i = 0; i < 30; i++) await ledger.intent(record(i));
    await ledger.close();
    assert.isAtLeast(readdirSync(dir).filter((f) => f.startsWith('ledger-')).length, 3);
    const { entries, problems } = readLedger(dir);
    assert.deepEqual(problems, []);
    assert.lengthOf(entries, 30);
  });

  describe('tampering is detected and names the entry', () => {
    async function ledgerWith(n: number): Promise<string> {
      const dir = fresh();
      const l = Ledger.open({ dir });
      for (let i = 0; i < n; i++) await l.intent(record(i));
      await l.close();
      return dir;
    }
    const rewrite = (dir: string, f: (ls: string[]) => string[]) => writeFileSync(join(dir, segmentName(1)), f(lines(dir)).join('\n') + '\n');

    it('an edited entry', async () => {
      const dir = await ledgerWith(5);
      rewrite(dir, (ls) => ls.map((l, i) => (i === 2 ? l.replace('"bytes":42', '"bytes":43') : l)));
      assert.deepEqual(readLedger(dir).problems.map((p) => [p.kind, p.seq]), [['edited', 2]]);
      // Recomputing the edited entry's hash only moves the evidence to the next link.
      const rehashed = await ledgerWith(5);
      rewrite(rehashed, (ls) =>
        ls.map((l, i) => {
          if (i !== 2) return l;
          const e = JSON.parse(l.replace('"bytes":42', '"bytes":43')) as LedgerEntry;
          return JSON.stringify({ ...e, hash: serializeEntry(e).hash });
        }),
      );
      assert.deepEqual(readLedger(rehashed).problems.map((p) => [p.kind, p.seq]), [['chain-break', 3]]);
    });

    it('a deleted entry', async () => {
      const dir = await ledgerWith(5);
      rewrite(dir, (ls) => ls.filter((_, i) => i !== 1));
      assert.deepEqual(readLedger(dir).problems.map((p) => [p.kind, p.seq]), [['sequence', 2], ['chain-break', 2]]);
    });

    it('reordered and duplicated entries', async () => {
      const dir = await ledgerWith(5);
      rewrite(dir, (ls) => [ls[0]!, ls[2]!, ls[1]!, ls[3]!, ls[4]!]);
      assert.includeDeepMembers(readLedger(dir).problems.map((p) => [p.kind, p.seq]), [['sequence', 2], ['chain-break', 2], ['sequence', 1]]);
      const dup = await ledgerWith(3);
      rewrite(dup, (ls) => [...ls, ls[2]!]);
      assert.deepInclude(readLedger(dup).problems.map((p) => [p.kind, p.seq]), ['sequence', 2]);
    });

    it('a truncated (torn) tail: reported, earlier entries still verify, the next writer does not build on it', async () => {
      const dir = await ledgerWith(3);
      appendFileSync(join(dir, segmentName(1)), '{"seq":3,"time":"2026-');
      const reading = readLedger(dir);
      assert.lengthOf(reading.entries, 3);
      assert.deepEqual(reading.problems.map((p) => [p.kind, p.line]), [['torn-tail', 4]]);
      const next = Ledger.open({ dir });
      await next.intent(record(9));
      await next.close();
      const after = readLedger(dir);
      assert.equal(after.entries.at(-1)!.prev, reading.entries.at(-1)!.hash, 'the chain continues from the last durable entry');
      assert.deepEqual(after.problems.map((p) => p.kind), ['torn-tail'], 'still reported');
    });
  });

  it('kill -9 mid-run leaves a ledger that verifies up to the last durable entry', async function () {
    this.timeout(30_000);
    const dir = fresh();
    // A real child process appending as fast as it can; killed with SIGKILL once it has written something.
    const script = join(dir, 'writer.mts');
    writeFileSync(
      script,
      `import { Ledger } from ${JSON.stringify(join(process.cwd(), 'lib/audit/ledger.ts'))};
const l = Ledger.open({ dir: ${JSON.stringify(dir)} });
let i = 0;
for (;;) { await Promise.all(Array.from({ length: 200 }, () => l.intent({ itemId: 'i' + i++, kind: 'logs', channel: 'logs', flowRunId: 'r', time: 't', policy: { name: 'p', version: 1, sha256: 's' }, findings: [], payloadSha256: 'x', bytes: 1, payload: { pad: 'y'.repeat(500) } }))); process.stdout.write('.'); }
`,
    );
    const child = spawn(process.execPath, [...NODE_FLAGS, script], { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
    child.kill('SIGKILL');
    await new Promise((resolve) => child.once('close', resolve));
    const { entries, problems } = readLedger(dir);
    assert.isAtLeast(entries.length, 200);
    assert.deepEqual(entries.map((e) => e.seq), Array.from({ length: entries.length }, (_, i) => i));
    assert.isTrue(problems.every((p) => p.kind === 'torn-tail'), JSON.stringify(problems.map((p) => p.kind)));
  });

  describe('signed checkpoints', () => {
    it('every N entries, on close, and for quiet periods; each names the one before; all verify', async () => {
      const dir = fresh();
      const key = await SigningKey.generate();
      const ledger = Ledger.open({ dir, signingKey: key, checkpointEvery: 10, checkpointIntervalMs: 20 });
      await Promise.all(Array.from({ length: 25 }, (_, i) => ledger.intent(record(i))));
      await new Promise((r) => setTimeout(r, 120)); // quiet period: interval checkpoints still come
      await ledger.close();
      const reading = readLedger(dir);
      const cps = reading.entries.filter((e) => e.type === 'checkpoint');
      assert.isAtLeast(cps.length, 4, 'two by count, at least one by time, one on close');
      const quiet = cps.filter((c, i) => i > 0 && c.data.upto_seq === cps[i - 1]!.seq);
      assert.isAtLeast(quiet.length, 1, 'a checkpoint with nothing new since the previous one');
      const publicOnly = await SigningKey.fromJson(key.toJson(false), 'public');
      const v = await verifyCheckpoints(reading, publicOnly);
      assert.deepEqual(v.problems, []);
      assert.equal(v.checkpoints, cps.length);
      assert.deepEqual(reading.problems, []);
    });

    it('checkpoint() called again before anything new is appended signs nothing twice: every checkpoint moves forward, as a witness requires', async () => {
      const dir = fresh();
      const key = await SigningKey.generate();
      const ledger = Ledger.open({ dir, signingKey: key, checkpointIntervalMs: 600_000 });
      await ledger.intent(record(0));
      await Promise.all([ledger.checkpoint(), ledger.checkpoint(), ledger.close()]);
      const reading = readLedger(dir);
      assert.deepEqual(reading.entries.map((e) => [e.type, e.data.upto_seq]), [['intent', undefined], ['checkpoint', 0]], 'one checkpoint of the intent, which is also the seal');
      assert.deepInclude((await verifyCheckpoints(reading, key)).seal, { sealing: 1, unsealed: 0 });
    });

    it('detects a swapped signing key, a forged head and a removed checkpoint', async () => {
      const dir = fresh();
      const key = await SigningKey.generate();
      const ledger = Ledger.open({ dir, signingKey: key, checkpointEvery: 5, checkpointIntervalMs: 60_000 });
      for (let i = 0; i < 12; i++) await ledger.intent(record(i));
      await ledger.close();
      const reading = readLedger(dir);
      const other = await SigningKey.generate();
      const swapped = await verifyCheckpoints(reading, other);
      assert.isAbove(swapped.problems.length, 0);
      assert.isTrue(swapped.problems.every((p) => p.kind === 'checkpoint-signature' && /signed by key/.test(p.message)));
      // An attacker who rewrites the chain (recomputing every hash) cannot re-sign the heads.
      const cp = reading.entries.find((e) => e.type === 'checkpoint')!;
      const forged = { ...reading, entries: reading.entries.map((e) => (e.seq === cp.data.upto_seq ? { ...e, hash: 'f'.repeat(64) } : e)) };
      assert.deepInclude((await verifyCheckpoints(forged, key)).problems.map((p) => p.kind), 'checkpoint-mismatch');
      const removed = { ...reading, entries: reading.entries.filter((e) => e !== cp) };
      assert.deepInclude((await verifyCheckpoints(removed, key)).problems.map((p) => p.kind), 'checkpoint-chain');
    });
  });

  describe('sealing and malformed entries', () => {
    it('close() seals the ledger: its last entry is a signed checkpoint of every entry before it; appends once close() has started are refused', async () => {
      const dir = fresh();
      const key = await SigningKey.generate();
      const ledger = Ledger.open({ dir, signingKey: key, checkpointIntervalMs: 600_000 });
      await ledger.intent(record(0));
      const closing = ledger.close();
      const late = ledger.ack('item-0').then(
        () => 'appended',
        (err: unknown) => String(err),
      );
      await closing;
      assert.match(await late, /ledger is closed/);
      const reading = readLedger(dir);
      const last = reading.entries.at(-1)!;
      assert.equal(last.type, 'checkpoint');
      assert.equal(last.data.upto_seq, last.seq - 1, 'the seal covers the entry just before it');
      const { seal, problems } = await verifyCheckpoints(reading, key);
      assert.deepEqual(problems, []);
      assert.deepInclude(seal, { signaturesChecked: true, kids: [key.kid], sealing: 1, sealedUpto: 0, unsealed: 0 });
    });

    it('a key that cannot sign (only the public half) never crashes the writer: its entries stay, reported as an unsealed tail', async () => {
      const dir = fresh();
      const key = await SigningKey.generate();
      const publicOnly = await SigningKey.fromJson(key.toJson(false), 'public');
      assert.isFalse(publicOnly.canSign);
      const ledger = Ledger.open({ dir, signingKey: publicOnly, checkpointEvery: 2, checkpointIntervalMs: 600_000 });
      for (let i = 0; i < 5; i++) await ledger.intent(record(i));
      await ledger.close();
      const reading = readLedger(dir);
      assert.deepEqual(reading.problems, []);
      assert.lengthOf(reading.entries, 5);
      assert.deepInclude((await verifyCheckpoints(reading, key)).seal, { sealing: 0, sealedUpto: -1, unsealed: 5 });
    });

    it('an empty ledger sealed on close verifies (its checkpoint seals entry -1, the genesis head)', async () => {
      const dir = fresh();
      const key = await SigningKey.generate();
      await Ledger.open({ dir, signingKey: key }).close();
      const reading = readLedger(dir);
      assert.deepEqual(reading.entries.map((e) => [e.type, e.data.upto_seq, e.data.head]), [['checkpoint', -1, GENESIS]]);
      const v = await verifyCheckpoints(reading, key);
      assert.deepEqual(v.problems, []);
      assert.deepInclude(v.seal, { sealing: 1, unsealed: 0 });
    });

    it('malformed entries are named problems, never exceptions: data null, fields of the wrong type, arrays, deep nesting, extra fields, another spelling of the same hash', async () => {
      const base = async () => {
        const dir = fresh();
        const key = await SigningKey.generate();
        const l = Ledger.open({ dir, signingKey: key, checkpointEvery: 2, checkpointIntervalMs: 600_000 });
        for (let i = 0; i < 3; i++) await l.intent(record(i));
        await l.close();
        return { dir, key, lines: lines(dir) };
      };
      /** Entry 2 (a checkpoint) replaced by `f` of it; with `rehash`, its hash recomputed as an attacker would. */
      const cases: [string, (e: Record<string, unknown>) => unknown, boolean][] = [
        ['data null', (e) => ({ ...e, data: null }), true],
        ['data an array', (e) => ({ ...e, data: [] }), true],
        ['seq a string', (e) => ({ ...e, seq: '2' }), false],
        ['seq negative', (e) => ({ ...e, seq: -2 }), false],
        ['hash a number', (e) => ({ ...e, hash: 5 }), false],
        ['prev null', (e) => ({ ...e, prev: null }), false],
        ['type unknown', (e) => ({ ...e, type: 'note' }), true],
        ['the entry an array', (e) => [e], false],
        ['the entry null', () => null, false],
        ['upto_seq a string', (e) => ({ ...e, data: { ...(e.data as object), upto_seq: '1' } }), true],
        ['jws a number', (e) => ({ ...e, data: { ...(e.data as object), jws: 7 } }), true],
        ['an extra field in the checkpoint', (e) => ({ ...e, data: { ...(e.data as object), note: 'x' } }), true],
        ['an extra top-level field', (e) => ({ ...e, note: 'x' }), true],
      ];
      for (const [name, f, rehash] of cases) {
        const { dir, key, lines: ls } = await base();
        const e = JSON.parse(ls[2]!) as Record<string, unknown>;
        assert.equal(e.type, 'checkpoint');
        let changed = f(e) as Record<string, unknown>;
        if (rehash && changed !== null && !Array.isArray(changed)) changed = { ...changed, hash: serializeEntry(changed as unknown as LedgerEntry).hash };
        ls[2] = rehash ? canonicalJson(changed) : JSON.stringify(changed);
        writeFileSync(join(dir, segmentName(1)), ls.join('\n') + '\n');
        const reading = readLedger(dir);
        const found = reading.problems.filter((p) => p.kind === 'malformed-entry' && p.line === 3);
        assert.lengthOf(found, 1, `${name}: ${JSON.stringify(reading.problems)}`);
        assert.match(found[0]!.message, /^ledger-000001\.jsonl:3: /, name);
        assert.notInclude(reading.entries.map((x) => x.seq), 2, `${name}: a malformed entry is not handed on`);
        await verifyCheckpoints(reading, key); // and nothing downstream throws
      }
      // JSON nested deeper than the stack: parses, cannot be hashed, and is named.
      const { dir, lines: ls } = await base();
      ls[1] = ls[1]!.replace('"payload":{', `"payload":{"deep":${'['.repeat(200_000)}${']'.repeat(200_000)},`);
      writeFileSync(join(dir, segmentName(1)), ls.join('\n') + '\n');
      assert.deepInclude(readLedger(dir).problems.map((p) => [p.kind, p.seq]), ['malformed-entry', 1]);
      // The same content spelled otherwise (keys out of order): its hash matches, its text is not the ledger's.
      const other = await base();
      const e = JSON.parse(other.lines[0]!) as LedgerEntry;
      other.lines[0] = JSON.stringify({ type: e.type, seq: e.seq, time: e.time, prev: e.prev, hash: e.hash, data: e.data, v: e.v });
      writeFileSync(join(other.dir, segmentName(1)), other.lines.join('\n') + '\n');
      assert.deepEqual(readLedger(other.dir).problems.map((p) => [p.kind, p.seq]), [['malformed-entry', 0]]);
    });

    it('the next writer continues the chain after a malformed last entry', async () => {
      const dir = fresh();
      const a = Ledger.open({ dir });
      await a.intent(record(0));
      await a.ack('item-0');
      await a.close();
      const ls = lines(dir);
      const e = JSON.parse(ls[1]!) as LedgerEntry;
      ls[1] = JSON.stringify({ ...e, data: null });
      writeFileSync(join(dir, segmentName(1)), ls.join('\n') + '\n');
      const b = Ledger.open({ dir });
      await b.intent(record(1));
      await b.close();
      const reading = readLedger(dir);
      assert.deepEqual(reading.problems.map((p) => [p.kind, p.seq]), [['edited', 1], ['malformed-entry', 1]], 'only the entry that was damaged');
      assert.equal(reading.entries.at(-1)!.seq, 2);
    });
  });
});
