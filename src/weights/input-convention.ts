/**
 * Converts a first conv layer trained on another input convention to the project's: RGB on a
 * 0..255 scale minus a per-channel mean (see weights/FORMAT.md, "Input convention"). Later
 * layers only see activations and need nothing.
 */
import type { ConvWeights } from './model-weights.js';

/** torchvision's normalisation of RGB in 0..1: x = (rgb - mean) / std, per channel. */
export const TORCHVISION_MEAN: readonly number[] = [0.485, 0.456, 0.406];
export const TORCHVISION_STD: readonly number[] = [0.229, 0.224, 0.225];

/**
 * Keras (Caffe) VGG19 takes BGR minus [103.939, 116.779, 123.68]: the same per-colour mean and
 * scale as ours, only the channel order differs, so reversing the input-channel axis is exact.
 */
export function bgrFirstLayerToRgb(conv: ConvWeights): ConvWeights {
  const { outChannels, inChannels, weight } = conv;
  const taps = weight.length / (outChannels * inChannels);
  const rgb = new Float32Array(weight.length);
  for (let o = 0; o < outChannels; o++) {
    for (let i = 0; i < inChannels; i++) {
      const from = (o * inChannels + (inChannels - 1 - i)) * taps;
      rgb.set(weight.subarray(from, from + taps), (o * inChannels + i) * taps);
    }
  }
  return { ...conv, weight: rgb };
}

/**
 * torchvision feeds x_c = (p_c/255 - m_c)/s_c for a pixel p in 0..255; we feed x'_c = p_c - M_c
 * with M = `mean`. Then x_c = x'_c/(255 s_c) + (M_c - 255 m_c)/(255 s_c), so for every output
 * channel o
 *   w'[o,c,h,w] = w[o,c,h,w] / (255 s_c)
 *   b'[o]       = b[o] + sum_{c,h,w} w'[o,c,h,w] * (M_c - 255 m_c)
 * computed in float64. Exact wherever the window lies inside the image. With zero padding
 * (VGG), the border differs slightly when M is not 255 m: the padding then stands for a
 * different grey in each convention (VGG's mean and 255 m are at most 0.5/255 apart). The
 * SqueezeNets take M = 255 m exactly (b' = b), and their first conv has no padding anyway.
 */
export function torchvisionFirstLayerToMean(conv: ConvWeights, mean: readonly number[]): ConvWeights {
  const { outChannels, inChannels, weight, bias } = conv;
  const taps = weight.length / (outChannels * inChannels);
  const rescaled = new Float32Array(weight.length);
  const shiftedBias = new Float32Array(outChannels);
  for (let o = 0; o < outChannels; o++) {
    let b = bias[o];
    for (let c = 0; c < inChannels; c++) {
      const meanGap = mean[c] - 255 * TORCHVISION_MEAN[c];
      for (let t = 0; t < taps; t++) {
        const k = (o * inChannels + c) * taps + t;
        const w = weight[k] / (255 * TORCHVISION_STD[c]);
        rescaled[k] = w;
        b += w * meanGap;
      }
    }
    shiftedBias[o] = b;
  }
  return { ...conv, weight: rescaled, bias: shiftedBias };
}
