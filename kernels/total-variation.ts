/**
 * Total variation of a C x H x W image in the three forms the recipes use, as per-row partial
 * sums (finished by the reductions in reduce.ts) and elementwise backward kernels: squared and
 * abs share one pair of kernels (a term per neighbour difference), pow has its own.
 * Write v = x[c][y][x] and up, down, left, right for its neighbours in the same channel.
 *
 * squared (jcjohnson/neural-style), every pair of vertical and horizontal neighbours:
 *   L = w * sum_{c,y,x} [y + 1 < H] (down - v)^2 + [x + 1 < W] (right - v)^2
 * v is the upper end of the differences above and to its left and the lower end of those
 * below and to its right:
 *   dL/dv = 2 w ( [y > 0](v - up) - [y + 1 < H](down - v) + [x > 0](v - left) - [x + 1 < W](right - v) )
 *
 * abs (tf.image.total_variation, article 000), the same pairs:
 *   L = w * sum_{c,y,x} [y + 1 < H] |down - v| + [x + 1 < W] |right - v|
 *   dL/dv = w ( [y > 0] s(v - up) - [y + 1 < H] s(down - v) + [x > 0] s(v - left) - [x + 1 < W] s(right - v) )
 * with s the sign. |d| has no derivative at d = 0; s(0) = 0 there, the subgradient TensorFlow's
 * Abs gradient uses (sign(0) = 0), and the one of least norm. It matters: 8-bit images have
 * many equal neighbours, and central differences of |d| across d = 0 also give 0.
 *
 * pow (the Keras examples, articles 003 and 004), over pixels that have both a lower and a
 * right neighbour, per channel (the articles sum after the power):
 *   q(y, x) = (v - down)^2 + (v - right)^2,   L = w * sum_{c, y < H-1, x < W-1} q^p
 * v enters its own q, q(y-1, x) of the pixel above (as that pixel's lower neighbour) and
 * q(y, x-1) of the pixel to its left (as that pixel's right neighbour). With P = p q^(p-1):
 *   dL/dv = 2 w ( [y < H-1, x < W-1] P(y, x) ((v - down) + (v - right))
 *               + [y > 0, x < W-1] P(y-1, x) (v - up)
 *               + [x > 0, y < H-1] P(y, x-1) (v - left) )
 * At q = 0 we set P = 0. For p > 1/2 that is the derivative (q^p = |d|^(2p) is differentiable
 * at 0 with slope 0); for p = 1/2 (isotropic TV) it is the subgradient of least norm; below
 * 1/2 the term has a cusp and 0 is the only bounded choice. It also keeps 0^(p-1) out of the
 * shader, where pow(0, y <= 0) is undefined.
 */
import type { KernelThis, Tensor3 } from './kernel-this.js';

export interface TvConstants {
  height: number;
  width: number;
}

export interface NeighbourTvConstants extends TvConstants {
  /** 1 for abs, 0 for squared. */
  absolute: number;
}

export interface TvPowerConstants extends TvConstants {
  power: number;
}

export interface NeighbourTvBackwardConstants extends NeighbourTvConstants {
  /** w times the constant factor of the derivative: 2 w for squared (d(d^2) = 2 d), w for abs. */
  scale: number;
}

export interface TvPowerBackwardConstants extends TvConstants {
  /** 2 w. */
  scale: number;
  power: number;
}

/** The term of one neighbour difference d: d^2 (squared) or |d| (abs). */
export function neighbourTerm(d: number, absolute: number): number {
  let r = d * d;
  if (absolute > 0) {
    r = Math.abs(d);
  }
  return r;
}

/**
 * Its derivative up to the factor in `scale`: d for squared, sign(d) for abs with sign(0) = 0
 * (see the top of the file), written out because gpu.js has no Math.sign on every backend.
 */
export function neighbourSlope(d: number, absolute: number): number {
  let r = d;
  if (absolute > 0) {
    r = 0;
    if (d > 0) {
      r = 1;
    }
    if (d < 0) {
      r = -1;
    }
  }
  return r;
}

/** squared and abs, output [C][H][1]: the terms of the differences that start in row y of channel z. */
export function neighbourTvRows(this: KernelThis<NeighbourTvConstants>, image: Tensor3): number {
  const c = this.thread.z;
  const y = this.thread.y;
  let sum = 0;
  for (let x = 0; x < this.constants.width; x++) {
    const v = image[c][y][x];
    if (y + 1 < this.constants.height) {
      sum += neighbourTerm(image[c][y + 1][x] - v, this.constants.absolute);
    }
    if (x + 1 < this.constants.width) {
      sum += neighbourTerm(image[c][y][x + 1] - v, this.constants.absolute);
    }
  }
  return sum;
}

export function neighbourTvBackward(this: KernelThis<NeighbourTvBackwardConstants>, image: Tensor3): number {
  const c = this.thread.z;
  const y = this.thread.y;
  const x = this.thread.x;
  const absolute = this.constants.absolute;
  const v = image[c][y][x];
  let g = 0;
  if (y > 0) {
    g += neighbourSlope(v - image[c][y - 1][x], absolute);
  }
  if (y + 1 < this.constants.height) {
    g -= neighbourSlope(image[c][y + 1][x] - v, absolute);
  }
  if (x > 0) {
    g += neighbourSlope(v - image[c][y][x - 1], absolute);
  }
  if (x + 1 < this.constants.width) {
    g -= neighbourSlope(image[c][y][x + 1] - v, absolute);
  }
  return g * this.constants.scale;
}

/** q^p, with 0 at q = 0 (pow(0, p) is defined for p > 0, but not every shader compiler agrees). */
export function powerOf(q: number, p: number): number {
  let r = 0;
  if (q > 0) {
    r = Math.pow(q, p);
  }
  return r;
}

/** Output [C][H][1]: sum over x < W-1 of q(y, x)^p in row y < H-1 of channel z; 0 in the last row. */
export function powTvRows(this: KernelThis<TvPowerConstants>, image: Tensor3): number {
  const c = this.thread.z;
  const y = this.thread.y;
  let sum = 0;
  if (y + 1 < this.constants.height) {
    for (let x = 0; x + 1 < this.constants.width; x++) {
      const v = image[c][y][x];
      const a = v - image[c][y + 1][x];
      const b = v - image[c][y][x + 1];
      sum += powerOf(a * a + b * b, this.constants.power);
    }
  }
  return sum;
}

export function powTvBackward(this: KernelThis<TvPowerBackwardConstants>, image: Tensor3): number {
  const c = this.thread.z;
  const y = this.thread.y;
  const x = this.thread.x;
  const h = this.constants.height;
  const w = this.constants.width;
  const p = this.constants.power;
  const v = image[c][y][x];
  let g = 0;
  if (y + 1 < h && x + 1 < w) {
    const a = v - image[c][y + 1][x];
    const b = v - image[c][y][x + 1];
    g += p * powerOf(a * a + b * b, p - 1) * (a + b);
  }
  if (y > 0 && x + 1 < w) {
    const up = image[c][y - 1][x];
    const a = up - v;
    const b = up - image[c][y - 1][x + 1];
    g += p * powerOf(a * a + b * b, p - 1) * (v - up);
  }
  if (x > 0 && y + 1 < h) {
    const left = image[c][y][x - 1];
    const a = left - image[c][y + 1][x - 1];
    const b = left - v;
    g += p * powerOf(a * a + b * b, p - 1) * (v - left);
  }
  return g * this.constants.scale;
}
