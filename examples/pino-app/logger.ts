/** The app's logger with egress-guard: the local file keeps full detail; what is shipped is scrubbed, in pino's worker. */
import pino from 'pino';
import { guardPinoTransport } from 'egress-guard/pino';

export interface LoggerOptions {
  /** Local log file: full detail stays on this machine. */
  file: string;
  /** What the log agent ships off the machine: a file it tails, or 1 (stdout, collected by the platform). */
  shipped: string | number;
}

export function createLogger(options: LoggerOptions): pino.Logger {
  const transport = pino.transport({
    targets: [
      { target: 'pino/file', options: { destination: options.file }, level: 'debug' },
      guardPinoTransport({ policy: 'builtin:default', destination: options.shipped, level: 'info' }),
    ],
  });
  return pino({ level: 'debug' }, transport);
}
