/**
 * Layout changes around conv2d-blocked.ts: scalars [C][H][W] to vec4 cells holding 4
 * consecutive channels (its input, and its weights once arranged channel-first), and its four
 * 2x2-block outputs back to scalars. Pure data movement, one fetch (or four) per output cell;
 * missing channels (C not a multiple of 4) are filled with zeros so they contribute nothing.
 */
import type { KernelThis, Tensor3 } from './kernel-this.js';
import type { Cell4, PackedTensor3 } from './conv2d-blocked.js';

/** out[g][y][x] = (in[4g][y][x], ..., in[4g+3][y][x]), zero past the last channel. */
export function packChannels(this: KernelThis<{ channels: number }>, input: Tensor3): Cell4 {
  const c = this.thread.z * 4;
  const y = this.thread.y;
  const x = this.thread.x;
  const n = this.constants.channels;
  let v0 = 0;
  let v1 = 0;
  let v2 = 0;
  let v3 = 0;
  if (c < n) v0 = input[c][y][x];
  if (c + 1 < n) v1 = input[c + 1][y][x];
  if (c + 2 < n) v2 = input[c + 2][y][x];
  if (c + 3 < n) v3 = input[c + 3][y][x];
  return [v0, v1, v2, v3];
}

/** Component k (0..3) of a cell: GLSL ES 1.0 indexes vectors with constants only. */
export function cellComponent(v: Cell4, k: number): number {
  if (k === 0) return v[0];
  if (k === 1) return v[1];
  if (k === 2) return v[2];
  return v[3];
}

/** Scalars [C][H][W] from the blocked kernel's four outputs: pixel (y, x) is block pixel (y%2, x%2). */
export function unpackBlocks(
  this: KernelThis<object>,
  topLeft: PackedTensor3,
  topRight: PackedTensor3,
  bottomLeft: PackedTensor3,
  bottomRight: PackedTensor3,
): number {
  const c = this.thread.z;
  const y = this.thread.y;
  const x = this.thread.x;
  const q = Math.floor(c / 4);
  const by = Math.floor(y / 2);
  const bx = Math.floor(x / 2);
  const k = c - q * 4;
  if (y - by * 2 === 0) {
    if (x - bx * 2 === 0) return cellComponent(topLeft[q][by][bx], k);
    return cellComponent(topRight[q][by][bx], k);
  }
  if (x - bx * 2 === 0) return cellComponent(bottomLeft[q][by][bx], k);
  return cellComponent(bottomRight[q][by][bx], k);
}
