/**
 * Imports a torchvision VGG19 state dict (.pth, zip or legacy container): conv layers are
 * 'features.<i>.weight|bias', already OIHW and RGB; 'classifier.*' is ignored. conv1_1 is
 * converted from torchvision's input normalisation to ours (see input-convention.ts).
 */
import { UserError } from '../errors.js';
import { VGG19_LAYERS, VGG_MEAN_RGB } from '../vgg/layers.js';
import { readFileOrFail } from './files.js';
import { torchvisionFirstLayerToVgg } from './input-convention.js';
import { makeConvWeights, type ConvWeights, type ModelWeights } from './model-weights.js';
import { readTorchStateDict, type LazyTensor } from './torch-checkpoint.js';

/**
 * Index of each conv layer in torchvision's `vgg19.features` Sequential, where every conv is
 * followed by a ReLU and every block by a MaxPool: conv1_1 -> 0, conv1_2 -> 2, conv2_1 -> 5, ...
 */
export function torchvisionFeatureIndices(): Map<string, number> {
  const indices = new Map<string, number>();
  let position = 0;
  for (const layer of VGG19_LAYERS) {
    if (layer.kind === 'conv') indices.set(layer.name, position);
    position += layer.kind === 'conv' ? 2 : 1;
  }
  return indices;
}

function requireTensor(path: string, tensors: Map<string, LazyTensor>, key: string, layer: string): LazyTensor {
  const tensor = tensors.get(key);
  if (!tensor) throw new UserError(`${path}: has no '${key}' (${layer}); expected torchvision's vgg19 state dict`);
  return tensor;
}

export function importTorchvision(path: string): ModelWeights {
  const tensors = readTorchStateDict(readFileOrFail(path), path);
  const convs: ConvWeights[] = [];
  for (const [name, index] of torchvisionFeatureIndices()) {
    const weight = requireTensor(path, tensors, `features.${index}.weight`, name);
    const bias = requireTensor(path, tensors, `features.${index}.bias`, name);
    convs.push(makeConvWeights(path, name, weight.shape, weight.values(), bias.values()));
  }
  convs[0] = torchvisionFirstLayerToVgg(convs[0]);
  return { convs, inputMean: [...VGG_MEAN_RGB], source: path };
}
