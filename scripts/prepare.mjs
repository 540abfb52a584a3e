/**
 * `npm run prepare` (npm runs it after `npm ci`/`npm install` in a checkout, and when a checkout is
 * installed as a dependency): builds dist/ when TypeScript is installed. A checkout installed without its
 * dev dependencies (`npm install ../egress-guard`) keeps the dist/ it has, or says how to get one, rather
 * than failing with `tsc: not found`.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';

let tsc;
try {
  tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
} catch {
  tsc = undefined;
}
if (tsc !== undefined) {
  process.exit(spawnSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { stdio: 'inherit' }).status ?? 1);
}
if (!existsSync(new URL('../dist/lib/index.js', import.meta.url))) {
  console.error(
    'egress-guard: dist/ is not built and TypeScript is not installed in this checkout.\n' +
      'Run `npm ci` in the egress-guard checkout first (it builds dist/), or install a packed tarball: `npm pack`, then `npm install ./egress-guard-<version>.tgz`.',
  );
  process.exit(1);
}
