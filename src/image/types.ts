/**
 * The one in-memory image type the tool passes around: RGB floats on the familiar 0..255 scale.
 * Floats (not bytes) so that resizing, colour conversion and the network's output keep their
 * precision until the final encode, which is the only place values are rounded and clamped.
 */
export interface RgbImage {
  width: number;
  height: number;
  /** Interleaved RGB, row-major: pixel (x, y) channel c is at (y * width + x) * 3 + c; 0..255 scale. */
  data: Float32Array;
}

/** Allocates a black image of the given size. */
export function createImage(width: number, height: number): RgbImage {
  return { width, height, data: new Float32Array(width * height * 3) };
}
