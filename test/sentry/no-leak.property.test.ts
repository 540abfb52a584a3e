/**
 * No leak through the Sentry door, by property (fast-check): events with planted secrets in the message,
 * exception type and value, stack frames (paths, function names, context lines, local variables),
 * breadcrumbs, request (url, query string, headers, cookies, data), user, extra, contexts and tags;
 * transactions with planted span descriptions and data; streamed spans; logs. Each case goes through the
 * callbacks Sentry calls, with a real ledger whose files are searched at the end; a share of the cases
 * also through the real @sentry/node to a real HTTP server, whose envelopes are searched. A failure names
 * the detector and encoding, never the value.
 *
 * EGRESS_GUARD_DOOR_PROPERTY_RUNS sets the number of cases (default 150; a fifth of them over HTTP).
 */
import * as Sentry from '@sentry/node';
import { assert } from 'chai';
import fc from 'fast-check';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ledger } from '../../lib/audit/ledger.ts';
import { engineFor } from '../../lib/policy/create.ts';
import { guardSentry } from '../../lib/sentry/index.ts';
import { arbitraries, innocentOf, noLeak, pooledLeaks, params, RUNS, type Carried, type Planted } from '../helpers/door-plants.ts';
import { startSentryServer, type SentryServer } from './server.ts';

describe('sentry: no planted secret leaves through the door, by property', function () {
  this.timeout(300_000);
  const engine = engineFor('builtin:default');
  const a = arbitraries(engine);
  const dir = mkdtempSync(join(tmpdir(), 'eg-sentry-property-'));
  const ledger = Ledger.open({ dir });
  const guard = guardSentry({ policy: engine, ledger });
  const all: Planted[] = [];
  /** Every case's innocent text, for the same. */
  const innocents: string[] = [];
  let server: SentryServer;
  before(async () => {
    server = await startSentryServer();
  });
  after(() => server.close());

  const planted = (...carried: Carried<unknown>[]) => carried.flatMap((c) => c.planted);

  /** An error event as the SDK and its integrations build one, every content field planted. */
  const errorEvent = fc
    .record({ message: a.text, type: a.text, value: a.text, path: a.text, fn: a.text, line: a.text, vars: a.tree, crumb: a.text, crumbData: a.attributes, url: a.text, query: a.text, headers: a.attributes, cookie: a.text, body: a.tree, user: a.text, extra: a.tree, context: a.attributes, tag: a.text })
    .map((c) => ({
      planted: planted(...Object.values(c)),
      event: {
        event_id: 'e4f1c2a3b4c5d6e7f8091a2b3c4d5e6f',
        level: 'error',
        message: c.message.value,
        exception: {
          values: [{
            type: c.type.value,
            value: c.value.value,
            mechanism: { type: 'generic', handled: true },
            stacktrace: { frames: [{ filename: `/srv/app/${c.path.value}.js`, abs_path: `/srv/app/${c.path.value}.js`, function: c.fn.value, lineno: 3, pre_context: [c.line.value], context_line: c.line.value, vars: c.vars.value as Record<string, unknown> }] },
          }],
        },
        breadcrumbs: [{ category: 'http', message: c.crumb.value, data: c.crumbData.value }],
        request: { url: `https://shop.test/x?q=${c.url.value}`, query_string: c.query.value, headers: c.headers.value, cookies: { session: c.cookie.value }, data: c.body.value },
        user: { id: 'u-1', email: c.user.value },
        extra: { value: c.extra.value },
        contexts: { app: c.context.value },
        tags: { note: c.tag.value },
      },
    }));

  const transaction = fc.record({ name: a.text, description: a.text, data: a.attributes, root: a.attributes }).map((c) => ({
    planted: planted(...Object.values(c)),
    event: { type: 'transaction', transaction: c.name.value, contexts: { trace: { trace_id: '0af7651916cd43dd8448eb211c80319c', span_id: 'b7ad6b7169203331', data: c.root.value } }, spans: [{ span_id: 'a1b2c3d4e5f60718', description: c.description.value, op: 'db', data: c.data.value }] },
  }));

  it('error events, transactions, streamed spans and logs, through the callbacks', () => {
    fc.assert(
      fc.property(errorEvent, transaction, a.text, a.attributes, a.text, a.attributes, (error, trans, spanName, spanAttributes, logMessage, logAttributes) => {
        const out = [
          guard.options.beforeSend(structuredClone(error.event)),
          trans.event.type === 'transaction' ? guard.options.beforeSend(structuredClone(trans.event)) : null,
          guard.options.beforeSendSpan!({ span_id: 'a1b2c3d4e5f60718', trace_id: '0af7651916cd43dd8448eb211c80319c', name: spanName.value, attributes: spanAttributes.value }),
          guard.options.beforeSendLog({ level: 'error', message: logMessage.value, attributes: logAttributes.value }),
        ];
        const cases = [...error.planted, ...trans.planted, ...spanName.planted, ...spanAttributes.planted, ...logMessage.planted, ...logAttributes.planted];
        const input = [error.event, trans.event, spanName.value, spanAttributes.value, logMessage.value, logAttributes.value];
        const innocent = innocentOf(input, cases);
        noLeak(JSON.stringify(out), cases, 'the Sentry callbacks', innocent);
        all.push(...cases);
        innocents.push(innocent);
      }),
      params(),
    );
  });

  it('over HTTP: the real SDK, a real server, the envelopes it received', async () => {
    const client = Sentry.init({ dsn: server.dsn, defaultIntegrations: false, enableRuntimeChannelInjection: false, ...guard.options });
    guard.connect(client);
    try {
      await fc.assert(
        fc.asyncProperty(a.text, a.text, a.tree, a.attributes, a.text, async (message, error, extra, tags, crumb) => {
          const cases = planted(message, error, extra, tags, crumb);
          server.envelopes.length = 0;
          Sentry.withScope((scope) => {
            scope.setExtra('value', extra.value);
            scope.setTags(Object.fromEntries(Object.entries(tags.value).map(([k, v]) => [k, String(v)])));
            scope.addBreadcrumb({ message: crumb.value });
            Sentry.captureException(new Error(error.value));
            Sentry.captureMessage(message.value);
          });
          assert.isTrue(await Sentry.flush(5000));
          assert.lengthOf(server.items('event'), 2, 'both events arrived');
          const innocent = innocentOf([message.value, error.value, extra.value, tags.value, crumb.value], cases);
          noLeak(server.envelopes.map((e) => e.raw).join('\n'), cases, 'the envelopes the server received', innocent);
          all.push(...cases);
          innocents.push(innocent);
        }),
        params(Math.max(10, Math.floor(RUNS / 5))),
      );
    } finally {
      await Sentry.close(2000);
    }
  });

  it('none of it reached the ledger (real files)', async () => {
    await guard.settled();
    await ledger.close();
    const files = readdirSync(dir).map((f) => readFileSync(join(dir, f), 'utf8')).join('\n');
    assert.isAbove(files.length, 10_000);
    const leaked = pooledLeaks(files, all, innocents.join('\n'));
    assert.deepEqual(leaked, [], 'planted secrets found in the ledger');
  });
});
