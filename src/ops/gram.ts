/** Shape bookkeeping around kernels/gram.ts. */
import { gramBackward as backwardKernel, gramForward as forwardKernel } from '../../kernels/gram.js';
import type { Engine } from '../engine/engine.js';
import type { Tensor } from '../engine/tensor.js';

/** The default normalisation of a Gram matrix, 1 / (C H W) (DESIGN.md section 1). */
export function gramNorm(features: Tensor): number {
  const [channels, height, width] = features.shape;
  return 1 / (channels * height * width);
}

function gramConstants(features: Tensor, norm: number) {
  const [channels, height, width] = features.shape;
  return { channels, height, width, norm };
}

/** G = norm * F F^T, shape [1][C][C]; norm defaults to 1 / (C H W). */
export function gram(engine: Engine, features: Tensor, norm = gramNorm(features)): Tensor {
  const c = features.shape[0];
  return engine.run({ fn: forwardKernel, output: [1, c, c], constants: gramConstants(features, norm) }, features);
}

/** dL/dF = norm * (dG + dG^T) F, with the norm the forward pass used. */
export function gramBackward(engine: Engine, gradGram: Tensor, features: Tensor, norm = gramNorm(features)): Tensor {
  return engine.run({ fn: backwardKernel, output: features.shape, constants: gramConstants(features, norm) }, gradGram, features);
}
