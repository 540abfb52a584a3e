/**
 * A small HTTP service of the kind that already exists everywhere: it reports its failures to Sentry,
 * with the request (URL, query string, headers, cookies, body), the customer and a breadcrumb of what it
 * was doing. It does not know about egress-guard; only its Sentry setup does (sentry.ts). All secrets
 * that reach it in the tests are fake.
 */
import * as Sentry from '@sentry/node';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';

export class PaymentError extends Error {
  override name = 'PaymentError';
}

export function createApp(): Server {
  return createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      // What the SDK's HTTP integration does for each request: a scope of its own, the request on it.
      Sentry.withIsolationScope((scope) => {
        scope.setSDKProcessingMetadata({ normalizedRequest: normalizedRequest(req, body) });
        try {
          handle(req, res, body);
        } catch (err) {
          const eventId = Sentry.captureException(err);
          send(res, 402, { error: 'payment failed', eventId });
        }
      });
    });
  });
}

function handle(req: IncomingMessage, res: ServerResponse, body: string): void {
  const url = new URL(req.url ?? '/', 'http://localhost');
  if (req.method === 'POST' && url.pathname === '/checkout') {
    const { card, email } = JSON.parse(body) as { card: string; email: string };
    Sentry.setUser({ email, id: 'customer-1001' });
    Sentry.addBreadcrumb({ category: 'payment', message: `charging card ${card} for ${email}` });
    throw new PaymentError(`card ${card} declined for ${email}`);
  }
  send(res, 404, { error: 'not found' });
}

function normalizedRequest(req: IncomingMessage, body: string) {
  const url = new URL(req.url ?? '/', `http://${req.headers.host ?? 'localhost'}`);
  return {
    url: url.href,
    method: req.method,
    query_string: url.search.slice(1),
    headers: Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v)])),
    cookies: Object.fromEntries((req.headers.cookie ?? '').split(';').filter(Boolean).map((c) => c.trim().split('=') as [string, string])),
    data: body,
  };
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}
