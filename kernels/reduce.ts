/**
 * Sums, one axis per pass, so that no thread loops over more than one axis of a tensor and
 * float32 partial sums stay short (at most a few thousand terms each):
 *   [C][H][1] (row sums, from the loss kernels) --sumColumn--> [C][1][1] --sumChannels--> [1][1][1].
 * absoluteRows starts an L1 norm (for --normalize-gradients, which rescales gradients and is
 * never differentiated itself). The sums are linear, so their gradients are broadcasts; the loss kernels fold those
 * into their own backward passes and no reduction backward kernel is needed.
 */
import type { KernelThis, Tensor3 } from './kernel-this.js';

export interface ExtentConstants {
  /** Length of the axis being summed. */
  extent: number;
}

/** Input [C][H][1], output [C][1][1]. */
export function sumColumn(this: KernelThis<ExtentConstants>, a: Tensor3): number {
  let sum = 0;
  for (let y = 0; y < this.constants.extent; y++) {
    sum += a[this.thread.z][y][0];
  }
  return sum;
}

/** Input [C][1][1], output [1][1][1]. */
export function sumChannels(this: KernelThis<ExtentConstants>, a: Tensor3): number {
  let sum = 0;
  for (let z = 0; z < this.constants.extent; z++) {
    sum += a[z][0][0];
  }
  return sum;
}

/** Output [C][H][1]: row sums of |a|, the first pass of an L1 norm. */
export function absoluteRows(this: KernelThis<ExtentConstants>, a: Tensor3): number {
  let sum = 0;
  for (let x = 0; x < this.constants.extent; x++) {
    sum += Math.abs(a[this.thread.z][this.thread.y][x]);
  }
  return sum;
}
