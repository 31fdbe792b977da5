/**
 * Gram matrix of a C x H x W feature map, normalised by C * H * W (DESIGN.md section 1):
 *   G[c][d] = (1 / (C H W)) * sum_{y,x} F[c][y][x] * F[d][y][x]          shape [1][C][C]
 *
 * Backward. F[c][y][x] appears in row c (as the left factor) and in column c (as the right
 * factor) of G, so for a scalar L with upstream gradient dG = dL/dG:
 *   dL/dF[c][y][x] = (1 / (C H W)) * sum_d (dG[c][d] + dG[d][c]) * F[d][y][x]
 * i.e. dL/dF = (dG + dG^T) F / (C H W) with F viewed as a C x (H W) matrix.
 */
import type { KernelThis, Tensor3 } from './kernel-this.js';

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
