/**
 * The exceptions channel: a failed state's message is `Type: message` with the message scrubbed; the
 * traceback, scrubbed (relative paths, no usernames, limited frames), travels with the logs.
 */
import type { Engine, ErrorResult } from '../policy/engine.ts';

export function guardError(engine: Engine, error: unknown): ErrorResult {
  return engine.scrubError(error);
}
