/**
 * `audit-report --verify` on ledgers mutated at random: real ledgers (written by the real Ledger, signed,
 * sealed on close) with bytes flipped, inserted and deleted, lines dropped, repeated and swapped, the file
 * cut short, and fields given the wrong type (null, numbers as strings, arrays, objects), with or without
 * every hash recomputed as an attacker would. The command runs in this process (lib/cli/main.ts
 * runCommand, as the real entry point) and must exit 0 or 1, with a named problem or an unproven verdict
 * for 1, never an internal error (exit 70). What it passes must be what was written: a prefix of the
 * original ledger (a cut at a checkpoint is only visible to the witness, docs/audit.md).
 */
import { assert } from 'chai';
import fc from 'fast-check';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ledger, segmentName, type LedgerEntry } from '../../lib/audit/ledger.ts';
import { serializeEntry } from '../../lib/audit/entry.ts';
import { markdownText, type Report } from '../../lib/audit/report.ts';
import { readLedger, type ProblemKind } from '../../lib/audit/verify.ts';
import { SigningKey } from '../../lib/crypto/jose.ts';
import type { AuditRecord } from '../../lib/egress/gate.ts';
import { canonicalJson, sha256Hex } from '../../lib/crypto/canonical.ts';
import { auditReportInProcess } from '../helpers/in-process.ts';
import { auditRecord } from '../helpers/audit.ts';

const KINDS: ProblemKind[] = ['torn-tail', 'unreadable-segment', 'unreadable-entry', 'malformed-entry', 'edited', 'chain-break', 'sequence', 'checkpoint-chain', 'checkpoint-mismatch', 'checkpoint-signature', 'truncated', 'rewritten', 'unwitnessed', 'unknown-format'];
const FORMATS = ['table', 'json', 'md', 'html'] as const;

const record = (i: number): AuditRecord =>
  auditRecord(i, {
    kind: i % 3 === 0 ? 'flow_run' : 'logs',
    channel: i % 3 === 0 ? 'parameters' : 'logs',
    ...(i % 2 === 0 && { taskRunId: `task-${i}` }),
    time: `2026-11-24T00:0${i % 10}:00.000Z`,
    findings: i % 2 === 0 ? [{ detector: 'github-token', path: 'records[0].message', action: 'remove', count: 1 }] : [],
    bytes: 40 + i,
    payload: { records: [{ message: `line ${i} [REDACTED]`, n: i, ok: true, tags: ['a', 'b'] }] },
    ...(i === 5 && { blocked: 'policy-error' as const }),
  });

interface Base {
  text: string;
  ledgerJson: string;
  pub: string;
  key: SigningKey;
  entries: LedgerEntry[];
}

/** A signed ledger as a run writes it: a policy, intents (one blocked), acks, a refusal, checkpoints every 4, a seal. */
async function baseLedger(): Promise<Base> {
  const dir = mkdtempSync(join(tmpdir(), 'eg-fuzz-base-'));
  const key = await SigningKey.generate();
  const ledger = Ledger.open({ dir, signingKey: key, checkpointEvery: 4, checkpointIntervalMs: 600_000 });
  await ledger.recordPolicy({ name: 'default', version: 1, sha256: 'a'.repeat(64) });
  for (let i = 0; i < 8; i++) {
    await ledger.intent(record(i));
    if (i % 2 === 1) await ledger.ack(`item-${i}`);
  }
  await ledger.refused({ by: 'spool', reason: 'its MAC does not verify', count: 2, itemIds: ['item-9'] });
  await ledger.close();
  const pub = join(dir, 'pub.json');
  writeFileSync(pub, key.toJson(false));
  return { text: readFileSync(join(dir, segmentName(1)), 'utf8'), ledgerJson: readFileSync(join(dir, 'ledger.json'), 'utf8'), pub, key, entries: readLedger(dir).entries };
}

function place(base: Base, segment: string | Buffer): string {
  const dir = mkdtempSync(join(tmpdir(), 'eg-fuzz-'));
  writeFileSync(join(dir, 'ledger.json'), base.ledgerJson);
  writeFileSync(join(dir, segmentName(1)), segment);
  return dir;
}

type Value = { op: 'set'; v: unknown } | { op: 'delete' } | { op: 'stringify' } | { op: 'wrap' };
type Mutation =
  | { op: 'flip'; at: number; byte: number }
  | { op: 'insert-byte'; at: number; byte: number }
  | { op: 'delete-byte'; at: number }
  | { op: 'truncate'; at: number }
  | { op: 'delete-line'; i: number }
  | { op: 'duplicate-line'; i: number; j: number }
  | { op: 'swap-lines'; i: number; j: number }
  | { op: 'field'; i: number; path: number; value: Value };

const hostile: fc.Arbitrary<Value> = fc.oneof(
  fc.constant<Value>({ op: 'set', v: null }),
  fc.constant<Value>({ op: 'delete' }),
  fc.constant<Value>({ op: 'stringify' }),
  fc.constant<Value>({ op: 'wrap' }),
  fc.constantFrom('0', '1', '-1', '1e400', '', 'checkpoint', 'f'.repeat(64), '__proto__').map((v): Value => ({ op: 'set', v })),
  fc.constantFrom<unknown>([], {}, [null], { a: 1 }, true, false, -1, -2, 1.5, 2 ** 53 + 2, 1e308, 0).map((v): Value => ({ op: 'set', v })),
  fc.integer({ min: -3, max: 40 }).map((v): Value => ({ op: 'set', v })),
  fc.string({ maxLength: 12 }).map((v): Value => ({ op: 'set', v })),
  fc.jsonValue({ maxDepth: 3 }).map((v): Value => ({ op: 'set', v })),
);

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ op: fc.constant('flip' as const), at: fc.nat(), byte: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ op: fc.constant('insert-byte' as const), at: fc.nat(), byte: fc.constantFrom(0x22, 0x2c, 0x7b, 0x7d, 0x5b, 0x5d, 0x20, 0x0a, 0x30, 0x61, 0x00, 0xff) }),
  fc.record({ op: fc.constant('delete-byte' as const), at: fc.nat() }),
  fc.record({ op: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({ op: fc.constant('delete-line' as const), i: fc.nat() }),
  fc.record({ op: fc.constant('duplicate-line' as const), i: fc.nat(), j: fc.nat() }),
  fc.record({ op: fc.constant('swap-lines' as const), i: fc.nat(), j: fc.nat() }),
  fc.record({ op: fc.constant('field' as const), i: fc.nat(), path: fc.nat(), value: hostile }),
  fc.record({ op: fc.constant('field' as const), i: fc.nat(), path: fc.nat(), value: hostile }),
);

/** The places a value can be changed in a parsed entry: its own fields, its data's, one level further. */
function paths(entry: Record<string, unknown>): string[][] {
  const out: string[][] = Object.keys(entry).map((k) => [k]);
  const data = entry.data;
  if (typeof data === 'object' && data !== null) {
    for (const [k, v] of Object.entries(data)) {
      out.push(['data', k]);
      if (typeof v === 'object' && v !== null) for (const k2 of Object.keys(v)) out.push(['data', k, k2]);
    }
  }
  return out;
}

function setAt(obj: Record<string, unknown>, path: string[], value: Value): void {
  let target: Record<string, unknown> = obj;
  for (const k of path.slice(0, -1)) {
    const next = target[k];
    if (typeof next !== 'object' || next === null) return;
    target = next as Record<string, unknown>;
  }
  const k = path.at(-1)!;
  if (value.op === 'delete') delete target[k];
  else if (value.op === 'stringify') target[k] = typeof target[k] === 'object' ? JSON.stringify(target[k]) : String(target[k]);
  else if (value.op === 'wrap') target[k] = [target[k]];
  else Object.defineProperty(target, k, { value: value.v, enumerable: true, writable: true, configurable: true });
}

function mutate(text: string, mutations: Mutation[], rehash: boolean): Buffer {
  let bytes = Buffer.from(text, 'utf8');
  for (const m of mutations) {
    if (m.op === 'flip' || m.op === 'insert-byte' || m.op === 'delete-byte' || m.op === 'truncate') {
      const at = bytes.length === 0 ? 0 : m.at % (bytes.length + (m.op === 'insert-byte' ? 1 : 0));
      if (m.op === 'flip' && bytes.length > 0) bytes[at] = m.byte;
      if (m.op === 'insert-byte') bytes = Buffer.concat([bytes.subarray(0, at), Buffer.from([m.byte]), bytes.subarray(at)]);
      if (m.op === 'delete-byte' && bytes.length > 0) bytes = Buffer.concat([bytes.subarray(0, at), bytes.subarray(at + 1)]);
      if (m.op === 'truncate') bytes = bytes.subarray(0, at);
      continue;
    }
    const lines = bytes.toString('utf8').split('\n');
    const tail = lines.pop()!;
    if (lines.length === 0) continue;
    const i = m.i % lines.length;
    if (m.op === 'delete-line') lines.splice(i, 1);
    if (m.op === 'duplicate-line') lines.splice(m.j % (lines.length + 1), 0, lines[i]!);
    if (m.op === 'swap-lines') [lines[i], lines[m.j % lines.length]] = [lines[m.j % lines.length]!, lines[i]!];
    if (m.op === 'field') {
      let entry: unknown;
      try {
        entry = JSON.parse(lines[i]!);
      } catch {
        continue;
      }
      if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) continue;
      const all = paths(entry as Record<string, unknown>);
      setAt(entry as Record<string, unknown>, all[m.path % all.length]!, m.value);
      lines[i] = JSON.stringify(entry);
    }
    bytes = Buffer.from([...lines, tail].join('\n'), 'utf8');
  }
  if (!rehash) return bytes;
  // The attacker's last step: every link and hash recomputed over whatever the lines now hold.
  const lines = bytes.toString('utf8').split('\n');
  const tail = lines.pop()!;
  let prev = '0'.repeat(64);
  const out = lines.map((line) => {
    try {
      const e = JSON.parse(line) as LedgerEntry;
      if (typeof e !== 'object' || e === null || Array.isArray(e)) return line;
      const next = { ...e, prev };
      const rehashed = { ...next, hash: serializeEntry(next).hash };
      prev = rehashed.hash;
      return canonicalJson(rehashed);
    } catch {
      return line;
    }
  });
  return Buffer.from([...out, tail].join('\n'), 'utf8');
}

async function verifyAll(dir: string, pub: string, format: (typeof FORMATS)[number]): Promise<{ code: number; report: Report }> {
  const r = await auditReportInProcess(['--ledger', dir, '--verify', '--key', pub, '--format', 'json']);
  assert.notInclude(r.stderr, 'internal error', r.stderr);
  assert.include([0, 1], r.code, `exit ${r.code}: ${r.stderr}`);
  const report = JSON.parse(r.stdout) as Report;
  if (format !== 'json') {
    const other = await auditReportInProcess(['--ledger', dir, '--verify', '--key', pub, '--format', format]);
    assert.equal(other.code, r.code, `${format}: ${other.stderr}`);
    assert.notInclude(other.stderr, 'internal error');
  }
  return { code: r.code, report };
}

function assertNamed(code: number, report: Report): void {
  const v = report.verification;
  if (code === 0) {
    assert.deepInclude(v, { ok: true, status: 'verified', problems: [] });
    return;
  }
  assert.isFalse(v.ok);
  if (v.problems.length === 0) {
    assert.include(['unsigned', 'unsealed'], v.status, 'with the key given, only these are unproven without a problem');
    assert.isNotEmpty(v.notes);
  }
  for (const p of v.problems) {
    assert.include(KINDS, p.kind);
    assert.match(p.message, /ledger-\d{6}\.jsonl|checkpoint at entry/, 'names where');
  }
}

/** What passes is what was written: a prefix of the original entries (the last, a seal, may differ in its unsigned time). */
function assertPrefix(dir: string, original: LedgerEntry[]): void {
  const { entries } = readLedger(dir);
  assert.isAtMost(entries.length, original.length);
  entries.forEach((e, i) => {
    if (i === entries.length - 1 && e.type === 'checkpoint') assert.deepEqual({ ...e, time: '', hash: '' }, { ...original[i]!, time: '', hash: '' });
    else assert.deepEqual(e, original[i]);
  });
}

describe('hardening: audit-report --verify on mutated ledgers never crashes', function () {
  this.timeout(120_000);
  let base: Base;
  before(async () => {
    base = await baseLedger();
  });

  it('the unmodified ledger verifies: exit 0', async () => {
    const { code, report } = await verifyAll(place(base, base.text), base.pub, 'html');
    assert.equal(code, 0, JSON.stringify(report.verification));
    assert.equal(report.verification.status, 'verified');
  });

  it('a checkpoint entry with "data": null: exit 1 naming the entry, never an internal error', async () => {
    const lines = base.text.split('\n');
    const i = lines.findIndex((l) => l.includes('"type":"checkpoint"'));
    const e = JSON.parse(lines[i]!) as Record<string, unknown>;
    for (const rehash of [false, true]) {
      const nulled = { ...e, data: null };
      lines[i] = rehash ? canonicalJson({ ...nulled, hash: serializeEntry(nulled as unknown as LedgerEntry).hash }) : JSON.stringify(nulled);
      const dir = place(base, lines.join('\n'));
      for (const format of FORMATS) {
        const r = await auditReportInProcess(['--ledger', dir, '--verify', '--key', base.pub, '--format', format]);
        assert.equal(r.code, 1, `${format}: ${r.stderr}`);
        assert.notInclude(r.stderr, 'internal error');
        const named = `ledger-000001.jsonl:${i + 1}: entry ${String(e.seq)} is malformed: data must be an object (it is null)`;
        assert.include(r.stdout, format === 'md' ? markdownText(named) : named, format);
      }
    }
  });

  it('JSON nested deeper than the stack in an entry: exit 1 naming it, never an internal error', async () => {
    const lines = base.text.split('\n');
    lines[1] = lines[1]!.replace('"payload":{', `"payload":{"deep":${'['.repeat(100_000)}${']'.repeat(100_000)},`);
    const { code, report } = await verifyAll(place(base, lines.join('\n')), base.pub, 'md');
    assert.equal(code, 1);
    assert.deepInclude(report.verification.problems.map((p) => [p.kind, p.line]), ['malformed-entry', 2]);
  });

  it('by property: bytes, lines, fields and types mutated, with or without every hash recomputed: exit 0 or 1 with a named problem, never an internal error; what passes is what was written', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(mutation, { minLength: 1, maxLength: 3 }), fc.boolean(), fc.constantFrom(...FORMATS), async (mutations, rehash, format) => {
        const dir = place(base, mutate(base.text, mutations, rehash));
        const { code, report } = await verifyAll(dir, base.pub, format);
        assertNamed(code, report);
        if (code === 0) assertPrefix(dir, base.entries);
      }),
      { numRuns: 300 },
    );
  });

  /**
   * The chain recomputed over `entries` as someone without the real key would: every seq, link and hash;
   * the checkpoints as they were (`keep`) or redone over the new chain, signed with a key of their own.
   */
  async function rechain(entries: LedgerEntry[], key: SigningKey | undefined): Promise<LedgerEntry[]> {
    const hashes = new Map<number, string>();
    let prev = '0'.repeat(64);
    let prevCheckpoint = '0'.repeat(64);
    const out: LedgerEntry[] = [];
    for (const [seq, e] of entries.entries()) {
      let data = e.data;
      if (e.type === 'checkpoint' && key !== undefined) {
        const upto = Math.min(seq - 1, Number(e.data.upto_seq));
        const claim = { upto_seq: upto, head: upto < 0 ? '0'.repeat(64) : hashes.get(upto)!, prev_checkpoint: prevCheckpoint, time: String(e.data.time) };
        data = { ...claim, kid: key.kid, jws: await key.sign(claim) };
        prevCheckpoint = sha256Hex(String(data.jws));
      }
      const next = { ...e, seq, data, prev };
      const entry = { ...next, hash: serializeEntry(next).hash };
      hashes.set(seq, entry.hash);
      prev = entry.hash;
      out.push(entry);
    }
    return out;
  }

  it('by property: whoever lacks the key cannot make an edited ledger verify, whether they keep the checkpoints, strip them or re-sign them with a key of their own, every hash recomputed', async () => {
    const attacker = await SigningKey.generate();
    const editable = base.entries.map((e, i) => ({ e, i })).filter(({ e }) => e.type !== 'checkpoint');
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...editable.map(({ i }) => i)),
        fc.constantFrom('bytes', 'itemId', 'findings', 'blocked', 'channel'),
        fc.constantFrom('keep', 'strip', 'resign'),
        async (index, field, checkpoints) => {
          const edited: LedgerEntry[] = base.entries.map((e, i) => {
            if (i !== index) return e;
            const data = { ...e.data };
            if (field === 'bytes') data.bytes = 999_999;
            else if (field === 'itemId') data.itemId = 'item-hidden';
            else if (field === 'findings') data.findings = [];
            else if (field === 'blocked') data.blocked = 'policy-error';
            else data.channel = 'metadata';
            return { ...e, data };
          });
          fc.pre(JSON.stringify(edited[index]) !== JSON.stringify(base.entries[index])); // an edit that changes nothing proves nothing
          const kept = checkpoints === 'strip' ? edited.filter((e) => e.type !== 'checkpoint') : edited;
          const entries = await rechain(kept, checkpoints === 'resign' ? attacker : undefined);
          const dir = place(base, entries.map((e) => canonicalJson(e)).join('\n') + '\n');
          const { code, report } = await verifyAll(dir, base.pub, 'table');
          assert.equal(code, 1, JSON.stringify(report.verification));
          assertNamed(code, report);
        },
      ),
      { numRuns: 60 },
    );
  });
});
