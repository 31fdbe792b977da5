/**
 * The forward pass on the real weights against PyTorch (scripts/make-forward-fixture.py):
 * activations at relu1_1 ... relu5_1 for tubingen.jpg at 64x48. Our weights come through our
 * own importer; PyTorch's were dequantised by numpy and run by torch's conv2d, so the layout
 * transposes, the padding and the pooling are all checked independently.
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
import { VGG_MEAN_RGB } from '../src/vgg/layers.js';
import { Vgg19 } from '../src/vgg/network.js';
import { importUint8Bundle } from '../src/weights/import-bundle.js';
import { testBackend } from './backend-under-test.js';
import { BUNDLE, hasBundle, REPO, SHARED } from './helpers/cli.js';

const ERROR_BOUND = 1e-4;

interface LayerFixture {
  shape: [number, number, number];
  mean: number;
  std: number;
  samples: Array<[number, number]>;
}

const fixture = JSON.parse(readFileSync(join(REPO, 'test/fixtures/vgg19-forward.json'), 'utf8')) as {
  image: string;
  size: [number, number];
  layers: Record<string, LayerFixture>;
};
const backend = testBackend();

describe.skipIf(!hasBundle)(`VGG19 forward on ${backend} against PyTorch, real weights`, () => {
  let engine: Engine;
  let net: Vgg19;
  const activations = new Map<string, Float32Array>();

  beforeAll(() => {
    engine = Engine.create(backend);
    net = new Vgg19(engine, importUint8Bundle(BUNDLE).convs, 'max');
    const [w, h] = fixture.size;
    const image = readImage(join(SHARED, fixture.image.replace('../shared/', '')));
    const input = engine.upload(toNetworkInput(resize(image, w, h), VGG_MEAN_RGB), [3, h, w]);
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
