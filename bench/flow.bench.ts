/**
 * The gate's overhead on a run: a flow of 10,000 trivial tasks with the gate on (builtin:default policy,
 * every item scrubbed, the locations channel hashing) versus off (a gate that forwards raw items), both
 * delivering to an in-memory sink, in the same run. Prints JSON lines.
 *
 *   npm run bench:flow                  (TASKS=10000 by default)
 */
import { flow, task, runFlow } from '../lib/core/index.ts';
import { EgressGate } from '../lib/egress/gate.ts';
import type { Gate, RawOutbound } from '../lib/egress/gate-api.ts';
import { createEngine } from '../lib/policy/create.ts';

const TASKS = Number(process.env.TASKS ?? 10_000);
const quiet = { localTransports: [] };

/** The baseline: the same flow reported through a gate that applies no policy at all. */
class PassThroughGate implements Gate {
  items = 0;
  submit(_item: RawOutbound): void {
    this.items++;
  }
  async drain(): Promise<void> {}
  async decryptLocation(t: string): Promise<string> {
    return t;
  }
}

const work = task({ name: 'work' }, async (i: { n: number; note: string }, ctx) => {
  if (i.n % 100 === 0) ctx.logger.info(`batch ${i.n} for ${i.note}`);
  return i.n * 2;
});
const bigFlow = flow({ name: 'ten-thousand' }, async (p: { token: string }) => {
  let sum = 0;
  for (let n = 0; n < TASKS; n++) sum += await work({ n, note: n % 50 === 0 ? `alice.smith@example.com ${p.token}` : 'ok' });
  return sum;
});

async function timed(gate: Gate): Promise<number> {
  const t0 = performance.now();
  const out = await runFlow(bigFlow, { token: 'ghp_R7tKq2mWx9LpZ4vN8sB3cD6fG1hJ5kM0yQeT' }, { gate, ...quiet });
  if (out.state !== 'Success') throw new Error('bench flow failed');
  return (performance.now() - t0) / 1000;
}

const engine = await createEngine({ name: 'bench', version: 1, extends: ['builtin:default'], channels: { locations: { action: 'hash' } }, hash: { key: 'env:BENCH_HASH_KEY' } }, { env: { BENCH_HASH_KEY: 'bench-hash-key-0123456789abcdef' } });
let sent = 0;
const guarded = () => new EgressGate({ engine, sink: { send: () => void sent++ } });
await timed(new PassThroughGate()); // warm-up
await timed(guarded());
const round = (x: number) => Math.round(x * 1000) / 1000;
const off: number[] = [];
const on: number[] = [];
for (let r = 0; r < 3; r++) {
  off.push(await timed(new PassThroughGate()));
  on.push(await timed(guarded()));
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[1]!;
const offS = median(off);
const onS = median(on);
console.log(JSON.stringify({ bench: 'flow', name: 'gate off (pass-through)', tasks: TASKS, seconds: round(offS), tasksPerSec: Math.round(TASKS / offS), ratio: 1 }));
console.log(JSON.stringify({ bench: 'flow', name: 'gate on (builtin:default, scrub every item)', tasks: TASKS, seconds: round(onS), tasksPerSec: Math.round(TASKS / onS), ratio: round(onS / offS) }));
console.log(JSON.stringify({ bench: 'flow', summary: true, tasks: TASKS, overheadPercent: Math.round((onS / offS - 1) * 1000) / 10, overheadPerTaskMicroseconds: Math.round(((onS - offS) / TASKS) * 1e6), itemsSentPerRun: sent / 4 }));
