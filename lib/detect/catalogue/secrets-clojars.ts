/** Clojars deploy tokens. All example values are fake. */
import type { DetectorSpec } from '../types.ts';
import { END, GLUED } from './common.ts';

const r = String.raw;

export const CLOJARS_DETECTORS: DetectorSpec[] = [
  {
    id: 'clojars-api-token',
    description: 'Clojars deploy token (CLOJARS_ + 60)',
    tags: ['secret', 'package-registry', 'clojars'],
    pattern: r`${GLUED}CLOJARS_[A-Za-z0-9]{60}${END}`,
    keywords: ['clojars_'],
    entropy: 3.5,
    examples: {
      positive: ['CLOJARS_PASSWORD=CLOJARS_e3b4df5d71df4072a5f6d6fa26af74eaa41dfaeb4fdad811d432bd426787', ':password "CLOJARS_0ce97636c7b79f1aa7b80529fb84b26c327af120150929adbb352ce61820"'],
      negative: ['CLOJARS_USERNAME=deployer', 'CLOJARS_PASSWORD=CLOJARS_e3b4df5d71df4072a5f6d6fa26af74ea'],
    },
  },
];
