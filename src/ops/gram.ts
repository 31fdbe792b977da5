/**
 * Shape bookkeeping around kernels/gram.ts, in the engine's tiling (src/ops/blocked.ts):
 * direct (one value of G or dL/dF per thread) on cpu and webasm, blocked on the GL backends.
 */
import { conv1x1Row8 } from '../../kernels/conv2d-blocked.js';
import { CELL_FUNCTIONS, SEVEN_MORE_OUTPUTS } from '../../kernels/cell-functions.js';
import {
  gramBackward as directBackwardKernel,
  gramBlocks,
  gramForward as directForwardKernel,
  gramGradientCells,
  gramReduce,
} from '../../kernels/gram.js';
import type { Engine } from '../engine/engine.js';
import type { Tensor } from '../engine/tensor.js';
import { blockedConvolution, defaultTiling, groupsOf, packed, type ThreadOrder, type Tiling } from './blocked.js';

/** The default normalisation of a Gram matrix, 1 / (C H W) (DESIGN.md section 1). */
export function gramNorm(features: Tensor): number {
  const [channels, height, width] = features.shape;
  return 1 / (channels * height * width);
}

/**
 * Threads the blocked forward wants at least: enough 64x64 tiles of work for every core of a
 * CPU rasteriser and every SIMD lane. With few channels (64 at relu1_1) the 4 x 8 blocks alone
 * are a few hundred threads, so the pixel sum is split into chunks.
 */
const MIN_GRAM_THREADS = 16384;

/** G = norm * F F^T, shape [1][C][C]; norm defaults to 1 / (C H W). */
export function gram(engine: Engine, features: Tensor, norm = gramNorm(features), tiling: Tiling = defaultTiling(engine)): Tensor {
  const [channels, height, width] = features.shape;
  if (tiling === 'direct') {
    return engine.run({ fn: directForwardKernel, output: [1, channels, channels], constants: { channels, height, width, norm } }, features);
  }
  const groups = groupsOf(channels);
  const blockColumns = Math.ceil(groups / 2);
  const rowsPerChunk = Math.ceil(height / Math.min(height, Math.ceil(MIN_GRAM_THREADS / (groups * blockColumns))));
  const chunks = Math.ceil(height / rowsPerChunk);
  const input = packed(engine, features);
  const blocks = engine.runMap(
    {
      fn: gramBlocks,
      outputs: SEVEN_MORE_OUTPUTS,
      functions: [CELL_FUNCTIONS.addScaledCell],
      output: [chunks, groups, blockColumns],
      lanes: 4,
      constants: { groups, height, width, rowsPerChunk },
    },
    input,
  );
  input.release();
  const g = engine.run(
    { fn: gramReduce, output: [1, channels, channels], functions: [CELL_FUNCTIONS.cellComponent], constants: { chunks, norm } },
    ...blocks,
  );
  for (const b of blocks) b.release();
  return g;
}

/** dL/dF = norm * (dG + dG^T) F, with the norm the forward pass used; `order` applies to blocked. */
export function gramBackward(
  engine: Engine,
  gradGram: Tensor,
  features: Tensor,
  norm = gramNorm(features),
  tiling: Tiling = defaultTiling(engine),
  order: ThreadOrder = 'auto',
): Tensor {
  const [channels, height, width] = features.shape;
  if (tiling === 'direct') {
    return engine.run({ fn: directBackwardKernel, output: features.shape, constants: { channels, height, width, norm } }, gradGram, features);
  }
  const padded = 4 * groupsOf(channels);
  const weights = engine.run({ fn: gramGradientCells, output: [groupsOf(channels), 1, padded], lanes: 4, constants: { channels, norm } }, gradGram);
  const bias = engine.upload(new Float32Array(padded), [1, 1, padded]);
  const gradFeatures = blockedConvolution(engine, conv1x1Row8, features, { weights, bias, inChannels: channels, outChannels: channels }, false, false, order);
  weights.release();
  bias.release();
  return gradFeatures;
}
