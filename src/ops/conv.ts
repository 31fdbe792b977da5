/**
 * A 3x3 conv layer on the device, and the shape bookkeeping around its kernels.
 *
 * Two tilings of the same convolution, both checked against the float64 reference on every
 * backend they run on (src/check/kernel-cases.ts):
 * - direct (kernels/conv2d.ts): one output value per thread, scalar tensors throughout; the
 *   fastest form on cpu, and the only one on webasm, which has no kernel maps.
 * - blocked (kernels/conv2d-blocked.ts): 2x2 pixels x 4 channels per thread through a kernel
 *   map, about 7x the direct kernel's speed on headlessgl/llvmpipe (`npm run bench`). Its input
 *   is packed to vec4 cells and its four outputs unpacked by kernels/packing.ts; both are
 *   single fetches per value, small next to the convolution's 9 x Cin multiply-adds.
 */
import { conv3x3BackwardInput as directBackwardKernel, conv3x3Forward as directForwardKernel } from '../../kernels/conv2d.js';
import {
  accumulate4x4,
  blockBottomLeft,
  blockBottomRight,
  blockTopRight,
  conv3x3Blocked,
  reluCell,
} from '../../kernels/conv2d-blocked.js';
import { cellComponent, packChannels, unpackBlocks } from '../../kernels/packing.js';
import type { Engine } from '../engine/engine.js';
import type { Tensor } from '../engine/tensor.js';
import { reluBackward } from './relu.js';

export type ConvTiling = 'direct' | 'blocked';

/** Blocked where it pays: the GL backends, when they have kernel maps (WEBGL_draw_buffers). */
export function defaultConvTiling(engine: Engine): ConvTiling {
  const gl = engine.backend === 'headlessgl' || engine.backend === 'webgl' || engine.backend === 'webgl2';
  return gl && engine.kernelMaps ? 'blocked' : 'direct';
}

const groupsOf = (channels: number): number => Math.ceil(channels / 4);

/** The weights of one direction of the blocked convolution, as conv3x3Blocked reads them. */
interface BlockedWeights {
  weights: Tensor;
  bias: Tensor;
  inChannels: number;
  outChannels: number;
}

export class Conv3x3 {
  private constructor(
    private readonly engine: Engine,
    readonly inChannels: number,
    readonly outChannels: number,
    readonly tiling: ConvTiling,
    /** direct: [Cout][Cin][9] weights and [1][1][Cout] bias; blocked: forward and backward packs. */
    private readonly tensors: { direct: { weights: Tensor; bias: Tensor } } | { forward: BlockedWeights; backward: BlockedWeights },
  ) {}

  /** Uploads weights [Cout][Cin][9] (OIHW flattened) and bias [Cout], laid out for `tiling`. */
  static upload(
    engine: Engine,
    weights: Float32Array,
    bias: Float32Array,
    outChannels: number,
    inChannels: number,
    tiling: ConvTiling = defaultConvTiling(engine),
  ): Conv3x3 {
    if (tiling === 'direct') {
      const direct = { weights: engine.uploadOnce(weights, [outChannels, inChannels, 9]), bias: engine.uploadOnce(bias, [1, 1, outChannels]) };
      return new Conv3x3(engine, inChannels, outChannels, tiling, { direct });
    }
    const blocked = (direction: 'forward' | 'backward', biasValues: Float32Array): BlockedWeights => {
      const { data, inputs, outputs, paddedOutputs } = arrangeForBlocked(weights, outChannels, inChannels, direction);
      const raw = engine.uploadOnce(data, [inputs, paddedOutputs, 9]);
      const packed = engine.run(
        { fn: packChannels, output: [groupsOf(inputs), paddedOutputs, 9], lanes: 4, constants: { channels: inputs } },
        raw,
      );
      raw.release();
      const paddedBias = engine.uploadOnce(padTo(biasValues, paddedOutputs), [1, 1, paddedOutputs]);
      return { weights: packed, bias: paddedBias, inChannels: inputs, outChannels: outputs };
    };
    const forward = blocked('forward', bias);
    const backward = blocked('backward', new Float32Array(0));
    return new Conv3x3(engine, inChannels, outChannels, tiling, { forward, backward });
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
    return this.blocked(x, this.tensors.forward, relu, false);
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
      gradInput = this.blocked(masked, this.tensors.backward, false, ownsMasked);
    }
    if (ownsMasked) masked.release();
    return gradInput;
  }

  release(): void {
    const parts = 'direct' in this.tensors ? [this.tensors.direct] : [this.tensors.forward, this.tensors.backward];
    for (const p of parts) {
      p.weights.release();
      p.bias.release();
    }
  }

  /**
   * pack -> blocked convolution (4 block outputs) -> unpack to scalars [Cout][H][W].
   * With releaseInput, x is released once packed.
   */
  private blocked(x: Tensor, w: BlockedWeights, relu: boolean, releaseInput: boolean): Tensor {
    const [, height, width] = x.shape;
    const packed = this.engine.run(
      { fn: packChannels, output: [groupsOf(w.inChannels), height, width], lanes: 4, constants: { channels: w.inChannels } },
      x,
    );
    if (releaseInput) x.release();
    const blocks = this.engine.runMap(
      {
        fn: conv3x3Blocked,
        outputs: [blockTopRight, blockBottomLeft, blockBottomRight],
        functions: [accumulate4x4, reluCell],
        output: [groupsOf(w.outChannels), Math.ceil(height / 2), Math.ceil(width / 2)],
        lanes: 4,
        constants: { inGroups: groupsOf(w.inChannels), height, width, relu: relu ? 1 : 0 },
      },
      packed,
      w.weights,
      w.bias,
    );
    packed.release();
    const out = this.engine.run({ fn: unpackBlocks, output: [w.outChannels, height, width], functions: [cellComponent] }, ...blocks);
    for (const b of blocks) b.release();
    return out;
  }
}

/**
 * Host side, once per layer: weights [Cout][Cin][9] as the channel-first array
 * [inputs][4*ceil(outputs/4)][9] that packChannels turns into conv3x3Blocked's weights,
 * output channels zero-padded to a multiple of 4.
 * forward:  inputs = Cin, outputs = Cout, T[i][o][tap] = w[o][i][tap]
 * backward: inputs = Cout, outputs = Cin, T[o][i][tap] = w[o][i][8 - tap] (dL/dx correlates
 *           dL/dz with the kernel rotated 180 degrees and its channel axes swapped, conv2d.ts)
 */
function arrangeForBlocked(
  w: Float32Array,
  outChannels: number,
  inChannels: number,
  direction: 'forward' | 'backward',
): { data: Float32Array; inputs: number; outputs: number; paddedOutputs: number } {
  const forward = direction === 'forward';
  const [inputs, outputs] = forward ? [inChannels, outChannels] : [outChannels, inChannels];
  const padded = 4 * groupsOf(outputs);
  const data = new Float32Array(inputs * padded * 9);
  for (let o = 0; o < outChannels; o++) {
    for (let i = 0; i < inChannels; i++) {
      for (let tap = 0; tap < 9; tap++) {
        const value = w[(o * inChannels + i) * 9 + tap];
        if (forward) data[(i * padded + o) * 9 + tap] = value;
        else data[(o * padded + i) * 9 + 8 - tap] = value;
      }
    }
  }
  return { data, inputs, outputs, paddedOutputs: padded };
}

function padTo(values: Float32Array, length: number): Float32Array {
  const padded = new Float32Array(length);
  padded.set(values);
  return padded;
}
