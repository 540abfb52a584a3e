/** The app's logger before egress-guard: everything goes to the local file and to the log service. */
import winston from 'winston';

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
      new winston.transports.Http(options.service),
    ],
  });
}
