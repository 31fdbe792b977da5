/**
 * The style transfer objective on small random weights: each loss term against a float64
 * evaluation of DESIGN.md's formulas, and the image gradient against finite differences.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../src/engine/engine.js';
import type { Shape3 } from '../src/engine/tensor.js';
import { Rng } from '../src/check/random.js';
import { StyleTransferObjective, type ObjectiveWeights } from '../src/loss/objective.js';
import { gramRef, totalVariationRef, weightedSquaredErrorRef } from '../src/reference/reference.js';
import { DEFAULT_LOSS_FORMS } from '../src/stylize/defaults.js';
import { vggForwardRef } from '../src/reference/vgg-reference.js';
import { Vgg19 } from '../src/vgg/network.js';
import { testBackend } from './backend-under-test.js';
import { centralDifferenceError } from './helpers/finite-differences.js';
import { randomVggWeights } from '../src/check/random-weights.js';

const backend = testBackend();
const convs = randomVggWeights(new Rng(3), 16);
const SHAPE: Shape3 = [3, 18, 21];
const STYLE_SHAPES: Shape3[] = [[3, 16, 20], [3, 22, 17]];
const BLEND = [0.25, 0.75];
const WEIGHTS: ObjectiveWeights = {
  contentLayers: ['relu4_2', 'relu2_1'],
  styleLayers: ['relu1_1', 'relu2_1', 'relu3_1', 'relu4_1', 'relu5_1'],
  styleLayerWeights: [1, 0.5, 2, 1, 1],
  contentWeight: 5,
  styleWeight: 100,
  tvWeight: 1e-3,
  normalizeGradients: false,
  ...DEFAULT_LOSS_FORMS,
};

const rng = new Rng(5);
const content = rng.normals(SHAPE[0] * SHAPE[1] * SHAPE[2], 30);
const styles = STYLE_SHAPES.map((shape) => rng.normals(shape[0] * shape[1] * shape[2], 30));
const x0 = rng.normals(content.length, 30);

/** DESIGN.md section 1 in float64, from the reference network. */
function referenceLosses(x: Float64Array) {
  const deepest = 'relu5_1';
  const acts = vggForwardRef({ shape: SHAPE, data: x }, convs, deepest, 'max');
  const contentActs = vggForwardRef({ shape: SHAPE, data: Float64Array.from(content) }, convs, deepest, 'max');
  const styleActs = styles.map((s, i) => vggForwardRef({ shape: STYLE_SHAPES[i], data: Float64Array.from(s) }, convs, deepest, 'max'));
  let contentLoss = 0;
  for (const l of WEIGHTS.contentLayers) {
    contentLoss += weightedSquaredErrorRef(acts.get(l)!.data, contentActs.get(l)!.data, WEIGHTS.contentWeight, 'mean');
  }
  let styleLoss = 0;
  WEIGHTS.styleLayers.forEach((l, k) => {
    const target = new Float64Array(gramRef(acts.get(l)!).data.length);
    styleActs.forEach((a, i) => gramRef(a.get(l)!).data.forEach((v, j) => (target[j] += BLEND[i] * v)));
    styleLoss += weightedSquaredErrorRef(gramRef(acts.get(l)!).data, target, WEIGHTS.styleWeight * WEIGHTS.styleLayerWeights[k], 'mean');
  });
  const tv = totalVariationRef({ shape: SHAPE, data: x }, WEIGHTS.tv, WEIGHTS.tvWeight);
  return { content: contentLoss, style: styleLoss, tv, total: contentLoss + styleLoss + tv };
}

describe(`style transfer objective on ${backend}`, () => {
  let engine: Engine;
  let net: Vgg19;
  let objective: StyleTransferObjective;

  beforeAll(() => {
    engine = Engine.create(backend);
    net = new Vgg19(engine, convs, 'max');
    objective = new StyleTransferObjective(
      engine,
      net,
      WEIGHTS,
      SHAPE,
      content,
      styles.map((pixels, i) => ({ pixels, shape: STYLE_SHAPES[i], blend: BLEND[i] })),
    );
  });
  afterAll(() => {
    objective.dispose();
    net.dispose();
    expect(engine.liveTensors, 'all device memory released').toBe(0);
    engine.destroy();
  });

  it('each loss term matches the float64 formulas', () => {
    const gradient = new Float32Array(x0.length);
    const total = objective.evaluate(x0, gradient);
    const ref = referenceLosses(Float64Array.from(x0));
    for (const term of ['content', 'style', 'tv', 'total'] as const) {
      expect(objective.last[term], term).toBeGreaterThan(0);
      expect(Math.abs(objective.last[term] - ref[term]) / ref[term], term).toBeLessThan(1e-4);
    }
    expect(total).toBe(objective.last.total);
  });

  it('the image gradient matches finite differences of the float64 objective', () => {
    const gradient = new Float32Array(x0.length);
    objective.evaluate(x0, gradient);
    const { worst, scale } = centralDifferenceError((x) => referenceLosses(x).total, x0, gradient, [0, 100, 377, 600, 1133], 1e-3);
    expect(scale).toBeGreaterThan(0);
    expect(worst / scale).toBeLessThan(2e-3);
  });
});
