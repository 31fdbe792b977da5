/**
 * A 3x3 conv layer on the device, and the shape bookkeeping around its kernels.
 *
 * Two tilings of the same convolution, both checked against the float64 reference on every
 * backend they run on (src/check/kernel-cases.ts):
 * - direct (kernels/conv2d.ts): one output value per thread, scalar tensors throughout; the
 *   fastest form on cpu, and the only one on webasm, which has no kernel maps.
 * - blocked (kernels/conv2d-blocked.ts): 8 pixels x 4 channels per thread through a kernel
 *   map, over 10x the direct kernel's speed on headlessgl/llvmpipe (`npm run bench`). Its input
 *   is packed to vec4 cells and its eight outputs unpacked by kernels/packing.ts; both are
 *   single fetches per value, small next to the convolution's 9 x Cin multiply-adds.
 */
import { conv3x3BackwardInput as directBackwardKernel, conv3x3Forward as directForwardKernel } from '../../kernels/conv2d.js';
import { conv3x3Row8 } from '../../kernels/conv2d-blocked.js';
import type { Engine } from '../engine/engine.js';
import type { Tensor } from '../engine/tensor.js';
import { blockedConvolution, defaultTiling, uploadBlockedWeights, releaseConvTensors, type BlockedWeights, type ConvTensors, type ThreadOrder, type Tiling } from './blocked.js';
import { reluBackward } from './relu.js';

export type ConvTiling = Tiling;

export class Conv3x3 {
  private constructor(
    private readonly engine: Engine,
    readonly inChannels: number,
    readonly outChannels: number,
    readonly tiling: ConvTiling,
    /** blocked: the order of the kernel's threads (src/ops/blocked.ts). */
    private readonly order: ThreadOrder,
    /** direct: 9 taps; blocked: the backward pack with zero bias. */
    private readonly tensors: ConvTensors,
  ) {}

  /** Uploads weights [Cout][Cin][9] (OIHW flattened) and bias [Cout], laid out for `tiling`; `order` applies to blocked. */
  static upload(
    engine: Engine,
    weights: Float32Array,
    bias: Float32Array,
    outChannels: number,
    inChannels: number,
    tiling: ConvTiling = defaultTiling(engine),
    order: ThreadOrder = 'auto',
  ): Conv3x3 {
    if (tiling === 'direct') {
      const direct = { weights: engine.uploadOnce(weights, [outChannels, inChannels, 9]), bias: engine.uploadOnce(bias, [1, 1, outChannels]) };
      return new Conv3x3(engine, inChannels, outChannels, tiling, order, { direct });
    }
    const blocked = (direction: 'forward' | 'backward', biasValues: Float32Array): BlockedWeights => {
      const { data, inputs, outputs } = arrangeForBlocked(weights, outChannels, inChannels, direction);
      return uploadBlockedWeights(engine, data, inputs, 9, outputs, biasValues);
    };
    const forward = blocked('forward', bias);
    const backward = blocked('backward', new Float32Array(0));
    return new Conv3x3(engine, inChannels, outChannels, tiling, order, { forward, backward });
  }

  /** out = conv(x) + b, followed by ReLU when `relu` (the fused form VGG uses). */
  forward(x: Tensor, relu: boolean): Tensor {
    if (x.shape[0] !== this.inChannels) throw new Error(`conv3x3: input has ${x.shape[0]} channels, weights expect ${this.inChannels}`);
    const [, height, width] = x.shape;
    if ('direct' in this.tensors) {
      const { weights, bias } = this.tensors.direct;
      return this.engine.run(
        {
          fn: directForwardKernel,
          output: [this.outChannels, height, width],
          constants: { inChannels: this.inChannels, height, width, relu: relu ? 1 : 0 },
        },
        x,
        weights,
        bias,
      );
    }
    return blockedConvolution(this.engine, conv3x3Row8, x, this.tensors.forward, relu, false, this.order);
  }

  /**
   * dL/dx from dL/dout. Pass the forward output when the ReLU was fused: the gradient is masked
   * by it first; pass null for a plain convolution.
   */
  backward(gradOutput: Tensor, fusedReluOutput: Tensor | null): Tensor {
    return this.gradientInput(gradOutput, fusedReluOutput, false);
  }

  /** backward(), releasing gradOutput as soon as it has been read: one tensor fewer at the peak. */
  backwardAndRelease(gradOutput: Tensor, fusedReluOutput: Tensor | null): Tensor {
    return this.gradientInput(gradOutput, fusedReluOutput, true);
  }

  private gradientInput(gradOutput: Tensor, fusedReluOutput: Tensor | null, releaseGradOutput: boolean): Tensor {
    const [, height, width] = gradOutput.shape;
    const masked = fusedReluOutput ? reluBackward(this.engine, gradOutput, fusedReluOutput) : gradOutput;
    if (releaseGradOutput && masked !== gradOutput) gradOutput.release();
    const ownsMasked = releaseGradOutput || masked !== gradOutput;
    let gradInput: Tensor;
    if ('direct' in this.tensors) {
      gradInput = this.engine.run(
        { fn: directBackwardKernel, output: [this.inChannels, height, width], constants: { outChannels: this.outChannels, height, width } },
        masked,
        this.tensors.direct.weights,
      );
    } else {
      gradInput = blockedConvolution(this.engine, conv3x3Row8, masked, this.tensors.backward, false, ownsMasked, this.order);
    }
    if (ownsMasked) masked.release();
    return gradInput;
  }

  release(): void {
    releaseConvTensors(this.tensors);
  }
}

/**
 * Host side, once per layer: weights [Cout][Cin][9] as the channel-first array
 * [inputs][9][4*ceil(outputs/4)] that packChannels turns into conv3x3Row8's weights,
 * output channels zero-padded to a multiple of 4.
 * forward:  inputs = Cin, outputs = Cout, T[i][tap][o] = w[o][i][tap]
 * backward: inputs = Cout, outputs = Cin, T[o][tap][i] = w[o][i][8 - tap] (dL/dx correlates
 *           dL/dz with the kernel rotated 180 degrees and its channel axes swapped, conv2d.ts)
 */
function arrangeForBlocked(
  w: Float32Array,
  outChannels: number,
  inChannels: number,
  direction: 'forward' | 'backward',
): { data: Float32Array; inputs: number; outputs: number } {
  const forward = direction === 'forward';
  const [inputs, outputs] = forward ? [inChannels, outChannels] : [outChannels, inChannels];
  const padded = 4 * Math.ceil(outputs / 4);
  const data = new Float32Array(inputs * 9 * padded);
  for (let o = 0; o < outChannels; o++) {
    for (let i = 0; i < inChannels; i++) {
      for (let tap = 0; tap < 9; tap++) {
        const value = w[(o * inChannels + i) * 9 + tap];
        if (forward) data[(i * 9 + tap) * padded + o] = value;
        else data[(o * 9 + 8 - tap) * padded + i] = value;
      }
    }
  }
  return { data, inputs, outputs };
}
