/**
 * Tiled evaluation (src/loss/tiled-objective.ts) against the whole-image objective on a
 * 160 x 147 image cut into 64 px tiles (3 x 3 tiles; crops that stop inside the image, so
 * every tile has cut borders as well as true ones): the loss terms and the image gradient,
 * for max and average pooling, with content and style layers at every depth of VGG19, with
 * neural-style's forms and the Keras examples' (sums, Keras's Gram normalisation, the style
 * weight shared), with --normalize-gradients, two style images, and on SqueezeNet 1.1 (strided
 * first conv without padding, 3x3 ceil-mode pools, concatenations). Each term's gradient is
 * compared on its own too: the style term's gradient is far larger than the others' and
 * would hide a wrong content or TV gradient in the whole objective's.
 * Each evaluation sweeps the tiles two or three times and starts every sweep after the first
 * with the forward pass the one before ended on: counted (one forward fewer per later sweep),
 * and an evaluation after one at another image must equal a fresh objective's bit for bit
 * (nothing of the earlier evaluation carried over).
 *
 * Runs on cpu (every case) and headlessgl (VGG19 with max and average pooling; see cpuOnly)
 * (vitest.config.ts). Seen to fail (VGG19, max pooling, on cpu;
 * each reverted): the crop one pixel short of the halo at its far end (with planAxis's own
 * coverage check disabled): gradient 2e-4 (all), 1e-2 (content), 1.4e-4 (style) against
 * 1e-5, while the values moved by only 2e-6, inside their tolerance; tiles' windows one
 * output longer at their start (overlapping): content value off by 8%; the Gram's norm from
 * a layer one row short: style value off by 40%.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { Engine } from '../src/engine/engine.js';
import type { Shape3 } from '../src/engine/tensor.js';
import { Rng } from '../src/check/random.js';
import { randomWeights } from '../src/check/random-weights.js';
import type { LossForms } from '../src/loss/loss-forms.js';
import { StyleTransferObjective, type ImageObjective, type ObjectiveWeights } from '../src/loss/objective.js';
import { TiledObjective } from '../src/loss/tiled-objective.js';
import type { NetworkDescription } from '../src/models/description.js';
import { SQUEEZENET1_1 } from '../src/models/squeezenet1_1.js';
import { VGG19 } from '../src/models/vgg19.js';
import { Network } from '../src/network/network.js';
import type { PoolingKind } from '../src/ops/pool.js';
import { DEFAULT_LOSS_FORMS } from '../src/stylize/defaults.js';
import { testBackend } from './backend-under-test.js';

const backend = testBackend();
const SHAPE: Shape3 = [3, 160, 147];
const TILE = 64;
const STYLE_SHAPES: Shape3[] = [[3, 150, 131], [3, 70, 90]];
const BLEND = [0.25, 0.75];

const KERAS_FORMS: LossForms = { contentLoss: 'sum', styleLoss: 'sum', gramNorm: 'keras', styleWeightSplit: 'shared', tv: { norm: 'pow', power: 1.25 } };

interface Case {
  name: string;
  model: NetworkDescription;
  pooling: PoolingKind;
  weights: ObjectiveWeights;
  /** Also the sweeps' hand-over (two sweeps; three with --normalize-gradients): the same code for every network and form. */
  sweepsChecked?: boolean;
  /** cpu only: the forms and the normalisation are host arithmetic around the kernels the VGG19 cases run on headlessgl too; SqueezeNet's many crop shapes each compile their shaders there (about 5 minutes). */
  cpuOnly?: boolean;
}

/** Content and style at every depth of VGG19 (relu4_2 too: not the first conv of its block). */
const VGG_WEIGHTS: ObjectiveWeights = {
  contentLayers: ['relu1_2', 'relu2_1', 'relu3_3', 'relu4_2', 'relu5_1'],
  styleLayers: ['relu1_1', 'relu2_2', 'relu3_1', 'relu4_1', 'relu5_1'],
  styleLayerWeights: [1, 0.5, 2, 1, 1],
  contentWeight: 5,
  styleWeight: 100,
  tvWeight: 1e-3,
  normalizeGradients: false,
  ...DEFAULT_LOSS_FORMS,
};

const SQUEEZE_WEIGHTS: ObjectiveWeights = {
  ...VGG_WEIGHTS,
  contentLayers: ['conv1', 'fire4', 'fire6'],
  styleLayers: ['conv1', 'fire2', 'pool3', 'fire5', 'fire7'],
  styleLayerWeights: [1, 0.8, 0.45, 0.3, 0.15],
};

const CASES: Case[] = [
  { name: 'VGG19, max pooling', model: VGG19, pooling: 'max', weights: VGG_WEIGHTS, sweepsChecked: true },
  { name: 'VGG19, average pooling', model: VGG19, pooling: 'avg', weights: VGG_WEIGHTS },
  { name: 'VGG19, Keras forms', model: VGG19, pooling: 'max', weights: { ...VGG_WEIGHTS, ...KERAS_FORMS }, cpuOnly: true },
  { name: 'VGG19, --normalize-gradients', model: VGG19, pooling: 'max', weights: { ...VGG_WEIGHTS, normalizeGradients: true }, cpuOnly: true, sweepsChecked: true },
  { name: 'SqueezeNet 1.1', model: SQUEEZENET1_1, pooling: 'max', weights: SQUEEZE_WEIGHTS, cpuOnly: true },
];

type Term = 'content' | 'style' | 'all';

function termWeights(weights: ObjectiveWeights, term: Term): ObjectiveWeights {
  if (term === 'content') return { ...weights, styleLayers: [], styleLayerWeights: [], tvWeight: 0 };
  if (term === 'style') return { ...weights, contentLayers: [], tvWeight: 0 };
  return weights;
}

/**
 * Limits. Value: relative. Gradient: the largest difference relative to the largest
 * whole-image gradient cell. Float32 sums in another order: measured worst on cpu, values
 * 3.4e-7 (SqueezeNet's style), gradients 4.5e-7 (VGG19, average pooling, style).
 */
const VALUE_TOLERANCE = 1e-5;
const GRADIENT_TOLERANCE = 1e-5;

const rng = new Rng(14);
const content = rng.normals(SHAPE[0] * SHAPE[1] * SHAPE[2], 30);
const styles = STYLE_SHAPES.map((shape, i) => ({ pixels: rng.normals(shape[0] * shape[1] * shape[2], 30), shape, blend: BLEND[i] }));
const x0 = rng.normals(content.length, 30);
const x1 = rng.normals(content.length, 30);

function maxAbs(a: Float32Array): number {
  let m = 0;
  for (const v of a) m = Math.max(m, Math.abs(v));
  return m;
}

function largestDifference(a: Float32Array, b: Float32Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

describe.each(CASES.filter((c) => backend === 'cpu' || !c.cpuOnly))(`tiled evaluation on ${backend}: $name`, ({ model, pooling, weights, sweepsChecked }) => {
  let engine: Engine;
  let net: Network;

  beforeAll(() => {
    engine = Engine.create(backend);
    net = new Network(engine, model, randomWeights(model, new Rng(3), 16), pooling);
  });
  afterAll(() => {
    net?.dispose();
    expect(engine.liveTensors, 'all device memory released').toBe(0);
    engine?.destroy();
  });

  function evaluate(objective: ImageObjective) {
    try {
      const gradient = new Float32Array(x0.length);
      objective.evaluate(x0, gradient);
      return { losses: objective.last, gradient };
    } finally {
      objective.dispose();
    }
  }

  it.each<Term>(['all', 'content', 'style'])('%s: value and gradient equal the whole image\'s', (term) => {
    const w = termWeights(weights, term);
    const whole = evaluate(new StyleTransferObjective(engine, net, w, SHAPE, content, styles));
    const tiledObjective = new TiledObjective(engine, net, w, SHAPE, content, styles, TILE);
    expect(tiledObjective.tiles).toBe(9);
    const tiled = evaluate(tiledObjective);
    expect(engine.backend).toBe(backend);
    for (const key of ['content', 'style', 'tv', 'total'] as const) {
      const scale = Math.max(Math.abs(whole.losses[key]), 1e-30);
      expect(Math.abs(tiled.losses[key] - whole.losses[key]) / scale, `${key}: tiled ${tiled.losses[key]}, whole ${whole.losses[key]}`).toBeLessThan(VALUE_TOLERANCE);
    }
    expect(maxAbs(whole.gradient), 'a gradient to compare').toBeGreaterThan(0);
    expect(largestDifference(tiled.gradient, whole.gradient) / maxAbs(whole.gradient)).toBeLessThan(GRADIENT_TOLERANCE);
  });

  if (sweepsChecked) it('each sweep after the first starts with the tile the one before ended on, within one evaluation only', () => {
    const forward = vi.spyOn(net, 'forward');
    const reused = new TiledObjective(engine, net, weights, SHAPE, content, styles, TILE);
    const fresh = new TiledObjective(engine, net, weights, SHAPE, content, styles, TILE);
    try {
      const sweeps = weights.normalizeGradients ? 3 : 2;
      forward.mockClear();
      const expected = new Float32Array(x0.length);
      const value = fresh.evaluate(x0, expected);
      expect(forward.mock.calls.length, 'forward passes of one evaluation').toBe(sweeps * fresh.tiles - (sweeps - 1));
      // An evaluation elsewhere first: nothing of it may be carried into the next one.
      reused.evaluate(x1, new Float32Array(x0.length));
      const gradient = new Float32Array(x0.length);
      expect(reused.evaluate(x0, gradient)).toBe(value);
      expect(largestDifference(gradient, expected)).toBe(0);
    } finally {
      forward.mockRestore();
      reused.dispose();
      fresh.dispose();
    }
  });
});
