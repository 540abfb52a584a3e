/**
 * Fake secrets for the door tests, built at run time so that no scanner of this repository finds them in
 * its source, and a check that names a leaked secret by its label only (a red test log must not leak).
 */
import { assertNoSecret } from './secrets.ts';

export const SECRETS = {
  'GitHub token': 'ghp_' + 'R7tKq2mWx9LpZ4vN8sB3cD6fG1hJ5kM0yQeT',
  'AWS key id': 'AKIA' + 'QZ7VX3MPL2RT6YWB',
  email: ['alice', 'smith'].join('.') + '@example.com',
  'card number': ['4111', '1111', '1111', '1111'].join(' '),
} as const;

export const { 'GitHub token': GHP, 'AWS key id': AWS_KEY, email: EMAIL, 'card number': CARD } = SECRETS;

/** Fails, naming the secret and where, if any planted secret (or the card as one run of digits) is in `text`. */
export function assertClean(text: string, where: string): void {
  assertNoSecret(text, { ...SECRETS, 'card number (digits)': CARD.replaceAll(' ', '') }, where);
}
