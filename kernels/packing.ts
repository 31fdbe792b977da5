/**
 * Layout changes around conv2d-blocked.ts (and conv2d-general-blocked.ts): scalars [C][H][W]
 * to vec4 cells holding 4 consecutive channels (their inputs, and their weights once arranged
 * channel-first), and their outputs (eight row-block tensors, or plain cells of 4 channels)
 * back to scalars. Pure data movement, one fetch (or four) per output cell;
 * missing channels (C not a multiple of 4) are filled with zeros so they contribute nothing.
 * cellComponent is in cell-functions.ts.
 */
import type { Cell4, KernelThis, PackedTensor3, Tensor3 } from './kernel-this.js';

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

/**
 * Scalars [C][H][W] from the 8 outputs of a row-of-8 kernel (conv2d-blocked.ts): pixel (y, x)
 * is in output x mod 8 at block column floor(x / 8), channel c in component c mod 4 of group
 * c / 4; the outputs are [group][y][block] or, with groupsFastest, [y][block][group].
 */
export function unpackRow8(
  this: KernelThis<{ groupsFastest: number }>,
  p0: PackedTensor3,
  p1: PackedTensor3,
  p2: PackedTensor3,
  p3: PackedTensor3,
  p4: PackedTensor3,
  p5: PackedTensor3,
  p6: PackedTensor3,
  p7: PackedTensor3,
): number {
  const c = this.thread.z;
  const y = this.thread.y;
  const x = this.thread.x;
  const q = Math.floor(c / 4);
  const bx = Math.floor(x / 8);
  const j = x - bx * 8;
  // cell [i0][i1][i2] of the outputs
  let i0 = q;
  let i1 = y;
  let i2 = bx;
  if (this.constants.groupsFastest === 1) {
    i0 = y;
    i1 = bx;
    i2 = q;
  }
  let v: Cell4 = [0, 0, 0, 0];
  if (j === 0) v = p0[i0][i1][i2];
  else if (j === 1) v = p1[i0][i1][i2];
  else if (j === 2) v = p2[i0][i1][i2];
  else if (j === 3) v = p3[i0][i1][i2];
  else if (j === 4) v = p4[i0][i1][i2];
  else if (j === 5) v = p5[i0][i1][i2];
  else if (j === 6) v = p6[i0][i1][i2];
  else v = p7[i0][i1][i2];
  return cellComponent(v, c - q * 4);
}

/** Scalars [C][H][W] from vec4 cells [ceil(C/4)][H][W] of 4 channels each: packChannels undone. */
export function unpackChannels(this: KernelThis<object>, packed: PackedTensor3): number {
  const c = this.thread.z;
  const q = Math.floor(c / 4);
  return cellComponent(packed[q][this.thread.y][this.thread.x], c - q * 4);
}
