/**
 * `egress-guard keys new`: a new location-encryption key (JWK set) or checkpoint-signing key, written with
 * mode 0600. Also where `egress-guard run --ledger` finds, or makes on first use, the key that signs its
 * ledger's checkpoints.
 */
import { randomBytes } from 'node:crypto';
import { linkSync, mkdirSync, readFileSync, realpathSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { generateLocationKeySet, SigningKey } from '../crypto/jose.ts';
import { EXIT_OK, UserError, parseCommandArgs, write, type CommandIO } from './io.ts';
import { COMMAND_HELP } from './usage.ts';

export async function keysNewCommand(args: string[], io: CommandIO): Promise<number> {
  const { values, positionals } = parseCommandArgs('keys new', args, { out: { type: 'string' }, signing: { type: 'boolean' } }, COMMAND_HELP['keys new'].usage);
  if (positionals.length > 0) throw new UserError(`keys new: unexpected argument ${JSON.stringify(positionals[0])}\nusage: ${COMMAND_HELP['keys new'].usage}`);
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
  if (typeof out !== 'string') throw new UserError(`keys new --signing: --out FILE is required (the private key must go to a file)\nusage: ${COMMAND_HELP['keys new'].usage}`);
  const key = await SigningKey.generate();
  const path = resolve(io.cwd, out);
  writeNew(path, key.toJson(true), 0o600);
  writeNew(`${path}.pub.json`, key.toJson(false), 0o644);
  await write(io.stderr, `wrote checkpoint signing key ${key.kid} to ${path} (mode 0600) and its public key to ${path}.pub.json; sign with egress-guard run --ledger DIR --signing-key ${out} (or ${SIGNING_KEY_ENV}=${out}); auditors verify with audit-report --verify --key ${out}.pub.json\n`);
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

/** The environment variable that names the file of the key signing ledger checkpoints (`run --ledger`). */
export const SIGNING_KEY_ENV = 'EGRESS_GUARD_SIGNING_KEY';

/**
 * Where `egress-guard run --ledger` keeps the key that signs ledger checkpoints unless told otherwise:
 * `$XDG_CONFIG_HOME/egress-guard/signing-key.jwk` (`~/.config/...` without it). Outside every ledger:
 * whoever can edit a ledger must not also hold the key that would re-sign it.
 *
 * @example
 * defaultSigningKeyPath({ HOME: '/home/ci' }); // '/home/ci/.config/egress-guard/signing-key.jwk'
 */
export function defaultSigningKeyPath(env: NodeJS.ProcessEnv): string {
  const xdg = env.XDG_CONFIG_HOME;
  // The XDG spec: a relative XDG_CONFIG_HOME is invalid and ignored.
  const base = xdg !== undefined && isAbsolute(xdg) ? xdg : join(env.HOME !== undefined && env.HOME !== '' ? env.HOME : homedir(), '.config');
  return join(base, 'egress-guard', 'signing-key.jwk');
}

export interface LedgerSigningKey {
  key: SigningKey;
  /** The private key's file. */
  path: string;
  /** Made now, on first use. */
  created: boolean;
}

/**
 * The key that signs a ledger's checkpoints: `file` (`--signing-key`), else the file named by
 * EGRESS_GUARD_SIGNING_KEY, else the default path (defaultSigningKeyPath), made there on first use (mode
 * 0600, in a 0700 directory, with its public key beside it as `signing-key.jwk.pub.json` for auditors).
 * Refuses a key inside the ledger directory, a public key where the private one belongs, and a file that
 * is not a key; warns about a key other users can read. Messages name files, never what a key holds.
 *
 * @example
 * const { key, path, created } = await ledgerSigningKey({ command: 'run', env: process.env, cwd: process.cwd(), ledgerDir: 'ledger' }, console.error);
 */
export async function ledgerSigningKey(
  opts: { command: string; file?: string; env: NodeJS.ProcessEnv; cwd: string; ledgerDir: string },
  warn: (message: string) => void,
): Promise<LedgerSigningKey> {
  const named = opts.file ?? (opts.env[SIGNING_KEY_ENV] !== undefined && opts.env[SIGNING_KEY_ENV] !== '' ? opts.env[SIGNING_KEY_ENV] : undefined);
  const source = opts.file !== undefined ? '--signing-key' : named !== undefined ? SIGNING_KEY_ENV : 'the default signing key';
  const path = named !== undefined ? resolve(opts.cwd, named) : defaultSigningKeyPath(opts.env);
  const ledgerDir = resolve(opts.cwd, opts.ledgerDir);
  if (isInside(ledgerDir, path) || isInside(real(ledgerDir), real(path))) {
    throw new UserError(`${opts.command}: the signing key ${path} (${source}) is inside the ledger directory ${ledgerDir}: whoever can edit the ledger could re-sign it with that key; keep the key elsewhere (default: ${defaultSigningKeyPath(opts.env)})`);
  }
  let text = readKeyFile(path, opts.command);
  let created = false;
  if (text === undefined) {
    if (named !== undefined) {
      throw new UserError(`${opts.command}: cannot read the signing key ${path} (${source}: it does not exist); make one with \`egress-guard keys new --signing --out ${named}\`, or leave ${opts.file !== undefined ? '--signing-key out' : `${SIGNING_KEY_ENV} unset`} to use the default one`);
    }
    const made = await makeDefaultKey(path, opts.command);
    created = made !== undefined;
    text = made ?? readKeyFile(path, opts.command); // undefined from makeDefaultKey: another run made it first
    if (text === undefined) throw new UserError(`${opts.command}: cannot read the signing key ${path}, made just now by another run`);
  }
  const key = await SigningKey.fromJson(text, `signing key ${path}`);
  if (!key.canSign) {
    throw new UserError(`${opts.command}: the signing key ${path} (${source}) holds only a public key; checkpoints are signed with the private key (the file \`keys new --signing --out FILE\` wrote, not FILE.pub.json)`);
  }
  if (created) {
    warn(`made the ledger signing key ${key.kid} at ${path} (mode 0600), on first use; auditors verify the ledger with its public key: audit-report --verify --key ${path}.pub.json`);
  } else if (process.platform !== 'win32') {
    const mode = statSync(path).mode & 0o777;
    if ((mode & 0o077) !== 0) warn(`the signing key ${path} can be read by other users (mode 0${mode.toString(8)}): whoever reads it can re-sign a ledger; chmod 600 ${path}`);
  }
  return { key, path, created };
}

/** The file's text, or undefined when it does not exist; other errors say what to do. */
function readKeyFile(path: string, command: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw new UserError(`${command}: cannot read the signing key ${path} (${code ?? 'error'}); give another with --signing-key FILE or ${SIGNING_KEY_ENV}`);
  }
}

/**
 * A new key at `path` (0600) and its public half beside it (0644). Written to a temporary file and linked
 * into place, so that two runs starting at once never see half a key: the second one's link fails and it
 * reads the first one's key (undefined is returned).
 */
async function makeDefaultKey(path: string, command: string): Promise<string | undefined> {
  const key = await SigningKey.generate();
  const text = key.toJson(true);
  try {
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    if (!placeNew(path, text, 0o600)) return undefined;
    placeNew(`${path}.pub.json`, key.toJson(false), 0o644);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'error';
    throw new UserError(`${command}: cannot make the ledger signing key at ${path} (${code}); give one with --signing-key FILE or ${SIGNING_KEY_ENV} (make it with \`egress-guard keys new --signing --out FILE\`)`);
  }
  return text;
}

/** Writes a file that must not exist yet, whole or not at all; false when it already exists. */
function placeNew(path: string, text: string, mode: number): boolean {
  const tmp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  writeFileSync(tmp, text, { mode, flag: 'wx' });
  try {
    linkSync(tmp, path);
    return true;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return false;
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'ENOSYS') throw err;
    // A file system without hard links: an exclusive create, the rest of the race is accepted.
    try {
      writeFileSync(path, text, { mode, flag: 'wx' });
      return true;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw e;
    }
  } finally {
    rmSync(tmp, { force: true });
  }
}

function isInside(parent: string, child: string): boolean {
  const rel = relative(parent, child);
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel));
}

/** The path with symbolic links resolved, as far as it exists. */
function real(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    const parent = dirname(path);
    return parent === path ? path : join(real(parent), basename(path));
  }
}
