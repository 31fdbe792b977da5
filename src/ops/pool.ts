/** Shape bookkeeping around kernels/pool.ts. */
import { avgPoolBackward, avgPoolForward, maxPoolBackward, maxPoolForward } from '../../kernels/pool.js';
import type { Engine } from '../engine/engine.js';
import type { Shape3, Tensor } from '../engine/tensor.js';

export type PoolingKind = 'max' | 'avg';

/** 2x2, stride 2, floor: an odd last row or column is dropped, as in VGG. */
export function pooledShape([c, h, w]: Shape3): Shape3 {
  return [c, Math.floor(h / 2), Math.floor(w / 2)];
}

export function pool2x2(engine: Engine, x: Tensor, kind: PoolingKind): Tensor {
  const output = pooledShape(x.shape);
  if (output[1] === 0 || output[2] === 0) {
    throw new Error(`pool2x2: input [${x.shape.join(', ')}] is too small to pool`);
  }
  return engine.run({ fn: kind === 'max' ? maxPoolForward : avgPoolForward, output }, x);
}

/** dL/dx from dL/dout; `input` is the forward input (max pool re-derives its arg-max from it). */
export function pool2x2Backward(engine: Engine, gradOutput: Tensor, input: Tensor, kind: PoolingKind): Tensor {
  const constants = { outHeight: gradOutput.shape[1], outWidth: gradOutput.shape[2] };
  return kind === 'max'
    ? engine.run({ fn: maxPoolBackward, output: input.shape, constants }, gradOutput, input)
    : engine.run({ fn: avgPoolBackward, output: input.shape, constants }, gradOutput);
}
