/**
 * Each importer on its synthetic fixture, against the canonical values (OIHW, RGB, 0..255 minus
 * VGG mean) that scripts/make-weight-fixtures.py computed independently with numpy and torch.
 */
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { convNodes } from '../src/models/description.js';
import { VGG_MEAN_RGB } from '../src/models/vgg-family.js';
import { MODELS } from '../src/models/index.js';
import { VGG19 } from '../src/models/vgg19.js';
import { detectSourceKind } from '../src/weights/import.js';
import { importUint8Bundle } from '../src/weights/import-bundle.js';
import { importKeras, kerasLayerName } from '../src/weights/import-keras.js';
import { importTorchvision } from '../src/weights/import-torch.js';
import { assertArchitecture, type ConvWeights } from '../src/weights/model-weights.js';
import { expectUserError } from './helpers/expect-user-error.js';
import { convertWeights } from '../src/weights/convert.js';
import { importWeights } from '../src/weights/import.js';
import { inferModel, type SourceNaming } from '../src/weights/infer-model.js';
import { importFloatBundle } from '../src/weights/import-float-bundle.js';
import { hasSqueezeNetBundle, SQUEEZENET_BUNDLE } from './helpers/cli.js';
import { loadModelWeights } from '../src/weights/load.js';
import { expected, expectedNetworks, expectModelMatches, fixtureNetwork, fixturePath, TINY_VGG19 } from './fixtures/weights/fixtures.js';

const BUNDLE = fixturePath('uint8-bundle');
const TORCH_FILES = ['torchvision-zip.pth', 'torchvision-legacy.pth', 'torchvision-legacy-2017.pth'];

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'nst-weights-'));
}

/** 3x3 conv, zero padding 1, in float64; image [C][H][W]. */
function conv3x3(image: number[][][], conv: ConvWeights): number[][][] {
  const height = image[0].length;
  const width = image[0][0].length;
  return Array.from({ length: conv.outChannels }, (_, o) =>
    Array.from({ length: height }, (_, y) =>
      Array.from({ length: width }, (_, x) => {
        let sum = conv.bias[o];
        for (let c = 0; c < conv.inChannels; c++) {
          for (let ky = 0; ky < 3; ky++) {
            for (let kx = 0; kx < 3; kx++) {
              const pixel = image[c][y + ky - 1]?.[x + kx - 1] ?? 0;
              sum += conv.weight[((o * conv.inChannels + c) * 3 + ky) * 3 + kx] * pixel;
            }
          }
        }
        return sum;
      }),
    ),
  );
}

describe('uint8 bundle importer', () => {
  it('transposes [kx][ky][cin][cout] to OIHW and dequantises in float64 like numpy', () => {
    const weights = importUint8Bundle(BUNDLE);
    expectModelMatches(weights, expected.uint8_bundle, 1e-7);
    expect(weights.inputMean).toEqual([...VGG_MEAN_RGB]);
    assertArchitecture(weights, BUNDLE, TINY_VGG19);
  });

  it('keeps the quantised bytes, scale and min of the manifest exactly', () => {
    const manifest = JSON.parse(readFileSync(join(BUNDLE, 'manifest.json'), 'utf8'));
    const conv = importUint8Bundle(BUNDLE).convs[3];
    const entry = manifest.weights['conv2_2/kernel'];
    expect(conv.quantized?.weight.scale).toBe(entry.quantization.scale);
    expect(conv.quantized?.weight.min).toBe(entry.quantization.min_value);
    // stored [kx][ky][cin][cout] -> OIHW [cout][cin][ky][kx]
    const raw = readFileSync(join(BUNDLE, 'conv2_2_kernel'));
    const [, , cin, cout] = entry.shape;
    const [kx, ky, i, o] = [2, 0, 4, 1];
    expect(conv.quantized?.weight.q[((o * cin + i) * 3 + ky) * 3 + kx]).toBe(raw[((kx * 3 + ky) * cin + i) * cout + o]);
  });

  it('refuses a file whose md5 differs from the manifest, naming the file', () => {
    const copy = join(tempDir(), 'bundle');
    cpSync(BUNDLE, copy, { recursive: true });
    const file = join(copy, 'conv3_2_kernel');
    const bytes = readFileSync(file);
    bytes[17] ^= 0x01;
    writeFileSync(file, bytes);
    expectUserError(() => importUint8Bundle(copy), file, 'md5', 'does not match the manifest');
  });

  it('refuses a file whose size differs from the manifest', () => {
    const copy = join(tempDir(), 'bundle');
    cpSync(BUNDLE, copy, { recursive: true });
    const file = join(copy, 'conv1_1_bias');
    writeFileSync(file, readFileSync(file).subarray(1));
    expectUserError(() => importUint8Bundle(copy), file, 'bytes', 'manifest says');
  });

  it('names a missing manifest entry', () => {
    const copy = join(tempDir(), 'bundle');
    cpSync(BUNDLE, copy, { recursive: true });
    const manifestPath = join(copy, 'manifest.json');
    const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
    delete manifest.weights['conv4_3/bias'];
    writeFileSync(manifestPath, JSON.stringify(manifest));
    expectUserError(() => importUint8Bundle(copy), manifestPath, "'conv4_3/bias'", 'missing');
  });
});

describe('torchvision importer', () => {
  it('maps conv layers to the features.<i> indices of torchvision vgg19', () => {
    const indices = convNodes(VGG19).map((c) => VGG19.torchvisionNames[c.weights]);
    expect(indices).toEqual([0, 2, 5, 7, 10, 12, 14, 16, 19, 21, 23, 25, 28, 30, 32, 34].map((i) => `features.${i}`));
  });

  it.each(TORCH_FILES)('reads %s (strided and offset tensors included) and converts conv1_1 to our input convention', (name) => {
    const weights = importTorchvision(fixturePath(name));
    expectModelMatches(weights, expected.torchvision, 1e-6);
    assertArchitecture(weights, name, TINY_VGG19);
  });

  it('converted conv1_1 on (pixel - VGG mean) equals torch conv1_1 on its normalised input, inside the border', () => {
    const { image_rgb_0_255: image, torch_output: torchOutput } = expected.torchvision_conv1_1_check;
    const conv1 = importTorchvision(fixturePath('torchvision-zip.pth')).convs[0];
    const centred = image.map((plane, c) => plane.map((row) => row.map((p) => p - VGG_MEAN_RGB[c])));
    const ours = conv3x3(centred, conv1);
    let borderGap = 0;
    ours.forEach((plane, o) =>
      plane.forEach((row, y) =>
        row.forEach((value, x) => {
          const interior = y > 0 && x > 0 && y < plane.length - 1 && x < row.length - 1;
          if (interior) expect(value).toBeCloseTo(torchOutput[o][y][x], 4);
          else borderGap = Math.max(borderGap, Math.abs(value - torchOutput[o][y][x]));
        }),
      ),
    );
    // On the border zero padding means a slightly different grey in each convention.
    expect(borderGap).toBeGreaterThan(0);
    expect(borderGap).toBeLessThan(0.05);
  });

  it('names the missing key when the state dict is not VGG19', () => {
    const dir = tempDir();
    const zip = readFileSync(fixturePath('torchvision-zip.pth'));
    // Rename 'features.34.bias' in the pickle (same length, so the archive stays valid).
    const at = zip.indexOf('features.34.bias');
    zip.write('features.99.bias', at);
    const file = join(dir, 'renamed.pth');
    writeFileSync(file, zip);
    expectUserError(() => importTorchvision(file), file, "'features.34.bias'", 'conv5_4');
  });

  it('reports a truncated checkpoint as a user error', () => {
    const file = join(tempDir(), 'cut.pth');
    writeFileSync(file, readFileSync(fixturePath('torchvision-legacy.pth')).subarray(0, 2000));
    expectUserError(() => importTorchvision(file), file);
  });
});

describe('Keras importer', () => {
  it('names layers block<b>_conv<i>', () => {
    expect(kerasLayerName('conv3_2')).toBe('block3_conv2');
  });

  it('reads the HDF5 layout, transposes HWIO to OIHW and turns conv1_1 from BGR to RGB', () => {
    const weights = importKeras(fixturePath('keras-notop.h5'));
    expectModelMatches(weights, expected.keras, 1e-7);
    assertArchitecture(weights, 'keras', TINY_VGG19);
  });

  it.each([1000, 40_000])('reports a file truncated to %i bytes as a user error', (length) => {
    const file = join(tempDir(), 'cut.h5');
    writeFileSync(file, readFileSync(fixturePath('keras-notop.h5')).subarray(0, length));
    expectUserError(() => importKeras(file), file);
  });
});

describe('source detection', () => {
  it('tells the sources apart', () => {
    expect(detectSourceKind(BUNDLE)).toBe('uint8-bundle');
    for (const name of TORCH_FILES) expect(detectSourceKind(fixturePath(name))).toBe('torch');
    expect(detectSourceKind(fixturePath('keras-notop.h5'))).toBe('keras');
  });

  it('explains what it expected for anything else', () => {
    expectUserError(() => detectSourceKind('/no/such/weights.pth'), '/no/such/weights.pth', 'no such file');
    expectUserError(() => detectSourceKind(fixturePath('.')), 'directory without manifest.json');
    expectUserError(() => detectSourceKind(fixturePath('expected.json')), 'expected.json', 'not a weights source');
  });
});

describe('the other networks: torchvision vgg16, squeezenet1_1, squeezenet1_0 and Keras VGG16', () => {
  it.each(Object.keys(expectedNetworks))('%s: tells the network from the file and converts its first conv', (name) => {
    const fixture = expectedNetworks[name];
    const { kind, weights } = importWeights(fixturePath(name));
    expect(kind).toBe(name.endsWith('.h5') ? 'keras' : 'torch');
    expect(weights.model).toBe(fixture.model);
    expect(weights.inputMean).toEqual(fixture.input_mean);
    expectModelMatches(weights, fixture.convs, 1e-6);
    assertArchitecture(weights, name, fixtureNetwork(name));
  });

  it.each(Object.keys(expectedNetworks))('%s: round-trips through a .nstw file', (name) => {
    const output = join(tempDir(), 'weights.nstw');
    const written = convertWeights({ source: fixturePath(name), output, dtype: 'float32', architecture: fixtureNetwork(name) });
    expect(written.model).toBe(expectedNetworks[name].model);
    expectModelMatches(loadModelWeights(output, fixtureNetwork(name)), expectedNetworks[name].convs, 1e-6);
  });

  it('tells SqueezeNet 1.0 from 1.1 by their kernels where the names are the same (as in a bundle)', () => {
    const sameNames: SourceNaming = { kind: 'bundle', nameOf: (_model, conv) => conv.weights };
    for (const model of [MODELS.squeezenet1_0, MODELS.squeezenet1_1]) {
      const found = new Map(convNodes(model).map((conv) => [conv.weights, conv.kernel]));
      expect(inferModel('bundle', found, sameNames).name).toBe(model.name);
    }
  });

  it('names a tensor the squeezenet state dict lacks', () => {
    const zip = readFileSync(fixturePath('torchvision-squeezenet1_1.pth'));
    // Rename 'features.6.expand3x3.bias' (fire4) in the pickle: same length, the archive stays valid.
    const at = zip.indexOf('features.6.expand3x3.bias');
    zip.write('features.6.expand3x3.bxas', at);
    const file = join(tempDir(), 'renamed.pth');
    writeFileSync(file, zip);
    expectUserError(() => importTorchvision(file), file, "'features.6.expand3x3.bias'", 'fire4/expand3x3', 'squeezenet1_1');
  });

  it('names the tensor and both shapes when a squeezenet file does not fit the network', () => {
    const file = fixturePath('torchvision-squeezenet1_0.pth');
    expectUserError(() => assertArchitecture(importTorchvision(file), file, fixtureNetwork('torchvision-squeezenet1_1.pth')), 'holds squeezenet1_0 weights, not squeezenet1_1');
    expectUserError(() => assertArchitecture(importTorchvision(file), file), 'holds squeezenet1_0 weights, not vgg19');
    const real = MODELS.squeezenet1_0;
    expectUserError(() => assertArchitecture(importTorchvision(file), file, real), 'features.0.weight (conv1)', '[12, 3, 7, 7]', 'squeezenet1_0 needs [96, 3, 7, 7]');
  });
});

describe.skipIf(!hasSqueezeNetBundle)('float32 bundle importer (../shared/weights/squeezenet1_1)', () => {
  it('reads SqueezeNet 1.1 with the input convention of its manifest', () => {
    const weights = importFloatBundle(SQUEEZENET_BUNDLE);
    expect(weights.model).toBe('squeezenet1_1');
    expect(weights.inputMean).toEqual([122.679, 116.669, 104.006]);
    assertArchitecture(weights, SQUEEZENET_BUNDLE, MODELS.squeezenet1_1);
  });

  it('refuses a file whose sha256 or size differs from the manifest, naming the file', () => {
    const copy = join(tempDir(), 'bundle');
    cpSync(SQUEEZENET_BUNDLE, copy, { recursive: true });
    const file = join(copy, 'fire5.expand3x3.weight.f32');
    const bytes = readFileSync(file);
    bytes[101] ^= 0x01;
    writeFileSync(file, bytes);
    expectUserError(() => importFloatBundle(copy), file, 'sha256', 'does not match the manifest');
    writeFileSync(file, bytes.subarray(4));
    expectUserError(() => importFloatBundle(copy), file, 'bytes', 'shape [128, 32, 3, 3]');
  });
});

describe('architecture check', () => {
  it('refuses tiny fixture weights for the real VGG19, naming the layer and both shapes', () => {
    const weights = importUint8Bundle(BUNDLE);
    expectUserError(() => assertArchitecture(weights, 'tiny'), 'tiny', 'conv1_1', '[4, 3, 3, 3]', '[64, 3, 3, 3]');
  });
});
