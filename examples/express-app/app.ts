/**
 * A small Express app of the kind that already exists everywhere: it logs requests, logins and failures
 * with winston, metadata and all. It does not know about egress-guard; only its logger does (logger.ts).
 * All secrets that reach it in the tests are fake.
 */
import express, { type ErrorRequestHandler } from 'express';
import type { Logger } from 'winston';

export function createApp(logger: Logger): express.Express {
  const app = express();
  app.use(express.json());

  // Access log: method, URL (query string and all), status and the request headers.
  app.use((req, res, next) => {
    const started = performance.now();
    res.on('finish', () => {
      const ms = Math.round(performance.now() - started);
      logger.info('%s %s %d %dms', req.method, req.originalUrl, res.statusCode, ms, { headers: req.headers });
    });
    next();
  });

  app.post('/login', (req, res) => {
    const { email, password } = req.body as { email?: string; password?: string };
    logger.debug('login attempt', { body: req.body });
    if (password !== 'letmein') throw new Error(`login failed for ${email} with password=${password}`);
    res.json({ ok: true });
  });

  app.get('/orders/:id', (req, res) => {
    logger.info('order %s fetched for %s', req.params.id, req.get('x-customer-email'));
    res.json({ id: req.params.id, status: 'shipped' });
  });

  const onError: ErrorRequestHandler = (err: Error, _req, res, _next) => {
    logger.error('request failed', err);
    res.status(401).json({ error: 'unauthorized' });
  };
  app.use(onError);
  return app;
}
