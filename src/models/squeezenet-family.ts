/**
 * SqueezeNet (Iandola et al., 2016) as torchvision's `squeezenet1_x().features`: a strided
 * first conv with ReLU, then fire modules and 3x3 stride-2 max pools with ceil_mode=True.
 * `modules` lists what follows conv1 and its ReLU, as torchvision's Sequential does.
 * A fire module: s = ReLU(squeeze1x1(x)); out = [ReLU(expand1x1(s)); ReLU(expand3x3(s))]
 * (channel concatenation, expand1x1 first; expand3x3 has zero padding 1).
 *
 * Names follow the original Caffe model: conv1, pool1, fire2 ... fire9, and each pool
 * numbered after the module before it (v1.0: pool4, pool8; v1.1: pool3, pool5). Users pick
 * among these module outputs; weights are 'conv1' and 'fire<n>/squeeze1x1',
 * 'fire<n>/expand1x1', 'fire<n>/expand3x3' (the classifier, conv10, is not needed).
 */
import { IMAGE, type ModelName, type NetworkDescription, type NetworkNode } from './description.js';

/** torchvision trains on (rgb/255 - m)/s with m = [0.485, 0.456, 0.406]: converted imports take rgb - 255 m. */
const IMAGENET_MEAN_255: readonly [number, number, number] = [123.675, 116.28, 103.53];

export type SqueezeModule =
  | { kind: 'pool'; name: string }
  | { kind: 'fire'; name: string; squeeze: number; expand: number };

export function squeezeNetwork(
  name: ModelName,
  title: string,
  conv1: { outChannels: number; kernel: number },
  modules: readonly SqueezeModule[],
): NetworkDescription {
  const nodes: NetworkNode[] = [
    { kind: 'conv', name: 'conv1', weights: 'conv1', input: IMAGE, inChannels: 3, outChannels: conv1.outChannels, kernel: conv1.kernel, stride: 2, padding: 0, relu: true },
  ];
  const layers = ['conv1'];
  const torchvisionNames: Record<string, string> = { conv1: 'features.0' };
  let input = 'conv1';
  let channels = conv1.outChannels;
  // torchvision's features: conv1 is 0, its ReLU 1, then one index per pool or fire module.
  let index = 2;
  for (const module of modules) {
    if (module.kind === 'pool') {
      nodes.push({ kind: 'pool', name: module.name, input, window: 3, stride: 2, ceil: true });
    } else {
      const part = (p: string) => `${module.name}/${p}`;
      const squeeze = part('squeeze1x1');
      const conv = (weights: string, from: string, inChannels: number, outChannels: number, kernel: number): NetworkNode => ({
        kind: 'conv', name: weights, weights, input: from, inChannels, outChannels, kernel, stride: 1, padding: (kernel - 1) / 2, relu: true,
      });
      nodes.push(
        conv(squeeze, input, channels, module.squeeze, 1),
        conv(part('expand1x1'), squeeze, module.squeeze, module.expand, 1),
        conv(part('expand3x3'), squeeze, module.squeeze, module.expand, 3),
        { kind: 'concat', name: module.name, inputs: [part('expand1x1'), part('expand3x3')] },
      );
      torchvisionNames[squeeze] = `features.${index}.squeeze`;
      torchvisionNames[part('expand1x1')] = `features.${index}.expand1x1`;
      torchvisionNames[part('expand3x3')] = `features.${index}.expand3x3`;
      channels = 2 * module.expand;
    }
    layers.push(module.name);
    input = module.name;
    index += 1;
  }
  return { name, title, nodes, layers, torchvisionTargetMean: IMAGENET_MEAN_255, torchvisionNames };
}
