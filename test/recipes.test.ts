/**
 * Fidelity of each preset: its objective, built from the preset as `nst stylize --preset` builds
 * it (options, loss forms, pixel space), against
 *  - a float64 implementation written straight from the source article (src/reference/recipes.ts):
 *    every term's value, and the gradient against central differences of the float64 total;
 *  - PyTorch (test/fixtures/recipes-torch.json, scripts/make-recipe-fixture.py): value and gradient.
 * On a small fixed case (src/check/recipe-inputs.ts) with ties between neighbours, where the
 * abs and pow total variations have their kinks. Runs on cpu and on headlessgl.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../src/engine/engine.js';
import { recipeTestInputs } from '../src/check/recipe-inputs.js';
import { RECIPE_REFERENCES, type RecipeInputs } from '../src/reference/recipes.js';
import { parseStylizeConfig } from '../src/stylize/config.js';
import { PRESETS } from '../src/stylize/presets.js';
import { createRecipeObjective } from '../src/stylize/recipe-objective.js';
import { VGG_MEAN_RGB } from '../src/models/vgg-family.js';
import { VGG19 } from '../src/models/vgg19.js';
import { Network } from '../src/network/network.js';
import { testBackend } from './backend-under-test.js';
import { REPO } from './helpers/cli.js';
import { centralDifferenceError } from './helpers/finite-differences.js';

const backend = testBackend();
const inputs = recipeTestInputs();
const host: RecipeInputs = {
  convs: inputs.convs,
  content: { shape: inputs.shape, data: Float64Array.from(inputs.content) },
  style: { shape: inputs.styleShape, data: Float64Array.from(inputs.style) },
};

interface TorchResult {
  point: 'x' | 'y';
  content: number;
  style: number;
  tv: number;
  total: number;
  gradientMaxAbs: number;
  gradientSamples: Array<[number, number]>;
}
const torch = JSON.parse(readFileSync(join(REPO, 'test/fixtures/recipes-torch.json'), 'utf8')) as { presets: Record<string, TorchResult> };

/** float32 sums over a few thousand terms: 1e-4 relative leaves room for GPU arithmetic. */
const VALUE_TOLERANCE = 1e-4;
/** Central differences of the float64 reference (truncation, ReLU kinks) against float32 gradients. */
const GRADIENT_TOLERANCE = 2e-3;
/** PyTorch's autograd gradient, exact up to float64 rounding, against float32 gradients. */
const TORCH_GRADIENT_TOLERANCE = 1e-3;

const relative = (actual: number, expected: number) => Math.abs(actual - expected) / Math.abs(expected);

/** The presets on VGG19; pytorch-squeezenet (SqueezeNet 1.1) has its own suite, test/pytorch-squeezenet-recipe.test.ts. */
const runnable = PRESETS.filter((p) => !p.waitsFor && (p.options.model ?? 'vgg19') === 'vgg19');

describe(`presets against their sources on ${backend}`, () => {
  let engine: Engine;
  let net: Network;

  beforeAll(() => {
    engine = Engine.create(backend);
    net = new Network(engine, VGG19, inputs.convs, 'max');
  });
  afterAll(() => {
    net.dispose();
    expect(engine.liveTensors, 'all device memory released').toBe(0);
    engine.destroy();
  });

  it('every preset that runs has a reference and a PyTorch result', () => {
    expect(Object.keys(RECIPE_REFERENCES).sort()).toEqual(runnable.map((p) => p.name).sort());
    expect(Object.keys(torch.presets).sort()).toEqual(runnable.map((p) => p.name).sort());
  });

  for (const preset of runnable) {
    describe(preset.name, () => {
      const config = parseStylizeConfig('content.png', ['style.png'], { output: 'out.png', preset: preset.name });
      const point = config.pixelSpace === 'unit' ? inputs.y : inputs.x;
      const reference = (v: Float64Array) => RECIPE_REFERENCES[preset.name]({ shape: inputs.shape, data: v }, host);
      let value = NaN;
      let terms = { content: NaN, style: NaN, tv: NaN };
      const gradient = new Float32Array(point.length);

      beforeAll(() => {
        expect(config.pooling).toBe('max');
        const recipe = createRecipeObjective(engine, net, config, inputs.shape, inputs.content, [
          { pixels: inputs.style, shape: inputs.styleShape, blend: 1 },
        ], VGG_MEAN_RGB);
        value = recipe.f(point, gradient);
        terms = { ...recipe.objective.last };
        recipe.objective.dispose();
      });

      it('each term and the total match the float64 formulas of the source', () => {
        const ref = reference(Float64Array.from(point));
        for (const term of ['content', 'style', 'tv'] as const) {
          expect(ref[term], term).toBeGreaterThan(0);
          expect(relative(terms[term], ref[term]), term).toBeLessThan(VALUE_TOLERANCE);
        }
        expect(relative(value, ref.total), 'total').toBeLessThan(VALUE_TOLERANCE);
      });

      it('the gradient matches central differences of the float64 formulas', () => {
        // A step well below the smallest non-zero neighbour difference (1 pixel level): ties stay ties.
        const h = config.pixelSpace === 'unit' ? 1e-3 / 255 : 1e-3;
        const pixels = [0, 23, 150, 401, 777, 1000, 1187];
        const { worst, scale } = centralDifferenceError((v) => reference(v).total, point, gradient, pixels, h);
        expect(scale).toBeGreaterThan(0);
        expect(worst / scale).toBeLessThan(GRADIENT_TOLERANCE);
      });

      it('value and gradient match PyTorch', () => {
        const t = torch.presets[preset.name];
        expect(t.point).toBe(config.pixelSpace === 'unit' ? 'y' : 'x');
        for (const term of ['content', 'style', 'tv'] as const) expect(relative(terms[term], t[term]), term).toBeLessThan(VALUE_TOLERANCE);
        expect(relative(value, t.total), 'total').toBeLessThan(VALUE_TOLERANCE);
        let worst = 0;
        for (const [i, g] of t.gradientSamples) worst = Math.max(worst, Math.abs(gradient[i] - g));
        expect(worst / t.gradientMaxAbs).toBeLessThan(TORCH_GRADIENT_TOLERANCE);
      });
    });
  }
});
