/** Shape bookkeeping around kernels/relu.ts. */
import { reluBackward as backwardKernel, reluForward as forwardKernel } from '../../kernels/relu.js';
import type { Engine } from '../engine/engine.js';
import type { Tensor } from '../engine/tensor.js';

export function relu(engine: Engine, x: Tensor): Tensor {
  return engine.run({ fn: forwardKernel, output: x.shape }, x);
}

export function reluBackward(engine: Engine, gradOutput: Tensor, output: Tensor): Tensor {
  return engine.run({ fn: backwardKernel, output: output.shape }, gradOutput, output);
}
