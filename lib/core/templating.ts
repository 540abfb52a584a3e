/**
 * Result location templates, e.g. `{flow_name}/{task_name}-{inputs.day}.json`.
 *
 * - Placeholders: `{flow_name}`, `{task_name}`, `{flow_run_id}`, `{task_run_id}`, `{date}` (UTC,
 *   YYYY-MM-DD), `{params.X}` (a flow parameter) and `{inputs.X}` (a field of the task's input); `X` may be
 *   a dotted path (`{inputs.window.start}`). Anything else is a TemplateError that names the placeholder.
 * - Values are encoded, never trusted: every character but `A-Z a-z 0-9 _ - .` becomes `%XX` (UTF-8 bytes,
 *   so `/`, `\`, NUL and `%` itself are encoded) and a leading `.` becomes `%2E`. A value therefore stays
 *   inside one path segment and can never be `.` or `..`; distinct values give distinct segments. A value
 *   longer than 100 encoded characters is cut to 64 and suffixed with `~` and 16 hex digits of its SHA-256.
 * - The literal text of a template must be a relative path without empty, `.` or `..` segments, NUL or `\`.
 */
import { createHash } from 'node:crypto';

export interface TemplateContext {
  flow_name: string;
  task_name: string;
  flow_run_id: string;
  task_run_id: string;
  /** UTC date, YYYY-MM-DD. */
  date: string;
  params: Record<string, unknown>;
  /** The task's input when it is an object; otherwise `{inputs.X}` placeholders have nothing to read. */
  inputs: Record<string, unknown> | undefined;
}

export class TemplateError extends Error {
  override name = 'TemplateError';
}

export const SIMPLE_PLACEHOLDERS = ['flow_name', 'task_name', 'flow_run_id', 'task_run_id', 'date'] as const;
const NAME = /^[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z0-9_-]+)*$/;
const MAX_SEGMENT = 100;

type Part = { literal: string } | { placeholder: string };

/** Splits a template into literal text and placeholders; throws on syntax errors and unknown placeholders. */
function parse(template: string): Part[] {
  const parts: Part[] = [];
  let i = 0;
  while (i < template.length) {
    const open = template.indexOf('{', i);
    const close = template.indexOf('}', i);
    if (close !== -1 && (open === -1 || close < open)) throw new TemplateError(`location template ${JSON.stringify(template)}: "}" at ${close} without "{"`);
    if (open === -1) {
      parts.push({ literal: template.slice(i) });
      break;
    }
    if (open > i) parts.push({ literal: template.slice(i, open) });
    if (close === -1) throw new TemplateError(`location template ${JSON.stringify(template)}: "{" at ${open} is never closed`);
    const name = template.slice(open + 1, close);
    if (!NAME.test(name)) throw new TemplateError(`location template ${JSON.stringify(template)}: {${name}} is not a placeholder name`);
    const [head, ...rest] = name.split('.');
    const known = rest.length > 0 ? head === 'params' || head === 'inputs' : (SIMPLE_PLACEHOLDERS as readonly string[]).includes(head!);
    if (!known) {
      throw new TemplateError(
        `unknown placeholder {${name}} in location template ${JSON.stringify(template)}; use ${SIMPLE_PLACEHOLDERS.map((p) => `{${p}}`).join(', ')}, {params.X} or {inputs.X}`,
      );
    }
    parts.push({ placeholder: name });
    i = close + 1;
  }
  return parts;
}

/** Checks a template without rendering it (LocalResult calls this when it is constructed). */
export function checkTemplate(template: string): void {
  const parts = parse(template);
  // Every placeholder renders to a non-empty segment-safe string, so checking with a stand-in value is exact.
  checkPath(parts.map((p) => ('literal' in p ? p.literal : 'x')).join(''), template);
}

export function renderLocation(template: string, ctx: TemplateContext): string {
  const out = parse(template)
    .map((p) => ('literal' in p ? p.literal : encodeSegment(lookup(p.placeholder, ctx, template), p.placeholder, template)))
    .join('');
  checkPath(out, template);
  return out;
}

function lookup(name: string, ctx: TemplateContext, template: string): unknown {
  const [head, ...path] = name.split('.') as [string, ...string[]];
  if (path.length === 0) return ctx[head as (typeof SIMPLE_PLACEHOLDERS)[number]];
  let value: unknown = head === 'params' ? ctx.params : ctx.inputs;
  for (const [depth, key] of path.entries()) {
    if (value === null || typeof value !== 'object' || !Object.hasOwn(value, key)) {
      const where = [head, ...path.slice(0, depth)].join('.');
      throw new TemplateError(`placeholder {${name}} in location template ${JSON.stringify(template)}: ${where} has no field ${JSON.stringify(key)}`);
    }
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

/** A value as the text of one path segment (see the module comment). */
export function encodeSegment(value: unknown, name = 'value', template = ''): string {
  let text: string;
  if (typeof value === 'string') text = value;
  else if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') text = String(value);
  else if (value === undefined || typeof value === 'function' || typeof value === 'symbol') {
    throw new TemplateError(`placeholder {${name}} in location template ${JSON.stringify(template)} has no value (${typeof value})`);
  } else text = JSON.stringify(value) ?? 'null';
  if (text === '') throw new TemplateError(`placeholder {${name}} in location template ${JSON.stringify(template)} is an empty string; a location needs a value`);
  let encoded = '';
  for (const ch of text) {
    encoded += /^[A-Za-z0-9_.-]$/.test(ch) ? ch : [...Buffer.from(ch, 'utf8')].map((b) => '%' + b.toString(16).toUpperCase().padStart(2, '0')).join('');
  }
  if (encoded.startsWith('.')) encoded = '%2E' + encoded.slice(1);
  if (encoded.length > MAX_SEGMENT) {
    let cut = encoded.slice(0, 64);
    const pct = cut.lastIndexOf('%');
    if (pct > cut.length - 3) cut = cut.slice(0, pct);
    encoded = `${cut}~${createHash('sha256').update(text).digest('hex').slice(0, 16)}`;
  }
  return encoded;
}

function checkPath(path: string, template: string): void {
  if (path.includes('\0') || path.includes('\\')) throw new TemplateError(`location template ${JSON.stringify(template)} must not contain NUL or "\\"`);
  if (path.startsWith('/') || /^[A-Za-z]:/.test(path)) throw new TemplateError(`location template ${JSON.stringify(template)} must be a relative path`);
  if (path.split('/').some((seg) => seg === '' || seg === '.' || seg === '..')) {
    throw new TemplateError(`location template ${JSON.stringify(template)} must be a relative path without empty, "." or ".." segments`);
  }
}
