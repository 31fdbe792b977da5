/** Shape bookkeeping around kernels/gram.ts. */
import { gramBackward as backwardKernel, gramForward as forwardKernel } from '../../kernels/gram.js';
import type { Engine } from '../engine/engine.js';
import type { Tensor } from '../engine/tensor.js';

function gramConstants(features: Tensor) {
  const [channels, height, width] = features.shape;
  return { channels, height, width, norm: 1 / (channels * height * width) };
}

/** G = F F^T / (C H W), shape [1][C][C]. */
export function gram(engine: Engine, features: Tensor): Tensor {
  const c = features.shape[0];
  return engine.run({ fn: forwardKernel, output: [1, c, c], constants: gramConstants(features) }, features);
}

/** dL/dF = (dG + dG^T) F / (C H W). */
export function gramBackward(engine: Engine, gradGram: Tensor, features: Tensor): Tensor {
  return engine.run({ fn: backwardKernel, output: features.shape, constants: gramConstants(features) }, gradGram, features);
}
