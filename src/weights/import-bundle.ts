/**
 * Imports the uint8 VGG bundle (shared/weights/vgg19-uint8: manifest.json plus one raw file per
 * tensor), VGG19 or VGG16 as its layer names say. Every file's size and md5 are checked against
 * the manifest; kernels are stored [kx][ky][cin][cout] and become OIHW; the quantised bytes,
 * scale and min are kept exactly. The bundle already takes RGB, 0..255 minus VGG_MEAN_RGB.
 */
import { join } from 'node:path';
import { UserError } from '../errors.js';
import { convNodes } from '../models/description.js';
import { VGG_MEAN_RGB } from '../models/vgg-family.js';
import { digestHex } from './digest.js';
import { readFileOrFail } from './files.js';
import { inferModel, type SourceNaming } from './infer-model.js';
import { transpose4d } from './layout.js';
import { makeConvWeights, type AffineUint8, type ConvWeights, type ModelWeights } from './model-weights.js';
import { dequantizeUint8 } from './quantize.js';

export const BUNDLE_MANIFEST = 'manifest.json';

/** The bundle names a VGG conv's kernel 'conv<b>_<k>/kernel'. */
const UINT8_BUNDLE: SourceNaming = {
  kind: 'uint8 bundle',
  nameOf: (_model, conv) => (/^conv\d+_\d+$/.test(conv.weights) ? `${conv.weights}/kernel` : null),
};

/** Bundle kernel axes (kx, ky, cin, cout) -> OIHW (cout, cin, ky, kx). */
const BUNDLE_KERNEL_TO_OIHW = [3, 2, 1, 0];

interface ManifestEntry {
  filename: string;
  size: number;
  shape: number[];
  quantization: { dtype: 'uint8'; scale: number; min_value: number };
  checksum: string;
}

interface BundleTensor {
  shape: number[];
  affine: AffineUint8;
}

function readManifest(dir: string): Record<string, unknown> {
  const path = join(dir, BUNDLE_MANIFEST);
  const text = readFileOrFail(path).toString('utf8');
  let manifest: unknown;
  try {
    manifest = JSON.parse(text);
  } catch {
    throw new UserError(`${path}: not valid JSON`);
  }
  const weights = (manifest as { weights?: unknown } | null)?.weights;
  if (typeof weights !== 'object' || weights === null) throw new UserError(`${path}: has no "weights" table`);
  return weights as Record<string, unknown>;
}

function manifestEntry(dir: string, weights: Record<string, unknown>, key: string): ManifestEntry {
  const e = weights[key] as Partial<ManifestEntry> | undefined;
  const where = `${join(dir, BUNDLE_MANIFEST)}: entry '${key}'`;
  if (!e) throw new UserError(`${where} is missing`);
  const q = e.quantization;
  const valid =
    typeof e.filename === 'string' &&
    Number.isSafeInteger(e.size) &&
    Array.isArray(e.shape) &&
    e.shape.every(Number.isSafeInteger) &&
    typeof e.checksum === 'string' &&
    q?.dtype === 'uint8' &&
    Number.isFinite(q.scale) &&
    Number.isFinite(q.min_value);
  if (!valid) throw new UserError(`${where} needs filename, size, shape, checksum and uint8 quantization {scale, min_value}`);
  return e as ManifestEntry;
}

function readBundleTensor(dir: string, weights: Record<string, unknown>, key: string): BundleTensor {
  const entry = manifestEntry(dir, weights, key);
  const path = join(dir, entry.filename);
  const q = new Uint8Array(readFileOrFail(path));
  const elements = entry.shape.reduce((a, b) => a * b, 1);
  if (q.length !== entry.size || q.length !== elements) {
    throw new UserError(`${path}: ${q.length} bytes, but the manifest says ${entry.size} bytes of shape [${entry.shape.join(', ')}]; the bundle is damaged`);
  }
  const md5 = digestHex('md5', q);
  if (md5 !== entry.checksum) {
    throw new UserError(`${path}: md5 ${md5} does not match the manifest (${entry.checksum}); the bundle is corrupt, copy it again`);
  }
  return { shape: entry.shape, affine: { q, scale: entry.quantization.scale, min: entry.quantization.min_value } };
}

function importConv(dir: string, weights: Record<string, unknown>, name: string): ConvWeights {
  const kernel = readBundleTensor(dir, weights, `${name}/kernel`);
  const bias = readBundleTensor(dir, weights, `${name}/bias`);
  if (kernel.shape.length !== 4) throw new UserError(`${join(dir, BUNDLE_MANIFEST)}: ${name}/kernel must have 4 axes [kx, ky, cin, cout]`);
  const [kx, ky, inChannels, outChannels] = kernel.shape;
  const weight: AffineUint8 = { ...kernel.affine, q: transpose4d(kernel.affine.q, kernel.shape, BUNDLE_KERNEL_TO_OIHW) };
  const conv = makeConvWeights(dir, name, [outChannels, inChannels, ky, kx], dequantizeUint8(weight), dequantizeUint8(bias.affine), `${name}/kernel`);
  return { ...conv, quantized: { weight, bias: bias.affine } };
}

export function importUint8Bundle(dir: string): ModelWeights {
  const weights = readManifest(dir);
  // Every VGG kernel is 3x3: the names tell the networks apart.
  const kernels = new Map(Object.keys(weights).filter((k) => k.endsWith('/kernel')).map((k) => [k, 3]));
  const model = inferModel(join(dir, BUNDLE_MANIFEST), kernels, UINT8_BUNDLE);
  return {
    model: model.name,
    convs: convNodes(model).map((node) => importConv(dir, weights, node.weights)),
    inputMean: [...VGG_MEAN_RGB],
    source: dir,
  };
}
