/**
 * The loss terms of DESIGN.md section 1 and their gradients, written as per-row partial sums
 * (finished by the reductions in reduce.ts) and elementwise gradient kernels.
 *
 * Mean squared error, used by content (a = F(x), b = F(content), N = C H W) and style
 * (a = G(x), b = A, N = C * C):
 *   L = (w / N) * sum (a - b)^2,      dL/da = (2 w / N) * (a - b)
 * squaredDifferenceRows gives the row sums of (a - b)^2; scaledDifference gives k (a - b)
 * with k = 2 w / N baked in as a constant.
 *
 * Total variation over a C x H x W image, with forward differences:
 *   L = w * sum_{c,y,x} [y + 1 < H] (x[c][y+1][x] - x[c][y][x])^2 + [x + 1 < W] (x[c][y][x+1] - x[c][y][x])^2
 * Pixel v = x[c][y][x] appears in at most four squared differences: as the lower end of the
 * vertical one below it and the horizontal one to its right, and as the upper end of the
 * ones above and to its left. Differentiating each:
 *   dL/dv = 2 w ( [y > 0](v - up) - [y + 1 < H](down - v) + [x > 0](v - left) - [x + 1 < W](right - v) )
 */
import type { KernelThis, Tensor3 } from './kernel-this.js';

export interface RowConstants {
  width: number;
}

/** Output [C][H][1]: thread (0, y, z) sums (a - b)^2 along row y of channel z. */
export function squaredDifferenceRows(this: KernelThis<RowConstants>, a: Tensor3, b: Tensor3): number {
  const z = this.thread.z;
  const y = this.thread.y;
  let sum = 0;
  for (let x = 0; x < this.constants.width; x++) {
    const d = a[z][y][x] - b[z][y][x];
    sum += d * d;
  }
  return sum;
}

export interface ScaleConstants {
  scale: number;
}

export function scaledDifference(this: KernelThis<ScaleConstants>, a: Tensor3, b: Tensor3): number {
  const z = this.thread.z;
  const y = this.thread.y;
  const x = this.thread.x;
  return (a[z][y][x] - b[z][y][x]) * this.constants.scale;
}

export interface TvConstants {
  height: number;
  width: number;
}

/** Output [C][H][1]: the squared differences that start in row y of channel z. */
export function totalVariationRows(this: KernelThis<TvConstants>, image: Tensor3): number {
  const c = this.thread.z;
  const y = this.thread.y;
  let sum = 0;
  for (let x = 0; x < this.constants.width; x++) {
    const v = image[c][y][x];
    if (y + 1 < this.constants.height) {
      const dy = image[c][y + 1][x] - v;
      sum += dy * dy;
    }
    if (x + 1 < this.constants.width) {
      const dx = image[c][y][x + 1] - v;
      sum += dx * dx;
    }
  }
  return sum;
}

export interface TvBackwardConstants {
  height: number;
  width: number;
  /** 2 * w_tv. */
  scale: number;
}

export function totalVariationBackward(this: KernelThis<TvBackwardConstants>, image: Tensor3): number {
  const c = this.thread.z;
  const y = this.thread.y;
  const x = this.thread.x;
  const v = image[c][y][x];
  let g = 0;
  if (y > 0) {
    g += v - image[c][y - 1][x];
  }
  if (y + 1 < this.constants.height) {
    g -= image[c][y + 1][x] - v;
  }
  if (x > 0) {
    g += v - image[c][y][x - 1];
  }
  if (x + 1 < this.constants.width) {
    g -= image[c][y][x + 1] - v;
  }
  return g * this.constants.scale;
}
