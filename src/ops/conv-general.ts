/**
 * A convolution layer of any square kernel, stride and zero padding on the device:
 * SqueezeNet's 1x1 convs and strided first convs. The 3x3 stride-1 pad-1 convs keep to
 * Conv3x3 (conv.ts). Two tilings, as Conv3x3 has (src/ops/blocked.ts chooses), both checked
 * against the float64 reference on every backend they run on (src/check/kernel-cases.ts):
 * - direct (kernels/conv2d-general.ts): one output value per thread; the fastest form on cpu,
 *   and the only one on webasm, which has no kernel maps.
 * - blocked (GL): vec4-packed tensors, several times fewer texture fetches per multiply-add.
 *   A 1x1 conv is conv2d-blocked.ts's conv1x1Row8 both ways (its backward is the 1x1 conv
 *   with the transposed matrix); any other takes kernels/conv2d-general-blocked.ts (8 pixels
 *   x 4 channels forward, 4 channels of one pixel backward).
 */
import { CELL_FUNCTIONS, SEVEN_MORE_OUTPUTS } from '../../kernels/cell-functions.js';
import { conv1x1Row8 } from '../../kernels/conv2d-blocked.js';
import { convBackwardInput, convForward } from '../../kernels/conv2d-general.js';
import { convGeneralBackwardCells, convGeneralRow8 } from '../../kernels/conv2d-general-blocked.js';
import { unpackChannels, unpackRow8 } from '../../kernels/packing.js';
import type { Engine } from '../engine/engine.js';
import type { Shape3, Tensor } from '../engine/tensor.js';
import { blockedConvolution, defaultTiling, groupsOf, packed, uploadBlockedWeights, releaseConvTensors, type ConvTensors, type Tiling } from './blocked.js';
import { convOutputSize, type ConvGeometry } from './output-size.js';
import { reluBackward } from './relu.js';

const isPointwise = ({ kernel, stride, padding }: ConvGeometry) => kernel === 1 && stride === 1 && padding === 0;

export class ConvGeneral {
  private constructor(
    private readonly engine: Engine,
    readonly inChannels: number,
    readonly outChannels: number,
    readonly geometry: ConvGeometry,
    readonly tiling: Tiling,
    private readonly tensors: ConvTensors,
  ) {}

  /** Uploads weights [Cout][Cin][K][K] (OIHW flattened) and bias [Cout], laid out for `tiling`. */
  static upload(
    engine: Engine,
    weights: Float32Array,
    bias: Float32Array,
    outChannels: number,
    inChannels: number,
    geometry: ConvGeometry,
    tiling: Tiling = defaultTiling(engine),
  ): ConvGeneral {
    const { kernel, stride, padding } = geometry; // only these three become kernel constants
    const taps = kernel * kernel;
    const make = (tensors: ConvTensors) => new ConvGeneral(engine, inChannels, outChannels, { kernel, stride, padding }, tiling, tensors);
    if (tiling === 'direct') {
      return make({ direct: { weights: engine.uploadOnce(weights, [outChannels, inChannels, taps]), bias: engine.uploadOnce(bias, [1, 1, outChannels]) } });
    }
    return make({
      forward: uploadBlockedWeights(engine, channelFirst(weights, outChannels, inChannels, taps, 'forward'), inChannels, taps, outChannels, bias),
      backward: uploadBlockedWeights(engine, channelFirst(weights, outChannels, inChannels, taps, 'backward'), outChannels, taps, inChannels, new Float32Array(0)),
    });
  }

  outputShape([, height, width]: Shape3): Shape3 {
    return [this.outChannels, convOutputSize(height, this.geometry), convOutputSize(width, this.geometry)];
  }

  /** out = conv(x) + b, followed by ReLU when `relu`. */
  forward(x: Tensor, relu: boolean): Tensor {
    if (x.shape[0] !== this.inChannels) throw new Error(`conv: input has ${x.shape[0]} channels, weights expect ${this.inChannels}`);
    const output = this.outputShape(x.shape);
    if (output[1] < 1 || output[2] < 1) throw new Error(`conv: input [${x.shape.join(', ')}] is smaller than the ${this.geometry.kernel}x${this.geometry.kernel} kernel`);
    const [, inHeight, inWidth] = x.shape;
    const constants = { inHeight, inWidth, ...this.geometry, relu: relu ? 1 : 0 };
    if ('direct' in this.tensors) {
      const { weights, bias } = this.tensors.direct;
      return this.engine.run({ fn: convForward, output, constants: { inChannels: this.inChannels, ...constants } }, x, weights, bias);
    }
    if (isPointwise(this.geometry)) return blockedConvolution(this.engine, conv1x1Row8, x, this.tensors.forward, relu, false);
    const input = packed(this.engine, x);
    const rows = this.engine.runMap(
      {
        fn: convGeneralRow8,
        outputs: SEVEN_MORE_OUTPUTS,
        functions: [CELL_FUNCTIONS.accumulate4x4, CELL_FUNCTIONS.reluCell],
        output: [groupsOf(this.outChannels), output[1], Math.ceil(output[2] / 8)],
        lanes: 4,
        constants: { inGroups: groupsOf(this.inChannels), ...constants },
      },
      input,
      this.tensors.forward.weights,
      this.tensors.forward.bias,
    );
    input.release();
    // convGeneralRow8 writes [group][row][block]: unpackRow8's pixels-first order.
    const out = this.engine.run({ fn: unpackRow8, output, functions: [CELL_FUNCTIONS.cellComponent], constants: { groupsFastest: 0 } }, ...rows);
    for (const r of rows) r.release();
    return out;
  }

  /**
   * dL/dx from dL/dout, for an input of `inputShape` (a strided conv maps several input sizes
   * to one output size). Pass the forward output when the ReLU was fused, else null.
   * Releases gradOutput once read.
   */
  backwardAndRelease(gradOutput: Tensor, fusedReluOutput: Tensor | null, inputShape: Shape3): Tensor {
    const masked = fusedReluOutput ? reluBackward(this.engine, gradOutput, fusedReluOutput) : gradOutput;
    if (masked !== gradOutput) gradOutput.release();
    const [, outHeight, outWidth] = masked.shape;
    const output: Shape3 = [this.inChannels, inputShape[1], inputShape[2]];
    if ('direct' in this.tensors) {
      const gradInput = this.engine.run(
        { fn: convBackwardInput, output, constants: { outChannels: this.outChannels, outHeight, outWidth, ...this.geometry } },
        masked,
        this.tensors.direct.weights,
      );
      masked.release();
      return gradInput;
    }
    if (isPointwise(this.geometry)) return blockedConvolution(this.engine, conv1x1Row8, masked, this.tensors.backward, false, true);
    const grad = packed(this.engine, masked);
    masked.release();
    const cells = this.engine.run(
      {
        fn: convGeneralBackwardCells,
        functions: [CELL_FUNCTIONS.accumulate4x4],
        output: [groupsOf(this.inChannels), inputShape[1], inputShape[2]],
        lanes: 4,
        constants: { outGroups: groupsOf(this.outChannels), outHeight, outWidth, ...this.geometry, span: Math.ceil(this.geometry.kernel / this.geometry.stride) },
      },
      grad,
      this.tensors.backward.weights,
    );
    grad.release();
    const gradInput = this.engine.run({ fn: unpackChannels, output, functions: [CELL_FUNCTIONS.cellComponent] }, cells);
    cells.release();
    return gradInput;
  }

  release(): void {
    releaseConvTensors(this.tensors);
  }
}

/**
 * Host side, once per layer: weights [Cout][Cin][taps] as the channel-first array
 * [inputs][taps][4 ceil(outputs/4)] that uploadBlockedWeights packs (outputs zero-padded).
 * forward:  inputs = Cin, outputs = Cout, T[i][t][o] = w[o][i][t]
 * backward: inputs = Cout, outputs = Cin, T[o][t][i] = w[o][i][t] (the taps are not rotated:
 *           convGeneralBackwardCells indexes them by the forward tap; for a 1x1 conv this is
 *           the transposed matrix conv1x1Row8 takes)
 */
function channelFirst(w: Float32Array, outChannels: number, inChannels: number, taps: number, direction: 'forward' | 'backward'): Float32Array {
  const forward = direction === 'forward';
  const padded = 4 * groupsOf(forward ? outChannels : inChannels);
  const data = new Float32Array((forward ? inChannels : outChannels) * taps * padded);
  for (let o = 0; o < outChannels; o++) {
    for (let i = 0; i < inChannels; i++) {
      for (let t = 0; t < taps; t++) {
        const value = w[(o * inChannels + i) * taps + t];
        if (forward) data[(i * taps + t) * padded + o] = value;
        else data[(o * taps + t) * padded + i] = value;
      }
    }
  }
  return data;
}
