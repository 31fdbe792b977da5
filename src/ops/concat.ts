/** Shape bookkeeping around kernels/concat.ts. */
import { concatChannels, sliceChannels } from '../../kernels/concat.js';
import type { Engine } from '../engine/engine.js';
import type { Tensor } from '../engine/tensor.js';

/** [a; b] along the channel axis. */
export function concat(engine: Engine, a: Tensor, b: Tensor): Tensor {
  const [ca, h, w] = a.shape;
  if (b.shape[1] !== h || b.shape[2] !== w) throw new Error(`concat: [${a.shape.join(', ')}] and [${b.shape.join(', ')}] differ in size`);
  return engine.run({ fn: concatChannels, output: [ca + b.shape[0], h, w], constants: { firstChannels: ca } }, a, b);
}

/** The split: dL/da and dL/db from dL/d[a; b], where a had `firstChannels` channels. Releases the gradient. */
export function splitAndRelease(engine: Engine, gradient: Tensor, firstChannels: number): [Tensor, Tensor] {
  const [c, h, w] = gradient.shape;
  const first = engine.run({ fn: sliceChannels, output: [firstChannels, h, w], constants: { offset: 0 } }, gradient);
  const second = engine.run({ fn: sliceChannels, output: [c - firstChannels, h, w], constants: { offset: firstChannels } }, gradient);
  gradient.release();
  return [first, second];
}
