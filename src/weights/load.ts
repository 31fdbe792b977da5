/** Reading a .nstw file for the network (everything checked) or for `nst doctor` (described). */
import { isUserError, UserError } from '../errors.js';
import { convNodes, type ModelName, type NetworkDescription } from '../models/description.js';
import { VGG19 } from '../models/vgg19.js';
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
 * Loads the weights of `model` (VGG19 by default), after checking magic, version, header,
 * bounds, payload sha256, that the file holds that network, and every tensor's shape.
 */
export function loadModelWeights(path: string, model: NetworkDescription = VGG19): ModelWeights {
  const contents = parseWithHint(readFileOrFail(path), path);
  if (!payloadChecksumMatches(contents)) throw new UserError(`${path}: payload checksum mismatch (file corrupt or truncated); ${REDO_HINT}`);
  if (contents.header.model !== model.name) {
    throw new UserError(`${path}: holds ${contents.header.model} weights, not ${model.name}; choose --model ${contents.header.model} or weights for ${model.name}`);
  }
  const entries = new Map(contents.header.tensors.map((t) => [t.name, t]));
  const nodes = convNodes(model);
  if (entries.size !== nodes.length * 2) {
    throw new UserError(`${path}: holds ${entries.size} tensors; ${model.name} needs ${nodes.length * 2} (a weight and a bias per conv layer)`);
  }
  const convs = nodes.map((node) => ({
    name: node.weights,
    outChannels: node.outChannels,
    inChannels: node.inChannels,
    kernel: node.kernel,
    weight: decodeTensor(contents, tensorFor(path, entries, weightTensorName(node.weights), convWeightShape(node))),
    bias: decodeTensor(contents, tensorFor(path, entries, biasTensorName(node.weights), [node.outChannels])),
  }));
  return { model: model.name, convs, inputMean: contents.header.input.mean, source: path };
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
    sha256ok: payloadChecksumMatches(contents),
    convertedFrom: contents.header.converted_from,
    tensors,
  };
}
