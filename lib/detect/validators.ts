/**
 * Checksum and structure validators applied to a detector's sensitive span after its pattern matched, and
 * the Shannon entropy used by `entropy` thresholds. They run on every candidate match: keep them
 * allocation-light and linear in the length of the value.
 */
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

/** IBAN: known country, the country's exact length, and ISO 7064 mod-97 == 1. Spaces are allowed. */
export function iban(value: string): boolean {
  const s = value.replace(/ /g, '').toUpperCase();
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

/** US SSN: area not 000, 666 or 900–999; group not 00; serial not 0000; not a well-known sample. */
export function ssn(value: string): boolean {
  const digits = digitsOnly(value);
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

export const VALIDATORS: Record<ValidatorName, (value: string) => boolean> = {
  luhn,
  iban,
  ssn,
  ipv4,
  ipv6,
  phone,
  jwt,
};
