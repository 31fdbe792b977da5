/** The README's option table states the defaults of src/stylize/defaults.ts, not a copy that drifts. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { STYLIZE_DEFAULTS as D } from '../src/stylize/defaults.js';
import { REPO } from './helpers/cli.js';

const readme = readFileSync(join(REPO, 'README.md'), 'utf8');

/** The default column of the README table row whose first cell starts with `option`. */
function readmeDefault(option: string): string {
  const row = readme.split('\n').find((line) => line.startsWith(`| \`${option}`));
  if (!row) throw new Error(`README has no row for ${option}`);
  return row.split(' | ')[1].trim();
}

describe('README option defaults', () => {
  const expected: Array<[string, string]> = [
    ['--size', String(D.size)],
    ['--style-scale', String(D.styleScale)],
    ['--iterations', String(D.iterations)],
    ['--scales', String(D.scales)],
    ['--init', D.init],
    ['--model', D.model],
    ['--content-layers', D.layers[D.model].contentLayers.join(',')],
    ['--style-layers', D.layers[D.model].styleLayers.join(',')],
    ['--pooling', D.pooling],
    ['--optimizer', D.optimizer],
    ['--learning-rate', `${D.learningRate.lbfgs} (L-BFGS), ${D.learningRate.adam} (Adam), ${D.learningRate.sgd} (SGD)`],
    ['--style-resize', D.styleResize],
    ['--content-loss', D.contentLoss],
    ['--style-loss', D.styleLoss],
    ['--gram-norm', D.gramNorm],
    ['--style-weight-split', D.styleWeightSplit],
    ['--tv-norm', D.tvNorm],
    ['--tv-power', String(D.tvPower)],
    ['--pixel-space', D.pixelSpace],
    ['--adam-epsilon-form', D.adamEpsilonForm],
    ['--lbfgs-history', String(D.lbfgsHistory)],
    ['--line-search', D.lineSearch],
    ['--tile', D.tile],
    ['--print-every', String(D.printEvery)],
    ['--save-every', String(D.saveEvery)],
    ['--quality', String(D.quality)],
    ['--checkpoint <file>', `\`<output>${D.checkpointExtension}\``],
    ['--checkpoint-every', String(D.checkpointEvery)],
  ];
  for (const [option, value] of expected) {
    it(option, () => expect(readmeDefault(option)).toBe(value));
  }

  it('--content-weight, --style-weight, --tv-weight', () => {
    expect(readmeDefault('--content-weight').split(', ').map(Number)).toEqual([D.contentWeight, D.styleWeight, D.tvWeight]);
  });

  it("--adam-beta1, --adam-beta2, --adam-epsilon", () => {
    expect(readmeDefault('--adam-beta1').split(', ').map(Number)).toEqual([D.adamBeta1, D.adamBeta2, D.adamEpsilon]);
  });

  it('no learning-rate decay by default', () => {
    expect(D.lrDecayRate).toBe(1);
    expect(readmeDefault('--lr-decay-rate')).toBe('none');
  });

  it('states the random init spread of the defaults', () => {
    expect(readme).toContain(`Gaussian noise of std ${D.randomInitStd}`);
  });
});
