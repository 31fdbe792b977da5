/**
 * Colour conversion for --original-colors: keep the content image's colours and take only the
 * luminance (brightness pattern) from the stylised result.
 *
 * Colour space: YUV with BT.601 luma, the same as torch's image.rgb2yuv/yuv2rgb that
 * neural-style uses, so results match it:
 *   Y = 0.299 R + 0.587 G + 0.114 B,  U = 0.492 (B - Y),  V = 0.877 (R - Y).
 * The choice of chroma axes does not change the result: with any chroma that is an invertible
 * function of (B - Y, R - Y), such as YIQ (YUV's chroma rotated by 33 degrees), replacing Y
 * gives output = content + (Y_stylised - Y_content) in every channel. Only the luma weights
 * matter. Our inverse is computed exactly from the forward transform (torch's printed
 * yuv2rgb coefficients are rounded), so a round trip is lossless up to float precision.
 */
import { createImage, type RgbImage } from './types.js';

/** Same layout as RgbImage, but each pixel holds Y, U, V instead of R, G, B. */
export interface YuvImage {
  width: number;
  height: number;
  data: Float32Array;
}

const LUMA_R = 0.299;
const LUMA_G = 0.587;
const LUMA_B = 0.114;
/** Scale of B - Y and R - Y, chosen in analogue video to keep U and V within transmission limits. */
const U_SCALE = 0.436 / (1 - LUMA_B);
const V_SCALE = 0.615 / (1 - LUMA_R);

export function toYuv(img: RgbImage): YuvImage {
  const out = createImage(img.width, img.height);
  for (let i = 0; i < img.data.length; i += 3) {
    const [r, g, b] = [img.data[i], img.data[i + 1], img.data[i + 2]];
    const y = LUMA_R * r + LUMA_G * g + LUMA_B * b;
    out.data[i] = y;
    out.data[i + 1] = U_SCALE * (b - y);
    out.data[i + 2] = V_SCALE * (r - y);
  }
  return out;
}

export function fromYuv(img: YuvImage): RgbImage {
  const out = createImage(img.width, img.height);
  for (let i = 0; i < img.data.length; i += 3) {
    const [y, u, v] = [img.data[i], img.data[i + 1], img.data[i + 2]];
    const r = y + v / V_SCALE;
    const b = y + u / U_SCALE;
    out.data[i] = r;
    out.data[i + 1] = (y - LUMA_R * r - LUMA_B * b) / LUMA_G;
    out.data[i + 2] = b;
  }
  return out;
}

/** The stylised image's luminance with the content image's chroma; both must be the same size. */
export function transferLuminance(stylised: RgbImage, content: RgbImage): RgbImage {
  if (stylised.width !== content.width || stylised.height !== content.height) {
    throw new RangeError(
      `transferLuminance needs images of one size, got ${stylised.width}x${stylised.height} and ${content.width}x${content.height}`,
    );
  }
  const stylisedYuv = toYuv(stylised);
  const result = toYuv(content);
  for (let i = 0; i < result.data.length; i += 3) result.data[i] = stylisedYuv.data[i];
  return fromYuv(result);
}
