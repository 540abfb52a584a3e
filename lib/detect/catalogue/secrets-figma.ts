/** Figma personal access tokens (figd_). All example values are fake. */
import type { DetectorSpec } from '../types.ts';
import { END, GLUED } from './common.ts';

const r = String.raw;

/**
 * Figma's detectors: personal access tokens, which read every file their owner can open.
 *
 * @example FIGMA_DETECTORS.map((d) => d.id) // ['figma-token']
 */
export const FIGMA_DETECTORS: DetectorSpec[] = [
  {
    id: 'figma-token',
    description: 'Figma personal access token (figd_)',
    tags: ['secret', 'saas', 'figma'],
    pattern: r`${GLUED}figd_[A-Za-z0-9_-]{40,200}${END}`,
    keywords: ['figd_'],
    entropy: 3.5,
    examples: {
      positive: ['FIGMA_TOKEN=figd_Qm4Zx8Lp2Tv7Wk1Rb6Nc3Hy9Jd5Fs0Ga_Ke8Mu2Ro4Ti7', 'curl -H "X-Figma-Token: figd_wP3sK9mQ2zL7xV4tR8nB1cY6hD0fJ5gA-uE3iO7kW2q" https://api.figma.com/v1/me'],
      negative: ['FIGMA_TOKEN=figd_Qm4Zx8Lp2Tv7Wk1Rb6', 'figd_renderer_cache_directory_for_thumbnails=/tmp/x', 'FIGMA_TOKEN=figu_Qm4Zx8Lp2Tv7Wk1Rb6Nc3Hy9Jd5Fs0Ga_Ke8Mu2Ro4Ti7'],
    },
  },
];
