/** `flow()` and `task()`: the API a user's flow module is written in. */
import type { Result } from './results.ts';
import { runTask, type Flow, type RunContext, type TaskOptions } from './runner.ts';

export function flow<P, R>(options: { name: string; result?: Result }, body: (params: P, ctx: RunContext) => Promise<R>): Flow<P, R> {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/.test(options.name)) throw new Error(`flow name ${JSON.stringify(options.name)}: use letters, digits, ., _ and -`);
  return { name: options.name, result: options.result, body };
}

/**
 * A task: called inside a flow body, it runs as a task run of the current flow run (states, retries,
 * results, caching); called anywhere else, it is just the function.
 */
export function task<I, O>(options: TaskOptions<I>, fn: (input: I, ctx: RunContext) => Promise<O>): (input: I) => Promise<O> {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/.test(options.name)) throw new Error(`task name ${JSON.stringify(options.name)}: use letters, digits, ., _ and -`);
  return (input: I) => runTask(options, fn, input);
}
