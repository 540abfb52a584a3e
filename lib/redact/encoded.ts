/**
 * Secrets that are written encoded: URL-encoded (`alice%40example.com`, a query string), base64 (a basic
 * auth header, a config blob), hex (`6768705f…`, `67:68:70:5f…`, Node's `<Buffer 67 68 70 5f …>`) or
 * escaped inside a string (`"…\nAGE-SECRET-KEY-…"`, where the `n` of the escape glues onto the secret;
 * `\x1B[31m` as util.inspect writes an ANSI escape). The raw scan cannot see them, so such text is
 * decoded and scanned too, and so is its normalised form (normalize.ts: zero-width characters, ANSI
 * escapes, HTML entities, fullwidth forms), at every level. A finding in URL-encoded, escaped or
 * normalised text maps back to exactly the characters it came from, a finding in a base64 or hex run
 * covers the whole run.
 */
import { BASE64_ALPHABET, BASE64_MIN_RUN } from '../detect/prefilter.ts';
import type { Scanner, ScanHints } from '../detect/scanner.ts';
import type { Match } from '../detect/types.ts';
import { findRuns, HEX_RUN, RUN_MIN_LENGTH } from '../detect/wasm-runs.ts';
import { mayBeDisguised, normalize, toOriginal, type Change, type MappedText } from './normalize.ts';

/**
 * How many encodings deep a secret is still found: base64 of base64 of base64 of it, or hex inside base64
 * inside a URL-encoded value (a fourth level is not decoded). Each level costs a decode and a scan of
 * whatever decodes to text; normalisation (normalize.ts) is no level, it applies at every one.
 *
 * @example encodedMatches(btoa(btoa(btoa('x ghp_…'))), scanner) // found; a fourth btoa() would hide it
 */
export const ENCODED_DEPTH = 3;

/**
 * A run with at least one %XX escape, up to whitespace or a double quote; a single quote is part of it,
 * since encodeURIComponent leaves `'` as it is (`curl%20-u%20u%3A'pw'`). It starts only where a run can
 * start (the lookbehind): else a long run with no escape is retried from each of its characters, quadratic.
 */
const URL_ENCODED_RUN = /(?<![^\s%"<>])[^\s%"<>]*(?:%[0-9A-Fa-f]{2}[^\s%"<>]*)+/g;
/** A URL's path, a query key or a query value: what lies between raw `?`, `&`, `=` and `;`. */
const QUERY_COMPONENT = /[^?&=;]+/g;
/**
 * At least MIN_DECODED bytes written as hex pairs separated by single spaces or colons, all alike:
 * `67 68 70 5f …`, `67:68:70:5f:…`, the bytes of Node's `<Buffer 67 68 … 37 more bytes>`.
 */
const SEPARATED_HEX = /(?<![0-9A-Fa-f])[0-9A-Fa-f]{2}([ :])[0-9A-Fa-f]{2}(?:\1[0-9A-Fa-f]{2}){6,}(?![0-9A-Fa-f])/g;
const MIN_DECODED = 8;
/** Hex of MIN_DECODED bytes. */
const HEX_MIN_RUN = 2 * MIN_DECODED;
/**
 * By UTF-16 code unit (so the hot loop needs no range check): BASE64 for a character of BASE64_ALPHABET,
 * HEX for one that is also a hex digit, 0 for any other.
 */
const CHAR_CLASS = new Uint8Array(0x10000);
const BASE64 = 1;
const HEX = 2;
for (const c of BASE64_ALPHABET) CHAR_CLASS[c.charCodeAt(0)] = /[0-9A-Fa-f]/.test(c) ? HEX : BASE64;
// The WebAssembly run finder reports runs of one length for both kinds.
if (RUN_MIN_LENGTH !== HEX_MIN_RUN || RUN_MIN_LENGTH !== BASE64_MIN_RUN) throw new Error('encoded.ts: run lengths out of step with detect/wasm-runs.ts');

/**
 * Every finding in `text` as spans of it, sorted by start (they may overlap): the scanner's in the text as
 * written and in its normalised form, and in the encoded runs of either, to ENCODED_DEPTH levels.
 *
 * @example scanAll('token gh\u200bp_…', scanner) // the token, with the zero-width space inside its span
 */
export function scanAll(text: string, scanner: Scanner): Match[] {
  if (scanning !== 0) {
    // Re-entered (a scan that scrubs: a validator or a logger that logs while scrubbing): a memo of its
    // own, so that the outer scan's is neither emptied nor filled with another scanner's findings.
    const outer = decodedScans.found;
    const outerScanner = decodedScans.scanner;
    decodedScans.found = new Map();
    try {
      return scanDeep(text, scanner, ENCODED_DEPTH);
    } finally {
      decodedScans.found = outer;
      decodedScans.scanner = outerScanner;
    }
  }
  if (decodedScans.found.size !== 0) decodedScans.found.clear();
  scanning = 1;
  try {
    return scanDeep(text, scanner, ENCODED_DEPTH);
  } finally {
    scanning = 0;
  }
}

/** 1 while a scanAll runs (scanAll re-entered makes scratch of its own). */
let scanning = 0;

/**
 * Findings inside encoded runs of `text`, as spans of `text`; at most `depth` levels of encoding deep.
 * `base64From`: what the scanner's pass over `text` found (ScanHints), else 0.
 *
 * @example encodedMatches(`auth ${btoa('u:ghp_…')}`, scanner) // one finding spanning the base64 run
 */
export function encodedMatches(text: string, scanner: Scanner, depth = ENCODED_DEPTH, base64From = 0): Match[] {
  if (depth === 0) return NONE;
  let out: Match[] | undefined; // most texts hold nothing encoded: no array for them
  if (text.includes('\\')) {
    const unescaped = unescapeString(text);
    if (unescaped.changes.length !== 0) for (const m of scanDecoded(unescaped.text, scanner, depth - 1)) out = add(out, toOriginal(unescaped, m));
  }
  if (hasPercentEscape(text)) {
    for (const run of text.matchAll(URL_ENCODED_RUN)) {
      const found = percentRunMatches(run[0], scanner, depth);
      // Each query component on its own too: decoded, `note=password%3D…` is `note=password=…`, whose
      // value is one string (a=b=c has one key), while the component `password%3D…` is an assignment.
      for (const part of run[0].matchAll(QUERY_COMPONENT)) {
        if (part[0].length === run[0].length || !hasPercentEscape(part[0])) continue;
        for (const m of percentRunMatches(part[0], scanner, depth)) {
          const start = part.index + m.start;
          if (!found.some((f) => f.start === start && f.end === part.index + m.end)) found.push({ detector: m.detector, start, end: part.index + m.end });
        }
      }
      for (const m of found) out = add(out, { detector: m.detector, start: run.index + m.start, end: run.index + m.end });
    }
  }
  // Each whole run of the alphabet (with up to two `=` of padding), and each run of hex digits inside it,
  // found in one pass of a table lookup per character: most text has no run long enough, and most runs
  // fail the cheap look. In WebAssembly for ASCII text (detect/wasm-runs.ts: the same runs, in the same
  // order), else the loop below.
  const length = text.length;
  const runs = base64From < length ? findRuns(text, base64From, CHAR_CLASS) : NO_RUNS;
  if (runs !== undefined) {
    for (let r = 0; r < runs.length; r += 3) {
      const start = runs[r + 1]!;
      let end = runs[r + 2]!;
      if (runs[r] === HEX_RUN) {
        out = add(out, hexRunFinding(text, start, end, scanner, depth));
        continue;
      }
      if (text.charCodeAt(end) === 0x3d) end++;
      if (text.charCodeAt(end) === 0x3d) end++;
      if (looksLikeEncodedText(text, start, end)) out = add(out, runFinding(base64Text(text.slice(start, end)), start, end, scanner, depth));
    }
  }
  // base64From is where the first run long enough starts (the pass saw its first BASE64_MIN_RUN characters).
  for (let i = runs === undefined ? base64From : length; i < length; ) {
    const first = CHAR_CLASS[text.charCodeAt(i)];
    if (first === 0) {
      i++;
      continue;
    }
    let end = i + 1;
    let hexStart = first === HEX ? i : end;
    for (let c = 0; end < length && (c = CHAR_CLASS[text.charCodeAt(end)]!) !== 0; end++) {
      if (c === HEX) continue;
      if (end - hexStart >= HEX_MIN_RUN) out = add(out, hexRunFinding(text, hexStart, end, scanner, depth));
      hexStart = end + 1;
    }
    if (end - hexStart >= HEX_MIN_RUN) out = add(out, hexRunFinding(text, hexStart, end, scanner, depth));
    if (end - i >= BASE64_MIN_RUN) {
      if (text.charCodeAt(end) === 0x3d) end++;
      if (text.charCodeAt(end) === 0x3d) end++;
      if (looksLikeEncodedText(text, i, end)) out = add(out, runFinding(base64Text(text.slice(i, end)), i, end, scanner, depth));
    }
    i = end;
  }
  if (mayHoldSeparatedHex(text)) {
    for (const run of text.matchAll(SEPARATED_HEX)) {
      const end = run.index + run[0].length;
      if (!looksLikeHexText(text, run.index, end, 3)) continue;
      out = add(out, bytesFinding(Buffer.from(run[0].replace(/[ :]/g, ''), 'hex'), run.index, end, scanner, depth));
    }
  }
  return out ?? NONE;
}

/** `out` with `m` added, if there is one (a list made on the first). */
function add(out: Match[] | undefined, m: Match | undefined): Match[] | undefined {
  if (m === undefined) return out;
  (out ??= []).push(m);
  return out;
}

/** The result when nothing is found, shared (callers only read it). */
const NONE: Match[] = Object.freeze([]) as unknown as Match[];
const NO_RUNS: number[] = [];

const byStart = (a: Match, b: Match): number => a.start - b.start;

/**
 * Reused: the hints are read right after the scan that wrote them. A scan re-entered while a scanner
 * runs (scanner.scan calling out) gets hints of its own (hintsInUse), or it would overwrite the outer's.
 */
const hints: ScanHints = { base64From: 0 };
let hintsInUse = false;

/** scanAll, with `depth` levels of encoding left. */
function scanDeep(text: string, scanner: Scanner, depth: number): Match[] {
  const written = scanWritten(text, scanner, depth);
  const normalized = mayBeDisguised(text) ? normalize(text) : undefined;
  if (normalized === undefined) return written;
  const read = scanWritten(normalized.text, scanner, depth);
  if (read.length === 0) return written;
  return [...written, ...read.map((m) => toOriginal(normalized, m))].sort(byStart);
}

/** The scanner's findings in `text` as it is written, and those in its encoded runs. */
function scanWritten(text: string, scanner: Scanner, depth: number): Match[] {
  let direct: Match[];
  let base64From: number;
  if (hintsInUse) {
    const own: ScanHints = { base64From: 0 };
    direct = scanner.scan(text, own);
    base64From = own.base64From;
  } else {
    hintsInUse = true;
    try {
      hints.base64From = 0;
      direct = scanner.scan(text, hints);
      base64From = hints.base64From;
    } finally {
      hintsInUse = false;
    }
  }
  const nested = encodedMatches(text, scanner, depth, base64From);
  return nested.length === 0 ? direct : [...direct, ...nested].sort(byStart);
}

/**
 * scanDeep's findings in each decoded text, by the depth left, for one scanner. Within one value the same
 * decoded text is reached from the text as written and from its normalised form, directly and through
 * JSON or URL decoding: scanning it each time would multiply the work at every level. Scans are
 * deterministic, so the memo is emptied only to bound its size, at each scanAll.
 */
const decodedScans = { scanner: undefined as Scanner | undefined, found: new Map<string, Match[][]>() };

/** scanDeep of a text that encoded runs decode to, once per text and depth (decodedScans). */
function scanDecoded(decoded: string, scanner: Scanner, depth: number): Match[] {
  if (decodedScans.scanner !== scanner) {
    decodedScans.scanner = scanner;
    decodedScans.found.clear();
  }
  let byDepth = decodedScans.found.get(decoded);
  if (byDepth === undefined) decodedScans.found.set(decoded, (byDepth = []));
  return (byDepth[depth] ??= scanDeep(decoded, scanner, depth));
}

/** The first finding in `decoded`, the text a run encodes (undefined: it is not text), as the whole run. */
function runFinding(decoded: string | undefined, start: number, end: number, scanner: Scanner, depth: number): Match | undefined {
  const first = decoded === undefined ? undefined : scanDecoded(decoded, scanner, depth - 1)[0];
  return first === undefined ? undefined : { detector: first.detector, start, end };
}

/** As runFinding, for a run of hex digits; an odd run may have a digit too many at its start (`data6768…`). */
function hexRunFinding(text: string, start: number, end: number, scanner: Scanner, depth: number): Match | undefined {
  let from = start;
  if (!looksLikeHexText(text, from, end, 2) && ((end - start) % 2 === 0 || !looksLikeHexText(text, ++from, end, 2))) return undefined;
  return bytesFinding(Buffer.from(text.slice(from, end), 'hex'), start, end, scanner, depth);
}

/**
 * As runFinding, for the bytes a hex run encodes. Where such a run ends is a guess: a neighbouring word of
 * hex digits (`be 67 68 …`, `… 51 4e`, `cafe6768…`) reads as one more byte at either end, and a secret of
 * fixed length with that byte glued on is no longer one. So each end is tried with its byte and without.
 */
function bytesFinding(bytes: Buffer, start: number, end: number, scanner: Scanner, depth: number): Match | undefined {
  const whole = bytesText(bytes);
  if (whole === undefined) return undefined; // binary: so is any part of it
  let found = runFinding(whole, start, end, scanner, depth);
  for (const [dropStart, dropEnd] of EDGE_BYTES_DROPPED) {
    found ??= runFinding(bytesText(bytes.subarray(dropStart, bytes.length - dropEnd)), start, end, scanner, depth);
  }
  return found;
}

/** The bytes bytesFinding drops from the start and the end of a run when the whole run holds nothing. */
const EDGE_BYTES_DROPPED = [
  [1, 0],
  [0, 1],
  [1, 1],
] as const;

/** Whether `text` has a %XX escape: a look before the regex pass, since most `%` in logs are percentages. */
/** Findings in a percent-encoded run, decoded, as spans of the run. */
function percentRunMatches(run: string, scanner: Scanner, depth: number): Match[] {
  const decoded = percentDecode(run);
  return scanDecoded(decoded.text, scanner, depth - 1).map((m) => toOriginal(decoded, m));
}

function hasPercentEscape(text: string): boolean {
  for (let i = text.indexOf('%'); i >= 0 && i + 2 < text.length; i = text.indexOf('%', i + 1)) {
    if (CHAR_CLASS[text.charCodeAt(i + 1)] === HEX && CHAR_CLASS[text.charCodeAt(i + 2)] === HEX) return true;
  }
  return false;
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

/**
 * The same look for hex whose bytes start every `step` characters (2, or 3 with separators): printable
 * ASCII is 0x20 to 0x7e, so the first digit of each byte is 2 to 7, where a digest's is anything. The
 * first and last byte are not counted: a neighbouring word of hex digits (`be`, `cF`) glues onto a run
 * there, and must not hide a short one.
 */
function looksLikeHexText(text: string, start: number, end: number, step: number): boolean {
  let misses = 0;
  const bytes = Math.floor((end - start + step - 2) / step);
  for (let i = start + step; i + 1 + step < end; i += step) {
    const c = text.charCodeAt(i);
    if (c < 0x32 || c > 0x37) misses++;
    if (misses > bytes / 10) return false;
  }
  return true;
}

/**
 * Whether `text` may hold SEPARATED_HEX, from one probe every 18 characters: a regex pass over every text
 * would cost as much as the rest of the encoded scan. A run of 8 bytes spans 23 characters with a
 * separator every third one; some probe lands in its first 18, where the probe or one of the next two
 * characters is a separator, and so is the character 3 before or after that one, and the chain through it
 * holds the run's 7 separators at least.
 */
function mayHoldSeparatedHex(text: string): boolean {
  for (let p = 3, last = text.length - 6; p <= last; p += 18) {
    let q = p;
    let c = text.charCodeAt(q);
    if (c !== 0x20 && c !== 0x3a) c = text.charCodeAt(++q);
    if (c !== 0x20 && c !== 0x3a) c = text.charCodeAt(++q);
    if ((c === 0x20 || c === 0x3a) && (text.charCodeAt(q - 3) === c || text.charCodeAt(q + 3) === c) && separatorChain(text, q, c) >= 7) return true;
  }
  return false;
}

/**
 * How many separators `c` lie every third character through `q`, with two hex digits between each two: a
 * run of SEPARATED_HEX has at least 7, and the probe lands on one of them. Numbers in a line of numbers
 * (`51 29 11673`) have a few: the regex pass is spared for them.
 */
function separatorChain(text: string, q: number, c: number): number {
  let count = 1;
  for (let j = q - 3; j >= 0 && text.charCodeAt(j) === c && isHexPair(text, j + 1); j -= 3) count++;
  for (let j = q + 3; j < text.length && text.charCodeAt(j) === c && isHexPair(text, j - 2); j += 3) count++;
  return count;
}

function isHexPair(text: string, at: number): boolean {
  return CHAR_CLASS[text.charCodeAt(at)] === HEX && CHAR_CLASS[text.charCodeAt(at + 1)] === HEX;
}

/** Decodes ASCII %XX escapes (and `+` as a space, as in form bodies); other bytes stay as written. */
function percentDecode(run: string): MappedText {
  let decoded = '';
  const changes: Change[] = [];
  let copied = 0;
  for (let i = run.indexOf('%'); i >= 0; i = run.indexOf('%', i + 1)) {
    if (!/^[0-7][0-9A-Fa-f]$/.test(run.slice(i + 1, i + 3))) continue;
    decoded += run.slice(copied, i).replaceAll('+', ' ');
    changes.push({ start: decoded.length, length: 1, from: i, to: i + 3 });
    decoded += String.fromCharCode(parseInt(run.slice(i + 1, i + 3), 16));
    copied = i + 3;
  }
  return { text: decoded + run.slice(copied).replaceAll('+', ' '), changes };
}

const JSON_ESCAPES: Record<string, string> = { n: '\n', r: '\r', t: '\t', b: '\b', f: '\f', '"': '"', '\\': '\\', '/': '/' };
const HEX_ONLY = /^[0-9A-Fa-f]+$/;

/**
 * String escapes undone: JSON's (`\n`, `\"`, `\\`, `\u0041`), and `\x41`, as util.inspect and Python
 * write control characters (`'\x1B[31m'`).
 */
function unescapeString(text: string): MappedText {
  let decoded = '';
  const changes: Change[] = [];
  let copied = 0;
  for (let i = text.indexOf('\\'); i >= 0; i = text.indexOf('\\', i + 1)) {
    const next = text[i + 1];
    let length = 2;
    let char = next === undefined ? undefined : JSON_ESCAPES[next];
    const digits = next === 'u' ? 4 : next === 'x' ? 2 : 0;
    const code = text.slice(i + 2, i + 2 + digits);
    if (digits !== 0 && code.length === digits && HEX_ONLY.test(code)) {
      char = String.fromCharCode(parseInt(code, 16));
      length = 2 + digits;
    }
    if (char === undefined) continue;
    decoded += text.slice(copied, i);
    changes.push({ start: decoded.length, length: 1, from: i, to: i + length });
    decoded += char;
    copied = i + length;
    i = copied - 1;
  }
  return { text: decoded + text.slice(copied), changes };
}

/** The text a base64 run encodes, when it is text; undefined for binary. */
function base64Text(run: string): string | undefined {
  return bytesText(Buffer.from(run, 'base64'));
}

/**
 * `bytes` as text, when they mostly are (printable ASCII or UTF-8, at least MIN_DECODED of them);
 * undefined for binary. Stray bytes (a control other than tab, line break or escape; bytes that are not
 * UTF-8) at either end are dropped, since a neighbouring word glues onto a run there (`to be 67 68 …`,
 * `… 37 2e cF`). A few inside are let be, and those that are not UTF-8 read as spaces, so that they
 * neither hide the text around them nor glue onto it.
 */
function bytesText(bytes: Buffer): string | undefined {
  if (bytes.length < MIN_DECODED) return undefined;
  const decoded = bytes.toString('utf8');
  let start = 0;
  let end = decoded.length;
  while (start < end && isStray(decoded.charCodeAt(start))) start++;
  while (end > start && isStray(decoded.charCodeAt(end - 1))) end--;
  if (end - start < MIN_DECODED) return undefined;
  let strays = 0;
  for (let i = start; i < end; i++) if (isStray(decoded.charCodeAt(i))) strays++;
  const text = decoded.slice(start, end);
  if (strays === 0) return text;
  return strays > text.length / 20 ? undefined : text.replaceAll('\ufffd', ' ');
}

/** A character that text does not hold: a control other than tab, line breaks and escape; DEL; a byte that was not UTF-8. */
function isStray(c: number): boolean {
  return (c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d && c !== 0x1b) || c === 0x7f || c === 0xfffd;
}
