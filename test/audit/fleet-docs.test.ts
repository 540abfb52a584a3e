/**
 * docs/audit.md, "Where one machine is not enough": its worked example runs as written, on a small fleet
 * (three workers, two days, a ledger each): the shell commands with the real audit-report, then each SQL
 * query through DuckDB (@duckdb/node-api, the engine the page names), whose answer must be the table the
 * page shows below the query. The blocks are marked `<!-- fleet-example: sh|sql|result -->` (not
 * `example:`: test/docs.test.ts runs those in an empty directory, and this one needs its fleet).
 */
import { assert } from 'chai';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SigningKey } from '../../lib/crypto/jose.ts';
import { REPO, run, shimDir } from '../helpers/cli.ts';
import { auditRecord, fastLedger } from '../helpers/audit.ts';

interface Block {
  kind: string;
  code: string;
}

/** The marked blocks of the section, in order. */
function blocks(): Block[] {
  const text = readFileSync(join(REPO, 'docs/audit.md'), 'utf8');
  const start = text.indexOf('## Where one machine is not enough');
  assert.isAtLeast(start, 0, 'docs/audit.md has the section');
  const lines = text.slice(start).split('\n');
  const out: Block[] = [];
  lines.forEach((l, i) => {
    const marker = /^<!--\s*fleet-example:\s*(\w+)\s*-->$/.exec(l.trim());
    if (marker === null) return;
    if (marker[1] === 'result') {
      const table: string[] = [];
      for (let j = i + 1; j < lines.length && lines[j]!.startsWith('|'); j++) table.push(lines[j]!);
      out.push({ kind: 'result', code: table.join('\n') });
      return;
    }
    const open = lines.findIndex((x, j) => j > i && x.startsWith('```'));
    const close = lines.findIndex((x, j) => j > open && x.startsWith('```'));
    out.push({ kind: marker[1]!, code: lines.slice(open + 1, close).join('\n') });
  });
  return out;
}

/** A Markdown table's rows (header and separator left out), cells trimmed. */
function rowsOf(table: string): string[][] {
  return table
    .split('\n')
    .slice(2)
    .map((l) => l.split('|').slice(1, -1).map((c) => c.trim()));
}

describe('docs/audit.md: the fleet example runs, and DuckDB answers what the page says', function () {
  this.timeout(120_000);

  it('audit-report exports the fleet as NDJSON; each query answers with the table the page shows', async () => {
    const found = blocks();
    assert.deepEqual([...new Set(found.map((b) => b.kind))].sort(), ['result', 'sh', 'sql']);
    const cwd = mkdtempSync(join(tmpdir(), 'eg-fleet-doc-'));
    const key = await SigningKey.generate();
    writeFileSync(join(cwd, 'signing-key.pub.json'), key.toJson(false));
    // Three workers, two days: github-token findings in some items; one of worker-2's never delivered.
    const every = { 'worker-1': 3, 'worker-2': 3, 'worker-3': 4 } as const;
    for (const [worker, n] of Object.entries(every)) {
      for (const [d, day] of ['2026-11-23', '2026-11-24'].entries()) {
        await fastLedger(join(cwd, 'fleet', worker, day), {
          items: 8,
          key,
          idPrefix: `${worker}-${day}-`,
          start: Date.parse(`${day}T09:00:00.000Z`),
          unacked: (i) => worker === 'worker-2' && d === 1 && i === 3,
          record: (i) =>
            auditRecord(i, {
              time: new Date(Date.parse(`${day}T09:00:00.000Z`) + i * 60_000).toISOString(),
              flowRunId: `${worker}-${day}`,
              channel: i % 2 === 0 ? 'logs' : 'parameters',
              findings: i % n === 0 ? [{ detector: 'github-token', path: 'records[0].message', action: 'remove', count: 1 }] : [],
            }),
        });
      }
    }
    const env = { PATH: `${shimDir()}:${process.env.PATH ?? ''}` };
    const { DuckDBInstance } = await import('@duckdb/node-api');
    const db = await DuckDBInstance.create(':memory:');
    const connection = await db.connect();
    await connection.run(`SET file_search_path = '${cwd.replaceAll("'", "''")}'`);
    let answer: string[][] | undefined;
    for (const block of found) {
      if (block.kind === 'sh') {
        const r = await run('bash', ['-euo', 'pipefail', '-c', block.code], { cwd, env });
        assert.equal(r.code, 0, `${block.code}\n${r.stderr}`);
      } else if (block.kind === 'sql') {
        const result = await connection.runAndReadAll(block.code);
        answer = result.getRowsJson().map((row) => row.map((v) => String(v)));
      } else {
        assert.isDefined(answer, 'a result follows its query');
        assert.deepEqual(answer, rowsOf(block.code), `the page shows:\n${block.code}`);
        answer = undefined;
      }
    }
  });
});
