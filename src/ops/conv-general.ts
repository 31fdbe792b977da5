/**
 * A convolution layer of any square kernel, stride and zero padding on the device
 * (kernels/conv2d-general.ts): SqueezeNet's 1x1 convs and strided first convs. The 3x3
 * stride-1 pad-1 convs keep to Conv3x3 (conv.ts), whose blocked tiling is much faster on GL.
 */
import { convBackwardInput, convForward } from '../../kernels/conv2d-general.js';
import type { Engine } from '../engine/engine.js';
import type { Shape3, Tensor } from '../engine/tensor.js';
import { convOutputSize, type ConvGeometry } from './output-size.js';
import { reluBackward } from './relu.js';

export class ConvGeneral {
  private constructor(
    private readonly engine: Engine,
    readonly inChannels: number,
    readonly outChannels: number,
    readonly geometry: ConvGeometry,
    /** [Cout][Cin][K*K] and [1][1][Cout]. */
    private readonly weights: Tensor,
    private readonly bias: Tensor,
  ) {}

  /** Uploads weights [Cout][Cin][K][K] (OIHW flattened) and bias [Cout]. */
  static upload(engine: Engine, weights: Float32Array, bias: Float32Array, outChannels: number, inChannels: number, geometry: ConvGeometry): ConvGeneral {
    const { kernel, stride, padding } = geometry; // only these three become kernel constants
    return new ConvGeneral(
      engine,
      inChannels,
      outChannels,
      { kernel, stride, padding },
      engine.uploadOnce(weights, [outChannels, inChannels, kernel * kernel]),
      engine.uploadOnce(bias, [1, 1, outChannels]),
    );
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
    return this.engine.run(
      { fn: convForward, output, constants: { inChannels: this.inChannels, inHeight, inWidth, ...this.geometry, relu: relu ? 1 : 0 } },
      x,
      this.weights,
      this.bias,
    );
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
    const gradInput = this.engine.run(
      {
        fn: convBackwardInput,
        output: [this.inChannels, inputShape[1], inputShape[2]],
        constants: { outChannels: this.outChannels, outHeight, outWidth, ...this.geometry },
      },
      masked,
      this.weights,
    );
    masked.release();
    return gradInput;
  }

  release(): void {
    this.weights.release();
    this.bias.release();
  }
}
