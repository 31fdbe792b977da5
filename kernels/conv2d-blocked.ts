/**
 * The same 3x3 convolution as conv2d.ts, tiled for the GL backends: each thread computes a
 * 2x2 block of output pixels for 4 output channels (64 multiply-adds per input channel and tap
 * row instead of 1), so every texture fetch feeds many more multiply-adds.
 *
 * Why: on llvmpipe (and on GPUs without a fast texture cache) the direct kernel is bound by
 * texture fetches, not arithmetic: measured, ~85% of its time is fetching. Here, per group of 4
 * input channels and per kernel row ky, a thread fetches a 2x4 patch of input (8 fetches, each
 * a vec4 of 4 channels) and 3x4 weight vec4s (12 fetches), then does 2x2 pixels x 3 taps x
 * 4x4 channels = 192 multiply-adds: 9.6 per fetch, against 0.5 for the direct kernel.
 *
 * Layouts (packed by kernels/packing.ts packChannels; weights arranged first by src/ops/conv.ts):
 *   input    [ceil(Cin/4)][H][W] of vec4: channels 4g..4g+3 of pixel (y, x) in one cell
 *   weights  [ceil(Cin/4)][4*ceil(Cout/4)][9] of vec4: w[o][4g..4g+3][tap] in cell [g][o][tap]
 *   bias     [1][1][4*ceil(Cout/4)] scalars
 *   output   four tensors [ceil(Cout/4)][ceil(H/2)][ceil(W/2)] of vec4, one per position in
 *            the 2x2 block: (even row, even column) is the kernel's result, the other three
 *            leave through a kernel map (blockTopRight, blockBottomLeft, blockBottomRight).
 * Padded channels hold zero weights, so they add nothing. Pixels outside the image read as 0
 * (zero padding); block pixels past an odd edge are computed and ignored by the unpacking.
 *
 * The formula is conv2d.ts's, with the sum over i split as i = 4g + k:
 *   z[o][y][x] = b[o] + sum_g sum_{ky,kx} sum_k w[o][4g+k][ky*3+kx] * in[4g+k][y+ky-1][x+kx-1]
 * and the backward pass (a correlation with the flipped, transposed kernel) runs through this
 * same kernel with the weights rotated 180 degrees and their channel axes swapped, zero bias.
 */
import type { KernelThis, Tensor3 } from './kernel-this.js';

export interface Conv3x3BlockedConstants {
  inGroups: number;
  height: number;
  width: number;
  /** 1: apply ReLU to the output; 0: plain convolution. */
  relu: number;
}

/** A vec4 cell as kernels see it. */
export type Cell4 = [number, number, number, number];
export type PackedTensor3 = Cell4[][][];

/** acc + W v for the 4x4 block W whose rows are w0..w3 (4 output x 4 input channels). */
export function accumulate4x4(acc: Cell4, w0: Cell4, w1: Cell4, w2: Cell4, w3: Cell4, v: Cell4): Cell4 {
  return [
    acc[0] + w0[0] * v[0] + w0[1] * v[1] + w0[2] * v[2] + w0[3] * v[3],
    acc[1] + w1[0] * v[0] + w1[1] * v[1] + w1[2] * v[2] + w1[3] * v[3],
    acc[2] + w2[0] * v[0] + w2[1] * v[1] + w2[2] * v[2] + w2[3] * v[3],
    acc[3] + w3[0] * v[0] + w3[1] * v[1] + w3[2] * v[2] + w3[3] * v[3],
  ];
}

/** max(v, 0) per component when relu is 1. */
export function reluCell(v: Cell4, relu: number): Cell4 {
  if (relu === 1) return [Math.max(v[0], 0), Math.max(v[1], 0), Math.max(v[2], 0), Math.max(v[3], 0)];
  return v;
}

/** Kernel-map outputs: gpu.js stores what these return as the block's other three pixels. */
export function blockTopRight(v: Cell4): Cell4 {
  return v;
}
export function blockBottomLeft(v: Cell4): Cell4 {
  return v;
}
export function blockBottomRight(v: Cell4): Cell4 {
  return v;
}

export function conv3x3Blocked(this: KernelThis<Conv3x3BlockedConstants>, input: PackedTensor3, weights: PackedTensor3, bias: Tensor3): Cell4 {
  const x0 = this.thread.x * 2;
  const y0 = this.thread.y * 2;
  const o = this.thread.z * 4;
  const h = this.constants.height;
  const w = this.constants.width;
  const b: Cell4 = [bias[0][0][o], bias[0][0][o + 1], bias[0][0][o + 2], bias[0][0][o + 3]];
  let topLeft = b;
  let topRight = b;
  let bottomLeft = b;
  let bottomRight = b;
  for (let g = 0; g < this.constants.inGroups; g++) {
    for (let ky = 0; ky < 3; ky++) {
      // input rows feeding this tap row: ya for the block's top outputs, yb for its bottom ones
      const ya = y0 + ky - 1;
      const yb = ya + 1;
      const rowA = ya >= 0 && ya < h;
      const rowB = yb < h;
      // columns x0-1 .. x0+2, zero outside the image
      let a0: Cell4 = [0, 0, 0, 0];
      let a1: Cell4 = [0, 0, 0, 0];
      let a2: Cell4 = [0, 0, 0, 0];
      let a3: Cell4 = [0, 0, 0, 0];
      let b0: Cell4 = [0, 0, 0, 0];
      let b1: Cell4 = [0, 0, 0, 0];
      let b2: Cell4 = [0, 0, 0, 0];
      let b3: Cell4 = [0, 0, 0, 0];
      if (rowA) {
        if (x0 > 0) a0 = input[g][ya][x0 - 1];
        a1 = input[g][ya][x0];
        if (x0 + 1 < w) a2 = input[g][ya][x0 + 1];
        if (x0 + 2 < w) a3 = input[g][ya][x0 + 2];
      }
      if (rowB) {
        if (x0 > 0) b0 = input[g][yb][x0 - 1];
        b1 = input[g][yb][x0];
        if (x0 + 1 < w) b2 = input[g][yb][x0 + 1];
        if (x0 + 2 < w) b3 = input[g][yb][x0 + 2];
      }
      const t = ky * 3;
      // kx = 0: output column x reads input column x - 1
      let w0 = weights[g][o][t];
      let w1 = weights[g][o + 1][t];
      let w2 = weights[g][o + 2][t];
      let w3 = weights[g][o + 3][t];
      topLeft = accumulate4x4(topLeft, w0, w1, w2, w3, a0);
      topRight = accumulate4x4(topRight, w0, w1, w2, w3, a1);
      bottomLeft = accumulate4x4(bottomLeft, w0, w1, w2, w3, b0);
      bottomRight = accumulate4x4(bottomRight, w0, w1, w2, w3, b1);
      // kx = 1: column x
      w0 = weights[g][o][t + 1];
      w1 = weights[g][o + 1][t + 1];
      w2 = weights[g][o + 2][t + 1];
      w3 = weights[g][o + 3][t + 1];
      topLeft = accumulate4x4(topLeft, w0, w1, w2, w3, a1);
      topRight = accumulate4x4(topRight, w0, w1, w2, w3, a2);
      bottomLeft = accumulate4x4(bottomLeft, w0, w1, w2, w3, b1);
      bottomRight = accumulate4x4(bottomRight, w0, w1, w2, w3, b2);
      // kx = 2: column x + 1
      w0 = weights[g][o][t + 2];
      w1 = weights[g][o + 1][t + 2];
      w2 = weights[g][o + 2][t + 2];
      w3 = weights[g][o + 3][t + 2];
      topLeft = accumulate4x4(topLeft, w0, w1, w2, w3, a2);
      topRight = accumulate4x4(topRight, w0, w1, w2, w3, a3);
      bottomLeft = accumulate4x4(bottomLeft, w0, w1, w2, w3, b2);
      bottomRight = accumulate4x4(bottomRight, w0, w1, w2, w3, b3);
    }
  }
  const relu = this.constants.relu;
  blockTopRight(reluCell(topRight, relu));
  blockBottomLeft(reluCell(bottomLeft, relu));
  blockBottomRight(reluCell(bottomRight, relu));
  return reluCell(topLeft, relu);
}
