/** Shape bookkeeping around kernels/pool-window.ts: K x K windows, stride S, no padding, floor or ceil mode. */
import { avgPoolWindowBackward, avgPoolWindowForward, maxPoolWindowArgMax, maxPoolWindowBackward, maxPoolWindowForward } from '../../kernels/pool-window.js';
import type { Engine } from '../engine/engine.js';
import type { Shape3, Tensor } from '../engine/tensor.js';
import { pooledSize, type PoolGeometry } from './output-size.js';
import type { PoolingKind } from './pool.js';

export function pooledWindowShape([c, h, w]: Shape3, spec: PoolGeometry): Shape3 {
  return [c, pooledSize(h, spec), pooledSize(w, spec)];
}

function constants(input: Shape3, spec: PoolGeometry) {
  return { window: spec.window, stride: spec.stride, inHeight: input[1], inWidth: input[2] };
}

export function poolWindow(engine: Engine, x: Tensor, kind: PoolingKind, spec: PoolGeometry): Tensor {
  const output = pooledWindowShape(x.shape, spec);
  if (output[1] < 1 || output[2] < 1) throw new Error(`pool: input [${x.shape.join(', ')}] is too small to pool`);
  return engine.run({ fn: kind === 'max' ? maxPoolWindowForward : avgPoolWindowForward, output, constants: constants(x.shape, spec) }, x);
}

/**
 * dL/dx from dL/dout. `input` is the forward input: max pooling re-derives its arg-max from
 * it; average pooling needs only its shape, so the shape alone will do there.
 */
export function poolWindowBackward(engine: Engine, gradOutput: Tensor, input: Tensor | Shape3, kind: PoolingKind, spec: PoolGeometry): Tensor {
  const inputShape = 'shape' in input ? input.shape : input;
  const span = Math.ceil(spec.window / spec.stride);
  const call = {
    output: inputShape,
    constants: { ...constants(inputShape, spec), outHeight: gradOutput.shape[1], outWidth: gradOutput.shape[2], span },
  };
  if (kind === 'avg') return engine.run({ ...call, fn: avgPoolWindowBackward }, gradOutput);
  if (!('shape' in input)) throw new Error('max pool backward needs the forward input, not only its shape');
  const argMax = engine.run({ fn: maxPoolWindowArgMax, output: gradOutput.shape, constants: constants(inputShape, spec) }, input);
  const gradInput = engine.run({ ...call, fn: maxPoolWindowBackward }, gradOutput, argMax);
  argMax.release();
  return gradInput;
}
