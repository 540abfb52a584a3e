/**
 * Regexes in policies are untrusted code (DESIGN.md principle 6). Each one must compile and pass two
 * ReDoS checks: recheck, which decides (it proves a pattern safe or finds an attack string), and
 * safe-regex's star-height heuristic, which decides only when recheck cannot (time-out, unsupported).
 * So `(a|a)*$` is refused (recheck finds the attack safe-regex misses) and `^\d{5}(-\d{4})?$` is accepted
 * (recheck proves safe what safe-regex flags).
 */
import { checkSync } from 'recheck';
import safeRegex from 'safe-regex';

export type RegexVerdict =
  | { safe: true; checkedBy: 'recheck' | 'safe-regex' }
  | { safe: false; check: 'syntax' | 'recheck' | 'safe-regex'; reason: string };

const RECHECK_TIMEOUT_MS = 30_000;
const cache = new Map<string, RegexVerdict>();

export async function checkRegexSafety(pattern: string, flags = ''): Promise<RegexVerdict> {
  return checkRegexSafetySync(pattern, flags);
}

/** Synchronous (recheck's checkSync), so that policies can be loaded where no await is possible. */
export function checkRegexSafetySync(pattern: string, flags = ''): RegexVerdict {
  const key = `${flags}/${pattern}`;
  let verdict = cache.get(key);
  if (verdict === undefined) {
    verdict = decide(pattern, flags);
    cache.set(key, verdict);
  }
  return verdict;
}

function decide(pattern: string, flags: string): RegexVerdict {
  try {
    new RegExp(pattern, flags);
  } catch (err) {
    return { safe: false, check: 'syntax', reason: (err as Error).message.replace(/^Invalid regular expression: /, '') };
  }
  // The automaton checker is exact when it finishes; the fuzzer (whose verdicts can vary between runs)
  // only decides what the automaton cannot (back-references, lookbehind, very large patterns).
  const exact = checkSync(pattern, flags, { checker: 'automaton', timeout: RECHECK_TIMEOUT_MS });
  const diagnostics = exact.status === 'unknown' ? checkSync(pattern, flags, { checker: 'fuzz', timeout: RECHECK_TIMEOUT_MS }) : exact;
  if (diagnostics.status === 'vulnerable') {
    const c = diagnostics.complexity;
    const kind = c.type === 'polynomial' ? `polynomial (degree ${c.degree})` : 'exponential';
    const attack = diagnostics.attack.string.length;
    return {
      safe: false,
      check: 'recheck',
      reason: `${kind} backtracking: an input of about ${attack} characters makes it run for seconds; bound the repetition (e.g. {1,64}) or remove the ambiguity`,
    };
  }
  if (diagnostics.status === 'safe') return { safe: true, checkedBy: 'recheck' };
  let heuristicSafe: boolean;
  try {
    heuristicSafe = safeRegex(pattern);
  } catch {
    heuristicSafe = false;
  }
  if (!heuristicSafe) {
    return {
      safe: false,
      check: 'safe-regex',
      reason: `recheck could not decide (${diagnostics.error.kind}) and safe-regex finds nested repetition (star height > 1); simplify the pattern`,
    };
  }
  return { safe: true, checkedBy: 'safe-regex' };
}
