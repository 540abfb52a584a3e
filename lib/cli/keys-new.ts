/** `egress-guard keys new`: a new location-encryption key (JWK set), written with mode 0600. */
import { writeFileSync } from 'node:fs';
import { generateLocationKeySet, SigningKey } from '../crypto/jose.ts';
import { EXIT_OK, UserError, parseCommandArgs, write, type CommandIO } from './io.ts';
import { resolve } from 'node:path';

export const KEYS_NEW_USAGE = 'egress-guard keys new [--signing] [--out FILE]';

export async function keysNewCommand(args: string[], io: CommandIO): Promise<number> {
  const { values, positionals } = parseCommandArgs('keys new', args, { out: { type: 'string' }, signing: { type: 'boolean' } }, KEYS_NEW_USAGE);
  if (positionals.length > 0) throw new UserError(`keys new: unexpected argument ${JSON.stringify(positionals[0])}\nusage: ${KEYS_NEW_USAGE}`);
  if (values.signing === true) return signingKey(values.out, io);
  const jwks = await generateLocationKeySet();
  if (typeof values.out !== 'string') {
    await write(io.stdout, jwks);
    return EXIT_OK;
  }
  const path = resolve(io.cwd, values.out);
  writeNew(path, jwks, 0o600);
  const kid = (JSON.parse(jwks) as { keys: { kid: string }[] }).keys[0]!.kid;
  await write(io.stderr, `wrote location key ${kid} to ${path} (mode 0600); use it with --key ${values.out} or EGRESS_GUARD_LOCATION_KEY=${values.out}\n`);
  return EXIT_OK;
}

/** An ES256 checkpoint-signing key: the private JWK at OUT (0600), the public one at OUT.pub.json for auditors. */
async function signingKey(out: unknown, io: CommandIO): Promise<number> {
  if (typeof out !== 'string') throw new UserError(`keys new --signing: --out FILE is required (the private key must go to a file)\nusage: ${KEYS_NEW_USAGE}`);
  const key = await SigningKey.generate();
  const path = resolve(io.cwd, out);
  writeNew(path, key.toJson(true), 0o600);
  writeNew(`${path}.pub.json`, key.toJson(false), 0o644);
  await write(io.stderr, `wrote checkpoint signing key ${key.kid} to ${path} (mode 0600) and its public key to ${path}.pub.json\n`);
  return EXIT_OK;
}

/** `wx`: never overwrite an existing key, which would make what it protects unreadable or unverifiable. */
function writeNew(path: string, text: string, mode: number): void {
  try {
    writeFileSync(path, text, { mode, flag: 'wx' });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'EEXIST' ? 'it already exists (keys are never overwritten)' : `${code ?? 'error'}`;
    throw new UserError(`keys new: cannot write ${path}: ${why}`);
  }
}
