/**
 * The convolutions of conv2d.ts (3x3, stride 1, zero padding 1) and a 1x1 convolution, tiled
 * for the GL backends: each thread computes 8 consecutive pixels of one output row for 4
 * output channels, so that every texture fetch feeds many multiply-adds.
 *
 * Why: on llvmpipe (and on GPUs without a fast texture cache) the direct kernel is bound by
 * texture fetches, not arithmetic. Here, per group of 4 input channels and per kernel row ky,
 * a thread fetches 10 input vec4s (columns x0-1 .. x0+8, 4 channels each) and 12 weight vec4s
 * (3 taps x 4 output channels, each holding 4 input channels), then does
 * 8 pixels x 3 taps x 4x4 channels = 384 multiply-adds: 17.5 per fetch, against 9.6 for a 2x2
 * pixel block and 0.5 for the direct kernel. Eight outputs of 4 channels are what the 8 draw
 * buffers of a WebGL kernel map hold; of the shapes that fit, 8x1 pixels needs the fewest
 * fetches (4x2 pixels: 16 per fetch; 2x2 pixels x 8 channels: 12). Measured on llvmpipe at
 * [128, 128, 128]: 14.3 GFLOP/s for the 2x2 block, 20.7 for this one, 26.5 with the engine's
 * row-aligned textures (src/engine/gl-row-aligned.ts).
 *
 * Layouts (packed by kernels/packing.ts packChannels; weights arranged first by src/ops/conv.ts):
 *   input    [ceil(Cin/4)][H][W] of vec4: channels 4g..4g+3 of pixel (y, x) in one cell
 *   weights  [ceil(Cin/4)][taps][4 ceil(Cout/4)] of vec4: cell [g][tap][o] = w[o][4g..4g+3][tap]
 *   bias     [1][1][4 ceil(Cout/4)] scalars
 *   output   8 tensors [ceil(Cout/4)][H][ceil(W/8)] of vec4, or [H][ceil(W/8)][ceil(Cout/4)]
 *            (groupsFastest); tensor k holds pixel x = 8 bx + k (the kernel's own result is
 *            k = 0, the others leave through the kernel map).
 * Padded channels hold zero weights, so they add nothing. Pixels outside the image read as 0
 * (zero padding); pixels past the right edge are computed and dropped by the unpacking.
 *
 * The formula is conv2d.ts's, with the sum over i split as i = 4g + k:
 *   z[o][y][x] = b[o] + sum_g sum_{ky,kx} sum_k w[o][4g+k][ky*3+kx] * in[4g+k][y+ky-1][x+kx-1]
 * and the backward pass (a correlation with the flipped, transposed kernel, conv2d.ts) runs
 * through this same kernel with the weights rotated 180 degrees and their channel axes
 * swapped, zero bias. The 1x1 convolution is the one-tap case,
 *   z[o][y][x] = b[o] + sum_i w[o][i] * in[i][y][x],
 * whose backward is the 1x1 convolution with the transposed matrix; it also computes the Gram
 * matrix's backward pass (gram.ts: dL/dF = S F, a 1x1 convolution with weights S).
 *
 * The helpers accumulate4x4 and reluCell and the outputs output1..7 are in cell-functions.ts.
 */
import type { Cell4, KernelThis, PackedTensor3, Tensor3 } from './kernel-this.js';

export interface ConvRow8Constants {
  inGroups: number;
  height: number;
  width: number;
  /** 1: apply ReLU to the output; 0: plain convolution. */
  relu: number;
  /**
   * The order of the threads, which decides what runs together. 0: the output tensors are
   * [ceil(Cout/4)][H][ceil(W/8)] (a block's 8 pixels along x, then rows, then channel groups).
   * 1: they are [H][ceil(W/8)][ceil(Cout/4)], so that the threads that read the same input
   * pixels (all output channel groups of one block) run side by side and find them in cache;
   * on a large image the other order reads the whole input once per output channel group.
   */
  groupsFastest: number;
}


export function conv3x3Row8(this: KernelThis<ConvRow8Constants>, input: PackedTensor3, weights: PackedTensor3, bias: Tensor3): Cell4 {
  let x0 = this.thread.x * 8;
  let y = this.thread.y;
  let o = this.thread.z * 4;
  if (this.constants.groupsFastest === 1) {
    x0 = this.thread.y * 8;
    y = this.thread.z;
    o = this.thread.x * 4;
  }
  const h = this.constants.height;
  const w = this.constants.width;
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
    for (let ky = 0; ky < 3; ky++) {
      const iy = y + ky - 1;
      if (iy >= 0 && iy < h) {
        // input columns x0-1 .. x0+8, zero outside the image
        let a0: Cell4 = [0, 0, 0, 0];
        let a2: Cell4 = [0, 0, 0, 0];
        let a3: Cell4 = [0, 0, 0, 0];
        let a4: Cell4 = [0, 0, 0, 0];
        let a5: Cell4 = [0, 0, 0, 0];
        let a6: Cell4 = [0, 0, 0, 0];
        let a7: Cell4 = [0, 0, 0, 0];
        let a8: Cell4 = [0, 0, 0, 0];
        let a9: Cell4 = [0, 0, 0, 0];
        if (x0 > 0) a0 = input[g][iy][x0 - 1];
        const a1: Cell4 = input[g][iy][x0];
        if (x0 + 1 < w) a2 = input[g][iy][x0 + 1];
        if (x0 + 2 < w) a3 = input[g][iy][x0 + 2];
        if (x0 + 3 < w) a4 = input[g][iy][x0 + 3];
        if (x0 + 4 < w) a5 = input[g][iy][x0 + 4];
        if (x0 + 5 < w) a6 = input[g][iy][x0 + 5];
        if (x0 + 6 < w) a7 = input[g][iy][x0 + 6];
        if (x0 + 7 < w) a8 = input[g][iy][x0 + 7];
        if (x0 + 8 < w) a9 = input[g][iy][x0 + 8];
        const t = ky * 3;
        // kx = 0: output column x reads input column x - 1
        let w0 = weights[g][t][o];
        let w1 = weights[g][t][o + 1];
        let w2 = weights[g][t][o + 2];
        let w3 = weights[g][t][o + 3];
        s0 = accumulate4x4(s0, w0, w1, w2, w3, a0);
        s1 = accumulate4x4(s1, w0, w1, w2, w3, a1);
        s2 = accumulate4x4(s2, w0, w1, w2, w3, a2);
        s3 = accumulate4x4(s3, w0, w1, w2, w3, a3);
        s4 = accumulate4x4(s4, w0, w1, w2, w3, a4);
        s5 = accumulate4x4(s5, w0, w1, w2, w3, a5);
        s6 = accumulate4x4(s6, w0, w1, w2, w3, a6);
        s7 = accumulate4x4(s7, w0, w1, w2, w3, a7);
        // kx = 1: column x
        w0 = weights[g][t + 1][o];
        w1 = weights[g][t + 1][o + 1];
        w2 = weights[g][t + 1][o + 2];
        w3 = weights[g][t + 1][o + 3];
        s0 = accumulate4x4(s0, w0, w1, w2, w3, a1);
        s1 = accumulate4x4(s1, w0, w1, w2, w3, a2);
        s2 = accumulate4x4(s2, w0, w1, w2, w3, a3);
        s3 = accumulate4x4(s3, w0, w1, w2, w3, a4);
        s4 = accumulate4x4(s4, w0, w1, w2, w3, a5);
        s5 = accumulate4x4(s5, w0, w1, w2, w3, a6);
        s6 = accumulate4x4(s6, w0, w1, w2, w3, a7);
        s7 = accumulate4x4(s7, w0, w1, w2, w3, a8);
        // kx = 2: column x + 1
        w0 = weights[g][t + 2][o];
        w1 = weights[g][t + 2][o + 1];
        w2 = weights[g][t + 2][o + 2];
        w3 = weights[g][t + 2][o + 3];
        s0 = accumulate4x4(s0, w0, w1, w2, w3, a2);
        s1 = accumulate4x4(s1, w0, w1, w2, w3, a3);
        s2 = accumulate4x4(s2, w0, w1, w2, w3, a4);
        s3 = accumulate4x4(s3, w0, w1, w2, w3, a5);
        s4 = accumulate4x4(s4, w0, w1, w2, w3, a6);
        s5 = accumulate4x4(s5, w0, w1, w2, w3, a7);
        s6 = accumulate4x4(s6, w0, w1, w2, w3, a8);
        s7 = accumulate4x4(s7, w0, w1, w2, w3, a9);
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

/** The 1x1 convolution on the same layouts (weights [ceil(Cin/4)][1][4 ceil(Cout/4)]). */
export function conv1x1Row8(this: KernelThis<ConvRow8Constants>, input: PackedTensor3, weights: PackedTensor3, bias: Tensor3): Cell4 {
  let x0 = this.thread.x * 8;
  let y = this.thread.y;
  let o = this.thread.z * 4;
  if (this.constants.groupsFastest === 1) {
    x0 = this.thread.y * 8;
    y = this.thread.z;
    o = this.thread.x * 4;
  }
  const w = this.constants.width;
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
    let a1: Cell4 = [0, 0, 0, 0];
    let a2: Cell4 = [0, 0, 0, 0];
    let a3: Cell4 = [0, 0, 0, 0];
    let a4: Cell4 = [0, 0, 0, 0];
    let a5: Cell4 = [0, 0, 0, 0];
    let a6: Cell4 = [0, 0, 0, 0];
    let a7: Cell4 = [0, 0, 0, 0];
    const a0: Cell4 = input[g][y][x0];
    if (x0 + 1 < w) a1 = input[g][y][x0 + 1];
    if (x0 + 2 < w) a2 = input[g][y][x0 + 2];
    if (x0 + 3 < w) a3 = input[g][y][x0 + 3];
    if (x0 + 4 < w) a4 = input[g][y][x0 + 4];
    if (x0 + 5 < w) a5 = input[g][y][x0 + 5];
    if (x0 + 6 < w) a6 = input[g][y][x0 + 6];
    if (x0 + 7 < w) a7 = input[g][y][x0 + 7];
    const w0 = weights[g][0][o];
    const w1 = weights[g][0][o + 1];
    const w2 = weights[g][0][o + 2];
    const w3 = weights[g][0][o + 3];
    s0 = accumulate4x4(s0, w0, w1, w2, w3, a0);
    s1 = accumulate4x4(s1, w0, w1, w2, w3, a1);
    s2 = accumulate4x4(s2, w0, w1, w2, w3, a2);
    s3 = accumulate4x4(s3, w0, w1, w2, w3, a3);
    s4 = accumulate4x4(s4, w0, w1, w2, w3, a4);
    s5 = accumulate4x4(s5, w0, w1, w2, w3, a5);
    s6 = accumulate4x4(s6, w0, w1, w2, w3, a6);
    s7 = accumulate4x4(s7, w0, w1, w2, w3, a7);
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
