/** Shape bookkeeping around kernels/total-variation.ts: the three forms of the total variation term. */
import {
  neighbourSlope,
  neighbourTerm,
  neighbourTvBackward,
  neighbourTvRows,
  powerOf,
  powTvBackward,
  powTvRows,
} from '../../kernels/total-variation.js';
import type { Engine } from '../engine/engine.js';
import type { Tensor } from '../engine/tensor.js';
import { sumOfRows, type LossTerm } from './loss.js';

/**
 * squared: sum of squared neighbour differences (neural-style); abs: sum of absolute ones
 * (tf.image.total_variation); pow: sum over pixels of (dy^2 + dx^2)^power (the Keras examples).
 */
export type TvForm = { norm: 'squared' } | { norm: 'abs' } | { norm: 'pow'; power: number };

export const TV_NORMS = ['squared', 'abs', 'pow'] as const;
export type TvNorm = (typeof TV_NORMS)[number];

/**
 * k with TV(s x) = s^k TV(x): 2 for squared, 1 for abs, 2 p for pow. A recipe that takes the
 * TV of an image on another scale (the TF tutorial's [0, 1] pixels) gets it from the network's
 * 0..255 image as TV / s^k.
 */
export function tvDegree(form: TvForm): number {
  return form.norm === 'squared' ? 2 : form.norm === 'abs' ? 1 : 2 * form.power;
}

/** weight * TV(image) in the given form, and its gradient with respect to the image. */
export function totalVariation(engine: Engine, image: Tensor, form: TvForm, weight: number): LossTerm {
  const [c, height, width] = image.shape;
  const size = { height, width };
  const rowOutput: [number, number, number] = [c, height, 1];
  let rows: Tensor;
  let gradient: Tensor;
  if (form.norm === 'pow') {
    const power = form.power;
    rows = engine.run({ fn: powTvRows, output: rowOutput, constants: { ...size, power }, functions: [powerOf] }, image);
    gradient = engine.run(
      { fn: powTvBackward, output: image.shape, constants: { ...size, power, scale: 2 * weight }, functions: [powerOf] },
      image,
    );
  } else {
    const absolute = form.norm === 'abs' ? 1 : 0;
    rows = engine.run({ fn: neighbourTvRows, output: rowOutput, constants: { ...size, absolute }, functions: [neighbourTerm] }, image);
    gradient = engine.run(
      { fn: neighbourTvBackward, output: image.shape, constants: { ...size, absolute, scale: absolute ? weight : 2 * weight }, functions: [neighbourSlope] },
      image,
    );
  }
  return { value: weight * sumOfRows(engine, rows), gradient };
}
