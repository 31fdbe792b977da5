/**
 * The VGG feature extractors (Simonyan & Zisserman): blocks of 3x3 convs, stride 1, zero
 * padding 1, each followed by a ReLU, with a 2x2 stride-2 max pool (floor) between blocks.
 * Conv k of block b has weights 'conv<b>_<k>' and output 'relu<b>_<k>', the names users give.
 * The pool after the last block is never needed for style transfer and is left out.
 */
import { IMAGE, type ModelName, type NetworkDescription, type NetworkNode } from './description.js';

/** RGB means on 0..255 of the original (Caffe) VGG training set: the convention of the VGG weights. */
export const VGG_MEAN_RGB: readonly [number, number, number] = [123.68, 116.779, 103.939];

/** `blocks[b]` lists the output channels of block b+1's convs. */
export function vggNetwork(name: ModelName, title: string, blocks: readonly (readonly number[])[]): NetworkDescription {
  const nodes: NetworkNode[] = [];
  const torchvisionNames: Record<string, string> = {};
  let input = IMAGE;
  let inChannels = 3;
  // Index in torchvision's `features` Sequential: a conv and its ReLU take two, a pool one.
  let index = 0;
  blocks.forEach((channels, b) => {
    channels.forEach((outChannels, k) => {
      const weights = `conv${b + 1}_${k + 1}`;
      const output = `relu${b + 1}_${k + 1}`;
      nodes.push({ kind: 'conv', name: output, weights, input, inChannels, outChannels, kernel: 3, stride: 1, padding: 1, relu: true });
      torchvisionNames[weights] = `features.${index}`;
      index += 2;
      input = output;
      inChannels = outChannels;
    });
    if (b < blocks.length - 1) {
      const pool = `pool${b + 1}`;
      nodes.push({ kind: 'pool', name: pool, input, window: 2, stride: 2, ceil: false });
      index += 1;
      input = pool;
    }
  });
  return {
    name,
    title,
    nodes,
    layers: nodes.filter((n) => n.kind === 'conv').map((n) => n.name),
    torchvisionTargetMean: VGG_MEAN_RGB,
    torchvisionNames,
  };
}
