/**
 * Convolution with any square kernel K, stride S and zero padding P, with bias and optional
 * fused ReLU: SqueezeNet's 1x1 squeeze and expand convs, its 3x3 stride-2 (v1.1) and 7x7
 * stride-2 (v1.0) first convs. VGG's 3x3 stride-1 pad-1 convs go through conv2d.ts and the
 * blocked kernel instead, which are faster for that one shape.
 *
 * Forward, for output channel o at (y, x), input channels i, taps (ky, kx) in 0..K-1:
 *   z[o][y][x] = b[o] + sum_{i,ky,kx} w[o][i][ky][kx] * in[i][S y + ky - P][S x + kx - P]
 *   out = relu ? max(z, 0) : z            (in[...] outside the image reads as 0)
 * The output has floor((H + 2P - K) / S) + 1 rows (and likewise columns), as PyTorch's Conv2d.
 *
 * Backward with respect to the input. Input pixel in[i][y'][x'] is read by output (y, x)
 * through tap (ky, kx) exactly when S y + ky - P = y' (and likewise for x), so
 *   dL/din[i][y'][x'] = sum_{o,ky,kx} w[o][i][ky][kx] * g[o][(y' + P - ky) / S][(x' + P - kx) / S]
 * where g = dL/dz and only taps for which (y' + P - ky) is a multiple of S, with a quotient
 * inside the output, contribute. Input pixels that no window reaches (the last rows or
 * columns when (H + 2P - K) is not a multiple of S) get 0. With S = 1 this is the correlation
 * of g with the kernel rotated by 180 degrees, as in conv2d.ts. With the ReLU fused, g =
 * dL/dout * [out > 0] is formed first by relu.ts's backward kernel.
 *
 * The quotient is taken as floor((t + 0.5) / S): t / S in float arithmetic may land just
 * below an integer on a GPU, (t + 0.5) / S stays at least 0.5 / S away from one.
 *
 * Layouts: weights [Cout][Cin][K*K] with tap index ky * K + kx (PyTorch OIHW flattened),
 * bias [1][1][Cout].
 */
import type { KernelThis, Tensor3 } from './kernel-this.js';

export interface ConvForwardConstants {
  inChannels: number;
  inHeight: number;
  inWidth: number;
  kernel: number;
  stride: number;
  padding: number;
  /** 1: apply ReLU to the output; 0: plain convolution. */
  relu: number;
}

export function convForward(this: KernelThis<ConvForwardConstants>, input: Tensor3, weights: Tensor3, bias: Tensor3): number {
  const o = this.thread.z;
  const top = this.thread.y * this.constants.stride - this.constants.padding;
  const left = this.thread.x * this.constants.stride - this.constants.padding;
  let sum = bias[0][0][o];
  for (let i = 0; i < this.constants.inChannels; i++) {
    for (let ky = 0; ky < this.constants.kernel; ky++) {
      const iy = top + ky;
      if (iy >= 0 && iy < this.constants.inHeight) {
        for (let kx = 0; kx < this.constants.kernel; kx++) {
          const ix = left + kx;
          if (ix >= 0 && ix < this.constants.inWidth) {
            sum += weights[o][i][ky * this.constants.kernel + kx] * input[i][iy][ix];
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

export interface ConvBackwardConstants {
  outChannels: number;
  outHeight: number;
  outWidth: number;
  kernel: number;
  stride: number;
  padding: number;
}

export function convBackwardInput(this: KernelThis<ConvBackwardConstants>, gradOutput: Tensor3, weights: Tensor3): number {
  const i = this.thread.z;
  const s = this.constants.stride;
  let sum = 0;
  for (let ky = 0; ky < this.constants.kernel; ky++) {
    const ty = this.thread.y + this.constants.padding - ky;
    const oy = Math.floor((ty + 0.5) / s);
    if (ty >= 0 && oy * s === ty && oy < this.constants.outHeight) {
      for (let kx = 0; kx < this.constants.kernel; kx++) {
        const tx = this.thread.x + this.constants.padding - kx;
        const ox = Math.floor((tx + 0.5) / s);
        if (tx >= 0 && ox * s === tx && ox < this.constants.outWidth) {
          for (let o = 0; o < this.constants.outChannels; o++) {
            sum += weights[o][i][ky * this.constants.kernel + kx] * gradOutput[o][oy][ox];
          }
        }
      }
    }
  }
  return sum;
}
