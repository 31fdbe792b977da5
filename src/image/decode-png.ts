/**
 * PNG decoding with pngjs. pngjs expands every colour type (greyscale, palette, RGB, with or
 * without alpha or a tRNS transparent colour) to RGBA; we ask it not to rescale bit depths
 * (skipRescale) and scale samples to 0..255 ourselves in floats, so 16-bit images keep their
 * precision. Transparency is composited on white, since the network sees only RGB.
 */
import { PNG } from 'pngjs';
import { readError } from './image-errors.js';
import { checkPixelLimit } from './limits.js';
import { createImage, type RgbImage } from './types.js';

const WHITE = 255;

export function decodePng(bytes: Uint8Array, file: string): RgbImage {
  checkHeaderDimensions(bytes, file);
  const png = parsePng(bytes, file);
  // Palette entries are always 8-bit; other samples range up to 2^depth - 1 (alpha included).
  const maxSample = png.palette ? 255 : 2 ** png.depth - 1;
  // With skipRescale a 16-bit image's data is a Uint16Array, whatever the Buffer type says.
  return compositeOnWhite(png.data as ArrayLike<number>, png.width, png.height, maxSample);
}

/**
 * Checks the size in the IHDR chunk, which must come first: signature (8 bytes), chunk length
 * (4), "IHDR" (4), width (4), height (4). Without an IHDR there, pngjs reports the corruption.
 */
function checkHeaderDimensions(bytes: Uint8Array, file: string): void {
  const IHDR_END = 24;
  if (bytes.length < IHDR_END) throw readError(file, 'the PNG file is truncated');
  if (Buffer.from(bytes.subarray(12, 16)).toString('latin1') !== 'IHDR') return;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  checkPixelLimit(view.getUint32(16), view.getUint32(20), file);
}

function parsePng(bytes: Uint8Array, file: string) {
  try {
    return PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), { skipRescale: true });
  } catch (e) {
    throw readError(file, `the PNG file is truncated or corrupt (${describePngError(e)})`);
  }
}

/** pngjs reports running out of input as a pending "read request"; say that plainly. */
function describePngError(e: unknown): string {
  const message = e instanceof Error ? e.message : String(e);
  return message.includes('read requests') ? 'unexpected end of file' : message;
}

/** RGBA samples on 0..maxSample -> RGB on 0..255, blending transparent pixels towards white. */
function compositeOnWhite(rgba: ArrayLike<number>, width: number, height: number, maxSample: number): RgbImage {
  const img = createImage(width, height);
  const scale = 255 / maxSample;
  for (let pixel = 0; pixel < width * height; pixel++) {
    const alpha = rgba[pixel * 4 + 3] / maxSample;
    for (let c = 0; c < 3; c++) {
      img.data[pixel * 3 + c] = alpha * rgba[pixel * 4 + c] * scale + (1 - alpha) * WHITE;
    }
  }
  return img;
}
