/** SonarQube and SonarCloud tokens (squ_, sqp_, sqa_). All example values are fake. */
import type { DetectorSpec } from '../types.ts';
import { GLUED } from './common.ts';

const r = String.raw;

/**
 * The sonar family's detectors.
 *
 * @example SONAR_DETECTORS.map((d) => d.id) // ['sonar-token']
 */
export const SONAR_DETECTORS: DetectorSpec[] = [
  {
    id: 'sonar-token',
    description: 'SonarQube / SonarCloud user (squ_), project analysis (sqp_) or global analysis (sqa_) token',
    tags: ['secret', 'ci', 'sonar'],
    pattern: r`${GLUED}sq[upa]_[a-f0-9]{40}\b`,
    keywords: ['squ_', 'sqp_', 'sqa_'],
    entropy: 3.5,
    examples: {
      positive: ['SONAR_TOKEN=squ_911a95891fca76a9e28becdcb820372c310f0404', 'mvn sonar:sonar -Dsonar.token=sqp_0699f0c60d9df89af707b1de74f1f7144a6262a9'],
      negative: ['SONAR_TOKEN=squ_97702652f2b23a015da2219027c30d5c', 'SONAR_TOKEN=sqx_984b859a94e7bbe96cc3e2ecff4615441050c5bf'],
    },
  },
];
