/**
 * Drawing on an RgbImage (float RGB, 0..255) for the gallery: filled rectangles, lines,
 * images scaled by whole factors (nearest neighbour, so pixels stay honest) and text in the
 * 5x7 font. Coordinates are pixels from the top left; anything outside the canvas is clipped.
 */
import { createImage, type RgbImage } from '../src/image/index.js';
import { glyph, GLYPH_HEIGHT, GLYPH_WIDTH } from './font.js';

export type Colour = readonly [number, number, number];

export const WHITE: Colour = [255, 255, 255];
export const BLACK: Colour = [0, 0, 0];
export const GREY: Colour = [150, 150, 150];

export function canvas(width: number, height: number, background: Colour = WHITE): RgbImage {
  const img = createImage(width, height);
  fillRect(img, 0, 0, width, height, background);
  return img;
}

export function setPixel(img: RgbImage, x: number, y: number, c: Colour): void {
  const px = Math.round(x);
  const py = Math.round(y);
  if (px < 0 || py < 0 || px >= img.width || py >= img.height) return;
  img.data.set(c, (py * img.width + px) * 3);
}

export function fillRect(img: RgbImage, x: number, y: number, w: number, h: number, c: Colour): void {
  for (let py = y; py < y + h; py++) for (let px = x; px < x + w; px++) setPixel(img, px, py, c);
}

/** A line one pixel wide, stepped along its longer axis. */
export function line(img: RgbImage, x0: number, y0: number, x1: number, y1: number, c: Colour): void {
  const steps = Math.max(1, Math.ceil(Math.max(Math.abs(x1 - x0), Math.abs(y1 - y0))));
  for (let k = 0; k <= steps; k++) setPixel(img, x0 + ((x1 - x0) * k) / steps, y0 + ((y1 - y0) * k) / steps, c);
}

/** Copies `src` with its top left at (x, y), each pixel drawn as a scale x scale square. */
export function blit(img: RgbImage, src: RgbImage, x: number, y: number, scale = 1): void {
  for (let sy = 0; sy < src.height * scale; sy++) {
    for (let sx = 0; sx < src.width * scale; sx++) {
      const i = (Math.floor(sy / scale) * src.width + Math.floor(sx / scale)) * 3;
      setPixel(img, x + sx, y + sy, [src.data[i], src.data[i + 1], src.data[i + 2]]);
    }
  }
}

/** Width in pixels of `text` at `scale` (one blank column between characters). */
export function textWidth(text: string, scale = 1): number {
  return text.length * (GLYPH_WIDTH + 1) * scale;
}

export const TEXT_HEIGHT = GLYPH_HEIGHT;

export function text(img: RgbImage, s: string, x: number, y: number, c: Colour = BLACK, scale = 1): void {
  [...s].forEach((ch, k) => {
    glyph(ch).forEach((row, gy) =>
      row.forEach((on, gx) => {
        if (on) fillRect(img, x + (k * (GLYPH_WIDTH + 1) + gx) * scale, y + gy * scale, scale, scale, c);
      }),
    );
  });
}
