/** `flow()` and `task()`: the API a user's flow module is written in. */
import type { Result } from './results.ts';
import { runTask, type Flow, type RunContext, type TaskOptions } from './runner.ts';

/**
 * Declares a flow: a named async body that `runFlow` runs as one flow run, its tasks as task runs. Throws
 * if the name is not 1 to 100 letters, digits, `.`, `_` or `-`.
 *
 * @example
 * const hello = flow({ name: 'hello' }, async (params: { who: string }, ctx) => greet({ who: params.who }));
 * await runFlow(hello, { who: 'alice' }, { gate });
 */
export function flow<P, R>(options: { name: string; result?: Result }, body: (params: P, ctx: RunContext) => Promise<R>): Flow<P, R> {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/.test(options.name)) throw new Error(`flow name ${JSON.stringify(options.name)}: use letters, digits, ., _ and -`);
  return { name: options.name, result: options.result, body };
}

/**
 * A task: called inside a flow body, it runs as a task run of the current flow run (states, retries,
 * results, caching); called anywhere else, it is just the function. Throws if the name is not 1 to 100
 * letters, digits, `.`, `_` or `-`.
 *
 * @example
 * const greet = task({ name: 'greet', retries: 1, tags: ['db'] }, async (input: { who: string }, ctx) => {
 *   ctx.logger.info(`greeting ${input.who}`); // local in full, shipped scrubbed
 *   return `hello ${input.who}`;
 * });
 */
export function task<I, O>(options: TaskOptions<I>, fn: (input: I, ctx: RunContext) => Promise<O>): (input: I) => Promise<O> {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/.test(options.name)) throw new Error(`task name ${JSON.stringify(options.name)}: use letters, digits, ., _ and -`);
  return (input: I) => runTask(options, fn, input);
}
