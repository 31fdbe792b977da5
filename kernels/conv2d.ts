/**
 * 3x3 convolution, stride 1, zero padding 1, with bias and optional fused ReLU (VGG's only conv).
 *
 * Forward, for output channel o at (y, x), input channels i, taps (ky, kx) in 0..2:
 *   z[o][y][x] = b[o] + sum_{i,ky,kx} w[o][i][ky][kx] * in[i][y + ky - 1][x + kx - 1]
 *   out = relu ? max(z, 0) : z            (in[...] outside the image reads as 0)
 *
 * Backward with respect to the input. Each input pixel in[i][y'][x'] feeds the outputs
 * (y, x) = (y' - ky + 1, x' - kx + 1), so by the chain rule
 *   dL/din[i][y'][x'] = sum_{o,ky,kx} w[o][i][ky][kx] * g[o][y' - ky + 1][x' - kx + 1]
 * where g = dL/dz (outputs outside the image contribute nothing). That is a correlation of
 * g with the kernel rotated by 180 degrees and its channel axes transposed. With the ReLU
 * fused, g = dL/dout * [out > 0] is formed first by relu.ts's backward kernel, once per
 * element rather than once per tap here.
 *
 * Layouts: weights [Cout][Cin][9] with tap index ky * 3 + kx (PyTorch OIHW flattened),
 * bias [1][1][Cout].
 */
import type { KernelThis, Tensor3 } from './kernel-this.js';

export interface Conv3x3Constants {
  inChannels: number;
  height: number;
  width: number;
  /** 1: apply ReLU to the output; 0: plain convolution. */
  relu: number;
}

export function conv3x3Forward(this: KernelThis<Conv3x3Constants>, input: Tensor3, weights: Tensor3, bias: Tensor3): number {
  const x = this.thread.x;
  const y = this.thread.y;
  const o = this.thread.z;
  let sum = bias[0][0][o];
  for (let i = 0; i < this.constants.inChannels; i++) {
    for (let ky = 0; ky < 3; ky++) {
      const iy = y + ky - 1;
      if (iy >= 0 && iy < this.constants.height) {
        for (let kx = 0; kx < 3; kx++) {
          const ix = x + kx - 1;
          if (ix >= 0 && ix < this.constants.width) {
            sum += weights[o][i][ky * 3 + kx] * input[i][iy][ix];
          }
        }
      }
    }
  }
  if (this.constants.relu === 1) {
    return Math.max(sum, 0);
  }
  return sum;
}

export interface Conv3x3BackwardConstants {
  outChannels: number;
  height: number;
  width: number;
}

export function conv3x3BackwardInput(this: KernelThis<Conv3x3BackwardConstants>, gradOutput: Tensor3, weights: Tensor3): number {
  const x = this.thread.x;
  const y = this.thread.y;
  const i = this.thread.z;
  let sum = 0;
  for (let o = 0; o < this.constants.outChannels; o++) {
    for (let ky = 0; ky < 3; ky++) {
      const oy = y - ky + 1;
      if (oy >= 0 && oy < this.constants.height) {
        for (let kx = 0; kx < 3; kx++) {
          const ox = x - kx + 1;
          if (ox >= 0 && ox < this.constants.width) {
            sum += weights[o][i][ky * 3 + kx] * gradOutput[o][oy][ox];
          }
        }
      }
    }
  }
  return sum;
}
