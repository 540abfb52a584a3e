/**
 * Every example in the docs runs. Examples are fenced blocks preceded by a marker comment:
 *   <!-- example: policy -->  a YAML policy: it must load and its embedded tests must pass
 *   <!-- example: ts -->      a TypeScript program importing 'egress-guard': it must exit 0, and print
 *                             every line a `// prints LINE` comment promises (`…`: any text)
 *                             (`runs=N`: run N times in the same directory, as a reader following the page would)
 *   <!-- example: sh -->      shell commands run in a scratch directory with `examples/`, `dist/` and
 *                             `policies/` linked in and the CLI on PATH: exit 0 (or `exit=N`)
 */
import { assert } from 'chai';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadPolicyText } from '../lib/policy/load.ts';
import { compilePolicy } from '../lib/policy/engine.ts';
import { runPolicyTests } from '../lib/policy/test-runner.ts';
import { NODE_FLAGS, REPO, run, shimDir } from './helpers/cli.ts';

interface Example {
  doc: string;
  line: number;
  kind: string;
  options: Record<string, string>;
  code: string;
}

function examples(): Example[] {
  const docs = ['README.md', ...readdirSync(join(REPO, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];
  const out: Example[] = [];
  for (const doc of docs) {
    const lines = readFileSync(join(REPO, doc), 'utf8').split('\n');
    lines.forEach((l, i) => {
      const marker = /^<!--\s*example:\s*(\w+)((?:\s+\w+=\S+)*)\s*-->$/.exec(l.trim());
      if (!marker) return;
      const open = lines.findIndex((x, j) => j > i && x.startsWith('```'));
      const close = lines.findIndex((x, j) => j > open && x.startsWith('```'));
      assert.isAbove(open, i, `${doc}:${i + 1}: example marker without a fenced block`);
      const options = Object.fromEntries(marker[2]!.trim().split(/\s+/).filter(Boolean).map((kv) => kv.split('=') as [string, string]));
      out.push({ doc, line: open + 2, kind: marker[1]!, options, code: lines.slice(open + 1, close).join('\n') });
    });
  }
  return out;
}

const HASH_ENV = { EGRESS_GUARD_HASH_KEY: 'doc-example-hash-key-0123456789abcdef' };

describe('docs: every example runs', function () {
  this.timeout(60_000);
  const all = examples();

  it('finds the examples (policy, ts and sh)', () => {
    const kinds = new Set(all.map((e) => e.kind));
    for (const k of ['policy', 'ts', 'sh']) assert.isTrue(kinds.has(k), `no ${k} example in the docs`);
    for (const e of all) assert.include(['policy', 'ts', 'sh'], e.kind, `${e.doc}:${e.line}: unknown example kind`);
  });

  for (const ex of all) {
    it(`${ex.doc}:${ex.line} (${ex.kind})`, async () => {
      const scratch = mkdtempSync(join(tmpdir(), 'eg-doc-'));
      if (ex.kind === 'policy') {
        const loaded = await loadPolicyText(ex.code, join(scratch, 'example.yaml'));
        const results = await runPolicyTests(loaded.policy.tests ?? [], compilePolicy(loaded, { env: { ...process.env, ...HASH_ENV } }));
        assert.isAbove(results.length, 0, 'a policy example carries tests');
        for (const r of results) assert.isTrue(r.ok, `${r.name}: ${r.failures.join('; ')}`);
        return;
      }
      const expected = Number(ex.options.exit ?? 0);
      let result!: Awaited<ReturnType<typeof run>>;
      if (ex.kind === 'ts') {
        const dir = join(REPO, '.doc-examples');
        mkdirSync(dir, { recursive: true });
        const file = join(dir, `${ex.doc.replace(/\W/g, '_')}_${ex.line}.ts`);
        writeFileSync(file, ex.code);
        // runs=N: run again in the same directory, as a reader following the page would.
        for (let i = 0; i < Number(ex.options.runs ?? 1); i++) {
          result = await run(process.execPath, [...NODE_FLAGS, file], { cwd: scratch, env: HASH_ENV });
          if (result.code !== expected) break;
        }
      } else {
        for (const d of ['examples', 'policies', 'dist']) symlinkSync(join(REPO, d), join(scratch, d));
        const env = { ...HASH_ENV, PATH: `${shimDir()}:${process.env.PATH ?? ''}` };
        result = await run('bash', ['-euo', 'pipefail', '-c', ex.code], { cwd: scratch, env });
      }
      assert.equal(result.code, expected, `exit code; stderr: ${result.stderr.slice(0, 2000)}`);
      // What the page says a line prints, it prints (`…` stands for what changes from run to run).
      const printed = result.stdout.split('\n');
      for (const claim of ex.code.matchAll(/\/\/ prints (.+)$/gm)) {
        const pattern = new RegExp(`^${claim[1]!.trim().split('…').map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
        assert.isTrue(printed.some((l) => pattern.test(l)), `the page says it prints ${claim[1]}; it printed:\n${result.stdout.slice(0, 2000)}`);
      }
    });
  }
});
