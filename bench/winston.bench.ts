/**
 * winston with the guard against winston without it, in the same run: a logger with the json format
 * writing to a null stream, records with metadata and about 5% secrets (bench/corpus.ts). Target: the
 * guarded logger keeps at least 85% of the plain logger's throughput with builtin:default.
 *
 * Also the path-only workload (a fixed set of key paths to redact, no detectors) against pino's `redact`
 * on the same records, each against its own logger without redaction.
 *
 *   npm run bench:winston            (RECORDS=100000 REPEAT=9 by default)
 */
import { Writable } from 'node:stream';
import pino from 'pino';
import winston from 'winston';
// The compiled package, as an app would load it (npm run build first; the script does).
import { guardFormat } from 'egress-guard/winston';
import { corpus, rng } from './corpus.ts';

const RECORDS = Number(process.env.RECORDS ?? 100_000);
const REPEAT = Number(process.env.REPEAT ?? 9);

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

async function pass(log: (i: number) => void): Promise<number> {
  const t0 = performance.now();
  for (let i = 0; i < RECORDS; i++) {
    log(i);
    // Let the streams drain now and then, as a server between requests would.
    if (i % 1000 === 999) await new Promise((resolve) => setImmediate(resolve));
  }
  return RECORDS / ((performance.now() - t0) / 1000);
}

const median = (xs: number[]) => Math.round([...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!);

/**
 * Records per second of a baseline and a candidate, and the candidate's ratio: passes alternate, and the
 * ratio is the median of each candidate pass against the baseline pass just before it, so that the
 * machine's slow and fast phases hit both sides of every ratio alike.
 */
async function compare(baseline: (i: number) => void, candidate: (i: number) => void): Promise<[number, number, number]> {
  await pass(baseline); // warm-up
  await pass(candidate);
  const a: number[] = [];
  const b: number[] = [];
  const ratios: number[] = [];
  for (let r = 0; r < REPEAT; r++) {
    a.push(await pass(baseline));
    b.push(await pass(candidate));
    ratios.push(b[r]! / a[r]!);
  }
  return [median(a), median(b), [...ratios].sort((x, y) => x - y)[Math.floor(ratios.length / 2)]!];
}

const round = (x: number) => Math.round(x * 1000) / 1000;
const report = (name: string, [baselinePerSec, perSec, ratio]: [number, number, number], extra: object = {}) =>
  console.log(JSON.stringify({ bench: 'winston', name, records: RECORDS, recordsPerSec: perSec, baselineRecordsPerSec: baselinePerSec, ratioVsBaseline: round(ratio), ...extra }));

const plain = winstonLogger();
const guarded = winstonLogger(guardFormat('builtin:default'));
const nested = await compare((i) => plain.info(lines[i]!, metas[i]), (i) => guarded.info(lines[i]!, metas[i]));
report('winston json + guardFormat(builtin:default), nested metadata', nested, { leavesPerRecord: 9, target: 0.85, met: nested[2] >= 0.85 });

// The same messages with three flat metadata fields, the other common shape.
const flat = metas.map((m) => ({ requestId: m.requestId, userId: m.user.id, durationMs: m.http.durationMs }));
const flatResult = await compare((i) => plain.info(lines[i]!, flat[i]), (i) => guarded.info(lines[i]!, flat[i]));
report('winston json + guardFormat(builtin:default), flat metadata', flatResult, { leavesPerRecord: 4, target: 0.85, met: flatResult[2] >= 0.85 });

// The floor for any guard that must not share objects with the caller (they can change, or hold getters,
// between the guard and the transport): a format that only copies the record deeply, plain objects with
// for-in, and does nothing else. (A shallow `{ ...info }` costs more than this: spreading the symbol keys
// takes V8 off its fast path.)
const LEVEL = Symbol.for('level');
const deepCopy = (value: unknown): unknown => {
  if (typeof value !== 'object' || value === null) return value;
  const out: Record<string, unknown> = {};
  for (const key in value) out[key] = deepCopy((value as Record<string, unknown>)[key]);
  return out;
};
const copying = winstonLogger(winston.format((info) => Object.assign(deepCopy(info) as winston.Logform.TransformableInfo, { [LEVEL]: (info as Record<symbol, unknown>)[LEVEL] }))());
report('reference: winston json + a format that only deep-copies the record', await compare((i) => plain.info(lines[i]!, metas[i]), (i) => copying.info(lines[i]!, metas[i])));

// Path-only: the same key paths for both libraries, no value detectors.
const paths = ['user.password', 'http.headers.authorization'];
const pathPolicy = { name: 'paths-only', version: 1, channels: { logs: { fields: paths.map((path) => ({ path, action: 'remove' as const })), values: [] } } };
const pathGuarded = winstonLogger(guardFormat(pathPolicy));
report('winston json + guardFormat(path-only policy)', await compare((i) => plain.info(lines[i]!, metas[i]), (i) => pathGuarded.info(lines[i]!, metas[i])));

const pinoPlain = pino(nullStream());
const pinoRedact = pino({ redact: { paths, remove: true } }, nullStream());
report('pino + redact (same paths, remove)', await compare((i) => pinoPlain.info(metas[i], lines[i]), (i) => pinoRedact.info(metas[i], lines[i])));
