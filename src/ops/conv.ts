/** Shape bookkeeping around kernels/conv2d.ts. */
import { conv3x3BackwardInput as backwardKernel, conv3x3Forward as forwardKernel } from '../../kernels/conv2d.js';
import type { Engine } from '../engine/engine.js';
import { reluBackward } from './relu.js';
import type { Tensor } from '../engine/tensor.js';

/** A conv layer's parameters on the device: weights [Cout][Cin][9] (OIHW flattened), bias [1][1][Cout]. */
export interface ConvParams {
  weights: Tensor;
  bias: Tensor;
}

export function convChannels(p: ConvParams): { inChannels: number; outChannels: number } {
  return { outChannels: p.weights.shape[0], inChannels: p.weights.shape[1] };
}

function checkInput(x: Tensor, p: ConvParams): void {
  const { inChannels } = convChannels(p);
  if (x.shape[0] !== inChannels) throw new Error(`conv3x3: input has ${x.shape[0]} channels, weights expect ${inChannels}`);
}

/** out = conv(x) + b, followed by ReLU when `relu` (the fused form VGG uses). */
export function conv3x3(engine: Engine, x: Tensor, p: ConvParams, relu: boolean): Tensor {
  checkInput(x, p);
  const [inChannels, height, width] = x.shape;
  return engine.run(
    { fn: forwardKernel, output: [convChannels(p).outChannels, height, width], constants: { inChannels, height, width, relu: relu ? 1 : 0 } },
    x,
    p.weights,
    p.bias,
  );
}

/**
 * dL/dx from dL/dout. Pass the forward output when the ReLU was fused: the gradient is masked
 * by it first; pass null for a plain convolution.
 */
export function conv3x3Backward(engine: Engine, gradOutput: Tensor, p: ConvParams, fusedReluOutput: Tensor | null): Tensor {
  const [outChannels, height, width] = gradOutput.shape;
  const masked = fusedReluOutput ? reluBackward(engine, gradOutput, fusedReluOutput) : gradOutput;
  const gradInput = engine.run(
    { fn: backwardKernel, output: [convChannels(p).inChannels, height, width], constants: { outChannels, height, width } },
    masked,
    p.weights,
  );
  if (masked !== gradOutput) masked.release();
  return gradInput;
}
