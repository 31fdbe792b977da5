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
import type { Shape3, Tensor } from '../engine/tensor.js';
import { sumOfRows, type LossTerm } from './loss.js';
import { addPixels, cropPixels } from './window.js';

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
  return { value: weight * sumOfRows(engine, tvRows(engine, image, form)), gradient: tvGradient(engine, image, form, weight) };
}

/** [C][H][1]: the sum of the terms that start in each row (a pixel's differences to its lower and right neighbours). */
function tvRows(engine: Engine, image: Tensor, form: TvForm): Tensor {
  const [c, height, width] = image.shape;
  const output: [number, number, number] = [c, height, 1];
  if (form.norm === 'pow') {
    return engine.run({ fn: powTvRows, output, constants: { height, width, power: form.power }, functions: [powerOf] }, image);
  }
  const absolute = form.norm === 'abs' ? 1 : 0;
  return engine.run({ fn: neighbourTvRows, output, constants: { height, width, absolute }, functions: [neighbourTerm] }, image);
}

function tvGradient(engine: Engine, image: Tensor, form: TvForm, weight: number): Tensor {
  const [, height, width] = image.shape;
  if (form.norm === 'pow') {
    const constants = { height, width, power: form.power, scale: 2 * weight };
    return engine.run({ fn: powTvBackward, output: image.shape, constants, functions: [powerOf] }, image);
  }
  const absolute = form.norm === 'abs' ? 1 : 0;
  const constants = { height, width, absolute, scale: absolute ? weight : 2 * weight };
  return engine.run({ fn: neighbourTvBackward, output: image.shape, constants, functions: [neighbourSlope] }, image);
}

/**
 * weight * TV of a planar [C][H][W] image on the host, computed on the device in bands of
 * `bandRows` rows; its gradient is added into `gradient`. The same value and gradient as
 * totalVariation on the whole image, with the device memory and read-backs of one band: at
 * 4096 px the whole image's upload, gradient and read-back copies are about 0.8 GB.
 * Every term of every form joins a pixel to its lower and right neighbours, so the terms
 * that start in rows [r0, r1) need rows [r0, r1] (row r1 as lower neighbours), and the
 * gradient of rows [r0, r1) needs rows [r0 - 1, r1] (the terms that start in the row above
 * end there). Each band is uploaded with those extra rows; what the kernels make of the extra
 * rows themselves (taken for the image's edge) is not used.
 */
export function totalVariationInBands(engine: Engine, pixels: Float32Array, shape: Shape3, form: TvForm, weight: number, bandRows: number, gradient: Float32Array): number {
  const [c, height, width] = shape;
  if (!(Number.isInteger(bandRows) && bandRows >= 1)) throw new RangeError(`TV bands: bandRows must be a positive integer, got ${bandRows}`);
  const cols = { start: 0, end: width };
  let value = 0;
  for (let r0 = 0; r0 < height; r0 += bandRows) {
    const r1 = Math.min(height, r0 + bandRows);
    const top = Math.max(0, r0 - 1);
    const rows = Math.min(height, r1 + 1) - top;
    const bandShape: Shape3 = [c, rows, width];
    const image = engine.upload(cropPixels(pixels, shape, { rows: { start: top, end: top + rows }, cols }), bandShape);
    const rowSums = tvRows(engine, image, form);
    const sums = engine.read(rowSums);
    rowSums.release();
    const bandGradient = tvGradient(engine, image, form, weight);
    image.release();
    // The band's own rows, without the extra ones above and below.
    const own = { rows: { start: r0 - top, end: r1 - top }, cols };
    addPixels(gradient, shape, { rows: { start: r0, end: r1 }, cols }, cropPixels(engine.read(bandGradient), bandShape, own));
    bandGradient.release();
    for (let z = 0; z < c; z++) {
      for (let y = own.rows.start; y < own.rows.end; y++) value += sums[z * rows + y];
    }
  }
  return weight * value;
}
