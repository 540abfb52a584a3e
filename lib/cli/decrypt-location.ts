/** `egress-guard decrypt-location --key FILE TOKEN`: the plaintext of a location, for an authorized user. */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { LocationKeyring } from '../crypto/jose.ts';
import { EXIT_OK, UserError, parseCommandArgs, write, type CommandIO } from './io.ts';
import { COMMAND_HELP } from './usage.ts';

export async function decryptLocationCommand(args: string[], io: CommandIO): Promise<number> {
  const { values, positionals } = parseCommandArgs('decrypt-location', args, { key: { type: 'string' } }, COMMAND_HELP['decrypt-location'].usage);
  const keyFile = typeof values.key === 'string' ? values.key : io.env.EGRESS_GUARD_LOCATION_KEY;
  if (keyFile === undefined || keyFile === '') throw new UserError(`decrypt-location: --key FILE is required (or EGRESS_GUARD_LOCATION_KEY)\nusage: ${COMMAND_HELP['decrypt-location'].usage}`);
  if (positionals.length !== 1) throw new UserError(`decrypt-location: give exactly one token\nusage: ${COMMAND_HELP['decrypt-location'].usage}`);
  const path = resolve(io.cwd, keyFile);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new UserError(`decrypt-location: cannot read key file ${path} (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  const ring = await LocationKeyring.fromJson(text, `key file ${path}`);
  await write(io.stdout, (await ring.decrypt(positionals[0]!.trim())) + '\n');
  return EXIT_OK;
}
