/** The app's logger before egress-guard: everything goes to the local file and, as it is, to the shipped log. */
import pino from 'pino';

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
      { target: 'pino/file', options: { destination: options.shipped }, level: 'info' },
    ],
  });
  return pino({ level: 'debug' }, transport);
}
