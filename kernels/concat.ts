/**
 * Concatenation along the channel axis (a fire module's expand1x1 and expand3x3 outputs) and
 * its backward, the split.
 *
 * Forward: out[c] = a[c] for c < Ca, out[c] = b[c - Ca] for Ca <= c < Ca + Cb (every pixel).
 * Backward: each output cell is a copy of exactly one input cell, so d out[c] / d a[c'] = 1
 * when c = c' < Ca and 0 otherwise (likewise for b shifted by Ca):
 *   dL/da[c] = dL/dout[c]          dL/db[c] = dL/dout[Ca + c]
 * i.e. the gradient is cut back into the two channel ranges: sliceChannels with offset 0
 * (Ca channels) and offset Ca (Cb channels).
 */
import type { KernelThis, Tensor3 } from './kernel-this.js';

export function concatChannels(this: KernelThis<{ firstChannels: number }>, a: Tensor3, b: Tensor3): number {
  const c = this.thread.z;
  if (c < this.constants.firstChannels) {
    return a[c][this.thread.y][this.thread.x];
  }
  return b[c - this.constants.firstChannels][this.thread.y][this.thread.x];
}

/** out[c] = in[offset + c]: one of the two parts of a concatenated tensor (or its gradient). */
export function sliceChannels(this: KernelThis<{ offset: number }>, input: Tensor3): number {
  return input[this.thread.z + this.constants.offset][this.thread.y][this.thread.x];
}
