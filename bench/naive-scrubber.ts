/**
 * The baseline a team writes by hand before it has a tool: 19 regexes of the usual kinds (emails, cloud and
 * SaaS tokens, JWTs, private-key headers, `password=`/`api_key=` assignments, URL credentials, cards,
 * SSNs, phones, IBANs), each applied to the whole line one after the other with `replace`. What the
 * benchmarks compare egress-guard's speed against; it finds far less, and that is not measured here.
 */
export const NAIVE_PATTERNS: readonly RegExp[] = [
  /[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/g,
  /\b(?:AKIA|ASIA)[A-Z0-9]{16}\b/g,
  /aws_secret_access_key\s*[=:]\s*[A-Za-z0-9/+=]{40}/gi,
  /\bgh[pousr]_[A-Za-z0-9]{36}\b/g,
  /\bxox[baprs]-[A-Za-z0-9-]{10,}/g,
  /https:\/\/hooks\.slack\.com\/services\/[A-Za-z0-9/]+/g,
  /\b[sr]k_(?:live|test)_[A-Za-z0-9]{24,}\b/g,
  /\bAIza[0-9A-Za-z_-]{35}\b/g,
  /\beyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+/g,
  /-----BEGIN [A-Z ]*PRIVATE KEY-----/g,
  /\bBearer\s+[A-Za-z0-9._~+/-]+=*/gi,
  /\b(?:password|passwd|pwd)\s*[=:]\s*[^\s&"']+/gi,
  /\b(?:api[_-]?key|secret|token)\s*[=:]\s*[^\s&"']+/gi,
  /\b[a-z][a-z0-9+.-]*:\/\/[^\s:@/]+:[^\s@/]+@/gi,
  /\b(?:\d[ -]?){13,16}\b/g,
  /\b\d{3}-\d{2}-\d{4}\b/g,
  /\+?\d{1,3}[ .-]?\(?\d{3}\)?[ .-]?\d{3}[ .-]?\d{4}\b/g,
  /\b[A-Z]{2}\d{2}[A-Z0-9]{11,30}\b/g,
  /\bsk-(?:proj-)?[A-Za-z0-9_-]{20,}\b/g,
];

/**
 * A line through every naive pattern, one after the other.
 *
 * @example naiveScrub('mail bob@example.com') // 'mail [REDACTED]'
 */
export function naiveScrub(line: string): string {
  let out = line;
  for (const re of NAIVE_PATTERNS) out = out.replace(re, '[REDACTED]');
  return out;
}
