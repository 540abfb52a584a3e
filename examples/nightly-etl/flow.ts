/**
 * The demo flow: a small nightly ETL with fake secrets planted in every outbound channel: a token in the
 * parameters and the logs, a customer's email in the logs, a password in an exception, the day in a
 * templated result location. `egress-guard demo` runs it and shows what reached the control plane.
 * All secrets here are fake.
 */
import { flow, task, LocalResult } from 'egress-guard';

interface Row {
  customer: string;
  amount: number;
}

const results = new LocalResult({ dir: 'results', location: '{flow_name}/{task_name}-{inputs.day}.json' });

const extract = task({ name: 'extract', retries: 1, retryDelayMs: 10, tags: ['db'], checkpoint: true, result: results }, async (input: { day: string; token: string }, ctx) => {
  ctx.logger.info(`pulling rows for ${input.day} with token ${input.token}`);
  const rows: Row[] = [
    { customer: 'alice.smith@example.com', amount: 120 },
    { customer: 'bob@example.org', amount: 80 },
  ];
  ctx.logger.info(`first customer: ${rows[0]!.customer}`);
  return rows;
});

const transform = task({ name: 'transform', checkpoint: true, result: results }, async (input: { day: string; rows: Row[] }, ctx) => {
  ctx.logger.info(`transforming ${input.rows.length} rows`);
  return { day: input.day, total: input.rows.reduce((n, r) => n + r.amount, 0) };
});

const load = task({ name: 'load', checkpoint: true, result: results }, async (input: { day: string; total: number; fail: boolean }) => {
  if (input.fail) throw new Error('warehouse refused login postgres://loader:Wh4reh0usePassw0rd@warehouse.internal:5439/dw');
  return { loaded: input.total };
});

export default flow({ name: 'nightly-etl' }, async (params: { day: string; token: string; fail_load?: boolean }, ctx) => {
  ctx.logger.info(`starting nightly run for ${params.day}`);
  const rows = await extract({ day: params.day, token: params.token });
  const summary = await transform({ day: params.day, rows });
  return load({ day: params.day, total: summary.total, fail: params.fail_load === true });
});
