/**
 * Sentry stack traces (an exception's, a thread's): the exceptions rules' `stack` settings (ship or not,
 * how many frames: the innermost, which Sentry lists last), each frame's paths made relative and home
 * directories hidden as in a traceback, function and module names and source context lines scanned by
 * the frame rules, and local variables (`vars`) walked by the parameters rules.
 */
import type { Engine } from '../policy/engine.ts';
import type { Finding } from '../redact/findings.ts';
import { frameText, stackPolicy } from '../integrations/exception-text.ts';
import { under } from '../integrations/findings.ts';
import { walkFields } from './walk.ts';

/** Frame fields that are text of the traceback: paths, names, source lines. */
const TEXT = new Set(['filename', 'abs_path', 'function', 'raw_function', 'module', 'package', 'symbol', 'context_line']);
const CONTEXT = new Set(['pre_context', 'post_context']);

/**
 * The stack trace as it may leave, or undefined when the policy ships no stacks.
 *
 * @example guardStacktrace(engine, { frames: [{ abs_path: '/home/alice/app/x.js', lineno: 3 }] }).value // { frames: [{ abs_path: '~/app/x.js', lineno: 3 }] }
 */
export function guardStacktrace(engine: Engine, stacktrace: unknown): { value: Record<string, unknown> | undefined; findings: Finding[] } {
  const { ship, frames: limit } = stackPolicy(engine);
  if (!ship || typeof stacktrace !== 'object' || stacktrace === null) return { value: undefined, findings: [] };
  const source = stacktrace as Record<string, unknown>;
  const findings: Finding[] = [];
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(source)) {
    if (key !== 'frames') {
      out[key] = value; // frames_omitted, registers: numbers and addresses
      continue;
    }
    const frames = Array.isArray(value) ? value : [];
    const first = Math.max(0, frames.length - limit);
    out.frames = frames.slice(first).map((frame, i) => {
      const g = guardFrame(engine, frame);
      findings.push(...under(g.findings, `frames[${first + i}]`));
      return g.value;
    });
  }
  return { value: out, findings };
}

function guardFrame(engine: Engine, frame: unknown): { value: Record<string, unknown>; findings: Finding[] } {
  if (typeof frame !== 'object' || frame === null) return { value: {}, findings: [] };
  const findings: Finding[] = [];
  const out: Record<string, unknown> = {};
  const rest: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(frame as Record<string, unknown>)) {
    if (typeof value === 'number' || typeof value === 'boolean' || value === null || value === undefined) {
      if (value !== undefined) out[key] = value;
    } else if (TEXT.has(key) && typeof value === 'string') {
      const t = frameText(engine, value);
      findings.push(...under(t.findings, key));
      if (t.text !== undefined) out[key] = t.text;
    } else if (CONTEXT.has(key) && Array.isArray(value)) {
      out[key] = value.flatMap((line, i) => {
        const t = frameText(engine, String(line));
        findings.push(...under(t.findings, `${key}[${i}]`));
        return t.text === undefined ? [] : [t.text];
      });
    } else {
      rest[key] = value; // vars, and what a newer SDK adds
    }
  }
  const walked = walkFields(engine, rest);
  findings.push(...walked.findings);
  Object.assign(out, walked.value);
  return { value: out, findings };
}
