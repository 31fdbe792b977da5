/**
 * The objective of each preset (src/stylize/presets.ts) in float64, written straight from its
 * source: the articles' code in ../shared/seeds, transcribed with their own constants, layer
 * names and reductions, and nothing from the presets or the engine's option handling. The
 * fidelity tests compare the engine's objective, built from a preset, with these.
 *
 * Images are planar [C][H][W]. The Keras recipes work on preprocess_input's output (BGR, minus
 * the mean, 0..255): this tool's network input up to the order of the channels, which none of
 * these formulas depends on. Keras's block<i>_conv<j> is a conv with its ReLU: relu<i>_<j> here.
 */
import type { ConvWeights } from '../weights/model-weights.js';
import { VGG_MEAN_RGB } from '../models/vgg-family.js';
import { vggForwardRef } from './network-reference.js';
import type { HostTensor } from './reference.js';

export interface RecipeLosses {
  content: number;
  style: number;
  tv: number;
  total: number;
}

/** What every recipe needs besides the image being optimised: the network and the two images, network input. */
export interface RecipeInputs {
  convs: readonly ConvWeights[];
  content: HostTensor;
  style: HostTensor;
}

/** The image the recipe optimises, in the recipe's own pixel space. */
export type RecipeLoss = (x: HostTensor, inputs: RecipeInputs) => RecipeLosses;

const sum = (a: ArrayLike<number>) => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i];
  return s;
};
const squareOfDifference = (a: Float64Array, b: Float64Array) => a.map((v, i) => (v - b[i]) ** 2);
const mean = (a: Float64Array) => sum(a) / a.length;

function features(image: HostTensor, convs: readonly ConvWeights[], deepest: string) {
  return vggForwardRef(image, convs, deepest, 'max');
}

/** features . features^T of a [C][H][W] map (K.dot(features, K.transpose(features)) after batch_flatten). */
function gramUnnormalised(f: HostTensor): Float64Array {
  const [c, h, w] = f.shape;
  const n = h * w;
  const g = new Float64Array(c * c);
  for (let a = 0; a < c; a++) {
    for (let b = 0; b < c; b++) {
      let s = 0;
      for (let k = 0; k < n; k++) s += f.data[a * n + k] * f.data[b * n + k];
      g[a * c + b] = s;
    }
  }
  return g;
}

/** x[c][y][x] of a planar image. */
const pixel = (t: HostTensor, c: number, y: number, x: number) => t.data[(c * t.shape[1] + y) * t.shape[2] + x];

/**
 * The Keras examples' total variation (article 003; article 004 with its typo mended):
 *   a = square(x[:, :H-1, :W-1, :] - x[:, 1:, :W-1, :])
 *   b = square(x[:, :H-1, :W-1, :] - x[:, :H-1, 1:, :])
 *   return sum(pow(a + b, 1.25))
 */
function kerasTotalVariation(x: HostTensor): number {
  const [channels, h, w] = x.shape;
  let total = 0;
  for (let c = 0; c < channels; c++) {
    for (let i = 0; i < h - 1; i++) {
      for (let j = 0; j < w - 1; j++) {
        const a = (pixel(x, c, i, j) - pixel(x, c, i + 1, j)) ** 2;
        const b = (pixel(x, c, i, j) - pixel(x, c, i, j + 1)) ** 2;
        total += (a + b) ** 1.25;
      }
    }
  }
  return total;
}

/**
 * tf.image.total_variation of one image:
 *   pixel_dif1 = images[1:, :, :] - images[:-1, :, :];  pixel_dif2 = images[:, 1:, :] - images[:, :-1, :]
 *   tot_var = reduce_sum(abs(pixel_dif1)) + reduce_sum(abs(pixel_dif2))
 */
function tfTotalVariation(x: HostTensor): number {
  const [channels, h, w] = x.shape;
  let dif1 = 0;
  let dif2 = 0;
  for (let c = 0; c < channels; c++) {
    for (let i = 0; i < h; i++) {
      for (let j = 0; j < w; j++) {
        if (i >= 1) dif1 += Math.abs(pixel(x, c, i, j) - pixel(x, c, i - 1, j));
        if (j >= 1) dif2 += Math.abs(pixel(x, c, i, j) - pixel(x, c, i, j - 1));
      }
    }
  }
  return dif1 + dif2;
}

const KERAS_CONTENT_LAYER = 'relu5_2'; // block5_conv2
const KERAS_STYLE_LAYERS = ['relu1_1', 'relu2_1', 'relu3_1', 'relu4_1', 'relu5_1']; // block1_conv1 ... block5_conv1

/**
 * compute_loss of the Keras examples, with their weights and total variation:
 *   content_loss(base, combination) = sum(square(combination - base))
 *   style_loss(style, combination) = sum(square(S - C)) / (4.0 * (channels ** 2) * (size ** 2)),
 *       channels = 3, size = img_height * img_width, S and C unnormalised Gram matrices
 *   loss = content_weight * content_loss + sum over layers (style_weight / len(style_layers)) * style_loss
 *        + total_variation_weight * total_variation_loss(combination_image)
 */
function kerasLoss(weights: { content: number; style: number; tv: number }, totalVariation: (x: HostTensor) => number): RecipeLoss {
  return (x, { convs, content, style }) => {
    const combinationFeatures = features(x, convs, KERAS_CONTENT_LAYER);
    const baseFeatures = features(content, convs, KERAS_CONTENT_LAYER);
    const styleFeatures = features(style, convs, KERAS_CONTENT_LAYER);
    const contentLoss = sum(squareOfDifference(combinationFeatures.get(KERAS_CONTENT_LAYER)!.data, baseFeatures.get(KERAS_CONTENT_LAYER)!.data));
    const channels = 3;
    const size = x.shape[1] * x.shape[2];
    let styleLoss = 0;
    for (const layer of KERAS_STYLE_LAYERS) {
      const S = gramUnnormalised(styleFeatures.get(layer)!);
      const C = gramUnnormalised(combinationFeatures.get(layer)!);
      styleLoss += (weights.style / KERAS_STYLE_LAYERS.length) * (sum(squareOfDifference(S, C)) / (4.0 * channels ** 2 * size ** 2));
    }
    const weightedContent = weights.content * contentLoss;
    const tv = weights.tv * totalVariation(x);
    return { content: weightedContent, style: styleLoss, tv, total: weightedContent + styleLoss + tv };
  };
}

/** Article 003, keras.io: total_variation_weight = 1e-6, style_weight = 1e-6, content_weight = 2.5e-8. */
export const kerasExampleLoss: RecipeLoss = kerasLoss({ content: 2.5e-8, style: 1e-6, tv: 1e-6 }, kerasTotalVariation);

/** Article 000's program: content_weight = 0.025, style_weight = 1.0, total_variation_weight = 1.0, tf.image.total_variation. */
export const kerasLbfgsProgramLoss: RecipeLoss = kerasLoss({ content: 0.025, style: 1.0, tv: 1.0 }, tfTotalVariation);

/** Article 004: total_variation_weight = 1e-4, style_weight = 1., content_weight = 0.025. */
export const kerasBookLoss: RecipeLoss = kerasLoss({ content: 0.025, style: 1.0, tv: 1e-4 }, kerasTotalVariation);

/**
 * The TensorFlow Adam recipe (articles 000 and 001, the TF tutorial's pixels): the optimised
 * image is RGB in [0, 1]; the model sees inputs * 255 minus the mean.
 *   content_loss = reduce_mean(square(base_content - target_content))            at conv4_2, weight 1e3
 *   gram_matrix = einsum('bijc,bijd->bcd', x, x) / (H * W)
 *   style_loss = reduce_mean(square(S - G)), s_loss += style_loss / len(style_features), weight 1e-2
 *   total_variation_weight * tf.image.total_variation(image), weight 30
 */
export const tfAdamLoss: RecipeLoss = (y, { convs, content, style }) => {
  const planeSize = y.shape[1] * y.shape[2];
  const x: HostTensor = { shape: y.shape, data: y.data.map((v, i) => v * 255 - VGG_MEAN_RGB[Math.floor(i / planeSize)]) };
  const deepest = 'relu5_1';
  const generated = features(x, convs, deepest);
  const contentFeatures = features(content, convs, deepest);
  const styleFeatures = features(style, convs, deepest);
  const contentLoss = mean(squareOfDifference(contentFeatures.get('relu4_2')!.data, generated.get('relu4_2')!.data));
  const gram = (f: HostTensor) => gramUnnormalised(f).map((v) => v / (f.shape[1] * f.shape[2]));
  let styleLoss = 0;
  for (const layer of KERAS_STYLE_LAYERS) {
    styleLoss += mean(squareOfDifference(gram(styleFeatures.get(layer)!), gram(generated.get(layer)!))) / KERAS_STYLE_LAYERS.length;
  }
  const c = 1e3 * contentLoss;
  const s = 1e-2 * styleLoss;
  const tv = 30 * tfTotalVariation(y);
  return { content: c, style: s, tv, total: c + s + tv };
};

/**
 * jcjohnson/neural-style's defaults, DESIGN.md section 1: content mean((F - P)^2) at relu4_2,
 * weight 5; style mean((G - A)^2) with G = F F^T / (C H W) at relu1_1 ... relu5_1, weight 100
 * each; total variation sum of squared neighbour differences, weight 1e-3.
 */
export const neuralStyleLoss: RecipeLoss = (x, { convs, content, style }) => {
  const deepest = 'relu5_1';
  const generated = features(x, convs, deepest);
  const contentFeatures = features(content, convs, deepest);
  const styleFeatures = features(style, convs, deepest);
  const c = 5 * mean(squareOfDifference(generated.get('relu4_2')!.data, contentFeatures.get('relu4_2')!.data));
  const gram = (f: HostTensor) => gramUnnormalised(f).map((v) => v / f.data.length);
  let s = 0;
  for (const layer of KERAS_STYLE_LAYERS) s += 100 * mean(squareOfDifference(gram(generated.get(layer)!), gram(styleFeatures.get(layer)!)));
  const [channels, h, w] = x.shape;
  let tv = 0;
  for (let ch = 0; ch < channels; ch++) {
    for (let i = 0; i < h; i++) {
      for (let j = 0; j < w; j++) {
        if (i + 1 < h) tv += (pixel(x, ch, i + 1, j) - pixel(x, ch, i, j)) ** 2;
        if (j + 1 < w) tv += (pixel(x, ch, i, j + 1) - pixel(x, ch, i, j)) ** 2;
      }
    }
  }
  tv *= 1e-3;
  return { content: c, style: s, tv, total: c + s + tv };
};

/** Each preset that runs today with the reference of its source. */
export const RECIPE_REFERENCES: Readonly<Record<string, RecipeLoss>> = {
  'neural-style': neuralStyleLoss,
  keras: kerasExampleLoss,
  'keras-lbfgs': kerasLbfgsProgramLoss,
  'keras-lbfgs-book': kerasBookLoss,
  'tf-adam': tfAdamLoss,
};
