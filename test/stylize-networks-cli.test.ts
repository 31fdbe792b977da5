/**
 * `nst stylize --model ...` end to end through the real CLI on headlessgl: SqueezeNet 1.1 on
 * the shared weights (../shared/weights/squeezenet1_1, imported as a user would), VGG16 and
 * SqueezeNet 1.0 on random weights of their real shapes written to .nstw files here (no
 * public weights of them are available offline). And the bad input of networks: an unknown
 * network, a layer the network lacks, weights of another network.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../src/check/random.js';
import { randomWeights } from '../src/check/random-weights.js';
import { readImage } from '../src/image/index.js';
import type { ModelName } from '../src/models/description.js';
import { MODELS } from '../src/models/index.js';
import { convertWeights } from '../src/weights/convert.js';
import { sha256Hex } from '../src/weights/digest.js';
import { encodeNstw } from '../src/weights/format.js';
import { expectUsageError, hasSqueezeNetBundle, IMAGES, runNst, SQUEEZENET_BUNDLE, tempDir } from './helpers/cli.js';

const BACKEND = 'headlessgl';
const CONTENT = join(IMAGES, 'tubingen.jpg');
const STYLE = join(IMAGES, 'starry_night.jpg');
const dir = tempDir();

/** Runs a short stylisation and checks that it wrote the image and that the loss fell below `fraction` of its start. */
async function stylizes(model: ModelName, weights: string, size: number, iterations: number, fraction: number, extra: string[] = []): Promise<void> {
  const name = `${model}${extra.length ? '-' + extra.join('-').replace(/\W+/g, '') : ''}`;
  const out = join(dir, `${name}.png`);
  const trace = join(dir, `${name}.json`);
  const r = await runNst(
    ['stylize', CONTENT, STYLE, '--model', model, '--weights', weights, '--backend', BACKEND, '-o', out, '--size', String(size),
      '--iterations', String(iterations), '--seed', '1', '--trace', trace, ...extra],
  );
  expect(r.code, r.stderr).toBe(0);
  expect(r.stderr).toContain(`on ${BACKEND}, ${model},`);
  expect(readImage(out).width).toBe(size);
  const totals: number[] = JSON.parse(readFileSync(trace, 'utf8')).iterations.map((e: { total: number }) => e.total);
  expect(totals).toHaveLength(iterations);
  expect(Math.min(...totals)).toBeLessThan(fraction * totals[0]);
}

/** A .nstw of `model` with random weights of its real shapes. */
function randomWeightsFile(model: ModelName): string {
  const path = join(dir, `random-${model}.nstw`);
  const network = MODELS[model];
  const convs = randomWeights(network, new Rng(5));
  writeFileSync(path, encodeNstw({ model, convs, inputMean: [...network.torchvisionTargetMean], source: 'random' }, 'float16', 'random', sha256Hex));
  return path;
}

describe.skipIf(!hasSqueezeNetBundle)(`nst stylize --model squeezenet1_1 on ${BACKEND}, shared weights`, () => {
  const weights = join(dir, 'squeezenet1_1.nstw');
  beforeAll(() => {
    convertWeights({ source: SQUEEZENET_BUNDLE, output: weights });
  });

  it('stylises a photo with the default (article 002) layers', () => stylizes('squeezenet1_1', weights, 64, 8, 0.7));

  // Adam's steps of 0.003 on torchvision's normalised pixels are small: a few show the loss going down.
  it('runs article 002\'s preset', () => stylizes('squeezenet1_1', weights, 48, 4, 0.999, ['--preset', 'pytorch-squeezenet']));

  it('refuses a layer SqueezeNet does not have, listing the ones it has', async () => {
    const r = await runNst(['stylize', CONTENT, STYLE, '--model', 'squeezenet1_1', '--weights', weights, '--style-layers', 'fire2,relu4_1', '-o', join(dir, 'x.png')]);
    expectUsageError(r, /--style-layers: unknown layer 'relu4_1' for squeezenet1_1 \(known: conv1, pool1, fire2, fire3, pool3, .*fire9\)/);
    expect(existsSync(join(dir, 'x.png'))).toBe(false);
  });

  it('refuses weights of another network, saying which network the file holds', async () => {
    const r = await runNst(['stylize', CONTENT, STYLE, '--model', 'vgg19', '--weights', weights, '--backend', 'cpu', '-o', join(dir, 'y.png')]);
    expectUsageError(r, /squeezenet1_1\.nstw: holds squeezenet1_1 weights, not vgg19; choose --model squeezenet1_1/);
    expect(existsSync(join(dir, 'y.png'))).toBe(false);
  });
});

describe(`nst stylize on ${BACKEND}, random weights of the real shapes`, () => {
  // Random features make a hard objective: a few iterations only show it going down.
  it('runs VGG16 end to end', () => stylizes('vgg16', randomWeightsFile('vgg16'), 32, 5, 0.995));
  it('runs SqueezeNet 1.0 end to end', () => stylizes('squeezenet1_0', randomWeightsFile('squeezenet1_0'), 48, 5, 0.995));
});

it('refuses an unknown network, listing the known ones', async () => {
  const out = join(dir, 'z.png');
  expectUsageError(await runNst(['stylize', CONTENT, STYLE, '--model', 'resnet50', '-o', out]), /--model: unknown network 'resnet50' \(known: vgg19, vgg16, squeezenet1_1, squeezenet1_0\)/);
  expect(existsSync(out)).toBe(false);
});
