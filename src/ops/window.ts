/**
 * Shape bookkeeping around kernels/window.ts: a rows x cols window of a tensor, and its backward;
 * the same windows of planar host arrays (what tiled work uploads and adds back).
 */
import { cropWindow, embedWindow } from '../../kernels/window.js';
import type { Engine } from '../engine/engine.js';
import type { Shape3, Tensor } from '../engine/tensor.js';
import type { Span } from '../network/tiling.js';

export interface Window {
  rows: Span;
  cols: Span;
}

function checkWindow([, h, w]: Shape3, { rows, cols }: Window): void {
  if (!(rows.start >= 0 && rows.end <= h && rows.start < rows.end && cols.start >= 0 && cols.end <= w && cols.start < cols.end)) {
    throw new Error(`window rows [${rows.start}, ${rows.end}) cols [${cols.start}, ${cols.end}) is not inside [${h}, ${w}]`);
  }
}

export function crop(engine: Engine, x: Tensor, window: Window): Tensor {
  checkWindow(x.shape, window);
  const { rows, cols } = window;
  return engine.run({ fn: cropWindow, output: [x.shape[0], rows.end - rows.start, cols.end - cols.start], constants: { top: rows.start, left: cols.start } }, x);
}

/** dL/dx for x of `shape` from dL/d(crop(x, window)): the window's gradient in place, zeros around it. */
export function cropBackward(engine: Engine, gradWindow: Tensor, shape: Shape3, window: Window): Tensor {
  checkWindow(shape, window);
  const { rows, cols } = window;
  return engine.run(
    { fn: embedWindow, output: shape, constants: { top: rows.start, left: cols.start, height: rows.end - rows.start, width: cols.end - cols.start } },
    gradWindow,
  );
}

/** Rows x cols of planar [C][H][W] `data`, as a planar array of its own. */
export function cropPixels(data: Float32Array, [c, h, w]: Shape3, { rows, cols }: Window): Float32Array {
  const [ch, cw] = [rows.end - rows.start, cols.end - cols.start];
  const out = new Float32Array(c * ch * cw);
  for (let z = 0; z < c; z++) {
    for (let y = 0; y < ch; y++) {
      const from = (z * h + rows.start + y) * w + cols.start;
      out.set(data.subarray(from, from + cw), (z * ch + y) * cw);
    }
  }
  return out;
}

/** target[window] += part, for planar [C][H][W] `target`. */
export function addPixels(target: Float32Array, [c, h, w]: Shape3, { rows, cols }: Window, part: Float32Array): void {
  const [ch, cw] = [rows.end - rows.start, cols.end - cols.start];
  for (let z = 0; z < c; z++) {
    for (let y = 0; y < ch; y++) {
      const to = (z * h + rows.start + y) * w + cols.start;
      const from = (z * ch + y) * cw;
      for (let x = 0; x < cw; x++) target[to + x] += part[from + x];
    }
  }
}
