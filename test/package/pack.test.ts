/**
 * The package as users get it: `npm pack`, unpacked into an empty project's node_modules (its dependencies
 * linked from this checkout's: no registry here), then loaded from CommonJS (`require`, Node 20.19+ loads
 * our ES modules) and from ES modules, for `.` and every subpath; and what the tarball holds.
 */
import { assert } from 'chai';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { REPO } from '../helpers/cli.ts';

const pkg = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { exports: Record<string, unknown> };
const SUBPATHS = Object.keys(pkg.exports).filter((k) => !k.endsWith('.json')).map((k) => k.replace(/^\./, 'egress-guard'));

describe('package: the packed tarball', function () {
  this.timeout(120_000);
  let project: string;
  let bare: string;
  let files: string[];

  before(() => {
    const scratch = mkdtempSync(join(tmpdir(), 'eg-pack-'));
    const out = execFileSync('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', scratch], { cwd: REPO, encoding: 'utf8' });
    const [packed] = JSON.parse(out) as { filename: string; files: { path: string }[] }[];
    files = packed!.files.map((f) => f.path);
    project = join(scratch, 'app');
    const modules = join(project, 'node_modules');
    mkdirSync(join(modules, 'egress-guard'), { recursive: true });
    execFileSync('tar', ['-xzf', join(scratch, packed!.filename), '-C', join(modules, 'egress-guard'), '--strip-components=1']);
    for (const dep of readdirSync(join(REPO, 'node_modules'))) {
      if (dep === 'egress-guard' || dep.startsWith('.')) continue;
      symlinkSync(join(REPO, 'node_modules', dep), join(modules, dep));
    }
    // A second app with the production dependencies only: none of the optional peers (winston, pino,
    // OpenTelemetry, Sentry) is installed there.
    bare = join(scratch, 'bare');
    mkdirSync(join(bare, 'node_modules'), { recursive: true });
    // Its own copy: a link would resolve imports from the first app's node_modules, where the peers are.
    mkdirSync(join(bare, 'node_modules', 'egress-guard'));
    execFileSync('tar', ['-xzf', join(scratch, packed!.filename), '-C', join(bare, 'node_modules', 'egress-guard'), '--strip-components=1']);
    const production = execFileSync('npm', ['ls', '--omit=dev', '--omit=peer', '--parseable', '--all'], { cwd: REPO, encoding: 'utf8' });
    const names = new Set(production.split('\n').map((p) => /node_modules\/((?:@[^/]+\/)?[^/]+)$/.exec(p)?.[1]).filter((n): n is string => n !== undefined));
    for (const name of names) {
      mkdirSync(dirname(join(bare, 'node_modules', name)), { recursive: true });
      symlinkSync(join(REPO, 'node_modules', name), join(bare, 'node_modules', name));
    }
  });

  const node = (args: string[]) => spawnSync(process.execPath, args, { cwd: project, encoding: 'utf8', env: { PATH: process.env.PATH } });

  it('require() works for . and every subpath, without warnings', () => {
    for (const subpath of SUBPATHS) {
      const r = node(['-e', `const m = require(${JSON.stringify(subpath)}); if (Object.keys(m).length === 0) process.exit(3);`]);
      assert.equal(r.status, 0, `require(${subpath}): ${r.stderr.split('\n').slice(0, 4).join(' | ')}`);
      assert.equal(r.stderr, '', `require(${subpath}) prints nothing`);
    }
  });

  it('import works for . and every subpath; the CommonJS and ESM views are the same module', () => {
    for (const subpath of SUBPATHS) {
      const r = node(['--input-type=module', '-e', `import * as m from ${JSON.stringify(subpath)}; import { createRequire } from 'node:module'; const c = createRequire(import.meta.url)(${JSON.stringify(subpath)}); for (const k of Object.keys(m)) if (m[k] !== c[k]) { console.error('differs: ' + k); process.exit(3); }`]);
      assert.equal(r.status, 0, `import ${subpath}: ${r.stderr.split('\n').slice(0, 4).join(' | ')}`);
    }
  });

  it('without the optional peers: the root, the CLI and a flow run work; a logger subpath says which library it needs', () => {
    const inBare = (args: string[]) => spawnSync(process.execPath, args, { cwd: bare, encoding: 'utf8', env: { PATH: process.env.PATH } });
    assert.isFalse(existsSync(join(bare, 'node_modules', 'winston')), 'winston is not installed in this app');
    const root = inBare(['--input-type=module', '-e', "import { createEngine, flow, task, runFlow } from 'egress-guard'; const e = await createEngine(); const t = task({ name: 't' }, async (x, ctx) => { ctx.logger.info('in task'); return x; }); const f = flow({ name: 'f' }, async () => t(1)); const sent = []; const { EgressGate } = await import('egress-guard'); const out = await runFlow(f, {}, { gate: new EgressGate({ engine: e, sink: { send: (i) => sent.push(i) } }), localTransports: [] }); if (out.state !== 'Success' || sent.length === 0) process.exit(3);"]);
    assert.equal(root.status, 0, root.stderr.split('\n').slice(0, 4).join(' | '));
    const cli = spawnSync(process.execPath, [join(bare, 'node_modules/egress-guard/dist/lib/cli/egress-guard.js'), 'scan', '-'], { cwd: bare, input: 'token ghp_' + 'R7tKq2mWx9LpZ4vN8sB3cD6fG1hJ5kM0yQeT\n', encoding: 'utf8' });
    assert.equal(cli.status, 1, cli.stderr);
    const winston = inBare(['-e', "require('egress-guard/winston')"]);
    assert.notEqual(winston.status, 0);
    assert.match(winston.stderr, /Cannot find (package|module) 'winston(-transport)?'/, winston.stderr.slice(0, 400));
  });

  it('the CLI runs from the tarball (scrub through the installed bin)', () => {
    const r = spawnSync(process.execPath, [join(project, 'node_modules/egress-guard/dist/lib/cli/egress-guard.js'), 'scrub', '--channel', 'logs'], { cwd: project, input: 'token ghp_' + 'R7tKq2mWx9LpZ4vN8sB3cD6fG1hJ5kM0yQeT\n', encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, 'token [REDACTED]\n');
  });

  it('holds what users need and nothing else: no tests, source maps, images or examples built against dev dependencies', () => {
    for (const needed of ['LICENSE', 'README.md', 'package.json', 'dist/lib/index.js', 'dist/lib/index.d.ts', 'dist/lib/cli/egress-guard.js', 'dist/examples/nightly-etl/flow.js', 'policies/default.yaml', 'lib/policy/policy.schema.json', 'docs/policy.md']) {
      assert.include(files, needed);
    }
    for (const f of files) {
      assert.notMatch(f, /\.map$|\.png$|^test\/|^bench\/|^scripts\/|^dist\/examples\/express-app\/|^dist\/(test|bench)\//, `${f} is not for users`);
    }
  });
});
