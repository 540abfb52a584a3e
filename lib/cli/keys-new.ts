/** `egress-guard keys new`: a new location-encryption key (JWK set), written with mode 0600. */
import { writeFileSync } from 'node:fs';
import { generateLocationKeySet } from '../crypto/jose.ts';
import { EXIT_OK, UserError, parseCommandArgs, write, type CommandIO } from './io.ts';
import { resolve } from 'node:path';

export const KEYS_NEW_USAGE = 'egress-guard keys new [--out FILE]';

export async function keysNewCommand(args: string[], io: CommandIO): Promise<number> {
  const { values, positionals } = parseCommandArgs('keys new', args, { out: { type: 'string' } }, KEYS_NEW_USAGE);
  if (positionals.length > 0) throw new UserError(`keys new: unexpected argument ${JSON.stringify(positionals[0])}\nusage: ${KEYS_NEW_USAGE}`);
  const jwks = await generateLocationKeySet();
  if (typeof values.out !== 'string') {
    await write(io.stdout, jwks);
    return EXIT_OK;
  }
  const path = resolve(io.cwd, values.out);
  try {
    // `wx`: never overwrite an existing key, which would make its ciphertexts undecryptable.
    writeFileSync(path, jwks, { mode: 0o600, flag: 'wx' });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'EEXIST' ? 'it already exists (keys are never overwritten)' : `${code ?? 'error'}`;
    throw new UserError(`keys new: cannot write ${path}: ${why}`);
  }
  const kid = (JSON.parse(jwks) as { keys: { kid: string }[] }).keys[0]!.kid;
  await write(io.stderr, `wrote location key ${kid} to ${path} (mode 0600); use it with --key ${values.out} or EGRESS_GUARD_LOCATION_KEY=${values.out}\n`);
  return EXIT_OK;
}
