/** Defined Networking (managed Nebula) API keys. All example values are fake. */
import type { DetectorSpec } from '../types.ts';
import { END, GLUED } from './common.ts';

const r = String.raw;

export const DEFINED_NETWORKING_DETECTORS: DetectorSpec[] = [
  {
    id: 'defined-networking-api-token',
    description: 'Defined Networking API key (dnkey-)',
    tags: ['secret', 'infra', 'network', 'defined-networking'],
    pattern: r`${GLUED}dnkey-[A-Za-z0-9_=-]{26}-[A-Za-z0-9_=-]{52}${END}`,
    keywords: ['dnkey-'],
    entropy: 3.5,
    examples: {
      positive: ['DN_API_KEY=dnkey-5ETO7AI37TIFRPTMLC634PO3NS-JY5CG4NTDC75NRJZSE4G0G5R9OTVCJLS22D9EBR9BQ8PL5YZD9IB', 'curl -H "Authorization: Bearer dnkey-KHFQ3JOOU9YHHA11OH5SQ842V3-MHPDZ50KI2DJEL6HX40STROTZNJJ7J9ESD0EUPKISJ34W107Q3TG" https://api.defined.net/v1/hosts'],
      negative: ['DN_API_KEY=dnkey-5ETO7AI37TIFRPTMLC634PO3NS', 'DN_API_KEY=dnkey-5ETO7AI37TIFRPTMLC634PO3NS-JY5CG4NTDC75NRJZSE4G'],
    },
  },
];
