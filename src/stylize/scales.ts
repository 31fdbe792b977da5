/**
 * Coarse to fine (--scales): optimise at a quarter and half of the size first, each result
 * upsampled to start the next scale, so that most evaluations happen where they are cheap (an
 * evaluation costs about 4x more at twice the size). The objective at each scale is the same
 * recipe on the images scaled to that size (the style images too, by the same factor).
 */
import { resize } from '../image/resize.js';
import { fromNetworkInput, toNetworkInput } from '../image/preprocess.js';
import type { Shape3 } from '../engine/tensor.js';

export interface Scale {
  /** Longest side, px. */
  size: number;
  /** Evaluations (or outer iterations, as --iterations counts them) at this scale. */
  iterations: number;
}

/** Longest side at scale k of n (0 = coarsest): the output size halved n - 1 - k times. */
export function scaleSize(size: number, k: number, scales: number): number {
  return Math.max(1, Math.round(size / 2 ** (scales - 1 - k)));
}

/**
 * The share of the iterations each scale gets by default, coarsest first. Measured on the
 * 2-core machine (bench/README.md, coarse to fine): at 512 px the last scale needs only a few
 * tens of evaluations once started from an upsampled result, and each evaluation there costs
 * as much as 11 at 128 px.
 */
export const DEFAULT_SCALE_SHARES: Readonly<Record<number, readonly number[]>> = {
  1: [1],
  2: [0.75, 0.25],
  3: [0.6, 0.3, 0.1],
};

/** Splits a total over n scales by DEFAULT_SCALE_SHARES (equal shares beyond 3), at least 1 each. */
export function splitIterations(total: number, scales: number): number[] {
  const shares = DEFAULT_SCALE_SHARES[scales] ?? Array.from({ length: scales }, () => 1 / scales);
  const counts = shares.map((s) => Math.max(1, Math.floor(s * total)));
  // What rounding left over goes to the coarsest scale, where it costs least; what the
  // minimum of 1 added comes off the largest.
  for (let sum = counts.reduce((a, b) => a + b, 0); sum !== total; sum += sum < total ? 1 : -1) {
    if (sum < total) counts[0]++;
    else counts[counts.indexOf(Math.max(...counts))]--;
  }
  return counts;
}

/** The schedule of a run: each scale's size and iterations, coarsest first. */
export function scaleSchedule(size: number, iterations: readonly number[]): Scale[] {
  return iterations.map((n, k) => ({ size: scaleSize(size, k, iterations.length), iterations: n }));
}

/**
 * x ([3][h][w], planar) resized to [3][H][W]: bicubic, as the images are. The pixel spaces are
 * affine in the network's, and the interpolation weights sum to 1, so it is the same in any.
 */
export function upsample(x: Float32Array, from: Shape3, to: Shape3): Float32Array {
  const zero = [0, 0, 0] as const;
  return toNetworkInput(resize(fromNetworkInput(x, from[2], from[1], zero), to[2], to[1]), zero);
}
