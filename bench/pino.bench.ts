/**
 * pino with egress-guard's worker transport against pino with its own file transport (pino/file), both
 * writing to /dev/null: what the application thread pays (the logging loop's time), and the whole time
 * until the worker has written everything. Two loads: a burst (as fast as the loop can log, with a yield
 * every 1,000 records, as a server between requests) and a paced one (RATE records a second). Prints one
 * JSON line per load; the ratio is egress-guard's time over pino/file's.
 *
 *   npm run bench:pino            (RECORDS=100000 RATE=20000 REPEAT=3 by default; builds first)
 */
import pino from 'pino';
import { closeTransport, guardPinoTransport } from 'egress-guard/pino';
import { corpus } from './corpus.ts';

const RECORDS = Number(process.env.RECORDS ?? 100_000);
const RATE = Number(process.env.RATE ?? 20_000);
const REPEAT = Number(process.env.REPEAT ?? 3);
const lines = corpus(RECORDS);

type Target = Parameters<typeof pino.transport>[0];
const plain: Target = { target: 'pino/file', options: { destination: '/dev/null' } };
const guarded: Target = guardPinoTransport({ policy: 'builtin:default', destination: '/dev/null' }) as Target;

/** Seconds in the logging loop (the application thread) and until the worker has written everything. */
async function run(target: Target, paced: boolean): Promise<{ loop: number; total: number }> {
  const transport = pino.transport(target);
  const logger = pino({ level: 'info' }, transport);
  await new Promise((resolve) => transport.once('ready', resolve));
  let loop = 0;
  const t0 = performance.now();
  const batch = paced ? Math.max(1, Math.round(RATE / 100)) : 1000;
  for (let i = 0; i < RECORDS; i += batch) {
    const s = performance.now();
    for (let j = i; j < Math.min(RECORDS, i + batch); j++) logger.info({ requestId: j, user: { plan: 'pro' } }, lines[j]!);
    loop += performance.now() - s;
    if (paced) await new Promise((resolve) => setTimeout(resolve, 10));
    else await new Promise((resolve) => setImmediate(resolve));
  }
  await closeTransport(transport);
  return { loop: loop / 1000, total: (performance.now() - t0) / 1000 };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const round = (x: number) => Math.round(x * 1000) / 1000;
for (const paced of [false, true]) {
  const a: { loop: number; total: number }[] = [];
  const b: { loop: number; total: number }[] = [];
  for (let r = 0; r < REPEAT; r++) {
    a.push(await run(plain, paced));
    b.push(await run(guarded, paced));
  }
  const loopA = median(a.map((x) => x.loop));
  const loopB = median(b.map((x) => x.loop));
  console.log(
    JSON.stringify({
      bench: 'pino',
      load: paced ? `paced, ${RATE} records/s` : 'burst',
      records: RECORDS,
      baseline: 'pino.transport pino/file',
      appThreadSeconds: round(loopB),
      baselineAppThreadSeconds: round(loopA),
      appThreadRatio: round(loopB / loopA),
      totalSeconds: round(median(b.map((x) => x.total))),
      baselineTotalSeconds: round(median(a.map((x) => x.total))),
    }),
  );
}
