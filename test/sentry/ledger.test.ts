/**
 * The Sentry door's audit, with the real @sentry/node and a real ledger: an intent for each event the
 * guard lets go, an ack when the client reports it delivered (HTTP 2xx, through `connect`), none when
 * the server refuses it, none for what a drop rule removed, and no planted secret in the ledger's files.
 */
import * as Sentry from '@sentry/node';
import { assert } from 'chai';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ledger } from '../../lib/audit/ledger.ts';
import { readLedger } from '../../lib/audit/verify.ts';
import { guardSentry } from '../../lib/sentry/index.ts';
import { assertClean, CARD, EMAIL, GHP } from '../helpers/door-secrets.ts';
import { startSentryServer, type SentryServer } from './server.ts';

describe('sentry: the audit ledger', function () {
  this.timeout(30_000);
  let server: SentryServer;
  before(async () => {
    server = await startSentryServer();
  });
  after(() => server.close());

  it('an intent per event sent, an ack per event delivered, nothing for dropped or refused ones', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'eg-sentry-ledger-'));
    const ledger = Ledger.open({ dir });
    const guard = guardSentry({
      ledger,
      destination: 'sentry:4242',
      policy: { name: 's', version: 1, extends: ['builtin:default'], channels: { logs: { drop: ['^GET /health'] } } },
    });
    const client = Sentry.init({ dsn: server.dsn, defaultIntegrations: false, enableRuntimeChannelInjection: false, ...guard.options });
    guard.connect(client);
    try {
      Sentry.captureException(new Error(`charge failed for ${EMAIL} with ${GHP}`));
      Sentry.captureMessage(`paid with ${CARD}`);
      Sentry.captureMessage('GET /health 200'); // dropped: not sent, not recorded
      assert.isTrue(await Sentry.flush(5000));
      server.status = 400;
      Sentry.captureMessage('refused by the server'); // sent, not delivered: no ack
      assert.isTrue(await Sentry.flush(5000));
    } finally {
      await Sentry.close(2000);
      server.status = 200;
    }
    await guard.settled();
    await ledger.close();

    const { entries, problems } = readLedger(dir);
    assert.deepEqual(problems, []);
    const intents = entries.filter((e) => e.type === 'intent').map((e) => e.data as Record<string, unknown>);
    assert.deepEqual(intents.map((d) => [d.kind, d.channel, d.destination]), [
      ['event', 'exceptions', 'sentry:4242'],
      ['event', 'logs', 'sentry:4242'],
      ['event', 'logs', 'sentry:4242'],
    ]);
    const received = server.items('event').map((e) => (e.item.payload as { event_id: string }).event_id);
    assert.deepEqual(intents.map((d) => d.taskRunId), received, 'each intent names the event id the server received');
    const findings = intents[0]!.findings as { detector: string; path: string }[];
    assert.deepInclude(findings.map((f) => [f.detector, f.path]), ['github-token', 'exception.values[0].value']);
    assert.notProperty(intents[0]!.payload as object, 'sdkProcessingMetadata', 'the SDK internals are not recorded');
    const acked = entries.filter((e) => e.type === 'ack').map((e) => e.data.itemId);
    assert.deepEqual(acked, intents.slice(0, 2).map((d) => d.itemId), 'the refused event is not acked');
    const files = readdirSync(dir).map((f) => readFileSync(join(dir, f), 'utf8')).join('\n');
    assertClean(files, 'the ledger files');
  });
});
