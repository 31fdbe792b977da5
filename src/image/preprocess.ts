/**
 * Conversion between RgbImage (interleaved HWC) and the network's input layout: planar CHW in
 * RGB order, each channel minus the training mean (the convention of the VGG weights). The
 * inverse does not clamp: the optimiser's image may stray outside 0..255, and only encoding
 * (encode.ts) turns values into bytes.
 */
import { createImage, type RgbImage } from './types.js';

export type ChannelMean = readonly [number, number, number];

export function toNetworkInput(img: RgbImage, mean: ChannelMean): Float32Array {
  const planeSize = img.width * img.height;
  const planar = new Float32Array(planeSize * 3);
  for (let pixel = 0; pixel < planeSize; pixel++) {
    for (let c = 0; c < 3; c++) planar[c * planeSize + pixel] = img.data[pixel * 3 + c] - mean[c];
  }
  return planar;
}

export function fromNetworkInput(x: Float32Array, width: number, height: number, mean: ChannelMean): RgbImage {
  const planeSize = width * height;
  if (x.length !== planeSize * 3) {
    throw new RangeError(`network input has ${x.length} values, expected 3x${height}x${width} = ${planeSize * 3}`);
  }
  const img = createImage(width, height);
  for (let pixel = 0; pixel < planeSize; pixel++) {
    for (let c = 0; c < 3; c++) img.data[pixel * 3 + c] = x[c * planeSize + pixel] + mean[c];
  }
  return img;
}
