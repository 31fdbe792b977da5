/**
 * Writing images: encode to PNG (pngjs, lossless 8-bit RGB) or JPEG (jpeg-js), rounding and
 * clamping the float pixels to bytes here and nowhere else. Files are written to a temporary
 * name in the target's directory, flushed, then renamed over the target: rename within one
 * file system is atomic, so a viewer polling the output never sees a half-written image.
 */
import { extname } from 'node:path';
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { UserError } from '../errors.js';
import { describeFsError, writeFileAtomic, writeProblem } from '../files.js';
import { writeError } from './image-errors.js';
import { clampToByte } from './rgba.js';
import type { RgbImage } from './types.js';

export type OutputFormat = 'png' | 'jpeg';

export const DEFAULT_JPEG_QUALITY = 92;

const FORMAT_BY_EXTENSION: Readonly<Record<string, OutputFormat>> = { '.png': 'png', '.jpg': 'jpeg', '.jpeg': 'jpeg' };
const PNG_COLOR_TYPE_RGB = 2;

/** Encodes to PNG or JPEG; `quality` (1-100, JPEG only) trades file size for fidelity. */
export function encodeImage(img: RgbImage, format: OutputFormat, quality = DEFAULT_JPEG_QUALITY): Uint8Array {
  return format === 'png' ? encodePng(img) : encodeJpeg(img, quality);
}

/** Encodes `img` in the format `path`'s extension names and atomically replaces `path` with it. */
export function writeImageAtomic(path: string, img: RgbImage, opts: { quality?: number } = {}): void {
  const bytes = encodeImage(img, outputFormatOf(path), opts.quality);
  try {
    writeFileAtomic(path, bytes);
  } catch (e) {
    throw writeError(path, describeFsError(e));
  }
}

/**
 * Fails early, before a long run, if `path` could not be written at the end of it. An existing
 * file at `path` needs no write permission of its own: it is replaced by renaming over it.
 */
export function checkWritable(path: string): void {
  outputFormatOf(path);
  const problem = writeProblem(path);
  if (problem) throw writeError(path, problem);
}

/** The format an output path asks for, by its extension (case-insensitive). */
function outputFormatOf(path: string): OutputFormat {
  const extension = extname(path).toLowerCase();
  const format = FORMAT_BY_EXTENSION[extension];
  if (!format) {
    const got = extension ? `extension '${extension}'` : 'no extension';
    throw writeError(path, `unsupported output format (${got}); use .png, .jpg or .jpeg`);
  }
  return format;
}

function encodePng(img: RgbImage): Uint8Array {
  const png = new PNG();
  png.width = img.width;
  png.height = img.height;
  png.data = Buffer.from(toBytes(img, 3).buffer);
  return PNG.sync.write(png, { colorType: PNG_COLOR_TYPE_RGB, inputColorType: PNG_COLOR_TYPE_RGB, inputHasAlpha: false });
}

function encodeJpeg(img: RgbImage, quality: number): Uint8Array {
  if (!Number.isInteger(quality) || quality < 1 || quality > 100) {
    throw new UserError(`JPEG quality must be an integer from 1 to 100 (got ${quality})`);
  }
  // jpeg-js reads RGBA input and ignores the alpha byte.
  return jpeg.encode({ width: img.width, height: img.height, data: toBytes(img, 4) }, quality).data;
}

/** Rounds and clamps to 0..255 into `channels` bytes per pixel (a 4th channel is left at 0). NaN becomes 0. */
function toBytes(img: RgbImage, channels: 3 | 4): Uint8Array {
  const bytes = new Uint8Array(img.width * img.height * channels);
  for (let pixel = 0; pixel < img.width * img.height; pixel++) {
    for (let c = 0; c < 3; c++) bytes[pixel * channels + c] = clampToByte(img.data[pixel * 3 + c]);
  }
  return bytes;
}
