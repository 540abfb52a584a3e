/** Harness personal and service account tokens. All example values are fake. */
import type { DetectorSpec } from '../types.ts';
import { END, START } from './common.ts';

const r = String.raw;

export const HARNESS_DETECTORS: DetectorSpec[] = [
  {
    id: 'harness-api-key',
    description: 'Harness personal (pat.) or service account (sat.) token: account, token id and secret, dot-separated',
    tags: ['secret', 'infra', 'ci', 'harness'],
    // `pat.` and `sat.` end words and dotted names (`compat.`, `kubesat.`): at a word start only.
    pattern: r`${START}[ps]at\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9]{24}\.[A-Za-z0-9]{20}${END}`,
    keywords: ['pat.', 'sat.'],
    entropy: 4,
    examples: {
      positive: ['HARNESS_PLATFORM_API_KEY=pat.QnR2qj5LxKvdOr1kLRpZxN.BUej853FQGv6vyxMCSRdb6IG.RrKG8092c1sfSP9pvLkW', '-H "x-api-key: sat.V6G9Fd4GLC4tto3-cQGePj.YkUOSQ6MHpodIUAdr3iWfENy.wfbCEGoaFjQtUGvtpnaS"'],
      negative: ['HARNESS_PLATFORM_API_KEY=pat.QnR2qj5LxKvdOr1kLRpZxN.BUej853FQGv6vyxMCSRdb6IG', 'import compat.QnR2qj5LxKvdOr1kLRpZxN.BUej853FQGv6vyxMCSRdb6IG.RrKG8092c1sfSP9pvLkW'],
    },
  },
];
