/**
 * The fixed small case on which each preset's objective is compared with its float64
 * reference (test/recipes.test.ts) and with PyTorch (scripts/make-recipe-fixture.py): VGG19
 * shrunk 16-fold with random weights, and 8-bit-like images (whole pixel values on 2x2 blocks,
 * so neighbours tie where the abs and pow total variations have their kinks).
 */
import type { Shape3 } from '../engine/tensor.js';
import { VGG_MEAN_RGB } from '../models/vgg-family.js';
import { VGG19 } from '../models/vgg19.js';
import type { ConvWeights } from '../weights/model-weights.js';
import { Rng } from './random.js';
import { randomWeights } from './random-weights.js';

export interface RecipeTestInputs {
  convs: ConvWeights[];
  shape: Shape3;
  styleShape: Shape3;
  /** Network input (0..255 minus the mean), planar. */
  content: Float32Array;
  style: Float32Array;
  /** The point evaluated, as network input and as RGB in [0, 1] (the same image). */
  x: Float32Array;
  y: Float32Array;
}

/** Whole pixel values 0..255 on 2x2 blocks, planar RGB. */
function photoLike(rng: Rng, shape: Shape3): Float32Array {
  return rng.blocks(shape, 2).map((v) => Math.min(255, Math.max(0, Math.round(128 + 60 * v))));
}

function minusMean(pixels: Float32Array): Float32Array {
  const plane = pixels.length / 3;
  return pixels.map((v, i) => v - VGG_MEAN_RGB[Math.floor(i / plane)]);
}

export function recipeTestInputs(): RecipeTestInputs {
  const rng = new Rng(11);
  const shape: Shape3 = [3, 18, 22];
  const styleShape: Shape3 = [3, 20, 17];
  const convs = randomWeights(VGG19, rng, 16);
  const content = minusMean(photoLike(rng, shape));
  const style = minusMean(photoLike(rng, styleShape));
  const pixels = photoLike(rng, shape);
  return { convs, shape, styleShape, content, style, x: minusMean(pixels), y: pixels.map((v) => v / 255) };
}
