/**
 * The squared-error loss terms of DESIGN.md section 1 on device tensors (total variation:
 * total-variation.ts). Each returns its value (read back: one float) and its gradient (left
 * on the device, to be released by the caller).
 */
import { scaledDifference, squaredDifferenceRows } from '../../kernels/loss.js';
import { absoluteRows, sumChannels, sumColumn } from '../../kernels/reduce.js';
import { scaleBy } from '../../kernels/elementwise.js';
import type { Engine } from '../engine/engine.js';
import { sameShape, type Tensor } from '../engine/tensor.js';

export interface LossTerm {
  value: number;
  gradient: Tensor;
}

/** Finishes a sum from row sums [C][H][1] to a host number; releases `rows`. */
export function sumOfRows(engine: Engine, rows: Tensor): number {
  const [c, h] = rows.shape;
  const columns = engine.run({ fn: sumColumn, output: [c, 1, 1], constants: { extent: h } }, rows);
  rows.release();
  const total = engine.run({ fn: sumChannels, output: [1, 1, 1], constants: { extent: c } }, columns);
  columns.release();
  return engine.takeScalar(total);
}

/** How a squared error is reduced over its cells: mean (neural-style, PyTorch, TF) or sum (Keras). */
export type Reduction = 'mean' | 'sum';

/**
 * weight * mean or sum of (a - b)^2 over all cells, and its gradient with respect to a:
 * content uses it with a = F(x), b = F(content); style with a = G(x), b = A.
 */
export function weightedSquaredError(engine: Engine, a: Tensor, b: Tensor, weight: number, reduction: Reduction): LossTerm {
  if (!sameShape(a.shape, b.shape)) throw new Error(`squared error: shapes [${a.shape.join(', ')}] and [${b.shape.join(', ')}] differ`);
  const [c, h, w] = a.shape;
  const n = reduction === 'mean' ? a.size : 1;
  const rows = engine.run({ fn: squaredDifferenceRows, output: [c, h, 1], constants: { width: w } }, a, b);
  const value = (weight / n) * sumOfRows(engine, rows);
  const gradient = engine.run({ fn: scaledDifference, output: a.shape, constants: { scale: (2 * weight) / n } }, a, b);
  return { value, gradient };
}

/** sum |a| over all cells. */
export function l1Norm(engine: Engine, a: Tensor): number {
  const [c, h, w] = a.shape;
  return sumOfRows(engine, engine.run({ fn: absoluteRows, output: [c, h, 1], constants: { extent: w } }, a));
}

/**
 * neural-style's -normalize_gradients: a layer's loss gradient g becomes weight * g / |g|_1
 * (the loss value is unchanged; only the step direction is rebalanced across layers).
 * Consumes g.
 */
export function normalizeGradient(engine: Engine, g: Tensor, weight: number): Tensor {
  return scaleAndRelease(engine, g, normalizingScale(weight, l1Norm(engine, g)));
}

/** The factor of normalizeGradient for a gradient of L1 norm `l1` (tiled evaluation sums l1 over its tiles first). */
export function normalizingScale(weight: number, l1: number): number {
  return weight / (l1 + 1e-8);
}

/** s g; consumes g. */
export function scaleAndRelease(engine: Engine, g: Tensor, s: number): Tensor {
  const scale = engine.upload(Float32Array.of(s), [1, 1, 1]);
  const out = engine.run({ fn: scaleBy, output: g.shape }, g, scale);
  scale.release();
  g.release();
  return out;
}
