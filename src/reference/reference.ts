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

export interface ConvGeometryRef {
  kernel: number;
  stride: number;
  padding: number;
}

/** weights: [Cout][Cin][K][K] flattened; bias: [Cout]. Zero padding, as PyTorch's Conv2d. */
export function convRef(x: HostTensor, weights: Float64Array, bias: Float64Array, { kernel, stride, padding }: ConvGeometryRef, relu: boolean): HostTensor {
  const [cin, h, w] = x.shape;
  const cout = bias.length;
  const shape: Shape3 = [cout, Math.floor((h + 2 * padding - kernel) / stride) + 1, Math.floor((w + 2 * padding - kernel) / stride) + 1];
  const out = new Float64Array(cout * shape[1] * shape[2]);
  for (let o = 0; o < cout; o++) {
    for (let y = 0; y < shape[1]; y++) {
      for (let xx = 0; xx < shape[2]; xx++) {
        let sum = bias[o];
        for (let i = 0; i < cin; i++) {
          for (let ky = 0; ky < kernel; ky++) {
            for (let kx = 0; kx < kernel; kx++) {
              const iy = y * stride + ky - padding;
              const ix = xx * stride + kx - padding;
              if (iy < 0 || iy >= h || ix < 0 || ix >= w) continue;
              sum += weights[((o * cin + i) * kernel + ky) * kernel + kx] * x.data[at(x.shape, i, iy, ix)];
            }
          }
        }
        out[at(shape, o, y, xx)] = relu ? Math.max(sum, 0) : sum;
      }
    }
  }
  return { shape, data: out };
}

/** VGG's convolution: 3x3, stride 1, zero padding 1. */
export const CONV3X3: ConvGeometryRef = { kernel: 3, stride: 1, padding: 1 };

export function reluRef(x: HostTensor): HostTensor {
  return { shape: x.shape, data: x.data.map((v) => Math.max(v, 0)) };
}

export interface PoolWindowRef {
  window: number;
  stride: number;
  ceil: boolean;
}

/** VGG's pooling: 2x2 windows, stride 2, an odd last row or column dropped. */
export const POOL2X2: PoolWindowRef = { window: 2, stride: 2, ceil: false };

/**
 * Pooling without padding as PyTorch's max_pool2d / avg_pool2d: with ceil, a last partial
 * window (clipped to the input, averaged over its cells) is added where one starts inside.
 */
export function poolRef(x: HostTensor, kind: 'max' | 'avg', { window, stride, ceil }: PoolWindowRef): HostTensor {
  const [c, h, w] = x.shape;
  const count = (n: number) => {
    const windows = (ceil ? Math.ceil((n - window) / stride) : Math.floor((n - window) / stride)) + 1;
    return ceil && (windows - 1) * stride >= n ? windows - 1 : windows;
  };
  const shape: Shape3 = [c, count(h), count(w)];
  const out = new Float64Array(shape[0] * shape[1] * shape[2]);
  for (let z = 0; z < c; z++) {
    for (let y = 0; y < shape[1]; y++) {
      for (let xx = 0; xx < shape[2]; xx++) {
        const cells: number[] = [];
        for (let iy = y * stride; iy < Math.min(y * stride + window, h); iy++) {
          for (let ix = xx * stride; ix < Math.min(xx * stride + window, w); ix++) cells.push(x.data[at(x.shape, z, iy, ix)]);
        }
        out[at(shape, z, y, xx)] = kind === 'max' ? Math.max(...cells) : cells.reduce((a, b) => a + b, 0) / cells.length;
      }
    }
  }
  return { shape, data: out };
}

/** [a; b] along the channel axis. */
export function concatRef(a: HostTensor, b: HostTensor): HostTensor {
  const data = new Float64Array(a.data.length + b.data.length);
  data.set(a.data);
  data.set(b.data, a.data.length);
  return { shape: [a.shape[0] + b.shape[0], a.shape[1], a.shape[2]], data };
}

/** Rows [top, top + height) and columns [left, left + width) of every channel. */
export function cropRef(x: HostTensor, top: number, left: number, height: number, width: number): HostTensor {
  const shape: Shape3 = [x.shape[0], height, width];
  const out = new Float64Array(shape[0] * height * width);
  for (let c = 0; c < shape[0]; c++) {
    for (let y = 0; y < height; y++) {
      for (let xx = 0; xx < width; xx++) out[at(shape, c, y, xx)] = x.data[at(x.shape, c, top + y, left + xx)];
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
