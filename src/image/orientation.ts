/**
 * Turns an image as stored into the image as meant to be seen, given its Exif orientation.
 * Every orientation is "maybe swap the axes (transpose), then maybe mirror each stored axis",
 * so one loop with a three-flag table handles all eight instead of eight special cases.
 */
import type { Orientation } from './exif.js';
import { createImage, type RgbImage } from './types.js';

interface StoredToDisplayed {
  /** Displayed x runs along stored y (orientations 5-8: the image is turned a quarter). */
  swapAxes: boolean;
  /** Read the stored x axis right to left. */
  mirrorX: boolean;
  /** Read the stored y axis bottom to top. */
  mirrorY: boolean;
}

const ORIENTATIONS: Record<Orientation, StoredToDisplayed> = {
  1: { swapAxes: false, mirrorX: false, mirrorY: false }, // as stored
  2: { swapAxes: false, mirrorX: true, mirrorY: false }, // mirrored left-right
  3: { swapAxes: false, mirrorX: true, mirrorY: true }, // rotated 180
  4: { swapAxes: false, mirrorX: false, mirrorY: true }, // mirrored top-bottom
  5: { swapAxes: true, mirrorX: false, mirrorY: false }, // transposed
  6: { swapAxes: true, mirrorX: false, mirrorY: true }, // needs 90 degrees clockwise
  7: { swapAxes: true, mirrorX: true, mirrorY: true }, // transversed
  8: { swapAxes: true, mirrorX: true, mirrorY: false }, // needs 90 degrees counter-clockwise
};

export function applyOrientation(img: RgbImage, orientation: Orientation): RgbImage {
  if (orientation === 1) return img;
  const { swapAxes, mirrorX, mirrorY } = ORIENTATIONS[orientation];
  const out = swapAxes ? createImage(img.height, img.width) : createImage(img.width, img.height);
  for (let y = 0; y < out.height; y++) {
    for (let x = 0; x < out.width; x++) {
      const storedX = swapAxes ? y : x;
      const storedY = swapAxes ? x : y;
      const sourceX = mirrorX ? img.width - 1 - storedX : storedX;
      const sourceY = mirrorY ? img.height - 1 - storedY : storedY;
      const from = (sourceY * img.width + sourceX) * 3;
      const to = (y * out.width + x) * 3;
      for (let c = 0; c < 3; c++) out.data[to + c] = img.data[from + c];
    }
  }
  return out;
}
