/**
 * The squared-error loss terms of DESIGN.md section 1 and their gradients, written as per-row
 * partial sums (finished by the reductions in reduce.ts) and elementwise gradient kernels.
 * (Total variation has its own file, total-variation.ts.)
 *
 * Squared error, used by content (a = F(x), b = F(content)) and style (a = G(x), b = A),
 * as a mean (N = the number of cells: C H W for content, C * C for style) or a sum (N = 1):
 *   L = (w / N) * sum (a - b)^2,      dL/da = (2 w / N) * (a - b)
 * squaredDifferenceRows gives the row sums of (a - b)^2; scaledDifference gives k (a - b)
 * with k = 2 w / N baked in as a constant.
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
