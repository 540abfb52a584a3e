/**
 * winston with the guard against winston without it, in the same run: a logger with the json format
 * writing to a null stream, records with metadata and about 5% secrets (bench/corpus.ts). Target: the
 * guarded logger keeps at least 85% of the plain logger's throughput with builtin:default.
 *
 * Also the path-only workload (a fixed set of key paths to redact, no detectors) against pino's `redact`
 * on the same records, each against its own logger without redaction.
 *
 *   npm run bench:winston            (RECORDS=100000 REPEAT=5 by default)
 */
import { Writable } from 'node:stream';
import pino from 'pino';
import winston from 'winston';
import { guardFormat } from '../lib/winston/index.ts';
import { corpus, rng } from './corpus.ts';

const RECORDS = Number(process.env.RECORDS ?? 100_000);
const REPEAT = Number(process.env.REPEAT ?? 5);

const lines = corpus(RECORDS);
const random = rng(7);
const metas = lines.map((_, i) => ({
  requestId: `req-${(i * 2654435761) % 1e9}`,
  user: { id: 1000 + (i % 977), plan: i % 3 === 0 ? 'pro' : 'free', ...(random() < 0.05 && { password: `pw-${i}-Zq8!xL` }) },
  http: { method: 'GET', status: 200 + (i % 5), durationMs: Math.round(random() * 500), headers: { 'user-agent': 'curl/8.5', ...(random() < 0.05 && { authorization: `Bearer ${i}abcDEF0123456789xyz` }) } },
}));

/** A stream that discards everything: we measure the logger, not the disk. */
const nullStream = () => new Writable({ write(_chunk, _enc, cb) { cb(); } });

function winstonLogger(guard?: winston.Logform.Format): winston.Logger {
  const formats = guard === undefined ? [winston.format.json()] : [guard, winston.format.json()];
  return winston.createLogger({ format: winston.format.combine(...formats), transports: [new winston.transports.Stream({ stream: nullStream() })] });
}

async function measure(log: (i: number) => void): Promise<number> {
  for (let i = 0; i < Math.min(RECORDS, 20_000); i++) log(i); // warm-up
  const rates: number[] = [];
  for (let r = 0; r < REPEAT; r++) {
    const t0 = performance.now();
    for (let i = 0; i < RECORDS; i++) {
      log(i);
      // Let the streams drain now and then, as a server between requests would.
      if (i % 1000 === 999) await new Promise((resolve) => setImmediate(resolve));
    }
    rates.push(RECORDS / ((performance.now() - t0) / 1000));
    await new Promise((resolve) => setImmediate(resolve));
  }
  rates.sort((a, b) => a - b);
  return Math.round(rates[Math.floor(rates.length / 2)]!);
}

const round = (x: number) => Math.round(x * 1000) / 1000;
const report = (name: string, perSec: number, baselinePerSec: number, extra: object = {}) =>
  console.log(JSON.stringify({ bench: 'winston', name, records: RECORDS, recordsPerSec: perSec, baselineRecordsPerSec: baselinePerSec, ratioVsBaseline: round(perSec / baselinePerSec), ...extra }));

// Interleave plain and guarded passes so machine noise hits both alike.
const plain = winstonLogger();
const guarded = winstonLogger(guardFormat('builtin:default'));
const plainRate = await measure((i) => plain.info(lines[i]!, metas[i]));
const guardedRate = await measure((i) => guarded.info(lines[i]!, metas[i]));
report('winston json + guardFormat(builtin:default)', guardedRate, plainRate, { target: 0.85, met: guardedRate / plainRate >= 0.85 });

// Path-only: the same key paths for both libraries, no value detectors.
const paths = ['user.password', 'http.headers.authorization'];
const pathPolicy = { name: 'paths-only', version: 1, channels: { logs: { fields: paths.map((path) => ({ path, action: 'remove' as const })), values: [] } } };
const pathGuarded = winstonLogger(guardFormat(pathPolicy));
const pathRate = await measure((i) => pathGuarded.info(lines[i]!, metas[i]));
report('winston json + guardFormat(path-only policy)', pathRate, plainRate);

const pinoPlain = pino(nullStream());
const pinoRedact = pino({ redact: { paths, remove: true } }, nullStream());
const pinoPlainRate = await measure((i) => pinoPlain.info(metas[i], lines[i]));
const pinoRedactRate = await measure((i) => pinoRedact.info(metas[i], lines[i]));
report('pino + redact (same paths, remove)', pinoRedactRate, pinoPlainRate);
