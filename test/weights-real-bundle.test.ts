/**
 * The real uint8 VGG19 bundle, read from ../shared at test time (never copied into the repo).
 * Skipped, saying so, on a machine without it.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { convNodes } from '../src/models/description.js';
import { VGG19 } from '../src/models/vgg19.js';
import { convertWeights } from '../src/weights/convert.js';
import { importUint8Bundle } from '../src/weights/import-bundle.js';
import { describeWeightsFile, loadModelWeights } from '../src/weights/load.js';
import { assertArchitecture, type ModelWeights } from '../src/weights/model-weights.js';
import { BUNDLE, hasBundle as present } from './helpers/cli.js';
import { expectUserError } from './helpers/expect-user-error.js';

const title = present ? 'real uint8 VGG19 bundle' : `real uint8 VGG19 bundle (SKIPPED: ${BUNDLE} not found)`;

describe(title, () => {
  const temp = mkdtempSync(join(tmpdir(), 'nst-real-'));
  let imported: ModelWeights | undefined;
  const bundle = () => (imported ??= importUint8Bundle(BUNDLE));
  afterAll(() => rmSync(temp, { recursive: true, force: true }));

  it.skipIf(!present)('imports all 16 conv layers with VGG19 shapes', () => {
    const weights = bundle();
    assertArchitecture(weights, BUNDLE);
    expect(weights.convs.map((c) => [c.name, c.outChannels, c.inChannels])).toEqual(
      convNodes(VGG19).map((l) => [l.weights, l.outChannels, l.inChannels]),
    );
  });

  it.skipIf(!present)('dequantises as q * scale + min_value from the raw [kx][ky][cin][cout] bytes', () => {
    const manifest = JSON.parse(readFileSync(join(BUNDLE, 'manifest.json'), 'utf8'));
    for (const [layerIndex, [o, i, ky, kx]] of [
      [0, [0, 0, 0, 0]],
      [0, [63, 2, 1, 2]],
      [4, [17, 100, 2, 0]],
      [15, [511, 511, 2, 2]],
      [15, [300, 7, 0, 1]],
    ] as const) {
      const conv = bundle().convs[layerIndex];
      const entry = manifest.weights[`${conv.name}/kernel`];
      const raw = readFileSync(join(BUNDLE, entry.filename));
      const q = raw[((kx * 3 + ky) * conv.inChannels + i) * conv.outChannels + o];
      const manual = Math.fround(q * entry.quantization.scale + entry.quantization.min_value);
      expect(conv.weight[((o * conv.inChannels + i) * 3 + ky) * 3 + kx]).toBe(manual);
      const biasEntry = manifest.weights[`${conv.name}/bias`];
      const qBias = readFileSync(join(BUNDLE, biasEntry.filename))[o];
      expect(conv.bias[o]).toBe(Math.fround(qBias * biasEntry.quantization.scale + biasEntry.quantization.min_value));
    }
  });

  it.skipIf(!present)('catches a corrupted copy through the manifest md5', () => {
    const copy = join(temp, 'vgg19-uint8');
    cpSync(BUNDLE, copy, { recursive: true });
    const file = join(copy, 'conv4_2_kernel');
    const bytes = readFileSync(file);
    bytes[123456] ^= 0x10;
    writeFileSync(file, bytes);
    expectUserError(() => importUint8Bundle(copy), file, 'md5');
  });

  it.skipIf(!present)('writes a 20 MB uint8 .nstw that loads back to the same values', () => {
    const output = join(temp, 'vgg19.nstw');
    const written = convertWeights({ source: BUNDLE, output });
    expect(written.dtype).toBe('uint8');
    expect(written.sizeBytes).toBeGreaterThan(20_024_384);
    expect(written.sizeBytes).toBeLessThan(20_024_384 + 64 * 1024);
    expect(describeWeightsFile(output)).toMatchObject({ dtype: 'uint8', sha256ok: true, convertedFrom: 'vgg19-uint8' });
    const loaded = loadModelWeights(output);
    loaded.convs.forEach((conv, k) => {
      const original = bundle().convs[k];
      expect(conv.weight.every((v, j) => v === original.weight[j])).toBe(true);
      expect(conv.bias.every((v, j) => v === original.bias[j])).toBe(true);
    });
  });
});
