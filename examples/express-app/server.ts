/**
 * Starts the example app:
 *   LOG_SERVICE=127.0.0.1:9880 PORT=3000 node dist/examples/express-app/server.js
 * LOG_FILE (default app.log) keeps the full local log; the log service gets what egress-guard lets out.
 */
import { createApp } from './app.ts';
import { createLogger } from './logger.ts';

const [host = '127.0.0.1', port = '9880'] = (process.env.LOG_SERVICE ?? '').split(':').filter(Boolean);
const logger = createLogger({ file: process.env.LOG_FILE ?? 'app.log', service: { host, port: Number(port), path: '/logs' } });
const server = createApp(logger).listen(Number(process.env.PORT ?? 3000), '127.0.0.1', () => {
  const address = server.address();
  logger.info('listening on %s', typeof address === 'object' && address !== null ? `http://127.0.0.1:${address.port}` : String(address));
});
