/**
 * Imports a float32 bundle (shared/weights/squeezenet1_1: manifest.json plus one raw file per
 * tensor): the manifest lists `layers` in network order, each with its OIHW `shape`,
 * `bias_shape`, `weight_file`, `bias_file` and the sha256 of each file; the files are
 * little-endian float32, row-major OIHW. Every file's size and sha256 are checked; the network
 * is told from the layer names and kernel sizes; the input convention is read from the
 * manifest's `input` (RGB on 0..255 minus `mean_rgb`, no std), the only one nst runs on.
 */
import { join } from 'node:path';
import { UserError } from '../errors.js';
import { convNodes } from '../models/description.js';
import { digestHex } from './digest.js';
import { readFileOrFail } from './files.js';
import { BUNDLE_MANIFEST } from './import-bundle.js';
import { inferModel, type SourceNaming } from './infer-model.js';
import { makeConvWeights, type ConvWeights, type ModelWeights } from './model-weights.js';

interface LayerEntry {
  name: string;
  shape: number[];
  bias_shape: number[];
  weight_file: string;
  weight_sha256: string;
  bias_file: string;
  bias_sha256: string;
}

interface Manifest {
  input: { channels: 'RGB'; range: '0..255'; mean_rgb: [number, number, number]; std: null };
  layers: LayerEntry[];
}

/** The bundle uses the network description's own weight names. */
const FLOAT_BUNDLE: SourceNaming = { kind: 'float32 bundle', nameOf: (_model, conv) => conv.weights };

const isShape = (v: unknown): v is number[] => Array.isArray(v) && v.every((n) => Number.isSafeInteger(n) && n > 0);

function readManifest(path: string): Manifest {
  let manifest: Record<string, unknown>;
  try {
    manifest = JSON.parse(readFileOrFail(path).toString('utf8'));
  } catch (e) {
    if (e instanceof UserError) throw e;
    throw new UserError(`${path}: not valid JSON`);
  }
  if (manifest?.dtype !== 'float32' || manifest.byte_order !== 'little') throw new UserError(`${path}: expected "dtype": "float32" and "byte_order": "little"`);
  const input = manifest.input as Partial<Manifest['input']> | undefined;
  const meanOk = Array.isArray(input?.mean_rgb) && input.mean_rgb.length === 3 && input.mean_rgb.every(Number.isFinite);
  if (input?.channels !== 'RGB' || input.range !== '0..255' || input.std !== null || !meanOk) {
    throw new UserError(`${path}: input must be {"channels": "RGB", "range": "0..255", "mean_rgb": [r, g, b], "std": null}, the convention nst runs on`);
  }
  if (!Array.isArray(manifest.layers)) throw new UserError(`${path}: has no "layers" list`);
  manifest.layers.forEach((l: Partial<LayerEntry>, i: number) => {
    const valid =
      typeof l?.name === 'string' && isShape(l.shape) && l.shape.length === 4 && isShape(l.bias_shape) &&
      typeof l.weight_file === 'string' && typeof l.bias_file === 'string' &&
      typeof l.weight_sha256 === 'string' && typeof l.bias_sha256 === 'string';
    if (!valid) throw new UserError(`${path}: layer ${i + 1} needs name, shape [O, I, kH, kW], bias_shape, weight_file, bias_file, weight_sha256 and bias_sha256`);
  });
  return manifest as unknown as Manifest;
}

/** A raw little-endian float32 file, checked against its shape and sha256. */
function readFloat32(dir: string, file: string, shape: readonly number[], sha256: string): Float32Array {
  const path = join(dir, file);
  const bytes = readFileOrFail(path);
  const elements = shape.reduce((a, b) => a * b, 1);
  if (bytes.length !== elements * 4) {
    throw new UserError(`${path}: ${bytes.length} bytes, but shape [${shape.join(', ')}] in the manifest needs ${elements * 4}; the bundle is damaged`);
  }
  const actual = digestHex('sha256', bytes);
  if (actual !== sha256) throw new UserError(`${path}: sha256 ${actual} does not match the manifest (${sha256}); the bundle is corrupt, copy it again`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return Float32Array.from({ length: elements }, (_, i) => view.getFloat32(i * 4, true));
}

export function importFloatBundle(dir: string): ModelWeights {
  const manifestPath = join(dir, BUNDLE_MANIFEST);
  const manifest = readManifest(manifestPath);
  const byName = new Map(manifest.layers.map((l) => [l.name, l]));
  const model = inferModel(manifestPath, new Map(manifest.layers.map((l) => [l.name, l.shape[3]])), FLOAT_BUNDLE);
  const convs: ConvWeights[] = convNodes(model).map((node) => {
    const entry = byName.get(node.weights)!;
    const weight = readFloat32(dir, entry.weight_file, entry.shape, entry.weight_sha256);
    const bias = readFloat32(dir, entry.bias_file, entry.bias_shape, entry.bias_sha256);
    return makeConvWeights(manifestPath, node.weights, entry.shape, weight, bias, entry.weight_file);
  });
  return { model: model.name, convs, inputMean: [...manifest.input.mean_rgb], source: dir };
}
