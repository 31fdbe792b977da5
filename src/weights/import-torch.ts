/**
 * Imports a torchvision state dict (.pth, zip or legacy container) of vgg19, vgg16,
 * squeezenet1_0 or squeezenet1_1, telling which from its keys (infer-model.ts). Conv weights
 * are 'features.<i>.weight|bias' (VGG) or 'features.<i>.squeeze|expand1x1|expand3x3.weight|bias'
 * (SqueezeNet's fire modules), already OIHW and RGB; 'classifier.*' is ignored. The first conv
 * is converted from torchvision's input normalisation to ours (see input-convention.ts).
 */
import { UserError } from '../errors.js';
import { convNodes, type NetworkDescription } from '../models/description.js';
import { readFileOrFail } from './files.js';
import { inferModel, type SourceNaming } from './infer-model.js';
import { torchvisionFirstLayerToMean } from './input-convention.js';
import { makeConvWeights, type ModelWeights } from './model-weights.js';
import { readTorchStateDict, type LazyTensor } from './torch-checkpoint.js';

const TORCHVISION: SourceNaming = {
  kind: "torchvision's",
  nameOf: (model, conv) => `${model.torchvisionNames[conv.weights]}.weight`,
};

/** The 4-D tensors under 'features.', by key, with their kernel side. */
function featureConvs(tensors: Map<string, LazyTensor>): Map<string, number> {
  const convs = new Map<string, number>();
  for (const [key, tensor] of tensors) {
    if (key.startsWith('features.') && key.endsWith('.weight') && tensor.shape.length === 4) convs.set(key, tensor.shape[3]);
  }
  return convs;
}

function requireTensor(path: string, tensors: Map<string, LazyTensor>, key: string, layer: string, model: NetworkDescription): LazyTensor {
  const tensor = tensors.get(key);
  if (!tensor) throw new UserError(`${path}: has no '${key}' (${layer}); expected torchvision's ${model.name} state dict`);
  return tensor;
}

export function importTorchvision(path: string): ModelWeights {
  const tensors = readTorchStateDict(readFileOrFail(path), path);
  const model = inferModel(path, featureConvs(tensors), TORCHVISION);
  const convs = convNodes(model).map((node) => {
    const prefix = model.torchvisionNames[node.weights];
    const weight = requireTensor(path, tensors, `${prefix}.weight`, node.weights, model);
    const bias = requireTensor(path, tensors, `${prefix}.bias`, node.weights, model);
    return makeConvWeights(path, node.weights, weight.shape, weight.values(), bias.values(), `${prefix}.weight`);
  });
  convs[0] = torchvisionFirstLayerToMean(convs[0], model.torchvisionTargetMean);
  return { model: model.name, convs, inputMean: [...model.torchvisionTargetMean], source: path };
}
