/**
 * ReLU, elementwise: out = max(x, 0).
 *
 * Backward: d out / dx = 1 where x > 0 and 0 elsewhere (the subgradient 0 is taken at x = 0,
 * as PyTorch does). Since out > 0 exactly when x > 0, the mask is read from the forward
 * output, which the network keeps anyway:  dL/dx = dL/dout * [out > 0].
 */
import type { KernelThis, Tensor3 } from './kernel-this.js';

export function reluForward(this: KernelThis<object>, input: Tensor3): number {
  return Math.max(input[this.thread.z][this.thread.y][this.thread.x], 0);
}

export function reluBackward(this: KernelThis<object>, gradOutput: Tensor3, output: Tensor3): number {
  const z = this.thread.z;
  const y = this.thread.y;
  const x = this.thread.x;
  if (output[z][y][x] > 0) {
    return gradOutput[z][y][x];
  }
  return 0;
}
