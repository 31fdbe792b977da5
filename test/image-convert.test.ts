/**
 * Colour (YUV, luminance transfer for --original-colors) and the network's planar input layout.
 */
import { describe, expect, it } from 'vitest';
import { fromNetworkInput, fromYuv, toNetworkInput, toYuv, transferLuminance, type RgbImage } from '../src/image/index.js';

function image(width: number, height: number, pixels: number[]): RgbImage {
  return { width, height, data: Float32Array.from(pixels) };
}

/** Deterministic, irregular 0..255 values. */
function scrambled(width: number, height: number, seed: number): RgbImage {
  return image(width, height, Array.from({ length: width * height * 3 }, (_, i) => ((i + seed) * 7919) % 256));
}

function expectAllClose(actual: ArrayLike<number>, expected: ArrayLike<number>, digits: number): void {
  expect(actual.length).toBe(expected.length);
  Array.from(actual).forEach((value, i) => expect(value).toBeCloseTo(expected[i], digits));
}

describe('YUV', () => {
  it("matches torch's image.rgb2yuv coefficients (as used by neural-style)", () => {
    const [r, g, b] = [200, 100, 50];
    const yuv = toYuv(image(1, 1, [r, g, b])).data;
    expect(yuv[0]).toBeCloseTo(0.299 * r + 0.587 * g + 0.114 * b, 3);
    expect(yuv[1]).toBeCloseTo(-0.14713 * r - 0.28886 * g + 0.436 * b, 2);
    expect(yuv[2]).toBeCloseTo(0.615 * r - 0.51499 * g - 0.10001 * b, 2);
  });

  it('gives greys no chroma', () => {
    expectAllClose(toYuv(image(2, 1, [0, 0, 0, 255, 255, 255])).data, [0, 0, 0, 255, 0, 0], 4);
  });

  it('round-trips RGB -> YUV -> RGB', () => {
    const img = scrambled(5, 4, 1);
    expectAllClose(fromYuv(toYuv(img)).data, img.data, 3);
  });
});

describe('transferLuminance', () => {
  const stylised = scrambled(4, 3, 2);
  const content = scrambled(4, 3, 5);
  const result = transferLuminance(stylised, content);

  it("takes the stylised image's Y and the content image's U and V", () => {
    const [resultYuv, stylisedYuv, contentYuv] = [result, stylised, content].map((img) => toYuv(img).data);
    for (let i = 0; i < resultYuv.length; i += 3) {
      expect(resultYuv[i]).toBeCloseTo(stylisedYuv[i], 3);
      expect(resultYuv[i + 1]).toBeCloseTo(contentYuv[i + 1], 3);
      expect(resultYuv[i + 2]).toBeCloseTo(contentYuv[i + 2], 3);
    }
  });

  it('equals the content shifted by the luma difference in every channel', () => {
    const luma = (d: Float32Array, i: number) => 0.299 * d[i] + 0.587 * d[i + 1] + 0.114 * d[i + 2];
    for (let i = 0; i < result.data.length; i += 3) {
      const shift = luma(stylised.data, i) - luma(content.data, i);
      for (let c = 0; c < 3; c++) expect(result.data[i + c]).toBeCloseTo(content.data[i + c] + shift, 3);
    }
  });

  it('keeps a grey content image grey', () => {
    const out = transferLuminance(image(1, 1, [255, 0, 0]), image(1, 1, [10, 10, 10]));
    expectAllClose(out.data, [76.245, 76.245, 76.245], 3); // pure red has luma 0.299 * 255
  });

  it('refuses images of different sizes', () => {
    expect(() => transferLuminance(scrambled(2, 2, 0), scrambled(2, 3, 0))).toThrow(RangeError);
  });
});

describe('network input', () => {
  const mean = [100, 110, 120] as const;

  it('is planar RGB (all R, then all G, then all B) minus the mean', () => {
    const img = image(2, 1, [1, 2, 3, 4, 5, 6]);
    expect(Array.from(toNetworkInput(img, mean))).toEqual([1 - 100, 4 - 100, 2 - 110, 5 - 110, 3 - 120, 6 - 120]);
  });

  it('round-trips', () => {
    const img = scrambled(3, 2, 9);
    const back = fromNetworkInput(toNetworkInput(img, [123.68, 116.779, 103.939]), 3, 2, [123.68, 116.779, 103.939]);
    expect([back.width, back.height]).toEqual([3, 2]);
    expectAllClose(back.data, img.data, 4);
  });

  it('does not clamp values outside 0..255', () => {
    const back = fromNetworkInput(Float32Array.from([-150, 0, 100, 200, 200, 0]), 2, 1, mean);
    expect(Array.from(back.data)).toEqual([-50, 210, 320, 100, 310, 120]);
  });

  it('rejects input of the wrong length', () => {
    expect(() => fromNetworkInput(new Float32Array(5), 2, 1, mean)).toThrow(RangeError);
  });
});
