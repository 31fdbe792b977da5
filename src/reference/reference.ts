/**
 * Plain float64 implementations of every kernel's forward pass, written for clarity only.
 * They are the yardstick of the checks: kernel outputs are compared with them, and central
 * finite differences of them are compared with the kernels' backward passes.
 * All tensors are planar [C][H][W] arrays.
 */
import type { Shape3 } from '../engine/tensor.js';
import type { TvForm } from '../ops/total-variation.js';

export interface HostTensor {
  shape: Shape3;
  data: Float64Array;
}

const at = ([, h, w]: Shape3, c: number, y: number, x: number): number => (c * h + y) * w + x;

/** weights: [Cout][Cin][3][3] flattened; bias: [Cout]. Zero padding 1, stride 1. */
export function conv3x3Ref(x: HostTensor, weights: Float64Array, bias: Float64Array, relu: boolean): HostTensor {
  const [cin, h, w] = x.shape;
  const cout = bias.length;
  const shape: Shape3 = [cout, h, w];
  const out = new Float64Array(cout * h * w);
  for (let o = 0; o < cout; o++) {
    for (let y = 0; y < h; y++) {
      for (let xx = 0; xx < w; xx++) {
        let sum = bias[o];
        for (let i = 0; i < cin; i++) {
          for (let ky = 0; ky < 3; ky++) {
            for (let kx = 0; kx < 3; kx++) {
              const iy = y + ky - 1;
              const ix = xx + kx - 1;
              if (iy < 0 || iy >= h || ix < 0 || ix >= w) continue;
              sum += weights[((o * cin + i) * 3 + ky) * 3 + kx] * x.data[at(x.shape, i, iy, ix)];
            }
          }
        }
        out[at(shape, o, y, xx)] = relu ? Math.max(sum, 0) : sum;
      }
    }
  }
  return { shape, data: out };
}

export function reluRef(x: HostTensor): HostTensor {
  return { shape: x.shape, data: x.data.map((v) => Math.max(v, 0)) };
}

export function pool2x2Ref(x: HostTensor, kind: 'max' | 'avg'): HostTensor {
  const [c, h, w] = x.shape;
  const shape: Shape3 = [c, Math.floor(h / 2), Math.floor(w / 2)];
  const out = new Float64Array(shape[0] * shape[1] * shape[2]);
  for (let z = 0; z < c; z++) {
    for (let y = 0; y < shape[1]; y++) {
      for (let xx = 0; xx < shape[2]; xx++) {
        const window = [0, 1, 2, 3].map((k) => x.data[at(x.shape, z, 2 * y + (k >> 1), 2 * xx + (k & 1))]);
        out[at(shape, z, y, xx)] = kind === 'max' ? Math.max(...window) : (window[0] + window[1] + window[2] + window[3]) / 4;
      }
    }
  }
  return { shape, data: out };
}

/** G = norm F F^T, shape [1][C][C]; norm defaults to 1 / (C H W). */
export function gramRef(f: HostTensor, norm?: number): HostTensor {
  const [c, h, w] = f.shape;
  const n = h * w;
  const scale = norm ?? 1 / (c * n);
  const out = new Float64Array(c * c);
  for (let a = 0; a < c; a++) {
    for (let b = 0; b < c; b++) {
      let sum = 0;
      for (let k = 0; k < n; k++) sum += f.data[a * n + k] * f.data[b * n + k];
      out[a * c + b] = sum * scale;
    }
  }
  return { shape: [1, c, c], data: out };
}

export function weightedSquaredErrorRef(a: Float64Array, b: Float64Array, weight: number, reduction: 'mean' | 'sum'): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += (a[i] - b[i]) ** 2;
  return (weight * sum) / (reduction === 'mean' ? a.length : 1);
}

/** weight * TV(x) in one of the forms of kernels/total-variation.ts. */
export function totalVariationRef(x: HostTensor, form: TvForm, weight: number): number {
  const [c, h, w] = x.shape;
  const v = (z: number, y: number, xx: number) => x.data[at(x.shape, z, y, xx)];
  let sum = 0;
  for (let z = 0; z < c; z++) {
    for (let y = 0; y < h; y++) {
      for (let xx = 0; xx < w; xx++) {
        if (form.norm === 'pow') {
          if (y + 1 < h && xx + 1 < w) sum += ((v(z, y, xx) - v(z, y + 1, xx)) ** 2 + (v(z, y, xx) - v(z, y, xx + 1)) ** 2) ** form.power;
          continue;
        }
        const term = form.norm === 'abs' ? Math.abs : (d: number) => d * d;
        if (y + 1 < h) sum += term(v(z, y + 1, xx) - v(z, y, xx));
        if (xx + 1 < w) sum += term(v(z, y, xx + 1) - v(z, y, xx));
      }
    }
  }
  return weight * sum;
}
