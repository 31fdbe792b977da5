/**
 * The pytorch-squeezenet preset (article 002, src/stylize/presets.ts; test/recipes.test.ts
 * covers the VGG19 presets): its options are the article's numbers, and the objective it
 * configures, built as `nst stylize --preset pytorch-squeezenet` builds it, on SqueezeNet 1.1
 * with small random weights, equals the article's loss written straight from its code in float64:
 *   z = (rgb/255 - m)/s,  total = 1e6 * sum_l w_l mean((G_l(z) - G_l(style))^2) + mean((F(z) - F(content))^2),
 *   G = F F^T / (C H W),
 * value and gradient with respect to z (the article's Adam moves z), against central differences.
 */
import { describe, expect, it } from 'vitest';
import { Engine } from '../src/engine/engine.js';
import type { Shape3 } from '../src/engine/tensor.js';
import { Rng } from '../src/check/random.js';
import { randomWeights } from '../src/check/random-weights.js';
import { SQUEEZENET1_1 } from '../src/models/squeezenet1_1.js';
import { Network } from '../src/network/network.js';
import { networkForwardRef } from '../src/reference/network-reference.js';
import { gramRef } from '../src/reference/reference.js';
import { parseStylizeConfig } from '../src/stylize/config.js';
import { createRecipeObjective } from '../src/stylize/recipe-objective.js';
import { centralDifferenceError } from './helpers/finite-differences.js';

const config = parseStylizeConfig('cat.jpg', ['starry_night.jpg'], { preset: 'pytorch-squeezenet', output: 'out.png' });
const ARTICLE_STYLE_WEIGHTS = [1.0, 0.8, 0.65, 0.5, 0.45, 0.3, 0.1, 0.15];
/** The shared SqueezeNet 1.1 weights take rgb minus this (their manifest). */
const WEIGHTS_MEAN: [number, number, number] = [122.679, 116.669, 104.006];
/** torchvision's normalisation, as the article's transform. */
const M = [0.485, 0.456, 0.406];
const S = [0.229, 0.224, 0.225];

describe('pytorch-squeezenet preset (article 002)', () => {
  it("sets the article's options", () => {
    expect(config).toMatchObject({
      preset: 'pytorch-squeezenet',
      model: 'squeezenet1_1',
      contentLayers: ['fire6'],
      styleLayers: ['conv1', 'fire2', 'fire3', 'fire4', 'pool3', 'fire5', 'fire6', 'fire7'],
      styleLayerWeights: ARTICLE_STYLE_WEIGHTS,
      contentWeight: 1,
      contentLoss: 'mean',
      styleWeight: 1e6,
      styleLoss: 'mean',
      gramNorm: 'chw',
      styleWeightSplit: 'each',
      tvWeight: 0,
      pixelSpace: 'torchvision',
      optimizer: 'adam',
      learningRate: 0.003,
      adam: { beta1: 0.9, beta2: 0.999, epsilon: 1e-8, epsilonForm: 'pytorch' },
      iterations: 1999,
      init: 'content',
      pooling: 'max',
    });
  });

  it("configures the article's loss on the normalised image, value and gradient", () => {
    const weights = randomWeights(SQUEEZENET1_1, new Rng(21), 4);
    const shape: Shape3 = [3, 40, 44];
    const plane = shape[1] * shape[2];
    const rng = new Rng(22);
    const rgb = () => rng.normals(3 * plane, 50).map((v) => 128 + v);
    const minusMean = (p: Float32Array) => p.map((v, i) => v - WEIGHTS_MEAN[Math.floor(i / plane)]);
    const content = minusMean(rgb());
    const style = minusMean(rgb());
    // The point, as the article's normalised image z.
    const z = rgb().map((v, i) => (v / 255 - M[Math.floor(i / plane)]) / S[Math.floor(i / plane)]);

    /** The article's loss of z; the network reads pixels minus the weights' mean, p = 255 (s z + m). */
    const article = (image: Float64Array): number => {
      const pixelsMinusMean = image.map((v, i) => 255 * (S[Math.floor(i / plane)] * v + M[Math.floor(i / plane)]) - WEIGHTS_MEAN[Math.floor(i / plane)]);
      const act = (x: Float32Array | Float64Array) => networkForwardRef(SQUEEZENET1_1, { shape, data: Float64Array.from(x) }, weights, 'fire7', 'max');
      const [mine, contentActs, styleActs] = [act(pixelsMinusMean), act(content), act(style)];
      const mse = (a: Float64Array, b: Float64Array) => a.reduce((sum, v, i) => sum + (v - b[i]) ** 2, 0) / a.length;
      let styleLoss = 0;
      ['conv1', 'fire2', 'fire3', 'fire4', 'pool3', 'fire5', 'fire6', 'fire7'].forEach((layer, k) => {
        styleLoss += ARTICLE_STYLE_WEIGHTS[k] * mse(gramRef(mine.get(layer)!).data, gramRef(styleActs.get(layer)!).data);
      });
      return 1e6 * styleLoss + mse(mine.get('fire6')!.data, contentActs.get('fire6')!.data);
    };

    const engine = Engine.create('cpu');
    const net = new Network(engine, SQUEEZENET1_1, weights, config.pooling);
    const recipe = createRecipeObjective(engine, net, config, shape, content, [{ pixels: style, shape, blend: 1 }], WEIGHTS_MEAN);
    const gradient = new Float32Array(z.length);
    const value = recipe.f(z, gradient);
    recipe.objective.dispose();
    net.dispose();
    engine.destroy();

    const expected = article(Float64Array.from(z));
    expect(Math.abs(value - expected) / expected).toBeLessThan(1e-4);
    const { worst, scale } = centralDifferenceError(article, z, gradient, [5, 1000, 3333, 5000], 1e-5);
    expect(scale).toBeGreaterThan(0);
    expect(worst / scale).toBeLessThan(2e-3);
  });
});
