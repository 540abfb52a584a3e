/** `egress-guard cloud serve`: the reference control plane, for demos, tests and inspection. */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { startControlPlane, TENANT_NAME } from '../cloud/server.ts';
import { EXIT_OK, UserError, parseCommandArgs, write, type CommandIO } from './io.ts';
import { COMMAND_HELP } from './usage.ts';

export async function cloudServeCommand(args: string[], io: CommandIO): Promise<number> {
  const { values } = parseCommandArgs(
    'cloud serve',
    args,
    { port: { type: 'string' }, data: { type: 'string' }, token: { type: 'string' }, tenants: { type: 'string' } },
    COMMAND_HELP['cloud serve'].usage,
  );
  const usage = (m: string) => new UserError(`cloud serve: ${m}\nusage: ${COMMAND_HELP['cloud serve'].usage}`);
  const port = Number(values.port);
  if (typeof values.port !== 'string' || !Number.isInteger(port) || port < 0 || port > 65535) throw usage('--port must be 0..65535 (0: any free port)');
  if (typeof values.data !== 'string') throw usage('--data DIR is required');
  if ((typeof values.token === 'string') === (typeof values.tenants === 'string')) throw usage('give exactly one of --token T and --tenants FILE');
  const tenants = new Map<string, string>();
  if (values.token !== undefined) {
    if (values.token.length < 16) throw usage('--token must be at least 16 characters');
    tenants.set(values.token, 'default');
  } else if (values.tenants !== undefined) {
    const file = resolve(io.cwd, values.tenants);
    let parsed: unknown;
    try {
      parsed = JSON.parse(readFileSync(file, 'utf8'));
    } catch (err) {
      throw usage(`cannot read tenants file ${file} (${(err as NodeJS.ErrnoException).code ?? 'not JSON'}); expected {"tenants": {"NAME": "TOKEN"}}`);
    }
    const entries = Object.entries((parsed as { tenants?: Record<string, unknown> }).tenants ?? {});
    if (entries.length === 0) throw usage(`${file}: expected {"tenants": {"NAME": "TOKEN", ...}} with at least one tenant`);
    for (const [name, token] of entries) {
      if (!TENANT_NAME.test(name)) throw usage(`${file}: invalid tenant name ${JSON.stringify(name)} (lower-case letters, digits, _ and -)`);
      if (typeof token !== 'string' || token.length < 16) throw usage(`${file}: the token of tenant ${name} must be a string of at least 16 characters`);
      tenants.set(token, name);
    }
  }
  const server = await startControlPlane({ port, dataDir: resolve(io.cwd, values.data), tenants });
  await write(io.stdout, `listening on ${server.url}\n`);
  await new Promise<void>((done) => {
    const stop = () => void server.close().then(done);
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  return EXIT_OK;
}
