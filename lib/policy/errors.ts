import type { SourcePosition } from './types.ts';

/** A policy that cannot be used, with every problem found, each at its FILE:LINE:COL. */
export interface PolicyIssue {
  file: string;
  /** 1-based; 1:1 when the problem has no better place (a file that cannot be read). */
  line: number;
  col: number;
  message: string;
  /** Which check refused it, for regex problems: `syntax` or `recheck`. */
  check?: string;
}

/**
 * A policy that cannot be loaded, with every problem found (`issues`); the message lists them, one
 * `FILE:LINE:COL: message` a line.
 *
 * @example
 * try { await createEngine('policy.yaml'); }
 * catch (err) { if (err instanceof PolicyError) for (const i of err.issues) console.error(`${i.file}:${i.line}: ${i.message}`); }
 */
export class PolicyError extends Error {
  override name = 'PolicyError';

  constructor(readonly issues: PolicyIssue[]) {
    super(issues.map(formatIssue).join('\n'));
  }
}

export function formatIssue(i: PolicyIssue): string {
  return `${i.file}:${i.line}:${i.col}: ${i.message}`;
}

/**
 * A policy that loads but cannot be put in force here: a hash action without its key, an unreadable key.
 *
 * @example throw new PolicyCompileError('policy strict: the hash action needs a key; add hash: { key: env:NAME } to the policy');
 */
export class PolicyCompileError extends Error {
  override name = 'PolicyCompileError';
}

/**
 * `FILE:LINE:COL: `, to start a message about that place; nothing without one.
 *
 * @example positionPrefix({ file: 'p.yaml', line: 8, col: 14 }) // 'p.yaml:8:14: '
 */
export function positionPrefix(at: SourcePosition | undefined): string {
  return at === undefined ? '' : `${at.file}:${at.line}:${at.col}: `;
}
