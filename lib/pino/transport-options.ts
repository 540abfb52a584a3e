/**
 * The options of the pino transport. They cross from the application thread into pino's worker thread,
 * where they are copied (structured clone): only data goes, so the policy is a file path, `builtin:NAME`
 * or a plain policy object, never a compiled engine, and the ledger is a directory the worker opens.
 */
import { isAbsolute, resolve } from 'node:path';
import { createRequire } from 'node:module';
import type { PolicyDocument } from '../policy/types.ts';

/**
 * What the transport takes (in `guardPinoTransport(...)`, or as a target's `options`).
 *
 * @example
 * const options: PinoTransportOptions = { policy: 'policies/app.yaml', destination: '/var/log/app/shipped.log', mkdir: true, ledger: '.egress-guard/pino-ledger' };
 */
export interface PinoTransportOptions {
  /** A policy file (relative paths resolve against `cwd`), `builtin:NAME`, or a policy object. Default: `builtin:default`. */
  policy?: string | PolicyDocument;
  /** Relative paths (policy, destination, location key) resolve against this directory (default: the working directory). */
  cwd?: string;
  /** Absolute paths in tracebacks are made relative to this directory (default: the working directory). */
  projectRoot?: string;
  /** A location key file, for a policy that encrypts locations. */
  locationKeyFile?: string;
  /** Where the scrubbed lines go: a file path, or a file descriptor (1: stdout, 2: stderr). Default: 1. */
  destination?: string | number;
  /** Create the destination file's directory (default false). */
  mkdir?: boolean;
  /** Append to the destination file (default true). */
  append?: boolean;
  /** Instead of `destination`: another pino transport target that receives the scrubbed lines, in the same worker. */
  forward?: { target: string; options?: Record<string, unknown> };
  /** pino's `messageKey`, when the logger sets one (default `msg`). */
  messageKey?: string;
  /** How often a drop rule's summary record goes out (ms, default 60 000; 0: every drop; Infinity: never). */
  dropSummaryEvery?: number;
  /**
   * An audit ledger directory (or its options), opened in the worker: each record that leaves is recorded
   * (intent, then ack). Give the transport a directory of its own: a ledger has one writer.
   */
  ledger?: string | { dir: string; record?: 'payload' | 'digest' };
  /** Where the records go, as the ledger says it (default: the file's path, `fd:N`, or the forward target). */
  auditDestination?: string;
}

/**
 * The options with `cwd` fixed (the policy file resolves against it, in the worker as here), file paths
 * made absolute against it, and the forward target resolved as pino resolves targets (a package name from
 * `cwd`).
 *
 * @example
 * resolveTransportOptions({ policy: 'policy.yaml', destination: 'logs/out.log' }, '/srv/app');
 * // { policy: 'policy.yaml', destination: '/srv/app/logs/out.log', cwd: '/srv/app' }
 */
export function resolveTransportOptions(options: PinoTransportOptions, cwd = options.cwd ?? process.cwd()): PinoTransportOptions {
  const path = (p: string) => (isAbsolute(p) ? p : resolve(cwd, p));
  const out: PinoTransportOptions = { ...options, cwd };
  if (typeof options.destination === 'string') out.destination = path(options.destination);
  if (options.locationKeyFile !== undefined) out.locationKeyFile = path(options.locationKeyFile);
  if (typeof options.ledger === 'string') out.ledger = path(options.ledger);
  else if (options.ledger !== undefined) out.ledger = { ...options.ledger, dir: path(options.ledger.dir) };
  if (options.forward !== undefined) out.forward = { ...options.forward, target: resolveTarget(options.forward.target, cwd) };
  if (options.destination !== undefined && options.forward !== undefined) throw new TypeError('egress-guard pino transport: give `destination` or `forward`, not both');
  return out;
}

/** A transport target as pino resolves one: absolute paths, file URLs and `pino/file` as they are, packages from `cwd`. */
function resolveTarget(target: string, cwd: string): string {
  if (isAbsolute(target) || target.startsWith('file://') || target === 'pino/file') return target;
  if (target.startsWith('.')) return resolve(cwd, target);
  try {
    return createRequire(resolve(cwd, 'noop.js')).resolve(target);
  } catch {
    return target; // the worker imports it by name
  }
}

/**
 * How the ledger names the destination of the records.
 *
 * @example
 * describeDestination({ destination: 2 }); // 'fd:2'
 */
export function describeDestination(options: PinoTransportOptions): string {
  if (options.auditDestination !== undefined) return options.auditDestination;
  if (options.forward !== undefined) return options.forward.target;
  return typeof options.destination === 'string' ? options.destination : `fd:${options.destination ?? 1}`;
}
