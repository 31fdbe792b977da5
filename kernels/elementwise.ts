/**
 * Elementwise helpers for assembling gradients. add: out = a + b (the gradient reaching a
 * layer is the sum of what flows back from above and the loss terms attached to it), so
 * d out/da = d out/db = 1. copy: out = a, used to upload a flat host array as a device tensor.
 * scaleBy: out = s a for a scalar s held on the device.
 */
import type { KernelThis, Tensor3 } from './kernel-this.js';

export function add(this: KernelThis<object>, a: Tensor3, b: Tensor3): number {
  return a[this.thread.z][this.thread.y][this.thread.x] + b[this.thread.z][this.thread.y][this.thread.x];
}

export function copy(this: KernelThis<object>, a: Tensor3): number {
  return a[this.thread.z][this.thread.y][this.thread.x];
}

/** out = a * s[0][0][0]: a scale computed on the host each evaluation, passed as a 1x1x1 tensor so the kernel is not recompiled. */
export function scaleBy(this: KernelThis<object>, a: Tensor3, s: Tensor3): number {
  return a[this.thread.z][this.thread.y][this.thread.x] * s[0][0][0];
}
