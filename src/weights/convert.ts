/** Source weights in, .nstw file out: what `nst weights import` and `download` both end with. */
import { basename } from 'node:path';
import type { ModelName, NetworkDescription } from '../models/description.js';
import { MODELS } from '../models/index.js';
import { digestHex, sha256Hex } from './digest.js';
import { writeFileOrFail } from './files.js';
import { encodeNstw, type StorageDtype } from './format.js';
import { importWeights, type SourceKind } from './import.js';
import { defaultWeightsPath } from './locate.js';
import { assertArchitecture } from './model-weights.js';

export interface ConvertOptions {
  source: string;
  /** Defaults to weights/<network>.nstw, after the network found in the source. */
  output?: string;
  /** Defaults to defaultDtypeFor(the source's kind). */
  dtype?: StorageDtype;
  /** The network the weights must fit, instead of the real one of the name found; tests pass a tiny one. */
  architecture?: NetworkDescription;
}

export interface WrittenWeights {
  path: string;
  /** The network found in the source. */
  model: ModelName;
  sizeBytes: number;
  dtype: StorageDtype;
  /** Of the whole file. */
  sha256: string;
  sourceKind: SourceKind;
}

/**
 * uint8 for the uint8 bundle (kept byte for byte: 20 MB); float32 for the float32 bundle (kept
 * exactly, 3 MB for SqueezeNet); float16 for the large float downloads (VGG19 40 MB instead of
 * 80 MB; half precision is far finer than the uint8 bundle's quantisation).
 */
export function defaultDtypeFor(kind: SourceKind): StorageDtype {
  return kind === 'uint8-bundle' ? 'uint8' : kind === 'float32-bundle' ? 'float32' : 'float16';
}

export function convertWeights({ source, output, dtype, architecture }: ConvertOptions): WrittenWeights {
  const { kind, weights } = importWeights(source);
  assertArchitecture(weights, source, architecture ?? MODELS[weights.model]);
  const storage = dtype ?? defaultDtypeFor(kind);
  const file = encodeNstw(weights, storage, basename(source), sha256Hex);
  const path = output ?? defaultWeightsPath(weights.model);
  writeFileOrFail(path, file);
  return { path, model: weights.model, sizeBytes: file.length, dtype: storage, sha256: digestHex('sha256', file), sourceKind: kind };
}
