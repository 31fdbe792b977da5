/**
 * Resizing, hand-written and separable: each axis is resampled on its own (width first, then
 * height), with the filter chosen per axis.
 *  - Shrinking an axis: area averaging, an exact box filter. Each output pixel is the mean of
 *    the input it covers, partial input pixels weighted by the fraction covered. This never
 *    aliases, however large the reduction (bicubic would skip pixels when shrinking a lot).
 *  - Enlarging an axis: bicubic convolution (Keys 1981, a = -0.5, as in Pillow and OpenCV),
 *    pixel centres aligned (output centre i + 0.5 maps to input (i + 0.5) * in/out), pixels
 *    outside the image taken from the nearest edge. It reproduces constant and linear ramps.
 * Each axis becomes a table of "taps" (input indices and weights per output index) that one
 * generic loop applies along rows or columns.
 */
import { createImage, type RgbImage } from './types.js';

/** The input samples one output sample blends along an axis, and the weight of each. */
interface Taps {
  indices: number[];
  weights: number[];
}

const KEYS_A = -0.5;

export function resize(img: RgbImage, width: number, height: number): RgbImage {
  checkSize(width, height);
  if (width === img.width && height === img.height) return { width, height, data: img.data.slice() };
  return resampleAxis(resampleAxis(img, width, 'x'), height, 'y');
}

/** The size that scales (width, height) so its longer side is `longest`, keeping the aspect ratio. */
export function fitLongestSide(width: number, height: number, longest: number): [number, number] {
  checkSize(longest, longest);
  const shorterFor = (shorter: number, longer: number) => Math.max(1, Math.round((shorter * longest) / longer));
  return width >= height ? [longest, shorterFor(height, width)] : [shorterFor(width, height), longest];
}

function checkSize(width: number, height: number): void {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new RangeError(`image size must be positive whole pixels, got ${width}x${height}`);
  }
}

function resampleAxis(img: RgbImage, size: number, axis: 'x' | 'y'): RgbImage {
  const alongX = axis === 'x';
  const inputSize = alongX ? img.width : img.height;
  if (size === inputSize) return img;
  const out = alongX ? createImage(size, img.height) : createImage(img.width, size);
  const taps = size < inputSize ? areaTaps(inputSize, size) : bicubicTaps(inputSize, size);
  // Offsets into the interleaved data for one step along the axis and one line across it.
  const inStep = alongX ? 3 : img.width * 3;
  const outStep = alongX ? 3 : out.width * 3;
  const inLineStep = alongX ? img.width * 3 : 3;
  const outLineStep = alongX ? out.width * 3 : 3;
  const lineCount = alongX ? img.height : img.width;

  for (let line = 0; line < lineCount; line++) {
    for (let i = 0; i < size; i++) {
      const { indices, weights } = taps[i];
      for (let c = 0; c < 3; c++) {
        let sum = 0;
        for (let k = 0; k < indices.length; k++) sum += weights[k] * img.data[line * inLineStep + indices[k] * inStep + c];
        out.data[line * outLineStep + i * outStep + c] = sum;
      }
    }
  }
  return out;
}

/**
 * Output pixel i covers input [i * inSize / outSize, (i + 1) * inSize / outSize). Measured in
 * units of 1/outSize of an input pixel, every boundary is an integer, so the coverage fractions
 * (the weights) are computed exactly.
 */
function areaTaps(inSize: number, outSize: number): Taps[] {
  return Array.from({ length: outSize }, (_, i) => {
    const start = i * inSize;
    const end = (i + 1) * inSize;
    const taps: Taps = { indices: [], weights: [] };
    for (let j = Math.floor(start / outSize); j * outSize < end; j++) {
      const covered = Math.min(end, (j + 1) * outSize) - Math.max(start, j * outSize);
      taps.indices.push(j);
      taps.weights.push(covered / inSize);
    }
    return taps;
  });
}

function bicubicTaps(inSize: number, outSize: number): Taps[] {
  return Array.from({ length: outSize }, (_, i) => {
    const centre = ((i + 0.5) * inSize) / outSize - 0.5; // in input pixel coordinates
    const first = Math.floor(centre) - 1;
    const neighbours = [first, first + 1, first + 2, first + 3];
    return {
      indices: neighbours.map((j) => Math.min(inSize - 1, Math.max(0, j))),
      weights: neighbours.map((j) => keysCubic(centre - j)),
    };
  });
}

/** Keys' cubic convolution kernel; its weights at any four consecutive offsets sum to 1. */
function keysCubic(t: number): number {
  const x = Math.abs(t);
  if (x <= 1) return (KEYS_A + 2) * x ** 3 - (KEYS_A + 3) * x ** 2 + 1;
  if (x < 2) return KEYS_A * (x ** 3 - 5 * x ** 2 + 8 * x - 4);
  return 0;
}
