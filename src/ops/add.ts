import { add as addKernel } from '../../kernels/elementwise.js';
import type { Engine } from '../engine/engine.js';
import { sameShape, type Tensor } from '../engine/tensor.js';

/** a + b; releases both inputs (gradient accumulation consumes its terms). */
export function addAndRelease(engine: Engine, a: Tensor, b: Tensor): Tensor {
  if (!sameShape(a.shape, b.shape)) throw new Error(`add: shapes [${a.shape.join(', ')}] and [${b.shape.join(', ')}] differ`);
  const sum = engine.run({ fn: addKernel, output: a.shape }, a, b);
  a.release();
  b.release();
  return sum;
}
