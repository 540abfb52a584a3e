/**
 * Disguises for planted secrets, and an independent way to see through them, for the no-leak property
 * test. A secret can be written so that a plain search does not find it: with something glued in front,
 * with invisible characters or ANSI escapes inside, in fullwidth forms or HTML entities, as hex, as a Node
 * `<Buffer ..>` dump, as base64 of base64 of base64. `readable()` is this file's own normaliser, written
 * apart from lib/redact/normalize.ts on purpose: the test must not trust what it tests.
 */

/** Invisible characters: zero-width space, non-joiner, joiner, word joiner, BOM, soft hyphen, bidi override and isolate. */
export const INVISIBLES = ['\u200b', '\u200c', '\u200d', '\u2060', '\ufeff', '\u00ad', '\u202e', '\u2066'] as const;
/** ANSI escapes: colours, bold, reset, erase line, 256-colour, OSC window title. */
export const ANSI_CODES = ['\x1b[33m', '\x1b[1;31m', '\x1b[0m', '\x1b[2K', '\x1b[38;5;208m', '\x1b]0;t\x07'] as const;

export const insertAt = (text: string, at: number, what: string): string => text.slice(0, at) + what + text.slice(at);

/** Printable ASCII as its fullwidth form (U+FF01..U+FF5E); the rest as it is. */
export const fullwidth = (s: string): string => s.replace(/[!-~]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0));

/** Every `step`-th printable ASCII character (from `offset`) as a numeric entity, decimal and hex in turn. */
export function htmlEntities(s: string, step: number, offset: number): string {
  return [...s]
    .map((c, i) => {
      if ((i + offset) % step !== 0 || !/[!-~]/.test(c)) return c;
      const code = c.charCodeAt(0);
      return i % 2 === 0 ? `&#${code};` : `&#x${code.toString(16)};`;
    })
    .join('');
}

/** The bytes of `s` as hex pairs joined by `sep` ('' for a run). */
export const hexOf = (s: string, sep = '', upper = false): string => {
  const h = [...Buffer.from(s)].map((b) => b.toString(16).padStart(2, '0')).join(sep);
  return upper ? h.toUpperCase() : h;
};

/** Node's `<Buffer 67 68 70 ...>`, every byte shown. */
export const bufferDump = (s: string): string => `<Buffer ${hexOf(s, ' ')}>`;

export const base64 = (s: string): string => Buffer.from(s).toString('base64');

/**
 * CSI (ESC [ or 8-bit CSI ... final byte), OSC (ESC ] ... BEL or ESC \\, bounded), and two-character
 * escapes (an unterminated OSC loses only its introducer: removing less can only show more).
 */
const ANSI = /(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]{0,256}(?:\x07|\x1b\\)|\x1b[ -/]*[0-~]/g;
const ENTITY = /&(?:#(\d{1,7})|#[xX]([0-9a-fA-F]{1,6})|(amp|lt|gt|quot|apos|commat|nbsp));?/g;
const NAMED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", commat: '@', nbsp: '\u00a0' };
const INVISIBLE = /\p{Default_Ignorable_Code_Point}/gu;
const MAY_CHANGE = /[\x1b\x9b&\x80-\uffff]|\\(?:u00|x)(?:1b|9b)/i;

/**
 * Text as a person reads it: ANSI escapes removed (also when written as JSON or inspect() escapes,
 * `\u001b[..m`, `\x1B[..m`: the outputs searched are JSON, and a value that is not a string goes out as
 * inspect() shows it), HTML entities decoded, NFKC, invisible characters (zero-width, bidi, soft hyphen)
 * removed.
 *
 * @example readable('gh\u200bp_&#65;\x1b[0mＢ') // 'ghp_AB'
 */
export function readable(text: string): string {
  if (!MAY_CHANGE.test(text)) return text;
  const unescaped = text.replace(/\\(?:u00|x)(1b|9b|07)/gi, (_all, c: string) => String.fromCharCode(parseInt(c, 16)));
  const decoded = unescaped.replace(ANSI, '').replace(ENTITY, (all, dec?: string, hx?: string, name?: string) => {
    const code = dec !== undefined ? Number(dec) : hx !== undefined ? parseInt(hx, 16) : undefined;
    if (code === undefined) return NAMED[name!] ?? all;
    return code <= 0x10ffff ? String.fromCodePoint(code) : all;
  });
  return decoded.normalize('NFKC').replace(INVISIBLE, '');
}

/** A string as it appears inside a JSON string. */
export const jsonEscaped = (s: string): string => JSON.stringify(s).slice(1, -1);

// ---------------------------------------------------------------------------------------------------------
// Planted secrets and the ways to write them (the no-leak property tests of every door share them)

/** A planted secret: the text that carries it and the sensitive span that must never get out. */
export interface Plant {
  /** A detector id, or `key-name` for a random value under a secret-named key. */
  detector: string;
  carrier: string;
  span: string;
  /** Where the span starts in the carrier. */
  start: number;
  /** Where glue goes: the start of the match (its key, for a detector with a group). */
  matchStart: number;
  /** The glues the detector's own pattern still finds the token behind (left-anchored ones refuse them by design). */
  glues: Glue[];
}
export type Glue = 'letter' | 'digit' | 'underscore';
export const GLUE_CHARS: Record<Glue, string> = { letter: 'x', digit: '1', underscore: '_' };

export type Encoding =
  | 'raw' | 'url' | 'base64' | 'base64url' | 'json-in-string'
  | 'glued-letter' | 'glued-digit' | 'glued-underscore' | 'glued-ansi'
  | 'zero-width' | 'ansi-inside' | 'fullwidth' | 'html-entities' | 'hex' | 'buffer-dump' | 'base64x3';

export const ENCODINGS: Encoding[] = [
  'raw', 'url', 'base64', 'base64url', 'json-in-string',
  'glued-letter', 'glued-digit', 'glued-underscore', 'glued-ansi',
  'zero-width', 'ansi-inside', 'fullwidth', 'html-entities', 'hex', 'buffer-dump', 'base64x3',
];
/** Hex spellings: a run, upper case, space- and colon-separated pairs. */
const HEX_SPELLINGS: [string, boolean][] = [['', false], ['', true], [' ', false], [':', false]];
/** Decoded hex shorter than this is not text to the encoded scan (lib/redact/encoded.ts MIN_DECODED). */
const MIN_HEX_BYTES = 8;

/** The encodings a plant can be written in. */
export function encodingsFor(p: Plant): Encoding[] {
  return ENCODINGS.filter((e) => {
    if (e === 'glued-letter' || e === 'glued-digit' || e === 'glued-underscore') return p.glues.includes(e.slice('glued-'.length) as Glue);
    if (e === 'hex' || e === 'buffer-dump') return Buffer.byteLength(p.carrier) >= MIN_HEX_BYTES;
    return true;
  });
}

/** `at` and `pick` choose where inside the span a character goes and which one (or which spelling). */
export function encode(p: Plant, encoding: Encoding, at: number, pick: number): { text: string; disguised: string[] } {
  const { carrier, span, start } = p;
  const inside = 1 + (at % Math.max(1, span.length - 1));
  const inSpan = (f: (s: string) => string) => {
    const d = f(span);
    return { text: carrier.slice(0, start) + d + carrier.slice(start + span.length), disguised: [d] };
  };
  switch (encoding) {
    case 'raw':
      return { text: carrier, disguised: [] };
    case 'url':
      return { text: encodeURIComponent(carrier), disguised: [encodeURIComponent(span)] };
    case 'base64':
      return { text: base64(carrier), disguised: [base64(carrier)] };
    case 'base64url': {
      const text = Buffer.from(carrier).toString('base64url');
      return { text, disguised: [text] };
    }
    case 'json-in-string':
      return { text: JSON.stringify({ note: carrier, n: 1 }), disguised: [] };
    case 'glued-letter':
    case 'glued-digit':
    case 'glued-underscore':
      return { text: insertAt(carrier, p.matchStart, GLUE_CHARS[encoding.slice('glued-'.length) as Glue]), disguised: [] };
    case 'glued-ansi':
      return { text: insertAt(carrier, p.matchStart, ANSI_CODES[pick % ANSI_CODES.length]!), disguised: [] };
    case 'zero-width':
      return inSpan((s) => insertAt(s, inside, INVISIBLES[pick % INVISIBLES.length]!));
    case 'ansi-inside':
      return inSpan((s) => insertAt(s, inside, ANSI_CODES[pick % ANSI_CODES.length]!));
    case 'fullwidth':
      return inSpan(fullwidth);
    case 'html-entities':
      return inSpan((s) => htmlEntities(s, 1 + (pick % 3), at % 3));
    case 'hex': {
      const [sep, upper] = HEX_SPELLINGS[pick % HEX_SPELLINGS.length]!;
      return { text: hexOf(carrier, sep, upper), disguised: [hexOf(span, sep, upper)] };
    }
    case 'buffer-dump':
      return { text: bufferDump(carrier), disguised: [hexOf(span, ' ')] };
    case 'base64x3': {
      const once = base64(carrier);
      const twice = base64(once);
      return { text: base64(twice), disguised: [once, twice, base64(twice)] };
    }
  }
}
