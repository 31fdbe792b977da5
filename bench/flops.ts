/** Floating-point operation counts (a multiply-add counts 2), for GFLOP/s figures. */
import { nodeSizes, type NetworkDescription } from '../src/models/description.js';

export const convFlops = (inChannels: number, outChannels: number, h: number, w: number, kernel = 3): number =>
  2 * inChannels * outChannels * kernel * kernel * h * w;

export const gramFlops = (channels: number, h: number, w: number): number => 2 * channels * channels * h * w;

/**
 * A forward + backward of `model` to `deepest` at h x w: every conv twice (its output, and the
 * gradient with respect to its input), plus, for each of `styleLayers`, its Gram matrix
 * forward and backward. Pools, concatenations and elementwise work are not counted.
 */
export function networkFlops(model: NetworkDescription, h: number, w: number, deepest: string, styleLayers: readonly string[] = []): number {
  let flops = 0;
  for (const { node, channels, height, width } of nodeSizes(model, h, w, [deepest])) {
    if (node.kind === 'conv') flops += 2 * convFlops(node.inChannels, node.outChannels, height, width, node.kernel);
    if (styleLayers.includes(node.name)) flops += 2 * gramFlops(channels, height, width);
  }
  return flops;
}
