/**
 * A log record's severity as the policy's `logs.level` speaks it (winston's npm levels). OpenTelemetry
 * numbers severities 1 to 24 in six ranges (TRACE, DEBUG, INFO, WARN, ERROR, FATAL); a record without a
 * number is judged by its severity text, and a text outside the npm levels is not filtered (its content
 * is still scrubbed), as for winston.
 */
const NPM_LEVELS = new Set(['error', 'warn', 'info', 'http', 'verbose', 'debug', 'silly']);

/**
 * @example npmLevel(17, 'ERROR') // 'error'
 * @example npmLevel(undefined, 'notice') // 'notice' (not filtered)
 */
export function npmLevel(severityNumber: number | undefined, severityText: string | undefined): string {
  if (typeof severityNumber === 'number' && severityNumber >= 1) {
    if (severityNumber <= 4) return 'silly'; // TRACE
    if (severityNumber <= 8) return 'debug';
    if (severityNumber <= 12) return 'info';
    if (severityNumber <= 16) return 'warn';
    return 'error'; // ERROR and FATAL
  }
  const text = (severityText ?? '').toLowerCase();
  if (NPM_LEVELS.has(text)) return text;
  if (text === 'trace') return 'silly';
  if (text === 'warning') return 'warn';
  if (text === 'fatal' || text === 'critical') return 'error';
  return text === '' ? 'unspecified' : text;
}
