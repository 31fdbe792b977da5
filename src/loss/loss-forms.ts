/**
 * The forms the objective's terms take in the recipes this project reproduces (README,
 * "Presets"). They are options of the objective, not special cases: each recipe is a choice
 * of forms and weights.
 */
import type { Shape3 } from '../engine/tensor.js';
import type { Reduction } from '../ops/loss.js';
import type { TvForm } from '../ops/total-variation.js';

/**
 * The factor in G = norm F F^T:
 *  - chw: 1 / (C H W) of the layer (jcjohnson/neural-style, PyTorch's tutorial);
 *  - hw: 1 / (H W) of the layer (the TensorFlow tutorial);
 *  - keras: 1 / (2 * 3 * H * W) with H W the pixels of the image, the same at every layer.
 *    The Keras examples leave G unnormalised and divide the summed squared difference by
 *    4 * channels^2 * size^2 with channels = 3 and size = the image's pixels (Gatys et al.
 *    meant the layer's channels and positions: a known quirk, kept because the recipe's
 *    numbers depend on it). sum((S - C)^2) / (4 * 3^2 * size^2) = sum((S - C)^2 / (6 size)^2),
 *    so it is this normalisation with a summed style loss.
 */
export const GRAM_NORMS = ['chw', 'hw', 'keras'] as const;
export type GramNorm = (typeof GRAM_NORMS)[number];

/** The Keras examples' "channels = 3" (see GramNorm). */
const KERAS_QUIRK_CHANNELS = 3;

export function gramNormalization(norm: GramNorm, features: Shape3, image: Shape3): number {
  const [channels, height, width] = features;
  if (norm === 'chw') return 1 / (channels * height * width);
  if (norm === 'hw') return 1 / (height * width);
  return 1 / (2 * KERAS_QUIRK_CHANNELS * image[1] * image[2]);
}

export const STYLE_WEIGHT_SPLITS = ['each', 'shared'] as const;
/** each: every style layer gets the whole style weight (neural-style); shared: it is divided equally among them (Keras, TF). */
export type StyleWeightSplit = (typeof STYLE_WEIGHT_SPLITS)[number];

export interface LossForms {
  /** Content: mean (neural-style, PyTorch, TF) or sum (Keras) of the squared feature differences. */
  contentLoss: Reduction;
  /** Style: mean or sum of the squared Gram differences. */
  styleLoss: Reduction;
  gramNorm: GramNorm;
  styleWeightSplit: StyleWeightSplit;
  tv: TvForm;
}
