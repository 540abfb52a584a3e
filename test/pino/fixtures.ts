/**
 * Planted secrets for the pino tests, made at run time (nothing secret-shaped sits in the sources), and a
 * real stream that collects what pino writes. Assertions name secrets by label, never by value.
 */
import { randomBytes, randomInt } from 'node:crypto';
import { PassThrough } from 'node:stream';

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

function randomOf(alphabet: string, length: number): string {
  return [...randomBytes(length)].map((b) => alphabet[b % alphabet.length]).join('');
}

/** A 16-digit Visa-shaped number whose last digit makes it pass Luhn, written in groups of four. */
function cardNumber(): string {
  const digits = [4, ...Array.from({ length: 14 }, () => randomInt(10))];
  const sum = digits
    .slice()
    .reverse()
    .reduce((acc, d, i) => acc + (i % 2 === 0 ? (d * 2 > 9 ? d * 2 - 9 : d * 2) : d), 0);
  const all = [...digits, (10 - (sum % 10)) % 10].join('');
  return all.match(/\d{4}/g)!.join(' ');
}

export const SECRETS = {
  githubToken: 'ghp_' + randomOf(ALNUM, 36),
  awsKeyId: 'AKIA' + randomOf(BASE32, 16),
  email: `erin.${randomOf('abcdefghijklmnopqrstuvwxyz', 8)}@example.com`,
  card: cardNumber(),
};

/** A real stream pino writes to (as to any destination), and the lines it got. */
export function collect(): { stream: PassThrough; text(): string; records(): Record<string, unknown>[] } {
  const stream = new PassThrough();
  let text = '';
  stream.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
  return {
    stream,
    text: () => text,
    records: () =>
      text
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as Record<string, unknown>),
  };
}

/** pino writes to a PassThrough synchronously; its 'data' events follow on the next tick. */
export function settled(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
