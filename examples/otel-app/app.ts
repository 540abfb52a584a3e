/**
 * A small HTTP service of the kind that already exists everywhere: it traces each request with
 * OpenTelemetry (the URL and its query string, the SQL it runs, what went wrong) and logs what it does.
 * It does not know about egress-guard; only its telemetry setup does (telemetry.ts). All secrets that
 * reach it in the tests are fake.
 */
import { SpanKind, SpanStatusCode, type Tracer } from '@opentelemetry/api';
import { SeverityNumber, type Logger } from '@opentelemetry/api-logs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';

export interface Telemetry {
  tracer: Tracer;
  logger: Logger;
}

export function createApp({ tracer, logger }: Telemetry): Server {
  return createServer((req, res) => {
    const url = new URL(req.url ?? '/', `http://${req.headers.host ?? 'localhost'}`);
    tracer.startActiveSpan(`${req.method} ${url.pathname}`, { kind: SpanKind.SERVER, attributes: { 'url.full': url.href, 'http.request.method': req.method ?? 'GET', 'http.request.header.authorization': req.headers.authorization ?? '' } }, (span) => {
      try {
        handle(req, res, url, { tracer, logger });
        span.setAttribute('http.response.status_code', res.statusCode);
      } catch (err) {
        span.recordException(err as Error);
        span.setStatus({ code: SpanStatusCode.ERROR, message: (err as Error).message });
        logger.emit({ severityNumber: SeverityNumber.ERROR, severityText: 'ERROR', body: 'request failed', exception: err });
        send(res, 402, { error: 'payment failed' });
      } finally {
        span.end();
      }
    });
  });
}

function handle(req: IncomingMessage, res: ServerResponse, url: URL, { tracer, logger }: Telemetry): void {
  const email = String(req.headers['x-customer-email'] ?? '');
  const order = /^\/orders\/(\w+)$/.exec(url.pathname)?.[1];
  if (order !== undefined) {
    tracer.startActiveSpan('SELECT orders', { attributes: { 'db.system': 'postgresql', 'db.statement': `SELECT * FROM orders WHERE id = '${order}' AND email = '${email}'` } }, (db) => db.end());
    logger.emit({ severityNumber: SeverityNumber.INFO, severityText: 'INFO', body: `order ${order} fetched for ${email}`, attributes: { 'order.id': order } });
    send(res, 200, { id: order, status: 'shipped' });
    return;
  }
  if (url.pathname === '/pay') {
    const card = url.searchParams.get('card') ?? '';
    throw new Error(`card ${card} declined for ${email}`);
  }
  send(res, 404, { error: 'not found' });
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}
