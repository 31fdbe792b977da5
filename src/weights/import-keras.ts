/**
 * Imports Keras' VGG19 or VGG16 weights (vgg19|vgg16_weights_tf_dim_ordering_tf_kernels[_notop].h5,
 * HDF5 read with jsfive), telling which from the conv layers present. Layout, as h5py shows it:
 * root attribute 'layer_names'; one group per layer ('block1_conv1' ... 'block5_conv4') whose
 * attribute 'weight_names' lists its datasets, relative to the group ('block1_conv1_W_1:0' in
 * old files, 'block1_conv1/kernel:0' in newer ones). Full models saved with model.save() keep
 * the same tree under 'model_weights'. The kernel (4-D, HWIO [ky][kx][cin][cout]) becomes OIHW;
 * conv1_1 took BGR and is turned to RGB.
 */
import * as hdf5 from 'jsfive';
import { isUserError, UserError } from '../errors.js';
import { convNodes } from '../models/description.js';
import { VGG_MEAN_RGB } from '../models/vgg-family.js';
import { readFileOrFail } from './files.js';
import { inferModel, type SourceNaming } from './infer-model.js';
import { bgrFirstLayerToRgb } from './input-convention.js';
import { transpose4d } from './layout.js';
import { makeConvWeights, type ConvWeights, type ModelWeights } from './model-weights.js';

/** HWIO axes (ky, kx, cin, cout) -> OIHW (cout, cin, ky, kx). */
const HWIO_TO_OIHW = [3, 2, 0, 1];

/** 'conv3_2' -> 'block3_conv2'. */
export function kerasLayerName(convName: string): string {
  return convName.replace(/^conv(\d+)_(\d+)$/, 'block$1_conv$2');
}

/** Keras Applications has the VGGs only: their convs are the ones named conv<b>_<k>. */
const KERAS: SourceNaming = {
  kind: "Keras'",
  nameOf: (_model, conv) => (/^conv\d+_\d+$/.test(conv.weights) ? kerasLayerName(conv.weights) : null),
};

function weightsRoot(file: hdf5.File): hdf5.Group {
  return file.keys.includes('model_weights') ? (file.get('model_weights') as hdf5.Group) : file;
}

function readLayer(path: string, root: hdf5.Group, convName: string): ConvWeights {
  const layer = kerasLayerName(convName);
  if (!root.keys.includes(layer)) throw new UserError(`${path}: has no layer '${layer}'; expected Keras' VGG weights`);
  const group = root.get(layer) as hdf5.Group;
  const names = group.attrs.weight_names;
  if (!Array.isArray(names) || names.length !== 2) throw new UserError(`${path}: layer '${layer}' should list 2 weights (kernel, bias) in its weight_names`);
  // Identify kernel and bias by rank, not by name or order: names changed across Keras versions.
  const datasets = names.map((n) => group.get(String(n)) as hdf5.Dataset);
  const kernel = datasets.find((d) => d.shape.length === 4);
  const bias = datasets.find((d) => d.shape.length === 1);
  if (!kernel || !bias) throw new UserError(`${path}: layer '${layer}' needs a 4-D kernel and a 1-D bias`);
  const [ky, kx, inChannels, outChannels] = kernel.shape;
  const weight = transpose4d(Float32Array.from(kernel.value), kernel.shape, HWIO_TO_OIHW);
  return makeConvWeights(path, convName, [outChannels, inChannels, ky, kx], weight, Float32Array.from(bias.value), layer);
}

function readKerasWeights(path: string, bytes: Uint8Array): ModelWeights {
  const root = weightsRoot(new hdf5.File(new Uint8Array(bytes).buffer, path));
  // Every VGG kernel is 3x3: the conv layers' names tell the networks apart.
  const model = inferModel(path, new Map(root.keys.filter((k) => /^block\d+_conv\d+$/.test(k)).map((k) => [k, 3])), KERAS);
  const convs = convNodes(model).map((node) => readLayer(path, root, node.weights));
  convs[0] = bgrFirstLayerToRgb(convs[0]);
  return { model: model.name, convs, inputMean: [...VGG_MEAN_RGB], source: path };
}

export function importKeras(path: string): ModelWeights {
  const bytes = readFileOrFail(path);
  try {
    return readKerasWeights(path, bytes);
  } catch (e) {
    if (isUserError(e)) throw e;
    // jsfive reads lazily and throws plain strings or Errors on damaged or unexpected content.
    const reason = (e instanceof Error ? e.message : String(e)).replace(/\s+/g, ' ');
    throw new UserError(`${path}: not a readable Keras HDF5 weights file, truncated or damaged? (${reason})`);
  }
}
