/**
 * Resizing against values worked out by hand: box averages when shrinking, Keys bicubic weights
 * (a = -0.5) when enlarging, per axis; constants stay constant and ramps stay linear.
 */
import { describe, expect, it } from 'vitest';
import { fitLongestSide, resize, type RgbImage } from '../src/image/index.js';

/** A greyscale image (R = G = B) from rows of values. */
function grey(rows: number[][]): RgbImage {
  const data = Float32Array.from(rows.flat().flatMap((v) => [v, v, v]));
  return { width: rows[0].length, height: rows.length, data };
}

/** The rows of a greyscale image, checking R = G = B on the way. */
function rowsOf(img: RgbImage): number[][] {
  return Array.from({ length: img.height }, (_, y) =>
    Array.from({ length: img.width }, (_, x) => {
      const i = (y * img.width + x) * 3;
      expect(img.data[i + 1]).toBe(img.data[i]);
      expect(img.data[i + 2]).toBe(img.data[i]);
      return img.data[i];
    }),
  );
}

function expectRowsClose(img: RgbImage, expected: number[][]): void {
  const actual = rowsOf(img);
  expect([img.width, img.height]).toEqual([expected[0].length, expected.length]);
  expected.forEach((row, y) => row.forEach((value, x) => expect(actual[y][x]).toBeCloseTo(value, 4)));
}

// Keys' kernel with a = -0.5:  W(x) = 1.5|x|^3 - 2.5|x|^2 + 1 for |x| <= 1,
//                              W(x) = -0.5|x|^3 + 2.5|x|^2 - 4|x| + 2 for 1 < |x| < 2.
// So W(0.25) = 0.8671875, W(0.75) = 0.2265625, W(1.25) = -0.0703125, W(1.75) = -0.0234375.
// 2 -> 4: output i's centre sits at input x = (i + 0.5) / 2 - 0.5 = -0.25, 0.25, 0.75, 1.25.
// Output 0 (x = -0.25) takes inputs -2, -1, 0 (all clamped to pixel 0) and 1:
//   p0 * (W(1.75) + W(0.75) + W(0.25)) + p1 * W(1.25) = 1.0703125 p0 - 0.0703125 p1.
// Output 1 (x = 0.25) takes inputs -1, 0 (pixel 0) and 1, 2 (pixel 1):
//   p0 * (W(1.25) + W(0.25)) + p1 * (W(0.75) + W(1.75)) = 0.796875 p0 + 0.203125 p1.
// Outputs 2 and 3 mirror these. With p0 = 0, p1 = 128: -9, 26, 102, 137.
const BICUBIC_0_128_TO_4 = [-9, 26, 102, 137];

describe('resize: shrinking averages areas', () => {
  it('4x4 -> 2x2 is the mean of each 2x2 block', () => {
    const img = grey([
      [0, 10, 20, 30],
      [40, 50, 60, 70],
      [100, 100, 0, 4],
      [100, 100, 8, 12],
    ]);
    expectRowsClose(resize(img, 2, 2), [
      [25, 45],
      [100, 6],
    ]);
  });

  it('3 -> 2 weights the shared middle pixel by the half each output covers', () => {
    // Output 0 covers input [0, 1.5): all of pixel 0 and half of pixel 1; output 1 the rest.
    expectRowsClose(resize(grey([[30, 60, 90]]), 2, 1), [[(30 + 0.5 * 60) / 1.5, (0.5 * 60 + 90) / 1.5]]);
  });

  it('shrinks each colour channel on its own', () => {
    const img: RgbImage = { width: 2, height: 1, data: new Float32Array([10, 20, 30, 50, 60, 70]) };
    expect(Array.from(resize(img, 1, 1).data)).toEqual([30, 40, 50]);
  });
});

describe('resize: enlarging is bicubic', () => {
  it('2x1 -> 4x1 matches the hand-derived weights (overshoot included)', () => {
    expectRowsClose(resize(grey([[0, 128]]), 4, 1), [BICUBIC_0_128_TO_4]);
  });

  it('1x2 -> 1x4 does the same down a column', () => {
    expectRowsClose(
      resize(grey([[0], [128]]), 1, 4),
      BICUBIC_0_128_TO_4.map((v) => [v]),
    );
  });

  it('keeps a linear ramp linear away from the edges', () => {
    const ramp = grey([Array.from({ length: 8 }, (_, x) => 10 * x)]);
    const row = rowsOf(resize(ramp, 16, 1))[0];
    // Outputs 3..12 sit at input x = 1.25..5.75, where all four taps lie inside the image.
    for (let i = 3; i <= 12; i++) expect(row[i]).toBeCloseTo(10 * ((i + 0.5) / 2 - 0.5), 4);
  });
});

describe('resize: general', () => {
  it('a constant image stays constant when shrinking, enlarging or both', () => {
    const constant = grey(Array.from({ length: 7 }, () => Array(5).fill(77.5)));
    for (const [width, height] of [[3, 2], [13, 11], [2, 16], [11, 3]]) {
      const out = resize(constant, width, height);
      expect([out.width, out.height]).toEqual([width, height]);
      for (const value of out.data) expect(value).toBeCloseTo(77.5, 4);
    }
  });

  it('handles each axis independently: shrink across, enlarge down', () => {
    const img = grey([
      [0, 0, 0, 0],
      [128, 128, 128, 128],
    ]);
    expectRowsClose(
      resize(img, 2, 4),
      BICUBIC_0_128_TO_4.map((v) => [v, v]),
    );
  });

  it('returns a copy when the size is unchanged', () => {
    const img = grey([[1, 2]]);
    const out = resize(img, 2, 1);
    expect(out.data).not.toBe(img.data);
    expect(Array.from(out.data)).toEqual(Array.from(img.data));
  });

  it('rejects sizes that are not positive whole numbers', () => {
    const img = grey([[1]]);
    for (const [width, height] of [[0, 1], [1, -2], [1.5, 1], [NaN, 1]]) {
      expect(() => resize(img, width, height)).toThrow(RangeError);
    }
  });
});

describe('fitLongestSide', () => {
  it('scales the longer side to the target and keeps the aspect ratio', () => {
    expect(fitLongestSide(1024, 768, 512)).toEqual([512, 384]);
    expect(fitLongestSide(768, 1024, 512)).toEqual([384, 512]);
    expect(fitLongestSide(500, 500, 1000)).toEqual([1000, 1000]);
  });

  it('rounds the shorter side and keeps at least one pixel', () => {
    expect(fitLongestSide(3, 2, 5)).toEqual([5, 3]); // 3.33
    expect(fitLongestSide(4, 3, 2)).toEqual([2, 2]); // 1.5
    expect(fitLongestSide(1000, 1, 10)).toEqual([10, 1]); // 0.01
  });
});
