/**
 * The forward pass on the real weights against PyTorch (scripts/make-forward-fixture.py):
 * VGG19's activations at relu1_1 ... relu5_1 for tubingen.jpg at 64x48 (the uint8 bundle), and
 * SqueezeNet 1.1's at every layer from conv1 to fire9 at 130x97 (the float32 bundle; sizes
 * where every ceil-mode pool has a partial window). Our weights come through our own
 * importers; PyTorch's were read by numpy and run by torch's conv2d, max_pool2d and cat, so
 * the layout transposes, the strides, the padding, the pooling and the concatenations are all
 * checked independently.
 *
 * Bound: every sampled activation within ERROR_BOUND of the layer's largest activation, and
 * the layer mean and standard deviation within ERROR_BOUND relative. float32 sums in another
 * order differ by ~1e-6 relative per layer; the bound leaves room for GPU arithmetic.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../src/engine/engine.js';
import { readImage, resize, toNetworkInput } from '../src/image/index.js';
import type { NetworkDescription } from '../src/models/description.js';
import { SQUEEZENET1_1 } from '../src/models/squeezenet1_1.js';
import { VGG19 } from '../src/models/vgg19.js';
import { Network } from '../src/network/network.js';
import { importUint8Bundle } from '../src/weights/import-bundle.js';
import { importFloatBundle } from '../src/weights/import-float-bundle.js';
import type { ModelWeights } from '../src/weights/model-weights.js';
import { testBackend } from './backend-under-test.js';
import { BUNDLE, hasBundle, hasSqueezeNetBundle, REPO, SHARED, SQUEEZENET_BUNDLE } from './helpers/cli.js';

const ERROR_BOUND = 1e-4;

interface LayerFixture {
  shape: [number, number, number];
  mean: number;
  std: number;
  samples: Array<[number, number]>;
}

interface Fixture {
  image: string;
  size: [number, number];
  layers: Record<string, LayerFixture>;
}

const backend = testBackend();

const CASES: Array<{ model: NetworkDescription; present: boolean; weights: () => ModelWeights }> = [
  { model: VGG19, present: hasBundle, weights: () => importUint8Bundle(BUNDLE) },
  { model: SQUEEZENET1_1, present: hasSqueezeNetBundle, weights: () => importFloatBundle(SQUEEZENET_BUNDLE) },
];

describe.each(CASES)('$model.title forward against PyTorch, real weights', ({ model, present, weights }) => {
  const fixture = JSON.parse(readFileSync(join(REPO, `test/fixtures/${model.name}-forward.json`), 'utf8')) as Fixture;
  describe.skipIf(!present)(`on ${backend}`, () => {
    let engine: Engine;
    let net: Network;
    const activations = new Map<string, Float32Array>();

    beforeAll(() => {
      engine = Engine.create(backend);
      const imported = weights();
      net = new Network(engine, model, imported.convs, 'max');
      const [w, h] = fixture.size;
      const image = readImage(join(SHARED, fixture.image.replace('../shared/', '')));
      const input = engine.upload(toNetworkInput(resize(image, w, h), imported.inputMean), [3, h, w]);
      const layers = Object.keys(fixture.layers);
      const pass = net.forward(input, layers, false);
      for (const layer of layers) {
        expect(pass.activation(layer).shape).toEqual(fixture.layers[layer].shape);
        activations.set(layer, engine.read(pass.activation(layer)));
      }
      pass.release();
      input.release();
    });
    afterAll(() => {
      net?.dispose();
      engine?.destroy();
    });

    for (const [layer, expected] of Object.entries(fixture.layers)) {
      it(`${layer} ${JSON.stringify(expected.shape)}`, () => {
        const values = activations.get(layer)!;
        const largest = Math.max(...expected.samples.map(([, v]) => Math.abs(v)), expected.mean + 3 * expected.std);
        const worst = Math.max(...expected.samples.map(([i, v]) => Math.abs(values[i] - v))) / largest;
        expect(worst).toBeLessThan(ERROR_BOUND);
        const mean = values.reduce((s, v) => s + v, 0) / values.length;
        const std = Math.sqrt(values.reduce((s, v) => s + (v - mean) ** 2, 0) / values.length);
        expect(Math.abs(mean - expected.mean) / expected.mean).toBeLessThan(ERROR_BOUND);
        expect(Math.abs(std - expected.std) / expected.std).toBeLessThan(ERROR_BOUND);
      });
    }
  });
});
