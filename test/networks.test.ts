/**
 * The walker on every network, with small random weights (a sixteenth of the VGGs' channels, a
 * quarter of SqueezeNet's: its squeeze layers are narrow already, and one channel is easily
 * all dead): activations at every layer users can pick against the float64 reference, a
 * forward-only pass keeping just the layers asked for, the image gradient of a loss on two
 * layers against finite differences through every conv, pool, fire module and concat, and no
 * device memory left behind.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../src/engine/engine.js';
import type { Shape3 } from '../src/engine/tensor.js';
import { Rng } from '../src/check/random.js';
import { randomWeights } from '../src/check/random-weights.js';
import type { NetworkDescription } from '../src/models/description.js';
import { SQUEEZENET1_0 } from '../src/models/squeezenet1_0.js';
import { SQUEEZENET1_1 } from '../src/models/squeezenet1_1.js';
import { VGG16 } from '../src/models/vgg16.js';
import { VGG19 } from '../src/models/vgg19.js';
import { gradientsFrom, Network } from '../src/network/network.js';
import { networkForwardRef } from '../src/reference/network-reference.js';
import { testBackend } from './backend-under-test.js';

const backend = testBackend();

function relativeError(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  let worst = 0;
  let scale = 0;
  for (let i = 0; i < expected.length; i++) {
    worst = Math.max(worst, Math.abs(actual[i] - expected[i]));
    scale = Math.max(scale, Math.abs(expected[i]));
  }
  return worst / scale;
}

interface Case {
  model: NetworkDescription;
  /** Even sides where a ceil-mode pool then has a partial last window. */
  shape: Shape3;
  /** The loss reads these two layers: one deep, one shallow. */
  deep: string;
  shallow: string;
  /** Channel counts are divided by this. */
  shrink: number;
}

const ALL_CASES: Case[] = [
  // odd and non-square: every 2x2 pool floors
  { model: VGG19, shape: [3, 19, 26], deep: 'relu5_1', shallow: 'relu1_1', shrink: 16 },
  { model: VGG16, shape: [3, 19, 26], deep: 'relu5_3', shallow: 'relu2_1', shrink: 16 },
  // conv1 31x37 -> pool1 15x18 (partial last column) -> ... -> fire9 at 3x4
  { model: SQUEEZENET1_1, shape: [3, 63, 76], deep: 'fire9', shallow: 'pool3', shrink: 4 },
  // conv1 (7x7 / 2) 33x40 -> pool1 16x20 -> pool4 8x10 (partial) -> pool8 4x5
  { model: SQUEEZENET1_0, shape: [3, 71, 86], deep: 'fire9', shallow: 'fire3', shrink: 4 },
];

/**
 * cpu runs every network; webasm and headlessgl, where each new shape compiles kernels
 * (seconds each on GL), run VGG19 and SqueezeNet 1.1, the ones with PyTorch fixtures: the
 * layers the other two add are checked there by the kernel suite.
 */
const CASES = backend === 'cpu' ? ALL_CASES : ALL_CASES.filter((c) => c.model === VGG19 || c.model === SQUEEZENET1_1);

describe.each(CASES)(`$model.name on ${backend}`, ({ model, shape, deep, shallow, shrink }) => {
  describe.each(['max', 'avg'] as const)('%s pooling', (pooling) => {
    let engine: Engine;
    let net: Network;
    const weights = randomWeights(model, new Rng(11), shrink);
    const rng = new Rng(12);
    const image = rng.normals(shape[0] * shape[1] * shape[2], 20);
    const image64 = Float64Array.from(image);

    beforeAll(() => {
      engine = Engine.create(backend);
      net = new Network(engine, model, weights, pooling);
    });
    afterAll(() => {
      net?.dispose();
      expect(engine.liveTensors).toBe(0);
      engine?.destroy();
    });

    it('activations match the float64 reference at every layer', () => {
      const x = engine.upload(image, shape);
      const pass = net.forward(x, [deep], true);
      const ref = networkForwardRef(model, { shape, data: image64 }, weights, deep, pooling);
      for (const layer of model.layers) {
        const expected = ref.get(layer)!;
        const device = pass.activations.get(layer) ?? null;
        // Layers only the loss would read (pools, concats) are not kept by a keepAll pass.
        if (!device) continue;
        expect(device.shape, layer).toEqual(expected.shape);
        expect(relativeError(engine.read(device), expected.data), layer).toBeLessThan(1e-4);
      }
      expect(pass.activation(deep).shape).toEqual(ref.get(deep)!.shape);
      pass.release();
      x.release();
    });

    it('a forward-only pass keeps just the layers asked for', () => {
      const weightTensors = engine.liveTensors;
      const x = engine.upload(image, shape);
      const pass = net.forward(x, [shallow, deep], false);
      expect([...pass.activations.keys()].sort()).toEqual([deep, shallow].sort());
      for (const layer of [shallow, deep]) {
        const ref = networkForwardRef(model, { shape, data: image64 }, weights, layer, pooling).get(layer)!;
        expect(relativeError(engine.read(pass.activation(layer)), ref.data), layer).toBeLessThan(1e-4);
      }
      expect(engine.liveTensors - weightTensors).toBe(1 + 2); // the image and the 2 kept
      pass.release();
      x.release();
    });

    it(`the gradient of <${deep}(x), v> + <${shallow}(x), u> matches finite differences on the image`, () => {
      const x = engine.upload(image, shape);
      const pass = net.forward(x, [shallow, deep], true);
      const v = rng.normals(pass.activation(deep).size);
      const u = rng.normals(pass.activation(shallow).size, 0.1);
      const gradients = new Map([
        [deep, engine.upload(v, pass.activation(deep).shape)],
        [shallow, engine.upload(u, pass.activation(shallow).shape)],
      ]);
      const grad = net.backward(pass, gradientsFrom(gradients));
      const g = engine.read(grad);
      grad.release();
      x.release();

      const loss = (img: Float64Array): number => {
        const acts = networkForwardRef(model, { shape, data: img }, weights, deep, pooling);
        let s = 0;
        acts.get(deep)!.data.forEach((a, i) => (s += a * v[i]));
        acts.get(shallow)!.data.forEach((a, i) => (s += a * u[i]));
        return s;
      };
      const h = 1e-4;
      const pixels = [0, 17, 250, 600, 1000, Math.floor(image.length * 0.7), image.length - 1];
      const fd = pixels.map((i) => {
        const plus = Float64Array.from(image64);
        const minus = Float64Array.from(image64);
        plus[i] += h;
        minus[i] -= h;
        return (loss(plus) - loss(minus)) / (2 * h);
      });
      expect(relativeError(pixels.map((i) => g[i]), fd)).toBeLessThan(1e-3);
      expect(Math.max(...fd.map(Math.abs))).toBeGreaterThan(0); // a vacuous all-zero gradient would not pass

      // Every pixel at once: <g, d> against the derivative along a random direction d, with a
      // step small enough that no ReLU or arg-max changes along it (1e-4 crosses some).
      const d = rng.normals(image.length);
      const along = (t: number) => loss(image64.map((p, i) => p + t * d[i]));
      const directional = (along(1e-6) - along(-1e-6)) / 2e-6;
      const gDotD = g.reduce((sum, gi, i) => sum + gi * d[i], 0);
      expect(Math.abs(gDotD - directional) / Math.abs(directional)).toBeLessThan(1e-3);
    });
  });
});
