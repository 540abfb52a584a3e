/** Frame.io developer tokens. All example values are fake. */
import type { DetectorSpec } from '../types.ts';
import { END, GLUED } from './common.ts';

const r = String.raw;

export const FRAMEIO_DETECTORS: DetectorSpec[] = [
  {
    id: 'frameio-api-token',
    description: 'Frame.io developer token (fio-u-)',
    tags: ['secret', 'saas', 'frameio'],
    pattern: r`${GLUED}fio-u-[A-Za-z0-9_=-]{64}${END}`,
    keywords: ['fio-u-'],
    entropy: 4,
    examples: {
      positive: ['FRAMEIO_TOKEN=fio-u-EGMd5f5vVgXRWwohMUN8SkhhVKav4JpE9Qno4stq5QKZolxi8qUrOFzCNTqcXkGf', '-H "Authorization: Bearer fio-u--y0HJXh8k6Vm90wz39Mx5BnaZ5Ocuw6nYqY-JQWE9Nd-hga9REUDjly3-aPxyBWB"'],
      negative: ['FRAMEIO_TOKEN=fio-u-EGMd5f5vVgXRWwohMUN8SkhhVKav4JpE9Qno', 'portfolio-u-turn-analysis-for-the-quarterly-investment-committee-meeting-notes'],
    },
  },
];
