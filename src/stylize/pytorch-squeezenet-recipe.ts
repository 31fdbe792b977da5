/**
 * Article 002's recipe (../shared/seeds/002_*.txt: PyTorch, SqueezeNet 1.0 features) as
 * `nst stylize` options, exactly as a user would type them: the data of the future
 * `--preset pytorch-squeezenet` (the presets are issue 11's; until they land, README gives
 * this as a command line, and test/pytorch-squeezenet-recipe.test.ts parses it).
 *
 * From the article's code:
 * - content: F.mse_loss at its module 8 (fire6), weight 1;
 * - style: 1e6 * sum_l w_l * F.mse_loss(G_l, A_l), G = F F^T / (C H W), at its modules 0, 3,
 *   4, 5, 6, 7, 8, 9 with w = 1.0, 0.8, 0.65, 0.5, 0.45, 0.3, 0.1, 0.15 (the network's
 *   default layers, src/stylize/defaults.ts); no total variation term;
 * - Adam, lr 0.003, 1999 steps (range(1, 2000)) from the content image, max pooling.
 * Choices where the article and nst differ:
 * - Network: the article uses squeezenet1_0, whose weights are not available offline here;
 *   the recipe runs on squeezenet1_1 (its layers mapped by name, defaults.ts). With v1.0
 *   weights, `--model squeezenet1_0` runs the article's own layers.
 * - Learning rate: the article's image lives in torchvision's normalised space
 *   z = (p/255 - m)/s; nst's in p - mean. A step of 0.003 in z is 0.003 * 255 * s_c in ours:
 *   0.175, 0.171, 0.172 for R, G, B. Adam's steps do not depend on the gradient's scale, so one
 *   rate, 0.003 * 255 * 0.226 = 0.173 (s averaged), reproduces them within 1.3% per channel.
 * - Size: the article scales the shorter side to 256; --size is the longer side: 256 here.
 */
import type { RawStylizeOptions } from './config.js';

export const PYTORCH_SQUEEZENET_RECIPE = {
  name: 'pytorch-squeezenet',
  article: '002_1544981574cd2977.txt',
  options: {
    model: 'squeezenet1_1',
    size: '256',
    iterations: '1999',
    init: 'content',
    optimizer: 'adam',
    learningRate: '0.173',
    contentWeight: '1',
    styleWeight: '1e6',
    tvWeight: '0',
    pooling: 'max',
  } satisfies RawStylizeOptions,
} as const;
