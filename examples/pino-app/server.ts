/**
 * Starts the example service:
 *   PORT=3000 node dist/examples/pino-app/server.js
 * LOG_FILE (default app.log) keeps the full local log; stdout (or SHIPPED_LOG, a file) gets what
 * egress-guard lets out, for the platform's log agent to ship.
 */
import { createServer } from 'node:http';
import { createApp } from './app.ts';
import { createLogger } from './logger.ts';

const logger = createLogger({ file: process.env.LOG_FILE ?? 'app.log', shipped: process.env.SHIPPED_LOG ?? 1 });
const server = createServer(createApp(logger)).listen(Number(process.env.PORT ?? 3000), '127.0.0.1', () => {
  const address = server.address();
  logger.info('listening on %s', typeof address === 'object' && address !== null ? `http://127.0.0.1:${address.port}` : String(address));
});
