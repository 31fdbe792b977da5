/**
 * Article 002's recipe (src/stylize/pytorch-squeezenet-recipe.ts): the options parse to the
 * article's numbers, and the objective they configure, on SqueezeNet 1.1 with small random
 * weights, equals the article's loss written straight from its code in float64:
 *   total = 1e6 * sum_l w_l * mean((G_l(x) - G_l(s))^2) + mean((F(x) - F(c))^2),  G = F F^T / (C H W)
 * with its gradient against finite differences.
 */
import { describe, expect, it } from 'vitest';
import { Engine } from '../src/engine/engine.js';
import type { Shape3 } from '../src/engine/tensor.js';
import { Rng } from '../src/check/random.js';
import { randomWeights } from '../src/check/random-weights.js';
import { StyleTransferObjective } from '../src/loss/objective.js';
import { SQUEEZENET1_1 } from '../src/models/squeezenet1_1.js';
import { Network } from '../src/network/network.js';
import { networkForwardRef } from '../src/reference/network-reference.js';
import { gramRef } from '../src/reference/reference.js';
import { parseStylizeConfig } from '../src/stylize/config.js';
import { PYTORCH_SQUEEZENET_RECIPE } from '../src/stylize/pytorch-squeezenet-recipe.js';

const config = parseStylizeConfig('cat.jpg', ['starry_night.jpg'], { ...PYTORCH_SQUEEZENET_RECIPE.options, output: 'out.png' });
const ARTICLE_STYLE_WEIGHTS = [1.0, 0.8, 0.65, 0.5, 0.45, 0.3, 0.1, 0.15];

describe('article 002 recipe (pytorch-squeezenet)', () => {
  it("sets the article's options", () => {
    expect(config).toMatchObject({
      model: 'squeezenet1_1',
      contentLayers: ['fire6'],
      styleLayers: ['conv1', 'fire2', 'fire3', 'fire4', 'pool3', 'fire5', 'fire6', 'fire7'],
      styleLayerWeights: ARTICLE_STYLE_WEIGHTS,
      contentWeight: 1,
      styleWeight: 1e6,
      tvWeight: 0,
      optimizer: 'adam',
      iterations: 1999,
      init: 'content',
      pooling: 'max',
    });
    // 0.003 in torchvision's normalised space is 0.003 * 255 * s_c here, s = [0.229, 0.224, 0.225].
    for (const s of [0.229, 0.224, 0.225]) expect(Math.abs(config.learningRate / (0.003 * 255 * s) - 1)).toBeLessThan(0.013);
  });

  it("configures the article's loss, value and gradient", () => {
    const weights = randomWeights(SQUEEZENET1_1, new Rng(21), 4);
    const shape: Shape3 = [3, 40, 44];
    const rng = new Rng(22);
    const content = rng.normals(3 * 40 * 44, 30);
    const style = rng.normals(3 * 40 * 44, 30);
    const x = rng.normals(content.length, 30);

    const article = (image: Float64Array): number => {
      const deepest = 'fire7';
      const act = (img: Float32Array | Float64Array) => networkForwardRef(SQUEEZENET1_1, { shape, data: Float64Array.from(img) }, weights, deepest, 'max');
      const [mine, contentActs, styleActs] = [act(image), act(content), act(style)];
      const mse = (a: Float64Array, b: Float64Array) => a.reduce((sum, v, i) => sum + (v - b[i]) ** 2, 0) / a.length;
      let styleLoss = 0;
      config.styleLayers.forEach((layer, k) => {
        styleLoss += ARTICLE_STYLE_WEIGHTS[k] * mse(gramRef(mine.get(layer)!).data, gramRef(styleActs.get(layer)!).data);
      });
      return 1e6 * styleLoss + mse(mine.get('fire6')!.data, contentActs.get('fire6')!.data);
    };

    const engine = Engine.create('cpu');
    const net = new Network(engine, SQUEEZENET1_1, weights, config.pooling);
    const objective = new StyleTransferObjective(engine, net, config, shape, content, [{ pixels: style, shape, blend: 1 }]);
    const gradient = new Float32Array(x.length);
    const value = objective.evaluate(x, gradient);
    objective.dispose();
    net.dispose();
    engine.destroy();

    const expected = article(Float64Array.from(x));
    expect(Math.abs(value - expected) / expected).toBeLessThan(1e-4);
    const h = 1e-3;
    for (const i of [5, 1000, 3333, 5000]) {
      const plus = Float64Array.from(x);
      const minus = Float64Array.from(x);
      plus[i] += h;
      minus[i] -= h;
      const fd = (article(plus) - article(minus)) / (2 * h);
      expect(Math.abs(gradient[i] - fd), `pixel ${i}`).toBeLessThanOrEqual(2e-3 * Math.max(...[fd, gradient[i]].map(Math.abs)) + 1e-9);
    }
  });
});
