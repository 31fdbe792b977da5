/** Source weights in, .nstw file out: what `nst weights import` and `download` both end with. */
import { basename } from 'node:path';
import { VGG19_CONVS, type ConvLayer } from '../vgg/layers.js';
import { digestHex } from './digest.js';
import { writeFileOrFail } from './files.js';
import { encodeNstw, type StorageDtype } from './format.js';
import { importWeights, type SourceKind } from './import.js';
import { assertArchitecture } from './model-weights.js';

export interface ConvertOptions {
  source: string;
  output: string;
  /** Defaults to defaultDtypeFor(the source's kind). */
  dtype?: StorageDtype;
  /** The network the weights must fit; tests pass a tiny one. */
  layers?: readonly ConvLayer[];
}

export interface WrittenWeights {
  path: string;
  sizeBytes: number;
  dtype: StorageDtype;
  /** Of the whole file. */
  sha256: string;
  sourceKind: SourceKind;
}

/**
 * uint8 for the uint8 bundle (kept byte for byte: 20 MB), float16 for float sources (40 MB
 * instead of 80 MB; half precision is far finer than the bundle's quantisation).
 */
export function defaultDtypeFor(kind: SourceKind): StorageDtype {
  return kind === 'uint8-bundle' ? 'uint8' : 'float16';
}

export function convertWeights({ source, output, dtype, layers = VGG19_CONVS }: ConvertOptions): WrittenWeights {
  const { kind, weights } = importWeights(source);
  assertArchitecture(weights, source, layers);
  const storage = dtype ?? defaultDtypeFor(kind);
  const file = encodeNstw(weights, storage, basename(source));
  writeFileOrFail(output, file);
  return { path: output, sizeBytes: file.length, dtype: storage, sha256: digestHex('sha256', file), sourceKind: kind };
}
