/** Floating-point operation counts (a multiply-add counts 2), for GFLOP/s figures. */
import { convsAtSize } from '../src/vgg/layers.js';

export const convFlops = (inChannels: number, outChannels: number, h: number, w: number): number =>
  2 * inChannels * outChannels * 9 * h * w;

export const gramFlops = (channels: number, h: number, w: number): number => 2 * channels * channels * h * w;

/**
 * A VGG19 forward + backward to relu5_1 at h x w: every conv twice, plus, for each of
 * `styleLayers`, its Gram matrix forward and backward. Elementwise work is not counted.
 */
export function vggFlops(h: number, w: number, styleLayers: readonly string[] = []): number {
  let flops = 0;
  for (const { layer, height, width } of convsAtSize(h, w, 'relu5_1')) {
    flops += 2 * convFlops(layer.inChannels, layer.outChannels, height, width);
    if (styleLayers.includes(layer.relu)) flops += 2 * gramFlops(layer.outChannels, height, width);
  }
  return flops;
}
