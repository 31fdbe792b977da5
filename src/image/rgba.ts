/**
 * Images as canvases, pngjs and jpeg-js hold them: RGBA bytes, row-major. The library takes and
 * gives these; inside, images are RgbImage floats (types.ts).
 */
import { UserError } from '../errors.js';
import { createImage, type RgbImage } from './types.js';

/** What a canvas ImageData, pngjs's PNG and jpeg-js's decode give: { width, height, data } with data RGBA. */
export interface RgbaImage {
  width: number;
  height: number;
  /** Interleaved RGBA bytes, row-major: 4 * width * height of them. */
  data: Uint8ClampedArray | Uint8Array;
}

/**
 * An image handed to the library: RGBA bytes, or RGB floats on 0..255 (a Float32Array, 3 per
 * pixel: the tool's own image type, as its decoders give it, e.g. a 16-bit PNG unrounded),
 * with the name messages should call it by (default: content, style[i], init).
 */
export interface InputImage {
  width: number;
  height: number;
  data: Uint8ClampedArray | Uint8Array | Float32Array;
  name?: string;
}

/** The background a transparent pixel is composited over, as PNG decoding does (decode-png.ts). */
const WHITE = 255;

/**
 * RGBA bytes to an RgbImage, alpha composited over white (RGB floats are taken as they are);
 * `label` names the image in the UserError a malformed one gets.
 */
export function fromRgba(image: RgbaImage | InputImage, label: string): RgbImage {
  const { width, height, data } = (image ?? {}) as Partial<InputImage>;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width! < 1 || height! < 1) {
    throw new UserError(`${label}: expected an image { width, height, data } with positive integer width and height, got ${width}x${height}`);
  }
  if (data instanceof Float32Array) {
    if (data.length !== width! * height! * 3) throw new UserError(`${label}: a Float32Array holds RGB floats, ${width! * height! * 3} of them for ${width}x${height}`);
    return { width: width!, height: height!, data };
  }
  if (!(data instanceof Uint8ClampedArray || data instanceof Uint8Array) || data.length !== width! * height! * 4) {
    throw new UserError(`${label}: data must be a Uint8ClampedArray or Uint8Array of RGBA bytes, ${width! * height! * 4} of them for ${width}x${height} (or a Float32Array of RGB floats)`);
  }
  const img = createImage(width!, height!);
  for (let pixel = 0; pixel < width! * height!; pixel++) {
    const alpha = data[pixel * 4 + 3] / 255;
    for (let c = 0; c < 3; c++) img.data[pixel * 3 + c] = alpha * data[pixel * 4 + c] + (1 - alpha) * WHITE;
  }
  return img;
}

/** Rounded and clamped to a byte, as every encoder here writes a value. */
export function clampToByte(value: number): number {
  return value <= 0 ? 0 : value >= 255 ? 255 : Math.round(value);
}

/** An RgbImage as opaque RGBA bytes (what a canvas's putImageData takes). */
export function toRgba(img: RgbImage): { width: number; height: number; data: Uint8ClampedArray } {
  const data = new Uint8ClampedArray(img.width * img.height * 4);
  for (let pixel = 0; pixel < img.width * img.height; pixel++) {
    for (let c = 0; c < 3; c++) data[pixel * 4 + c] = clampToByte(img.data[pixel * 3 + c]);
    data[pixel * 4 + 3] = 255;
  }
  return { width: img.width, height: img.height, data };
}
