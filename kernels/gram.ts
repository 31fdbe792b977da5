/**
 * Gram matrix of a C x H x W feature map, normalised by C * H * W (DESIGN.md section 1):
 *   G[c][d] = (1 / (C H W)) * sum_{y,x} F[c][y][x] * F[d][y][x]          shape [1][C][C]
 *
 * Backward. F[c][y][x] appears in row c (as the left factor) and in column c (as the right
 * factor) of G, so for a scalar L with upstream gradient dG = dL/dG:
 *   dL/dF[c][y][x] = (1 / (C H W)) * sum_d (dG[c][d] + dG[d][c]) * F[d][y][x]
 * i.e. dL/dF = (dG + dG^T) F / (C H W) with F viewed as a C x (H W) matrix.
 */
import type { Cell4, KernelThis, PackedTensor3, Tensor3 } from './kernel-this.js';

export interface GramConstants {
  channels: number;
  height: number;
  width: number;
  /** The normalisation: 1 / (C * H * W) by default (src/ops/gram.ts), other recipes use others. */
  norm: number;
}

/** Thread (x = d, y = c, z = 0) computes G[c][d]. */
export function gramForward(this: KernelThis<GramConstants>, features: Tensor3): number {
  const c = this.thread.y;
  const d = this.thread.x;
  let sum = 0;
  for (let y = 0; y < this.constants.height; y++) {
    for (let x = 0; x < this.constants.width; x++) {
      sum += features[c][y][x] * features[d][y][x];
    }
  }
  return sum * this.constants.norm;
}

export function gramBackward(this: KernelThis<GramConstants>, gradGram: Tensor3, features: Tensor3): number {
  const c = this.thread.z;
  const y = this.thread.y;
  const x = this.thread.x;
  let sum = 0;
  for (let d = 0; d < this.constants.channels; d++) {
    sum += (gradGram[0][c][d] + gradGram[0][d][c]) * features[d][y][x];
  }
  return sum * this.constants.norm;
}

/*
 * The blocked form for the GL backends (src/ops/gram.ts picks it where conv2d-blocked.ts runs).
 *
 * Forward. Features packed 4 channels to a cell, P[g][y][x] = F[4g..4g+3][y][x]. A thread
 * owns the 4 x 8 block of G with rows c = 4i..4i+3 and columns d = 8m..8m+7 (channel groups
 * j = 2m and 2m+1) over one chunk of image rows, and per pixel fetches 3 cells (P[i], P[2m],
 * P[2m+1]) for 32 multiply-adds, where the kernel above fetches 2 values for 1. Its 8 outputs
 * are the block's rows r = 0..3, each as the two cells (d in group 2m, d in group 2m+1):
 * output 2r + h holds G[4i+r][4(2m+h) .. 4(2m+h)+3] summed over the chunk. Chunks split the
 * pixel sum so that a small C still gives enough threads to occupy every core; the reduce
 * kernel adds them up, scales by the norm and writes G as [1][C][C] scalars.
 *
 * Backward. dL/dF = S F with S = norm (dG + dG^T): a 1x1 convolution of F with weights S
 * (kernels/conv2d-blocked.ts conv1x1Row8), whose weight cells [g][0][c] hold
 * S[c][4g..4g+3], made from dG by gramGradientCells.
 */

export interface GramBlockConstants {
  groups: number;
  height: number;
  width: number;
  /** Image rows per chunk: thread.z sums rows chunk * rowsPerChunk ... + rowsPerChunk - 1. */
  rowsPerChunk: number;
}

/** Thread (x = m, y = i, z = chunk): the 4 x 8 block of G at rows 4i, columns 8m, one chunk. */
export function gramBlocks(this: KernelThis<GramBlockConstants>, features: PackedTensor3): Cell4 {
  const i = this.thread.y;
  const j = this.thread.x * 2;
  const y0 = this.thread.z * this.constants.rowsPerChunk;
  let r0a: Cell4 = [0, 0, 0, 0];
  let r0b: Cell4 = [0, 0, 0, 0];
  let r1a: Cell4 = [0, 0, 0, 0];
  let r1b: Cell4 = [0, 0, 0, 0];
  let r2a: Cell4 = [0, 0, 0, 0];
  let r2b: Cell4 = [0, 0, 0, 0];
  let r3a: Cell4 = [0, 0, 0, 0];
  let r3b: Cell4 = [0, 0, 0, 0];
  for (let r = 0; r < this.constants.rowsPerChunk; r++) {
    const y = y0 + r;
    if (y < this.constants.height) {
      for (let x = 0; x < this.constants.width; x++) {
        const a = features[i][y][x];
        const b0 = features[j][y][x];
        let b1: Cell4 = [0, 0, 0, 0];
        if (j + 1 < this.constants.groups) b1 = features[j + 1][y][x];
        r0a = addScaledCell(r0a, a[0], b0);
        r0b = addScaledCell(r0b, a[0], b1);
        r1a = addScaledCell(r1a, a[1], b0);
        r1b = addScaledCell(r1b, a[1], b1);
        r2a = addScaledCell(r2a, a[2], b0);
        r2b = addScaledCell(r2b, a[2], b1);
        r3a = addScaledCell(r3a, a[3], b0);
        r3b = addScaledCell(r3b, a[3], b1);
      }
    }
  }
  output1(r0b);
  output2(r1a);
  output3(r1b);
  output4(r2a);
  output5(r2b);
  output6(r3a);
  output7(r3b);
  return r0a;
}

export interface GramReduceConstants {
  chunks: number;
  norm: number;
}

/** G[c][d] = norm * sum over chunks of the block cell holding (c, d); thread (x = d, y = c). */
export function gramReduce(
  this: KernelThis<GramReduceConstants>,
  b0: PackedTensor3,
  b1: PackedTensor3,
  b2: PackedTensor3,
  b3: PackedTensor3,
  b4: PackedTensor3,
  b5: PackedTensor3,
  b6: PackedTensor3,
  b7: PackedTensor3,
): number {
  const c = this.thread.y;
  const d = this.thread.x;
  const i = Math.floor(c / 4);
  const j = Math.floor(d / 4);
  const m = Math.floor(j / 2);
  // output 2r + h holds row r = c mod 4 for column group j = 2m + h
  const which = (c - i * 4) * 2 + (j - m * 2);
  const k = d - j * 4;
  let sum = 0;
  for (let t = 0; t < this.constants.chunks; t++) {
    let v: Cell4 = [0, 0, 0, 0];
    if (which === 0) v = b0[t][i][m];
    else if (which === 1) v = b1[t][i][m];
    else if (which === 2) v = b2[t][i][m];
    else if (which === 3) v = b3[t][i][m];
    else if (which === 4) v = b4[t][i][m];
    else if (which === 5) v = b5[t][i][m];
    else if (which === 6) v = b6[t][i][m];
    else v = b7[t][i][m];
    sum += cellComponent(v, k);
  }
  return sum * this.constants.norm;
}

export interface GramGradientConstants {
  channels: number;
  norm: number;
}

/** Weight cell [g][0][c] of the backward 1x1 convolution: S[c][4g..4g+3], S = norm (dG + dG^T), zero past C. */
export function gramGradientCells(this: KernelThis<GramGradientConstants>, gradGram: Tensor3): Cell4 {
  const c = this.thread.x;
  const d = this.thread.z * 4;
  const n = this.constants.channels;
  const norm = this.constants.norm;
  let v0 = 0;
  let v1 = 0;
  let v2 = 0;
  let v3 = 0;
  if (c < n) {
    if (d < n) v0 = norm * (gradGram[0][c][d] + gradGram[0][d][c]);
    if (d + 1 < n) v1 = norm * (gradGram[0][c][d + 1] + gradGram[0][d + 1][c]);
    if (d + 2 < n) v2 = norm * (gradGram[0][c][d + 2] + gradGram[0][d + 2][c]);
    if (d + 3 < n) v3 = norm * (gradGram[0][c][d + 3] + gradGram[0][d + 3][c]);
  }
  return [v0, v1, v2, v3];
}
