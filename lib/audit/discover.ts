/**
 * Which ledgers `--ledger` names: a ledger directory, a directory of ledger directories (a fleet: one per
 * worker and day, at any depth), or a glob (`fleet/*\/2026-11-*`). Why a module of its own: a fleet is
 * given as a few patterns, not a thousand arguments, and Node 20 has no glob of its own.
 *
 * A directory is a ledger when it holds segment files or a ledger.json; otherwise the ledgers below it are
 * taken (symbolic links are not followed below it, so a link cannot make the walk loop), and a directory
 * with none is read as an empty ledger, as a ledger that was never written to is.
 */
import { existsSync, lstatSync, readdirSync, statSync } from 'node:fs';
import { isAbsolute, join, resolve, sep } from 'node:path';

/** How deep below a directory ledgers are looked for. */
const DEPTH = 8;
/** Ledgers one argument may name (a pattern that matches more is refused: narrow it). */
const MAX_LEDGERS = 100_000;

/**
 * Why `--ledger` names no ledger: the message says which argument.
 *
 * @example try { findLedgers(['fleet/*'], cwd); } catch (err) { if (err instanceof LedgerNotFound) console.error(err.message); }
 */
export class LedgerNotFound extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LedgerNotFound';
  }
}

/**
 * The ledger directories the arguments name, absolute, each once, in the order given (a directory's or a
 * pattern's ledgers sorted by path). Throws LedgerNotFound for a path that does not exist or is not a
 * directory, and for a pattern that matches nothing.
 *
 * @example
 * findLedgers(['fleet'], cwd);             // ['/…/fleet/worker-1/2026-11-23', '/…/fleet/worker-1/2026-11-24', …]
 * findLedgers(['fleet/*\/2026-11-24'], cwd); // one per worker
 */
export function findLedgers(args: readonly string[], cwd: string): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  const add = (dir: string) => {
    if (seen.has(dir)) return;
    seen.add(dir);
    out.push(dir);
  };
  for (const arg of args) {
    const path = resolve(cwd, arg);
    if (hasGlob(arg)) {
      const matched = expandGlob(isAbsolute(arg) ? arg : join(cwd, arg)).filter(isDirectory);
      if (matched.length === 0) throw new LedgerNotFound(`no ledger matches ${arg} (a pattern: * ? [..] within a name, ** for any depth; quote it so that the shell leaves it to audit-report)`);
      for (const dir of matched) for (const ledger of ledgersIn(dir)) add(ledger);
      continue;
    }
    if (!existsSync(path) || !isDirectory(path)) throw new LedgerNotFound(`no ledger at ${path} (give the directory with --ledger DIR)`);
    for (const ledger of ledgersIn(path)) add(ledger);
  }
  return out;
}

/**
 * Whether a directory is a ledger: it holds segment files or a ledger.json.
 *
 * @example isLedgerDir('.egress-guard/ledger') // true once a run has written to it
 */
export function isLedgerDir(dir: string): boolean {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return false;
  }
  return names.some((n) => n === 'ledger.json' || /^ledger-\d{6}\.jsonl$/.test(n));
}

/** `dir` itself when it is a ledger; else the ledgers below it, sorted; else `dir` (an empty ledger). */
function ledgersIn(dir: string): string[] {
  if (isLedgerDir(dir)) return [dir];
  const found: string[] = [];
  walk(dir, 0, found);
  if (found.length === 0) return [dir];
  return found.sort(byPath);
}

function walk(dir: string, depth: number, found: string[]): void {
  if (depth >= DEPTH) return;
  let names: string[];
  try {
    names = readdirSync(dir).sort(byPath);
  } catch {
    return;
  }
  for (const name of names) {
    const path = join(dir, name);
    let st;
    try {
      st = lstatSync(path);
    } catch {
      continue;
    }
    if (!st.isDirectory()) continue;
    if (isLedgerDir(path)) {
      found.push(path);
      if (found.length > MAX_LEDGERS) throw new LedgerNotFound(`more than ${MAX_LEDGERS} ledgers below ${dir}: name fewer (a pattern, or a directory further down)`);
    } else walk(path, depth + 1, found);
  }
}

function hasGlob(s: string): boolean {
  return /[*?[]/.test(s);
}

/**
 * The paths a glob matches, sorted: `*` and `?` within one name (never across `/`), `[abc]`, `[a-z]` and
 * `[!a]` classes, `**` for any number of directories. Names starting with a dot match only a pattern
 * starting with one.
 *
 * @example expandGlob('/srv/fleet/*\/2026-11-2?') // ['/srv/fleet/w1/2026-11-23', '/srv/fleet/w2/2026-11-24']
 */
export function expandGlob(pattern: string): string[] {
  const parts = pattern.split(sep).filter((p, i) => p !== '' || i === 0);
  // The literal start: the directory the pattern is matched under.
  let base = parts[0] === '' ? sep : '.';
  let i = parts[0] === '' ? 1 : 0;
  while (i < parts.length - 1 && !hasGlob(parts[i]!)) base = join(base, parts[i++]!);
  let current = [base];
  for (; i < parts.length; i++) {
    const part = parts[i]!;
    const next: string[] = [];
    if (part === '**') {
      // Zero or more directories: this level and every directory below it.
      for (const dir of current) collectDirs(dir, next, 0);
    } else if (!hasGlob(part)) {
      for (const dir of current) {
        const path = join(dir, part);
        if (existsSync(path)) next.push(path);
      }
    } else {
      const re = globPart(part);
      for (const dir of current) {
        let names: string[];
        try {
          names = readdirSync(dir);
        } catch {
          continue;
        }
        for (const name of names) if (re.test(name) && (name[0] !== '.' || part[0] === '.')) next.push(join(dir, name));
      }
    }
    if (next.length > MAX_LEDGERS) throw new LedgerNotFound(`${pattern} matches more than ${MAX_LEDGERS} paths: narrow it`);
    current = [...new Set(next)];
  }
  return current.sort(byPath);
}

function collectDirs(dir: string, out: string[], depth: number): void {
  out.push(dir);
  if (depth >= DEPTH * 2 || out.length > MAX_LEDGERS) return;
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return;
  }
  for (const name of names) {
    if (name[0] === '.') continue;
    const path = join(dir, name);
    try {
      if (lstatSync(path).isDirectory()) collectDirs(path, out, depth + 1);
    } catch {
      // gone meanwhile
    }
  }
}

/** One name's pattern as an anchored regular expression. */
function globPart(part: string): RegExp {
  let re = '';
  for (let i = 0; i < part.length; i++) {
    const c = part[i]!;
    if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else if (c === '[') {
      const close = part.indexOf(']', i + 2);
      if (close < 0) {
        re += '\\[';
        continue;
      }
      let body = part.slice(i + 1, close);
      const negate = body[0] === '!' || body[0] === '^';
      if (negate) body = body.slice(1);
      re += `[${negate ? '^' : ''}${body.replace(/[\\\]^]/g, '\\$&')}]`;
      i = close;
    } else re += c.replace(/[.+^${}()|\\/]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

function byPath(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
