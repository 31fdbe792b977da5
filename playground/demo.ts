/**
 * `npm run demo`: builds the playground and serves it on localhost with the weights file
 * (the one `nst stylize` would use) and the shared photos, then prints the URL.
 */
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { isUserError } from '../src/errors.js';
import { resolveWeightsPath } from '../src/weights/locate.js';
import { buildPlayground } from './build.js';
import { REPO_ROOT } from './repo-root.js';
import { servePlayground } from './server.js';

const DEFAULT_PORT = 8173;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: String(DEFAULT_PORT) },
      weights: { type: 'string' },
      images: { type: 'string', default: join(REPO_ROOT, '..', 'shared', 'images') },
    },
  });
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port: expected a port number, got '${values.port}'`);
  const weights = resolveWeightsPath(values.weights);
  const root = join(REPO_ROOT, 'dist', 'web');
  await buildPlayground(root);
  const server = await servePlayground({ root, weights, images: values.images }, port);
  process.stdout.write(`playground: ${server.url}  (weights ${weights}; photos ${values.images}; Ctrl-C stops)\n`);
}

main().catch((e: unknown) => {
  process.stderr.write(`demo: ${isUserError(e) || e instanceof Error ? e.message : String(e)}\n`);
  process.exit(2);
});
