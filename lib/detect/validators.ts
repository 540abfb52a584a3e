/**
 * Checksum and structure validators applied to a detector's sensitive span after its pattern matched, and
 * the Shannon entropy used by `entropy` thresholds. They run on every candidate match: keep them
 * allocation-light and linear in the length of the value.
 */
import { createHash } from 'node:crypto';
import { isIPv6 } from 'node:net';
import type { ValidatorName } from './types.ts';

/** Shannon entropy of `s` in bits per character (0 for the empty string). */
export function shannonEntropy(s: string): number {
  const n = s.length;
  if (n === 0) return 0;
  const counts = new Map<number, number>();
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    counts.set(c, (counts.get(c) ?? 0) + 1);
  }
  let h = 0;
  for (const k of counts.values()) {
    const p = k / n;
    h -= p * Math.log2(p);
  }
  return h;
}

/** The digits of `value` once spaces and dashes are removed, or undefined if anything else remains. */
function digitsOnly(value: string): string | undefined {
  const stripped = value.replace(/[ -]/g, '');
  return /^[0-9]+$/.test(stripped) ? stripped : undefined;
}

/** Payment card numbers: 12–19 digits (spaces and dashes allowed) passing the Luhn checksum. */
export function luhn(value: string): boolean {
  const digits = digitsOnly(value);
  if (digits === undefined || digits.length < 12 || digits.length > 19) return false;
  if (/^(\d)\1+$/.test(digits)) return false; // 0000 0000 0000 0000 passes Luhn but is no card
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 48;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return sum % 10 === 0;
}

/** IBAN length by country (ISO 13616 registry), for the countries that issue IBANs. */
export const IBAN_LENGTHS: Readonly<Record<string, number>> = {
  AD: 24, AE: 23, AL: 28, AT: 20, AZ: 28, BA: 20, BE: 16, BG: 22, BH: 22, BR: 29, BY: 28, CH: 21, CR: 22,
  CY: 28, CZ: 24, DE: 22, DK: 18, DO: 28, EE: 20, EG: 29, ES: 24, FI: 18, FO: 18, FR: 27, GB: 22, GE: 22,
  GI: 23, GL: 18, GR: 27, GT: 28, HR: 21, HU: 28, IE: 22, IL: 23, IQ: 23, IS: 26, IT: 27, JO: 30, KW: 30,
  KZ: 20, LB: 28, LC: 32, LI: 21, LT: 20, LU: 20, LV: 21, LY: 25, MC: 27, MD: 24, ME: 22, MK: 19, MR: 27,
  MT: 31, MU: 30, NL: 18, NO: 15, PK: 24, PL: 28, PS: 29, PT: 25, QA: 29, RO: 24, RS: 22, SA: 24, SC: 31,
  SD: 18, SE: 24, SI: 19, SK: 24, SM: 27, ST: 25, SV: 28, TL: 23, TN: 24, TR: 26, UA: 29, VA: 22, VG: 24,
  XK: 20,
};

/**
 * IBAN: known country, the country's exact length, and ISO 7064 mod-97 == 1. Spaces or dashes between
 * groups are allowed (`DE29 1424 …`, `DE29-1424-…`).
 */
export function iban(value: string): boolean {
  const s = value.replace(/[ -]/g, '').toUpperCase();
  if (!/^[A-Z]{2}[0-9]{2}[A-Z0-9]{11,30}$/.test(s)) return false;
  if (IBAN_LENGTHS[s.slice(0, 2)] !== s.length) return false;
  const rearranged = s.slice(4) + s.slice(0, 4);
  let rest = 0;
  for (let i = 0; i < rearranged.length; i++) {
    const c = rearranged.charCodeAt(i);
    if (c <= 57) rest = (rest * 10 + (c - 48)) % 97;
    else rest = (rest * 100 + (c - 55)) % 97; // A=10 ... Z=35: two digits
  }
  return rest === 1;
}

/** Numbers that were printed in advertising or documentation and are known not to be anyone's SSN. */
const SSN_KNOWN_FAKES = new Set(['078051120', '219099999', '123456789', '111111111', '333333333']);

/**
 * US SSN: area not 000, 666 or 900–999 (9xx are ITINs); group not 00; serial not 0000; not a well-known
 * sample. Groups may be separated by dashes, spaces or dots (`524.71.3398`).
 */
export function ssn(value: string): boolean {
  const digits = digitsOnly(value.replace(/\./g, '-'));
  if (digits === undefined || digits.length !== 9) return false;
  const area = Number(digits.slice(0, 3));
  const group = Number(digits.slice(3, 5));
  const serial = Number(digits.slice(5));
  if (area === 0 || area === 666 || area >= 900) return false;
  if (group === 0 || serial === 0) return false;
  return !SSN_KNOWN_FAKES.has(digits);
}

/**
 * IPv4 in dotted-quad form: four octets 0–255 without leading zeros. Decision: 0.0.0.0 (unspecified),
 * 255.255.255.255 (broadcast) and 127.0.0.0/8 (loopback) are rejected: they identify no host or person
 * and appear in every bind/listen log line. Private ranges (10/8, 192.168/16, ...) are accepted: an internal
 * address is exactly the kind of infrastructure detail that should not leave.
 */
export function ipv4(value: string): boolean {
  const parts = value.split('.');
  if (parts.length !== 4) return false;
  for (const p of parts) {
    if (!/^(?:0|[1-9][0-9]{0,2})$/.test(p) || Number(p) > 255) return false;
  }
  if (value === '0.0.0.0' || value === '255.255.255.255') return false;
  return parts[0] !== '127';
}

/**
 * IPv6 (node:net's parser: `::` compression, embedded IPv4, zone ids). The unspecified `::` and the
 * loopback `::1` are rejected for the same reason as in ipv4.
 */
export function ipv6(value: string): boolean {
  if (!isIPv6(value)) return false;
  const v = value.toLowerCase();
  return v !== '::' && v !== '::1' && !/^(?:0{1,4}:){7}0{0,3}1$/.test(v);
}

/**
 * Phone numbers: 10–15 digits once `+`, spaces, dots, dashes and parentheses are removed; not one digit
 * repeated; not an ascending or descending run (0123456789, 9876543210); and, when the value is a bare
 * digit run (no `+`, no separators), not a compact date or timestamp (YYYYMMDD...).
 */
export function phone(value: string): boolean {
  const digits = value.replace(/[\s+().-]/g, '');
  if (!/^[0-9]{10,15}$/.test(digits)) return false;
  if (/^(\d)\1+$/.test(digits)) return false;
  let up = true;
  let down = true;
  for (let i = 1; i < digits.length; i++) {
    const step = digits.charCodeAt(i) - digits.charCodeAt(i - 1);
    if (step !== 1 && step !== -9) up = false;
    if (step !== -1 && step !== 9) down = false;
  }
  if (up || down) return false;
  // A bare digit run (no +, no separators) that starts like YYYYMMDD is a date or a timestamp id.
  if (/^[0-9]+$/.test(value) && /^(?:19|20)\d\d(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])/.test(digits)) {
    return false;
  }
  return true;
}

/** JWT: three dot-separated segments whose header base64url-decodes to a JSON object with a string `alg`. */
export function jwt(value: string): boolean {
  const dot = value.indexOf('.');
  if (dot <= 0) return false;
  const header = value.slice(0, dot);
  if (!/^[A-Za-z0-9_-]+$/.test(header) || header.length > 4096) return false;
  try {
    const parsed: unknown = JSON.parse(Buffer.from(header, 'base64url').toString('utf8'));
    return (
      typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) &&
      typeof (parsed as { alg?: unknown }).alg === 'string'
    );
  } catch {
    return false;
  }
}

/**
 * UK NHS number: 10 digits (spaces or dashes between the 3-3-4 groups allowed), the last a mod-11 check
 * digit over the first nine weighted 10 down to 2 (a computed 10 means the number is never issued); not
 * one digit repeated.
 */
export function nhs(value: string): boolean {
  const digits = digitsOnly(value);
  if (digits === undefined || digits.length !== 10 || /^(\d)\1+$/.test(digits)) return false;
  let sum = 0;
  for (let i = 0; i < 9; i++) sum += (digits.charCodeAt(i) - 48) * (10 - i);
  const check = (11 - (sum % 11)) % 11;
  return check !== 10 && check === digits.charCodeAt(9) - 48;
}

const BASE58 = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';
const BECH32 = 'qpzry9x8gf2tvdw0s3jn54khce6mua7l';

/** Base58 (Bitcoin alphabet) to bytes, leading `1`s as zero bytes; undefined on a foreign character. */
function base58Decode(s: string): Uint8Array | undefined {
  let n = 0n;
  for (let i = 0; i < s.length; i++) {
    const d = BASE58.indexOf(s[i]!);
    if (d < 0) return undefined;
    n = n * 58n + BigInt(d);
  }
  const bytes: number[] = [];
  for (; n > 0n; n >>= 8n) bytes.push(Number(n & 0xffn));
  for (let i = 0; i < s.length && s[i] === '1'; i++) bytes.push(0);
  return Uint8Array.from(bytes.reverse());
}

const sha256 = (b: Uint8Array): Buffer => createHash('sha256').update(b).digest();

/** BIP-173 checksum polymod over the expanded human-readable part and the data values. */
function bech32Polymod(hrp: string, data: number[]): number {
  const G = [0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3];
  let chk = 1;
  const values = [...[...hrp].map((c) => c.charCodeAt(0) >> 5), 0, ...[...hrp].map((c) => c.charCodeAt(0) & 31), ...data];
  for (const v of values) {
    const top = chk >>> 25;
    chk = ((chk & 0x1ffffff) << 5) ^ v;
    for (let i = 0; i < 5; i++) if ((top >> i) & 1) chk ^= G[i]!;
  }
  return chk >>> 0;
}

/**
 * Bitcoin mainnet address. Base58Check (`1…` P2PKH, version 0x00; `3…` P2SH, version 0x05): 25 bytes
 * whose last 4 are the first 4 of SHA-256(SHA-256(the first 21)). Segwit `bc1…` (one case throughout):
 * bech32 checksum (BIP-173) for witness version 0 with a 20- or 32-byte program, bech32m (BIP-350) for
 * versions 1–16 with a 2–40-byte program.
 */
export function bitcoin(value: string): boolean {
  if (value.length > 90) return false;
  if (/^bc1/i.test(value)) {
    if (value !== value.toLowerCase() && value !== value.toUpperCase()) return false;
    const s = value.toLowerCase();
    const data: number[] = [];
    for (let i = 3; i < s.length; i++) {
      const d = BECH32.indexOf(s[i]!);
      if (d < 0) return false;
      data.push(d);
    }
    if (data.length < 7) return false;
    const version = data[0]!;
    const constant = bech32Polymod('bc', data);
    if (constant !== (version === 0 ? 1 : 0x2bc830a3) || version > 16) return false;
    const programBits = (data.length - 7) * 5; // minus version and the 6 checksum values
    const programBytes = Math.floor(programBits / 8);
    if (programBits % 8 >= 5) return false; // more than 4 bits of padding
    // the padding bits must be zero
    if ((data[data.length - 7]! & ((1 << (programBits % 8)) - 1)) !== 0) return false;
    return version === 0 ? programBytes === 20 || programBytes === 32 : programBytes >= 2 && programBytes <= 40;
  }
  if (!/^[13][1-9A-HJ-NP-Za-km-z]{25,34}$/.test(value)) return false;
  const bytes = base58Decode(value);
  if (bytes === undefined || bytes.length !== 25) return false;
  if (bytes[0] !== (value[0] === '1' ? 0x00 : 0x05)) return false;
  const check = sha256(sha256(bytes.subarray(0, 21)));
  for (let i = 0; i < 4; i++) if (check[i] !== bytes[21 + i]) return false;
  return true;
}

/** Keccak-f[1600] round constants and the rho rotation of each lane (index x + 5y). */
const KECCAK_RC = [
  0x1n, 0x8082n, 0x800000000000808an, 0x8000000080008000n, 0x808bn, 0x80000001n, 0x8000000080008081n,
  0x8000000000008009n, 0x8an, 0x88n, 0x80008009n, 0x8000000an, 0x8000808bn, 0x800000000000008bn,
  0x8000000000008089n, 0x8000000000008003n, 0x8000000000008002n, 0x8000000000000080n, 0x800an,
  0x800000008000000an, 0x8000000080008081n, 0x8000000000008080n, 0x80000001n, 0x8000000080008008n,
];
const KECCAK_ROT = [0, 1, 62, 28, 27, 36, 44, 6, 55, 20, 3, 10, 43, 25, 39, 41, 45, 15, 21, 8, 18, 2, 61, 56, 14];
const MASK64 = (1n << 64n) - 1n;
const rotl64 = (v: bigint, n: number): bigint => (n === 0 ? v : ((v << BigInt(n)) | (v >> BigInt(64 - n))) & MASK64);

/**
 * Keccak-256 (the original Keccak padding `0x01`, not SHA3-256's `0x06`), which node:crypto lacks. BigInt
 * lanes: slow per byte, but it only ever hashes the 40 characters of a mixed-case Ethereum address.
 * `padByte` exists for the test that checks this permutation against node's SHA3-256.
 */
export function keccak256(msg: Uint8Array, padByte = 0x01): Uint8Array {
  const rate = 136;
  const padded = new Uint8Array(msg.length + rate - (msg.length % rate));
  padded.set(msg);
  padded[msg.length]! ^= padByte;
  padded[padded.length - 1]! ^= 0x80;
  const s = new Array<bigint>(25).fill(0n);
  const b = new Array<bigint>(25).fill(0n);
  const c = new Array<bigint>(5).fill(0n);
  for (let off = 0; off < padded.length; off += rate) {
    for (let i = 0; i < rate / 8; i++) {
      let lane = 0n;
      for (let k = 7; k >= 0; k--) lane = (lane << 8n) | BigInt(padded[off + i * 8 + k]!);
      s[i]! ^= lane;
    }
    for (let round = 0; round < 24; round++) {
      for (let x = 0; x < 5; x++) c[x] = s[x]! ^ s[x + 5]! ^ s[x + 10]! ^ s[x + 15]! ^ s[x + 20]!;
      for (let x = 0; x < 5; x++) {
        const d = c[(x + 4) % 5]! ^ rotl64(c[(x + 1) % 5]!, 1);
        for (let y = 0; y < 25; y += 5) s[x + y]! ^= d;
      }
      for (let x = 0; x < 5; x++) {
        for (let y = 0; y < 5; y++) b[y + 5 * ((2 * x + 3 * y) % 5)] = rotl64(s[x + 5 * y]!, KECCAK_ROT[x + 5 * y]!);
      }
      for (let y = 0; y < 25; y += 5) {
        for (let x = 0; x < 5; x++) s[x + y] = b[x + y]! ^ (~b[((x + 1) % 5) + y]! & MASK64 & b[((x + 2) % 5) + y]!);
      }
      s[0]! ^= KECCAK_RC[round]!;
    }
  }
  const out = new Uint8Array(32);
  for (let i = 0; i < 32; i++) out[i] = Number((s[i >> 3]! >> BigInt(8 * (i & 7))) & 0xffn);
  return out;
}

/**
 * Ethereum address `0x` + 40 hex digits. All lower or all upper case carries no checksum and is accepted;
 * mixed case must be the EIP-55 checksum: a letter is upper case exactly when the matching nibble of
 * Keccak-256(the lower-case hex) is 8 or more. Not one digit repeated (the zero address is no one's).
 */
export function ethereum(value: string): boolean {
  if (!/^0[xX][0-9a-fA-F]{40}$/.test(value)) return false;
  const hex = value.slice(2);
  if (/^(.)\1+$/.test(hex)) return false;
  const lower = hex.toLowerCase();
  if (hex === lower || hex === hex.toUpperCase()) return true;
  const hash = keccak256(Buffer.from(lower, 'ascii'));
  for (let i = 0; i < 40; i++) {
    const ch = hex[i]!;
    if (ch >= '0' && ch <= '9') continue;
    const nibble = (hash[i >> 1]! >> (i & 1 ? 0 : 4)) & 0xf;
    if ((ch >= 'A' && ch <= 'F') !== nibble >= 8) return false;
  }
  return true;
}

export const VALIDATORS: Record<ValidatorName, (value: string) => boolean> = {
  luhn,
  iban,
  ssn,
  ipv4,
  ipv6,
  phone,
  jwt,
  bitcoin,
  ethereum,
  nhs,
};
