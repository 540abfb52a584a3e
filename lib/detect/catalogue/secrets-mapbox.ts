/** Mapbox secret access tokens (sk.). All example values are fake. */
import type { DetectorSpec } from '../types.ts';
import { END, GLUED } from './common.ts';

const r = String.raw;

/**
 * The mapbox family's detectors.
 *
 * @example MAPBOX_DETECTORS.map((d) => d.id) // ['mapbox-secret-token']
 */
export const MAPBOX_DETECTORS: DetectorSpec[] = [
  {
    id: 'mapbox-secret-token',
    description: 'Mapbox secret access token (sk.eyJ1…): unlike the public pk. tokens, it manages the account\'s styles, tokens and uploads',
    tags: ['secret', 'saas', 'mapbox'],
    // `eyJ1Ijoi` is `{"u":"` in base64: the token's JSON part names the user first.
    pattern: r`${GLUED}sk\.eyJ1Ijoi[A-Za-z0-9_-]{20,300}\.[A-Za-z0-9_-]{20,64}${END}`,
    keywords: ['sk.eyj1ijoi'],
    entropy: 3.5,
    examples: {
      positive: ['MAPBOX_SECRET_TOKEN=sk.eyJ1IjoiYWNtZS1tYXBzIiwiYSI6IjBpYnl5dXJsNjViNGtqNGhiaTZqbHZoa3AifQ.D5hJRaOvRTYZPNvS_I4k9G', 'mapbox upload acme.tiles data.mbtiles --token sk.eyJ1IjoiZ2VvLXRlYW0iLCJhIjoia2tzNHJmZ3kxMzRvNW9nMjA4MG9weG43eSJ9.kNhBm2bd2AG2_B2TFu2aWo'],
      negative: ['MAPBOX_ACCESS_TOKEN=pk.eyJ1IjoiYWNtZS1tYXBzIiwiYSI6IjVvM3hzaDg4amJibGQ2M2lub3V4anVnbjMifQ.6cKIFTmxrrjtjVmd4xI0zv', 'MAPBOX_SECRET_TOKEN=sk.eyJ1IjoiYWNtZSJ9.short', 'risk.eyJ1Ijoi'],
    },
  },
];
