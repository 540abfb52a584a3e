/**
 * A small HTTP service of the kind that logs with pino everywhere: a child logger per request (with the
 * request's headers bound to it), an access line with `%s` arguments, logins and their failures with `err`.
 * It does not know about egress-guard; only its logger does (logger.ts). The secrets in its tests are fake.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import type { Logger } from 'pino';

export function createApp(logger: Logger): RequestListener {
  return (req, res) => {
    const log = logger.child({ requestId: randomUUID().slice(0, 8), headers: req.headers });
    const started = performance.now();
    res.on('finish', () => log.info('%s %s %d %dms', req.method, req.url, res.statusCode, Math.round(performance.now() - started)));
    route(req, res, log).catch((err: unknown) => {
      log.error({ err }, 'request failed');
      send(res, 500, { error: 'internal' });
    });
  };
}

async function route(req: IncomingMessage, res: ServerResponse, log: Logger): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const order = /^\/orders\/(\d+)$/.exec(url.pathname);
  if (req.method === 'GET' && order !== null) {
    log.info({ customer: { email: req.headers['x-customer-email'] } }, 'order %s fetched for %s', order[1], req.headers['x-customer-email']);
    return send(res, 200, { id: order[1], status: 'shipped' });
  }
  if (req.method === 'POST' && url.pathname === '/login') {
    const body = JSON.parse(await text(req)) as { email?: string; password?: string };
    log.debug({ body }, 'login attempt');
    if (body.password !== 'letmein') {
      log.warn({ err: new Error(`login failed for ${body.email} with password=${body.password}`) }, 'login refused');
      return send(res, 401, { ok: false });
    }
    return send(res, 200, { ok: true });
  }
  send(res, 404, { error: 'not found' });
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

async function text(req: IncomingMessage): Promise<string> {
  let body = '';
  for await (const chunk of req) body += String(chunk);
  return body;
}
