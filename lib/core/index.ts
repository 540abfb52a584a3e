// The execution core's public API.
export { flow, task } from './flow.ts';
export { runFlow, DEFAULT_RESULTS_DIR, ResultWriteError } from './runner.ts';
export type { Flow, RunContext, RunOptions, RunOutcome, RestartPlan, TaskOptions } from './runner.ts';
export { consoleSink, LOG_LEVELS } from './logger.ts';
export type { LocalLogSink, LogInfo, TaskLogger } from './logger.ts';
export { LocalResult, InlineResult } from './results.ts';
export type { Result } from './results.ts';
export { renderLocation, TemplateError } from './templating.ts';
export type { TemplateContext } from './templating.ts';
