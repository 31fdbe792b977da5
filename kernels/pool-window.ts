/**
 * Max and average pooling over K x K windows with stride S and no padding, with PyTorch's
 * ceil_mode=True (SqueezeNet's MaxPool2d(3, stride=2, ceil_mode=True)). Windows may overlap
 * (S < K), and the last window of a row or column may run past the input's edge.
 *
 * Output size (src/ops/pool-window.ts computes it, as PyTorch's pooling_output_shape):
 *   n = floor((H - K + S - 1) / S) + 1, less one if window n-1 would start at or past row H.
 * Window (oy, ox) covers rows S oy .. min(S oy + K, H) - 1, likewise columns: clipped to the
 * input, never empty.
 *
 * Max pool. Forward: out = the largest value in the clipped window. Backward: the max is the
 * identity on its arg-max and constant in the other cells, so each window passes its dL/dout
 * to its arg-max; an input cell that is the arg-max of several overlapping windows receives
 * the sum. Ties go to the first cell in row-major order (PyTorch's CPU kernel keeps the first
 * strictly greater value), so each window has exactly one arg-max. Backward first finds every
 * window's arg-max (maxPoolWindowArgMax, as the index y * W + x in its input plane: exact in
 * float32 below 2^24 pixels), then each input cell sums dL/dout over the windows naming it.
 *
 * Average pool. Forward: out = (sum of the clipped window) / (its number of cells): with no
 * padding PyTorch divides by the clipped area whether count_include_pad is set or not.
 * Backward: each cell of window w receives dL/dout[w] / area(w), summed over the windows
 * containing it.
 *
 * The windows containing input row y are those with S oy <= y < S oy + K: oy counts down from
 * floor(y / S) for at most ceil(K / S) rows (`span`); floor is taken as floor((y + 0.5) / S),
 * robust to GPU division.
 */
import type { KernelThis, Tensor3 } from './kernel-this.js';

export interface PoolWindowConstants {
  window: number;
  stride: number;
  inHeight: number;
  inWidth: number;
}

export interface PoolWindowBackwardConstants extends PoolWindowConstants {
  outHeight: number;
  outWidth: number;
  /** ceil(window / stride): the most windows along one axis that contain a given cell. */
  span: number;
}

export function maxPoolWindowForward(this: KernelThis<PoolWindowConstants>, input: Tensor3): number {
  const c = this.thread.z;
  const top = this.thread.y * this.constants.stride;
  const left = this.thread.x * this.constants.stride;
  let best = input[c][top][left];
  for (let dy = 0; dy < this.constants.window; dy++) {
    if (top + dy < this.constants.inHeight) {
      for (let dx = 0; dx < this.constants.window; dx++) {
        if (left + dx < this.constants.inWidth) {
          const v = input[c][top + dy][left + dx];
          if (v > best) {
            best = v;
          }
        }
      }
    }
  }
  return best;
}

/** Index y * inWidth + x, in its input plane, of the first largest value of window (oy, ox). */
export function maxPoolWindowArgMax(this: KernelThis<PoolWindowConstants>, input: Tensor3): number {
  const c = this.thread.z;
  const top = this.thread.y * this.constants.stride;
  const left = this.thread.x * this.constants.stride;
  let best = input[c][top][left];
  let at = top * this.constants.inWidth + left;
  for (let dy = 0; dy < this.constants.window; dy++) {
    if (top + dy < this.constants.inHeight) {
      for (let dx = 0; dx < this.constants.window; dx++) {
        if (left + dx < this.constants.inWidth) {
          const v = input[c][top + dy][left + dx];
          if (v > best) {
            best = v;
            at = (top + dy) * this.constants.inWidth + left + dx;
          }
        }
      }
    }
  }
  return at;
}

export function maxPoolWindowBackward(this: KernelThis<PoolWindowBackwardConstants>, gradOutput: Tensor3, argMax: Tensor3): number {
  const c = this.thread.z;
  const y = this.thread.y;
  const x = this.thread.x;
  const s = this.constants.stride;
  const here = y * this.constants.inWidth + x;
  const lastRow = Math.floor((y + 0.5) / s);
  const lastColumn = Math.floor((x + 0.5) / s);
  let sum = 0;
  for (let wy = 0; wy < this.constants.span; wy++) {
    const oy = lastRow - wy;
    if (oy >= 0 && oy < this.constants.outHeight) {
      for (let wx = 0; wx < this.constants.span; wx++) {
        const ox = lastColumn - wx;
        if (ox >= 0 && ox < this.constants.outWidth && argMax[c][oy][ox] === here) {
          sum += gradOutput[c][oy][ox];
        }
      }
    }
  }
  return sum;
}

export function avgPoolWindowForward(this: KernelThis<PoolWindowConstants>, input: Tensor3): number {
  const c = this.thread.z;
  const top = this.thread.y * this.constants.stride;
  const left = this.thread.x * this.constants.stride;
  let sum = 0;
  let count = 0;
  for (let dy = 0; dy < this.constants.window; dy++) {
    if (top + dy < this.constants.inHeight) {
      for (let dx = 0; dx < this.constants.window; dx++) {
        if (left + dx < this.constants.inWidth) {
          sum += input[c][top + dy][left + dx];
          count += 1;
        }
      }
    }
  }
  return sum / count;
}

export function avgPoolWindowBackward(this: KernelThis<PoolWindowBackwardConstants>, gradOutput: Tensor3): number {
  const c = this.thread.z;
  const y = this.thread.y;
  const x = this.thread.x;
  const s = this.constants.stride;
  const k = this.constants.window;
  const lastRow = Math.floor((y + 0.5) / s);
  const lastColumn = Math.floor((x + 0.5) / s);
  let sum = 0;
  for (let wy = 0; wy < this.constants.span; wy++) {
    const oy = lastRow - wy;
    if (oy >= 0 && oy < this.constants.outHeight && y < oy * s + k) {
      const rows = Math.min(oy * s + k, this.constants.inHeight) - oy * s;
      for (let wx = 0; wx < this.constants.span; wx++) {
        const ox = lastColumn - wx;
        if (ox >= 0 && ox < this.constants.outWidth && x < ox * s + k) {
          const columns = Math.min(ox * s + k, this.constants.inWidth) - ox * s;
          sum += gradOutput[c][oy][ox] / (rows * columns);
        }
      }
    }
  }
  return sum;
}
