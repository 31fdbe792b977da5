/** Floating-point operation counts (a multiply-add counts 2), for GFLOP/s figures. */
import { VGG19_LAYERS } from '../src/vgg/layers.js';

export const convFlops = (inChannels: number, outChannels: number, h: number, w: number): number =>
  2 * inChannels * outChannels * 9 * h * w;

export const gramFlops = (channels: number, h: number, w: number): number => 2 * channels * channels * h * w;

/**
 * A VGG19 forward + backward to relu5_1 at h x w: every conv twice, plus, for each of
 * `styleLayers`, its Gram matrix forward and backward. Elementwise work is not counted.
 */
export function vggFlops(h: number, w: number, styleLayers: readonly string[] = []): number {
  let flops = 0;
  for (const layer of VGG19_LAYERS) {
    if (layer.kind === 'pool') {
      h = Math.floor(h / 2);
      w = Math.floor(w / 2);
      continue;
    }
    flops += 2 * convFlops(layer.inChannels, layer.outChannels, h, w);
    if (styleLayers.includes(layer.relu)) flops += 2 * gramFlops(layer.outChannels, h, w);
    if (layer.relu === 'relu5_1') break;
  }
  return flops;
}
