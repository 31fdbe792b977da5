/** Reading a .nstw file (Node) for the network (everything checked) or for `nst doctor` (described). */
import { UserError } from '../errors.js';
import type { ModelName, NetworkDescription } from '../models/description.js';
import { VGG19 } from '../models/vgg19.js';
import { sha256Hex } from './digest.js';
import { readFileOrFail } from './files.js';
import { payloadChecksumMatches, type StorageDtype, type TensorEntry } from './format.js';
import { CHECKSUM_MISMATCH, modelWeightsOf, parseWithHint } from './from-bytes.js';
import type { ModelWeights } from './model-weights.js';

/**
 * Loads the weights of `model` (VGG19 by default), after checking magic, version, header,
 * bounds, payload sha256, that the file holds that network, and every tensor's shape.
 */
export function loadModelWeights(path: string, model: NetworkDescription = VGG19): ModelWeights {
  const contents = parseWithHint(readFileOrFail(path), path);
  if (!payloadChecksumMatches(contents, sha256Hex)) throw new UserError(`${path}: ${CHECKSUM_MISMATCH}`);
  return modelWeightsOf(contents, path, model);
}

export interface WeightsFileDescription {
  path: string;
  model: ModelName;
  sizeBytes: number;
  /** The storage dtype of the tensors, or 'mixed' when they differ. */
  dtype: StorageDtype | 'mixed';
  sha256ok: boolean;
  convertedFrom: string;
  tensors: Array<Pick<TensorEntry, 'name' | 'shape' | 'dtype'>>;
}

/** What `nst doctor` prints; throws a UserError only when the file cannot be read or parsed. */
export function describeWeightsFile(path: string): WeightsFileDescription {
  const bytes = readFileOrFail(path);
  const contents = parseWithHint(bytes, path);
  const tensors = contents.header.tensors.map(({ name, shape, dtype }) => ({ name, shape, dtype }));
  const dtypes = new Set(tensors.map((t) => t.dtype));
  return {
    path,
    model: contents.header.model,
    sizeBytes: bytes.length,
    dtype: dtypes.size === 1 ? tensors[0].dtype : 'mixed',
    sha256ok: payloadChecksumMatches(contents, sha256Hex),
    convertedFrom: contents.header.converted_from,
    tensors,
  };
}
