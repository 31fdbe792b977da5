/**
 * The convolution of conv2d-general.ts (any square kernel K, stride S, zero padding P), tiled
 * for the GL backends in conv2d-blocked.ts's layouts, because there the direct kernels are
 * bound by texture fetches (two per multiply-add). SqueezeNet's strided first convs run here;
 * its 1x1 convs take conv2d-blocked.ts's conv1x1Row8 (src/ops/conv-general.ts chooses).
 *
 * Forward (convGeneralRow8): each thread computes 8 consecutive output pixels of one row for 4
 * output channels. Per group of 4 input channels and per tap (ky, kx) it fetches the 8 input
 * vec4s its pixels read (S columns apart) and the 4 weight vec4s of its output channels, then
 * does 8 pixels x 4x4 channels = 128 multiply-adds: 10.7 per fetch. The formula is
 * conv2d-general.ts's with the sum over i split as i = 4g + k:
 *   z[o][y][x] = b[o] + sum_g sum_{ky,kx} sum_k w[o][4g+k][ky*K+kx] * in[4g+k][S y+ky-P][S x+kx-P]
 *
 * Backward (convGeneralBackwardCells): each thread computes dL/din at one pixel for 4 input
 * channels, with conv2d-general.ts's formula split over output channels o = 4h + k:
 *   dL/din[i][y'][x'] = sum_{ky,kx} sum_h sum_k w[4h+k][i][ky*K+kx] * g[4h+k][oy][ox]
 * over the taps with y' + P - ky = S oy (and likewise for x), (oy, ox) inside the output. Per
 * group h and valid tap: 1 gradient vec4 and 4 weight vec4s for 16 multiply-adds. A pixel meets
 * at most ceil(K/S) valid taps along each axis (`span`): oy counts down from floor((y' + P) / S),
 * taken as floor((y' + P + 0.5) / S), robust to GPU division.
 *
 * Layouts (packed by kernels/packing.ts packChannels; weights arranged by src/ops/conv-general.ts):
 *   forward input    [ceil(Cin/4)][H][W] of vec4: channels 4g..4g+3 of a pixel in one cell
 *   forward weights  [ceil(Cin/4)][K*K][4 ceil(Cout/4)] of vec4: [g][tap][o] = w[o][4g..4g+3][tap]
 *   forward output   8 tensors [ceil(Cout/4)][OH][ceil(OW/8)] of vec4 (packing.ts unpackRow8)
 *   backward input   dL/dz packed: [ceil(Cout/4)][OH][OW] of vec4
 *   backward weights [ceil(Cout/4)][K*K][4 ceil(Cin/4)] of vec4: [h][tap][i] = w[4h..4h+3][i][tap]
 *   backward output  [ceil(Cin/4)][H][W] of vec4 (packing.ts unpackChannels)
 * Padded channels hold zero weights and add nothing. Pixels outside the input read as 0 (zero
 * padding); pixels past the right edge of the output are computed and dropped by unpackRow8.
 *
 * accumulate4x4, reluCell and output1..7 are in cell-functions.ts.
 */
import type { Cell4, KernelThis, PackedTensor3, Tensor3 } from './kernel-this.js';

export interface ConvGeneralRow8Constants {
  inGroups: number;
  inHeight: number;
  inWidth: number;
  kernel: number;
  stride: number;
  padding: number;
  /** 1: apply ReLU to the output; 0: plain convolution. */
  relu: number;
}

export function convGeneralRow8(this: KernelThis<ConvGeneralRow8Constants>, input: PackedTensor3, weights: PackedTensor3, bias: Tensor3): Cell4 {
  const s = this.constants.stride;
  const k = this.constants.kernel;
  const w = this.constants.inWidth;
  // Input row of tap row 0, and input column of tap column 0 for the first of the 8 pixels.
  const top = this.thread.y * s - this.constants.padding;
  const left = this.thread.x * 8 * s - this.constants.padding;
  const o = this.thread.z * 4;
  const b: Cell4 = [bias[0][0][o], bias[0][0][o + 1], bias[0][0][o + 2], bias[0][0][o + 3]];
  let s0 = b;
  let s1 = b;
  let s2 = b;
  let s3 = b;
  let s4 = b;
  let s5 = b;
  let s6 = b;
  let s7 = b;
  for (let g = 0; g < this.constants.inGroups; g++) {
    for (let ky = 0; ky < k; ky++) {
      const iy = top + ky;
      if (iy >= 0 && iy < this.constants.inHeight) {
        for (let kx = 0; kx < k; kx++) {
          const x0 = left + kx;
          // the 8 pixels' input columns x0, x0 + S, ..., x0 + 7 S; zero outside the image
          let a0: Cell4 = [0, 0, 0, 0];
          let a1: Cell4 = [0, 0, 0, 0];
          let a2: Cell4 = [0, 0, 0, 0];
          let a3: Cell4 = [0, 0, 0, 0];
          let a4: Cell4 = [0, 0, 0, 0];
          let a5: Cell4 = [0, 0, 0, 0];
          let a6: Cell4 = [0, 0, 0, 0];
          let a7: Cell4 = [0, 0, 0, 0];
          if (x0 >= 0 && x0 < w) a0 = input[g][iy][x0];
          if (x0 + s >= 0 && x0 + s < w) a1 = input[g][iy][x0 + s];
          if (x0 + 2 * s >= 0 && x0 + 2 * s < w) a2 = input[g][iy][x0 + 2 * s];
          if (x0 + 3 * s >= 0 && x0 + 3 * s < w) a3 = input[g][iy][x0 + 3 * s];
          if (x0 + 4 * s >= 0 && x0 + 4 * s < w) a4 = input[g][iy][x0 + 4 * s];
          if (x0 + 5 * s >= 0 && x0 + 5 * s < w) a5 = input[g][iy][x0 + 5 * s];
          if (x0 + 6 * s >= 0 && x0 + 6 * s < w) a6 = input[g][iy][x0 + 6 * s];
          if (x0 + 7 * s >= 0 && x0 + 7 * s < w) a7 = input[g][iy][x0 + 7 * s];
          const t = ky * k + kx;
          const w0 = weights[g][t][o];
          const w1 = weights[g][t][o + 1];
          const w2 = weights[g][t][o + 2];
          const w3 = weights[g][t][o + 3];
          s0 = accumulate4x4(s0, w0, w1, w2, w3, a0);
          s1 = accumulate4x4(s1, w0, w1, w2, w3, a1);
          s2 = accumulate4x4(s2, w0, w1, w2, w3, a2);
          s3 = accumulate4x4(s3, w0, w1, w2, w3, a3);
          s4 = accumulate4x4(s4, w0, w1, w2, w3, a4);
          s5 = accumulate4x4(s5, w0, w1, w2, w3, a5);
          s6 = accumulate4x4(s6, w0, w1, w2, w3, a6);
          s7 = accumulate4x4(s7, w0, w1, w2, w3, a7);
        }
      }
    }
  }
  const relu = this.constants.relu;
  output1(reluCell(s1, relu));
  output2(reluCell(s2, relu));
  output3(reluCell(s3, relu));
  output4(reluCell(s4, relu));
  output5(reluCell(s5, relu));
  output6(reluCell(s6, relu));
  output7(reluCell(s7, relu));
  return reluCell(s0, relu);
}

export interface ConvGeneralBackwardConstants {
  outGroups: number;
  outHeight: number;
  outWidth: number;
  kernel: number;
  stride: number;
  padding: number;
  /** ceil(kernel / stride): the most taps along one axis that reach a given input pixel. */
  span: number;
}

export function convGeneralBackwardCells(this: KernelThis<ConvGeneralBackwardConstants>, gradOutput: PackedTensor3, weights: PackedTensor3): Cell4 {
  const s = this.constants.stride;
  const k = this.constants.kernel;
  const p = this.constants.padding;
  const i = this.thread.z * 4;
  const lastRow = Math.floor((this.thread.y + p + 0.5) / s);
  const lastColumn = Math.floor((this.thread.x + p + 0.5) / s);
  let sum: Cell4 = [0, 0, 0, 0];
  for (let ry = 0; ry < this.constants.span; ry++) {
    const oy = lastRow - ry;
    const ky = this.thread.y + p - oy * s;
    if (oy >= 0 && oy < this.constants.outHeight && ky < k) {
      for (let rx = 0; rx < this.constants.span; rx++) {
        const ox = lastColumn - rx;
        const kx = this.thread.x + p - ox * s;
        if (ox >= 0 && ox < this.constants.outWidth && kx < k) {
          const t = ky * k + kx;
          for (let h = 0; h < this.constants.outGroups; h++) {
            sum = accumulate4x4(sum, weights[h][t][i], weights[h][t][i + 1], weights[h][t][i + 2], weights[h][t][i + 3], gradOutput[h][oy][ox]);
          }
        }
      }
    }
  }
  return sum;
}
