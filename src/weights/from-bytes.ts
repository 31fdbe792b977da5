/**
 * A .nstw file's bytes to the network's weights, everything checked (magic, version, header,
 * bounds, payload sha256, every tensor's shape): for the library, which gets the bytes from a
 * file, a URL or the caller, in Node or a browser. The checksum goes through WebCrypto, which
 * both have (asynchronous); `nst stylize` reads files synchronously (load.ts).
 */
import { isUserError, UserError } from '../errors.js';
import { convNodes, type NetworkDescription } from '../models/description.js';
import { VGG19 } from '../models/vgg19.js';
import { decodeTensor, parseNstw, type NstwContents, type TensorEntry } from './format.js';
import { biasTensorName, convWeightShape, weightTensorName, type ModelWeights } from './model-weights.js';

export const REDO_HINT = 're-create it with `nst weights import` or `nst weights download`';
export const CHECKSUM_MISMATCH = `payload checksum mismatch (file corrupt or truncated); ${REDO_HINT}`;

/** parseNstw, adding to its complaint what the user can do about a damaged file. */
export function parseWithHint(bytes: Uint8Array, label: string): NstwContents {
  try {
    return parseNstw(bytes, label);
  } catch (e) {
    if (isUserError(e)) throw new UserError(`${e.message}; ${REDO_HINT}`);
    throw e;
  }
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((n, i) => n === b[i]);
}

function tensorFor(label: string, entries: Map<string, TensorEntry>, name: string, shape: number[]): TensorEntry {
  const entry = entries.get(name);
  if (!entry) throw new UserError(`${label}: has no tensor '${name}'; ${REDO_HINT}`);
  if (!sameShape(entry.shape, shape)) {
    throw new UserError(`${label}: tensor '${name}' has shape [${entry.shape.join(', ')}]; the network needs [${shape.join(', ')}]`);
  }
  return entry;
}

/** The weights of `model` out of a parsed, checksum-verified file: that it holds that network, and every tensor's shape. */
export function modelWeightsOf(contents: NstwContents, label: string, model: NetworkDescription = VGG19): ModelWeights {
  if (contents.header.model !== model.name) {
    throw new UserError(`${label}: holds ${contents.header.model} weights, not ${model.name}; choose --model ${contents.header.model} or weights for ${model.name}`);
  }
  const entries = new Map(contents.header.tensors.map((t) => [t.name, t]));
  const nodes = convNodes(model);
  if (entries.size !== nodes.length * 2) {
    throw new UserError(`${label}: holds ${entries.size} tensors; ${model.name} needs ${nodes.length * 2} (a weight and a bias per conv layer)`);
  }
  const convs = nodes.map((node) => ({
    name: node.weights,
    outChannels: node.outChannels,
    inChannels: node.inChannels,
    kernel: node.kernel,
    weight: decodeTensor(contents, tensorFor(label, entries, weightTensorName(node.weights), convWeightShape(node))),
    bias: decodeTensor(contents, tensorFor(label, entries, biasTensorName(node.weights), [node.outChannels])),
  }));
  return { model: model.name, convs, inputMean: contents.header.input.mean, source: label, payloadSha256: contents.header.payload_sha256 };
}

async function sha256HexAsync(bytes: Uint8Array): Promise<string> {
  const digest = new Uint8Array(await globalThis.crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>));
  return Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('');
}

/** The weights in a .nstw file's bytes; `label` (a path or URL) names it in errors. */
export async function weightsFromBytes(bytes: Uint8Array, label: string, model: NetworkDescription = VGG19): Promise<ModelWeights> {
  const contents = parseWithHint(bytes, label);
  if ((await sha256HexAsync(contents.payload)) !== contents.header.payload_sha256) throw new UserError(`${label}: ${CHECKSUM_MISMATCH}`);
  return modelWeightsOf(contents, label, model);
}
