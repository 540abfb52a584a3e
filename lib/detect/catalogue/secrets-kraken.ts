/** Kraken exchange API keys, next to a kraken key name. All example values are fake. */
import type { DetectorSpec } from '../types.ts';
import { ASSIGN } from './common.ts';

const r = String.raw;

export const KRAKEN_DETECTORS: DetectorSpec[] = [
  {
    id: 'kraken-api-key',
    description: 'Kraken exchange API key or private key (80-90 base64 characters), next to a kraken key name',
    tags: ['secret', 'crypto-exchange', 'kraken'],
    pattern: r`kraken[A-Za-z0-9_.-]{0,30}${ASSIGN}([A-Za-z0-9/+_=-]{80,90})(?![A-Za-z0-9/+_=-])`,
    flags: 'i',
    keywords: ['kraken'],
    group: 1,
    entropy: 4,
    examples: {
      positive: ['KRAKEN_API_SECRET=2kk7fNe9pfILhl2P1xBHogeIGuqK-1HbB7XxK8CeDABWNWQ9dBmCBkr8LiEZUluMOiOxwSmZDzoyPn9baDo4rakK', 'kraken.private_key: "gII2hc3CQQdvVXhUc34H10sjUbO3qTBHH5zvU1LBPtPKbdU10vYdqtfpWr3w6fZ3IZE4aXnMbVGe6HysuxEuePTyZE"'],
      negative: ['KRAKEN_API_SECRET=2kk7fNe9pfILhl2P1xBHogeIGuqK-1HbB7XxK8CeDABWNW', 'KRAKEN_API_SECRET=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'],
    },
  },
];
