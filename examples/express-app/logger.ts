/** The app's logger with egress-guard: the local file keeps full detail; the log service gets the scrubbed copy. */
import winston from 'winston';
import { guardTransport } from 'egress-guard/winston';

export interface LoggerOptions {
  /** Local log file: full detail stays on this machine. */
  file: string;
  /** The log service the logs are shipped to. */
  service: { host: string; port: number; path: string };
}

export function createLogger(options: LoggerOptions): winston.Logger {
  return winston.createLogger({
    level: 'debug',
    format: winston.format.combine(winston.format.errors({ stack: true }), winston.format.splat(), winston.format.timestamp(), winston.format.json()),
    transports: [
      new winston.transports.File({ filename: options.file }),
      guardTransport(new winston.transports.Http(options.service), { policy: 'builtin:default' }),
    ],
  });
}
