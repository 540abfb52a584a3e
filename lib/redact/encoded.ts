/**
 * Secrets that are written encoded: URL-encoded (`alice%40example.com`, a query string), base64 (a basic
 * auth header, a config blob) or escaped inside a JSON string (`"…\nAGE-SECRET-KEY-…"`, where the `n` of the
 * escape glues onto the secret). The raw scan cannot see them, so such text is decoded and scanned too; a
 * finding in URL-encoded or escaped text maps back to exactly the characters it came from, a finding in a
 * base64 run covers the whole run (its bytes do not line up with characters).
 */
import { BASE64_ALPHABET, BASE64_MIN_RUN } from '../detect/prefilter.ts';
import type { Scanner, ScanHints } from '../detect/scanner.ts';
import type { Match } from '../detect/types.ts';

/**
 * A run with at least one %XX escape, up to whitespace or a quote. It starts only where a run can start
 * (the lookbehind): else a long run with no escape is retried from each of its characters, quadratic.
 */
const URL_ENCODED_RUN = /(?<![^\s%"'<>])[^\s%"'<>]*(?:%[0-9A-Fa-f]{2}[^\s%"'<>]*)+/g;
const MIN_DECODED = 8;
/** BASE64_ALPHABET by character code. */
const BASE64_CHAR = new Uint8Array(128);
for (const c of BASE64_ALPHABET) BASE64_CHAR[c.charCodeAt(0)] = 1;

/**
 * Findings inside encoded runs of `text`, as spans of `text`; at most `depth` levels of encoding deep.
 * `base64From`: what the scanner's pass over `text` found (ScanHints), else 0.
 */
export function encodedMatches(text: string, scanner: Scanner, depth = 2, base64From = 0): Match[] {
  if (depth === 0) return NONE;
  let out: Match[] | undefined; // most texts hold nothing encoded: no array for them
  if (text.includes('\\')) {
    const { decoded, offsets } = unescapeJson(text);
    if (decoded !== text) {
      for (const m of scanAll(decoded, scanner, depth - 1)) (out ??= []).push({ detector: m.detector, start: offsets[m.start]!, end: offsets[m.end]! });
    }
  }
  if (text.includes('%')) {
    for (const run of text.matchAll(URL_ENCODED_RUN)) {
      const { decoded, offsets } = percentDecode(run[0]);
      for (const m of scanAll(decoded, scanner, depth - 1)) {
        (out ??= []).push({ detector: m.detector, start: run.index + offsets[m.start]!, end: run.index + offsets[m.end]! });
      }
    }
  }
  // Each whole run of the alphabet (with up to two `=` of padding), found in one pass of a table lookup
  // per character: most text has no run long enough, and most runs fail the cheap look.
  const length = text.length;
  // base64From is where the first run long enough starts (the pass saw its first BASE64_MIN_RUN characters).
  for (let i = base64From; i < length; ) {
    if (!isBase64Char(text.charCodeAt(i))) {
      i++;
      continue;
    }
    let end = i + 1;
    while (end < length && isBase64Char(text.charCodeAt(end))) end++;
    if (end - i >= BASE64_MIN_RUN) {
      if (text.charCodeAt(end) === 0x3d) end++;
      if (text.charCodeAt(end) === 0x3d) end++;
      if (looksLikeEncodedText(text, i, end)) {
        const decoded = base64Text(text.slice(i, end));
        const first = decoded === undefined ? undefined : scanAll(decoded, scanner, depth - 1)[0];
        if (first !== undefined) (out ??= []).push({ detector: first.detector, start: i, end });
      }
    }
    i = end;
  }
  return out ?? NONE;
}

/** The result when nothing is found, shared (callers only read it). */
const NONE: Match[] = Object.freeze([]) as unknown as Match[];

function isBase64Char(c: number): boolean {
  return c < 128 && BASE64_CHAR[c] === 1;
}

/**
 * A cheap look before decoding, since runs of letters and digits are everywhere (ids, digests, paths):
 * in base64 of ASCII text, the first character of each 4-character group encodes a byte's top six bits,
 * which for printable ASCII are 001000 to 011111, the characters I to Z and a to f. Allow a few misses
 * (non-ASCII text); hex digests, words and paths fail it at once.
 */
function looksLikeEncodedText(text: string, start: number, end: number): boolean {
  let misses = 0;
  const groups = Math.floor((end - start) / 4);
  for (let i = start; i + 3 < end; i += 4) {
    const c = text.charCodeAt(i);
    if (!((c >= 0x49 && c <= 0x5a) || (c >= 0x61 && c <= 0x66))) misses++;
    if (misses > groups / 10) return false;
  }
  return true;
}

/** Reused: scans are synchronous, and the hints are read right after the scan that wrote them. */
const hints: ScanHints = { base64From: 0 };

function scanAll(text: string, scanner: Scanner, depth: number): Match[] {
  hints.base64From = 0;
  const direct = scanner.scan(text, hints);
  const nested = encodedMatches(text, scanner, depth, hints.base64From);
  return nested.length === 0 ? direct : [...direct, ...nested].sort((a, b) => a.start - b.start);
}

/**
 * Decodes ASCII %XX escapes (and `+` as a space, as in form bodies); other bytes stay as written, so every
 * decoded character has one source span. `offsets[i]` is where decoded character i starts in the run.
 */
function percentDecode(run: string): { decoded: string; offsets: number[] } {
  let decoded = '';
  const offsets: number[] = [];
  for (let i = 0; i < run.length; ) {
    offsets.push(i);
    const c = run[i]!;
    if (c === '%' && i + 2 < run.length && /^[0-7][0-9A-Fa-f]$/.test(run.slice(i + 1, i + 3))) {
      decoded += String.fromCharCode(parseInt(run.slice(i + 1, i + 3), 16));
      i += 3;
    } else {
      decoded += c === '+' ? ' ' : c;
      i += 1;
    }
  }
  offsets.push(run.length);
  return { decoded, offsets };
}

const JSON_ESCAPES: Record<string, string> = { n: '\n', r: '\r', t: '\t', b: '\b', f: '\f', '"': '"', '\\': '\\', '/': '/' };

/** JSON string escapes undone (`\n`, `\"`, `\\`, `\u0041`), with `offsets` as in percentDecode. */
function unescapeJson(text: string): { decoded: string; offsets: number[] } {
  let decoded = '';
  const offsets: number[] = [];
  for (let i = 0; i < text.length; ) {
    offsets.push(i);
    const next = text[i + 1];
    if (text[i] === '\\' && next !== undefined && next in JSON_ESCAPES) {
      decoded += JSON_ESCAPES[next];
      i += 2;
    } else if (text[i] === '\\' && next === 'u' && /^[0-9A-Fa-f]{4}$/.test(text.slice(i + 2, i + 6))) {
      decoded += String.fromCharCode(parseInt(text.slice(i + 2, i + 6), 16));
      i += 6;
    } else {
      decoded += text[i];
      i += 1;
    }
  }
  offsets.push(text.length);
  return { decoded, offsets };
}

/** The text a base64 run encodes, when it is text (printable ASCII or UTF-8); undefined for binary. */
function base64Text(run: string): string | undefined {
  const bytes = Buffer.from(run, 'base64');
  if (bytes.length < MIN_DECODED) return undefined;
  let printable = 0;
  for (const b of bytes) if ((b >= 0x20 && b < 0x7f) || b === 0x09 || b === 0x0a || b === 0x0d || b >= 0x80) printable++;
  if (printable < bytes.length * 0.95) return undefined;
  const text = bytes.toString('utf8');
  return text.includes('\ufffd') ? undefined : text;
}
