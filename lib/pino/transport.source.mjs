/**
 * The pino transport for pino's worker thread when egress-guard runs from its TypeScript sources (its own
 * tests and docs examples, `--conditions=egress-guard-source`). pino starts the worker without the
 * parent's `--import` loaders when the application's entry is an ES module (to avoid preload loops), so the
 * worker may not read `.ts`: this file is plain JavaScript and registers tsx in the worker first (twice is
 * harmless when the worker inherited it). The published package points pino at
 * dist/lib/pino/transport.js instead and never loads this file.
 */
try {
  const { register } = await import('tsx/esm/api');
  register();
} catch (error) {
  // No tsx: Node's own type stripping has to read the sources.
  if (error?.code !== 'ERR_MODULE_NOT_FOUND') throw error;
}

const transport = await import('./transport.ts');
export default transport.default;
