/**
 * What the --checkpoint/--resume suites share: small, quick runs of `nst stylize` on the real
 * weights (converted into a temporary directory before the suite), in one process (malloc
 * pinned, so nst does not run itself again: src/cli/launcher.ts), so that a signal sent to
 * the child reaches the process that computes.
 */
import { join } from 'node:path';
import { beforeAll } from 'vitest';
import { convertWeights } from '../../src/weights/convert.js';
import { BUNDLE, IMAGES, runNstStopping, tempDir } from './cli.js';

export const CONTENT = join(IMAGES, 'tubingen.jpg');
export const STYLE = join(IMAGES, 'starry_night.jpg');

/** 32 px, shallow loss layers: well under a second per evaluation on cpu. */
export function smallRun(backend: string): string[] {
  return ['--backend', backend, '--size', '32', '--content-layers', 'relu2_1', '--style-layers', 'relu1_1,relu2_1', '--print-every', '1', '--seed', '7'];
}

/** Call inside a describe: its directory, its environment, and `nst stylize args`, stopped by a signal once stderr shows a line. */
export function resumeSuite() {
  const dir = tempDir();
  const weights = join(dir, 'vgg19.nstw');
  const env = { NST_WEIGHTS: weights, MALLOC_MMAP_THRESHOLD_: String(128 * 1024) };
  beforeAll(() => {
    convertWeights({ source: BUNDLE, output: weights });
  });
  const stylize = (args: string[], stopAt?: { line: string; signal: NodeJS.Signals }) => runNstStopping(['stylize', ...args], stopAt, { env });
  return { dir, env, stylize };
}
