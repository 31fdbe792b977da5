/**
 * Reading images from disk: load the bytes, recognise the format by content (see sniff.ts) and
 * hand them to the PNG or JPEG decoder. Every failure a user can cause (missing or unreadable
 * file, empty, truncated, not an image, unsupported format) becomes a UserError naming the file.
 */
import { readFileSync } from 'node:fs';
import { decodeJpeg } from './decode-jpeg.js';
import { decodePng } from './decode-png.js';
import { describeFsError } from '../files.js';
import { readError } from './image-errors.js';
import { detectFormat } from './sniff.js';
import type { RgbImage } from './types.js';

export function readImage(path: string): RgbImage {
  return decodeImage(readBytes(path), path);
}

/** Decodes PNG or JPEG bytes; `nameForErrors` is the file name used in error messages. */
export function decodeImage(bytes: Uint8Array, nameForErrors: string): RgbImage {
  const format = detectFormat(bytes, nameForErrors);
  return format === 'png' ? decodePng(bytes, nameForErrors) : decodeJpeg(bytes, nameForErrors);
}

function readBytes(path: string): Uint8Array {
  try {
    return readFileSync(path);
  } catch (e) {
    throw readError(path, describeFsError(e));
  }
}
