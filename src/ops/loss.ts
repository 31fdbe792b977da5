/**
 * The loss terms of DESIGN.md section 1 on device tensors. Each returns its value (read back:
 * one float) and its gradient (left on the device, to be released by the caller).
 */
import { scaledDifference, squaredDifferenceRows, totalVariationBackward, totalVariationRows } from '../../kernels/loss.js';
import { absoluteRows, sumChannels, sumColumn } from '../../kernels/reduce.js';
import { scaleBy } from '../../kernels/elementwise.js';
import type { Engine } from '../engine/engine.js';
import { sameShape, type Tensor } from '../engine/tensor.js';

export interface LossTerm {
  value: number;
  gradient: Tensor;
}

/** Finishes a sum from row sums [C][H][1] to a host number; releases `rows`. */
function sumOfRows(engine: Engine, rows: Tensor): number {
  const [c, h] = rows.shape;
  const columns = engine.run({ fn: sumColumn, output: [c, 1, 1], constants: { extent: h } }, rows);
  rows.release();
  const total = engine.run({ fn: sumChannels, output: [1, 1, 1], constants: { extent: c } }, columns);
  columns.release();
  return engine.takeScalar(total);
}

/**
 * weight * mean((a - b)^2) over all cells, and its gradient with respect to a:
 * content uses it with a = F(x), b = F(content); style with a = G(x), b = A.
 */
export function weightedMeanSquaredError(engine: Engine, a: Tensor, b: Tensor, weight: number): LossTerm {
  if (!sameShape(a.shape, b.shape)) throw new Error(`mse: shapes [${a.shape.join(', ')}] and [${b.shape.join(', ')}] differ`);
  const [c, h, w] = a.shape;
  const n = a.size;
  const rows = engine.run({ fn: squaredDifferenceRows, output: [c, h, 1], constants: { width: w } }, a, b);
  const value = (weight / n) * sumOfRows(engine, rows);
  const gradient = engine.run({ fn: scaledDifference, output: a.shape, constants: { scale: (2 * weight) / n } }, a, b);
  return { value, gradient };
}

/** weight * total variation (squared forward differences), and its gradient. */
export function totalVariation(engine: Engine, image: Tensor, weight: number): LossTerm {
  const [c, height, width] = image.shape;
  const rows = engine.run({ fn: totalVariationRows, output: [c, height, 1], constants: { height, width } }, image);
  const value = weight * sumOfRows(engine, rows);
  const gradient = engine.run({ fn: totalVariationBackward, output: image.shape, constants: { height, width, scale: 2 * weight } }, image);
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
  const scale = engine.upload(Float32Array.of(weight / (l1Norm(engine, g) + 1e-8)), [1, 1, 1]);
  const out = engine.run({ fn: scaleBy, output: g.shape }, g, scale);
  scale.release();
  g.release();
  return out;
}
