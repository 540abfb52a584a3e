/**
 * Result location templates: `{flow_name}/{task_name}-{inputs.day}.json`. Every value is made safe for a
 * path segment (it cannot add directories or climb out of the result directory), and an unknown
 * placeholder is an error that names it.
 */

/** The values a location template's placeholders are filled from (`{inputs.day}` is `inputs.day`). */
export interface TemplateContext {
  flow_name: string;
  task_name: string;
  flow_run_id: string;
  task_run_id: string;
  date: string;
  params: Record<string, unknown>;
  inputs: Record<string, unknown>;
}

/**
 * A location template that cannot be rendered: an unknown placeholder, a missing field, unbalanced braces,
 * or a path that is absolute or has `.`, `..` or empty segments. The message names the template.
 *
 * @example
 * try { renderLocation('{nope}.json', ctx); } catch (err) { if (err instanceof TemplateError) console.error(err.message); }
 */
export class TemplateError extends Error {
  override name = 'TemplateError';
}

const PLACEHOLDER = /\{([A-Za-z_][\w]*(?:\.[A-Za-z_][\w]*)?)\}/g;

/**
 * Fills a location template's placeholders (`flow_name`, `task_name`, `flow_run_id`, `task_run_id`,
 * `date`, `params.X`, `inputs.X`); each value becomes one safe path segment. Throws a TemplateError.
 *
 * @example
 * renderLocation('{flow_name}/{task_name}-{inputs.day}.json', { ...ctx, flow_name: 'etl', task_name: 'extract', inputs: { day: '2026-11-23' } }); // 'etl/extract-2026-11-23.json'
 */
export function renderLocation(template: string, ctx: TemplateContext): string {
  const out = template.replace(PLACEHOLDER, (_, name: string) => {
    const [head, field] = name.split('.') as [string, string | undefined];
    let value: unknown;
    if (field !== undefined) {
      if (head !== 'params' && head !== 'inputs') throw new TemplateError(`unknown placeholder {${name}} in ${JSON.stringify(template)}: only params.X and inputs.X have fields`);
      const source = ctx[head];
      if (source === null || typeof source !== 'object' || !(field in source)) throw new TemplateError(`placeholder {${name}} in ${JSON.stringify(template)}: ${head} has no field ${JSON.stringify(field)}`);
      value = source[field];
    } else {
      if (!['flow_name', 'task_name', 'flow_run_id', 'task_run_id', 'date'].includes(head)) {
        throw new TemplateError(`unknown placeholder {${name}} in ${JSON.stringify(template)}; use flow_name, task_name, flow_run_id, task_run_id, date, params.X or inputs.X`);
      }
      value = ctx[head as 'flow_name'];
    }
    return safeSegment(value);
  });
  if (/[{}]/.test(out)) throw new TemplateError(`unbalanced braces in location template ${JSON.stringify(template)}`);
  if (out.startsWith('/') || out.split('/').some((seg) => seg === '..' || seg === '.' || seg === '')) {
    throw new TemplateError(`location template ${JSON.stringify(template)} must be a relative path without empty, . or .. segments`);
  }
  return out;
}

/** A value as one path segment: anything but letters, digits, `.`, `_` and `-` becomes `_`; never `.` or `..`. */
function safeSegment(value: unknown): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value) ?? 'undefined';
  const safe = text.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 120);
  return safe === '' || /^\.+$/.test(safe) ? '_' : safe;
}
