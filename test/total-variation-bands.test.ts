/**
 * Total variation in bands of rows (src/ops/total-variation.ts, the tiled objective's TV)
 * against the same kernels on the whole image, for every form: the gradient must be the same
 * values (each pixel's is computed from the same neighbours by the same kernel), the value the
 * same sum up to float rounding. Band heights of one row (every band cut on both sides), ones
 * that do not divide the height, and one taller than the image (a single band). Seen to fail
 * (each reverted): the band uploaded without the row above it (gradient off at every cut row),
 * and each band's extra row below kept as its own (counted twice).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../src/engine/engine.js';
import type { Shape3 } from '../src/engine/tensor.js';
import { Rng } from '../src/check/random.js';
import { totalVariation, totalVariationInBands, type TvForm } from '../src/ops/total-variation.js';
import { testBackend } from './backend-under-test.js';

const backend = testBackend();
const SHAPE: Shape3 = [3, 23, 17];
const WEIGHT = 0.37;
const FORMS: Array<[string, TvForm]> = [
  ['squared', { norm: 'squared' }],
  ['abs', { norm: 'abs' }],
  ['pow 1.25', { norm: 'pow', power: 1.25 }],
  ['pow 0.5', { norm: 'pow', power: 0.5 }],
];

describe(`total variation in bands on ${backend}`, () => {
  let engine: Engine;
  let pixels: Float32Array;
  beforeAll(() => {
    engine = Engine.create(backend);
    // Whole numbers, so abs meets equal neighbours (its sign(0) = 0 case) as 8-bit images do.
    const rng = new Rng(7);
    pixels = Float32Array.from({ length: SHAPE[0] * SHAPE[1] * SHAPE[2] }, () => Math.round(rng.uniform() * 20 - 10));
  });
  afterAll(() => engine.destroy());

  describe.each(FORMS)('%s', (_, form) => {
    let whole: { value: number; gradient: Float32Array };
    beforeAll(() => {
      const image = engine.upload(pixels, SHAPE);
      const term = totalVariation(engine, image, form, WEIGHT);
      image.release();
      whole = { value: term.value, gradient: engine.read(term.gradient) };
      term.gradient.release();
    });

    it.each([1, 2, 5, 22, 23, 40])('bands of %i rows: the whole image value and gradient', (bandRows) => {
      const start = 0.5;
      const gradient = new Float32Array(pixels.length).fill(start);
      const value = totalVariationInBands(engine, pixels, SHAPE, form, WEIGHT, bandRows, gradient);
      expect(Math.abs(value - whole.value)).toBeLessThanOrEqual(1e-6 * Math.abs(whole.value));
      expect(whole.value).toBeGreaterThan(0);
      // Added into what the gradient held: the same float32 sums as adding the whole gradient.
      const expected = whole.gradient.map((g) => start + g);
      let worst = 0;
      for (let i = 0; i < expected.length; i++) worst = Math.max(worst, Math.abs(gradient[i] - expected[i]));
      expect(worst).toBeLessThanOrEqual(1e-6 * Math.max(...whole.gradient.map(Math.abs)));
    });
  });

  it('refuses a band of no rows', () => {
    expect(() => totalVariationInBands(engine, pixels, SHAPE, { norm: 'squared' }, 1, 0, new Float32Array(pixels.length))).toThrow(/bandRows/);
  });
});
