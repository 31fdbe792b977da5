/** Reading a .nstw file for the network (everything checked) or for `nst doctor` (described). */
import { isUserError, UserError } from '../errors.js';
import { VGG19_CONVS, type ConvLayer } from '../vgg/layers.js';
import { readFileOrFail } from './files.js';
import { decodeTensor, parseNstw, payloadChecksumMatches, type NstwContents, type StorageDtype, type TensorEntry } from './format.js';
import { biasTensorName, convWeightShape, weightTensorName, type ModelWeights } from './model-weights.js';

const REDO_HINT = 're-create it with `nst weights import` or `nst weights download`';

/** parseNstw, adding to its complaint what the user can do about a damaged file. */
function parseWithHint(bytes: Uint8Array, path: string): NstwContents {
  try {
    return parseNstw(bytes, path);
  } catch (e) {
    if (isUserError(e)) throw new UserError(`${e.message}; ${REDO_HINT}`);
    throw e;
  }
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((n, i) => n === b[i]);
}

function tensorFor(path: string, entries: Map<string, TensorEntry>, name: string, shape: number[]): TensorEntry {
  const entry = entries.get(name);
  if (!entry) throw new UserError(`${path}: has no tensor '${name}'; ${REDO_HINT}`);
  if (!sameShape(entry.shape, shape)) {
    throw new UserError(`${path}: tensor '${name}' has shape [${entry.shape.join(', ')}]; the network needs [${shape.join(', ')}]`);
  }
  return entry;
}

/**
 * Loads the weights of the network whose conv layers are `layers` (VGG19 by default), after
 * checking magic, version, header, bounds, payload sha256 and every tensor's shape.
 */
export function loadModelWeights(path: string, layers: readonly ConvLayer[] = VGG19_CONVS): ModelWeights {
  const contents = parseWithHint(readFileOrFail(path), path);
  if (!payloadChecksumMatches(contents)) throw new UserError(`${path}: payload checksum mismatch (file corrupt or truncated); ${REDO_HINT}`);
  const entries = new Map(contents.header.tensors.map((t) => [t.name, t]));
  if (entries.size !== layers.length * 2) {
    throw new UserError(`${path}: holds ${entries.size} tensors; the network needs ${layers.length * 2} (a weight and a bias per conv layer)`);
  }
  const convs = layers.map((layer) => ({
    name: layer.name,
    outChannels: layer.outChannels,
    inChannels: layer.inChannels,
    weight: decodeTensor(contents, tensorFor(path, entries, weightTensorName(layer.name), convWeightShape(layer))),
    bias: decodeTensor(contents, tensorFor(path, entries, biasTensorName(layer.name), [layer.outChannels])),
  }));
  return { convs, inputMean: contents.header.input.mean, source: path };
}

export interface WeightsFileDescription {
  path: string;
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
  const contents = parseNstw(bytes, path);
  const tensors = contents.header.tensors.map(({ name, shape, dtype }) => ({ name, shape, dtype }));
  const dtypes = new Set(tensors.map((t) => t.dtype));
  return {
    path,
    sizeBytes: bytes.length,
    dtype: dtypes.size === 1 ? tensors[0].dtype : 'mixed',
    sha256ok: payloadChecksumMatches(contents),
    convertedFrom: contents.header.converted_from,
    tensors,
  };
}
