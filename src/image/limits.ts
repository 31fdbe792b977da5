/**
 * The largest image we agree to decode, checked from the header before any pixel memory is
 * allocated, so a huge or hostile file fails with a clear message instead of exhausting memory.
 * 100 megapixels covers any camera photo; the decoded float image alone is then 1.2 GB.
 */
import { readError } from './image-errors.js';

export const MAX_IMAGE_MEGAPIXELS = 100;

export function checkPixelLimit(width: number, height: number, file: string): void {
  const megapixels = (width * height) / 1e6;
  if (megapixels > MAX_IMAGE_MEGAPIXELS) {
    throw readError(
      file,
      `the image is ${width}x${height} (${megapixels.toFixed(1)} MP); the largest supported is ${MAX_IMAGE_MEGAPIXELS} MP`,
    );
  }
}
