/**
 * A spatial window of a tensor (the part of a tile's layer output that belongs to the tile,
 * src/network/tiling.ts) and its backward, the window put back in place among zeros.
 *
 * Forward: out[c][y][x] = in[c][top + y][left + x] for the window's height x width cells.
 * Backward: each output cell is a copy of exactly one input cell, so d out[c][y][x] /
 * d in[c][y'][x'] = 1 when y' = top + y and x' = left + x, 0 otherwise:
 *   dL/din[c][y'][x'] = dL/dout[c][y' - top][x' - left] inside the window, 0 outside it
 * (embedWindow, over the input's shape).
 */
import type { KernelThis, Tensor3 } from './kernel-this.js';

export interface WindowConstants {
  top: number;
  left: number;
}

export function cropWindow(this: KernelThis<WindowConstants>, input: Tensor3): number {
  return input[this.thread.z][this.thread.y + this.constants.top][this.thread.x + this.constants.left];
}

export interface EmbedConstants extends WindowConstants {
  /** The window's size. */
  height: number;
  width: number;
}

export function embedWindow(this: KernelThis<EmbedConstants>, window: Tensor3): number {
  const y = this.thread.y - this.constants.top;
  const x = this.thread.x - this.constants.left;
  if (y >= 0 && y < this.constants.height && x >= 0 && x < this.constants.width) {
    return window[this.thread.z][y][x];
  }
  return 0;
}
