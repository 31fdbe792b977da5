/**
 * 2x2 pooling, stride 2. The output has floor(H / 2) x floor(W / 2) cells, as in VGG: with an
 * odd size the last row or column of the input belongs to no window and gets zero gradient.
 *
 * Max pool. Forward: out[c][y][x] = max of the window in[c][2y + dy][2x + dx], dy, dx in {0, 1}.
 * Backward: the max is locally the identity on its arg-max and constant in the other three
 * inputs, so dL/din is dL/dout at the arg-max of each window and 0 elsewhere. Ties go to the
 * first cell in row-major order (as PyTorch's CPU kernel does), so exactly one input per
 * window receives the gradient. The backward thread re-derives the arg-max from the input.
 *
 * Average pool. Forward: out = (sum of the window) / 4. Backward: each of the 4 inputs
 * receives dL/dout / 4.
 */
import type { KernelThis, Tensor3 } from './kernel-this.js';

export interface PoolBackwardConstants {
  /** Output (pooled) height and width: floor of the input's halves. */
  outHeight: number;
  outWidth: number;
}

export function maxPoolForward(this: KernelThis<object>, input: Tensor3): number {
  const c = this.thread.z;
  const y0 = this.thread.y * 2;
  const x0 = this.thread.x * 2;
  const top = Math.max(input[c][y0][x0], input[c][y0][x0 + 1]);
  const bottom = Math.max(input[c][y0 + 1][x0], input[c][y0 + 1][x0 + 1]);
  return Math.max(top, bottom);
}

export function maxPoolBackward(this: KernelThis<PoolBackwardConstants>, gradOutput: Tensor3, input: Tensor3): number {
  const c = this.thread.z;
  const oy = Math.floor(this.thread.y / 2);
  const ox = Math.floor(this.thread.x / 2);
  if (oy >= this.constants.outHeight || ox >= this.constants.outWidth) {
    return 0;
  }
  const y0 = oy * 2;
  const x0 = ox * 2;
  // Arg-max in row-major order; strict '>' keeps the first of equal values.
  let bestY = y0;
  let bestX = x0;
  let best = input[c][y0][x0];
  if (input[c][y0][x0 + 1] > best) {
    best = input[c][y0][x0 + 1];
    bestY = y0;
    bestX = x0 + 1;
  }
  if (input[c][y0 + 1][x0] > best) {
    best = input[c][y0 + 1][x0];
    bestY = y0 + 1;
    bestX = x0;
  }
  if (input[c][y0 + 1][x0 + 1] > best) {
    bestY = y0 + 1;
    bestX = x0 + 1;
  }
  if (bestY === this.thread.y && bestX === this.thread.x) {
    return gradOutput[c][oy][ox];
  }
  return 0;
}

export function avgPoolForward(this: KernelThis<object>, input: Tensor3): number {
  const c = this.thread.z;
  const y0 = this.thread.y * 2;
  const x0 = this.thread.x * 2;
  return (input[c][y0][x0] + input[c][y0][x0 + 1] + input[c][y0 + 1][x0] + input[c][y0 + 1][x0 + 1]) * 0.25;
}

export function avgPoolBackward(this: KernelThis<PoolBackwardConstants>, gradOutput: Tensor3): number {
  const oy = Math.floor(this.thread.y / 2);
  const ox = Math.floor(this.thread.x / 2);
  if (oy >= this.constants.outHeight || ox >= this.constants.outWidth) {
    return 0;
  }
  return gradOutput[this.thread.z][oy][ox] * 0.25;
}
