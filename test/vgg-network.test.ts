/**
 * The whole network on small random weights: activations at every relu against the float64
 * reference, the gradient of a loss at relu4_2 with respect to the image against finite
 * differences through all layers, and no device memory left behind.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../src/engine/engine.js';
import { Rng } from '../src/check/random.js';
import { VGG19 } from '../src/models/vgg19.js';
import { networkForwardRef } from '../src/reference/network-reference.js';
import type { HostTensor } from '../src/reference/reference.js';
import { gradientsFrom, Network } from '../src/network/network.js';
import type { Shape3 } from '../src/engine/tensor.js';
import { testBackend } from './backend-under-test.js';
import { randomWeights } from '../src/check/random-weights.js';

const backend = testBackend();
const weights = randomWeights(VGG19, new Rng(7), 16);
const RELU_NAMES = VGG19.layers;
const vggForwardRef = (image: HostTensor, convs: typeof weights, deepest: string, pooling: 'max' | 'avg') =>
  networkForwardRef(VGG19, image, convs, deepest, pooling);
const SHAPE: Shape3 = [3, 19, 26]; // odd and non-square: every pool floors

function relativeError(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  let worst = 0;
  let scale = 0;
  for (let i = 0; i < expected.length; i++) {
    worst = Math.max(worst, Math.abs(actual[i] - expected[i]));
    scale = Math.max(scale, Math.abs(expected[i]));
  }
  return worst / scale;
}

describe.each(['max', 'avg'] as const)(`VGG19 on ${backend}, %s pooling`, (pooling) => {
  let engine: Engine;
  let net: Network;
  const rng = new Rng(99);
  const image = rng.normals(SHAPE[0] * SHAPE[1] * SHAPE[2], 20);
  const image64 = Float64Array.from(image);

  beforeAll(() => {
    engine = Engine.create(backend);
    net = new Network(engine, VGG19, weights, pooling);
  });
  afterAll(() => {
    net?.dispose();
    expect(engine.liveTensors).toBe(0);
    engine?.destroy();
  });

  it('activations match the float64 reference at every relu up to relu5_1', () => {
    const x = engine.upload(image, SHAPE);
    const pass = net.forward(x, ['relu5_1'], true);
    const ref = vggForwardRef({ shape: SHAPE, data: image64 }, weights, 'relu5_1', pooling);
    for (const relu of RELU_NAMES.slice(0, RELU_NAMES.indexOf('relu5_1') + 1)) {
      const device = pass.activation(relu);
      expect(device.shape).toEqual(ref.get(relu)!.shape);
      expect(relativeError(engine.read(device), ref.get(relu)!.data), relu).toBeLessThan(1e-4);
    }
    pass.release();
    x.release();
  });

  it('a forward-only pass keeps just the layers asked for', () => {
    const weightTensors = engine.liveTensors;
    const x = engine.upload(image, SHAPE);
    const pass = net.forward(x, ['relu2_1', 'relu4_2'], false);
    expect([...pass.activations.keys()].sort()).toEqual(['relu2_1', 'relu4_2']);
    expect(engine.liveTensors - weightTensors).toBe(1 + 2); // the image and the 2 kept
    pass.release();
    x.release();
  });

  it('the gradient of <relu4_2(x), v> + <relu1_1(x), u> matches finite differences on the image', () => {
    const x = engine.upload(image, SHAPE);
    const pass = net.forward(x, ['relu1_1', 'relu4_2'], true);
    const v = rng.normals(pass.activation('relu4_2').size);
    const u = rng.normals(pass.activation('relu1_1').size, 0.01);
    const gradients = new Map([
      ['relu4_2', engine.upload(v, pass.activation('relu4_2').shape)],
      ['relu1_1', engine.upload(u, pass.activation('relu1_1').shape)],
    ]);
    const grad = net.backward(pass, gradientsFrom(gradients));
    const g = engine.read(grad);
    grad.release();
    x.release();

    const loss = (img: Float64Array): number => {
      const acts = vggForwardRef({ shape: SHAPE, data: img }, weights, 'relu4_2', pooling);
      let s = 0;
      acts.get('relu4_2')!.data.forEach((a, i) => (s += a * v[i]));
      acts.get('relu1_1')!.data.forEach((a, i) => (s += a * u[i]));
      return s;
    };
    const h = 1e-4;
    const pixels = [0, 17, 250, 600, 1000, image.length - 1];
    const fd = pixels.map((i) => {
      const plus = Float64Array.from(image64);
      const minus = Float64Array.from(image64);
      plus[i] += h;
      minus[i] -= h;
      return (loss(plus) - loss(minus)) / (2 * h);
    });
    expect(relativeError(pixels.map((i) => g[i]), fd)).toBeLessThan(1e-3);
    expect(Math.max(...fd.map(Math.abs))).toBeGreaterThan(0); // a vacuous all-zero gradient would not pass
  });
});
