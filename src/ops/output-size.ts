/** Output sizes of the windowed ops, as PyTorch computes them (shared by the ops and the network descriptions). */

export interface ConvGeometry {
  /** Square kernel side. */
  kernel: number;
  stride: number;
  /** Zero padding on every side. */
  padding: number;
}

export interface PoolGeometry {
  /** Square window side; no padding. */
  window: number;
  stride: number;
  /** PyTorch's ceil_mode: a last, partial window where the input does not divide evenly. */
  ceil: boolean;
}

/** Output rows (or columns) of a conv over `size` rows, as PyTorch's Conv2d. */
export function convOutputSize(size: number, { kernel, stride, padding }: ConvGeometry): number {
  return Math.floor((size + 2 * padding - kernel) / stride) + 1;
}

/**
 * Output rows (or columns) of a pool over `size` rows, as PyTorch's pooling_output_shape with
 * no padding; 0 or less when the input is smaller than a window allows.
 */
export function pooledSize(size: number, { window, stride, ceil }: PoolGeometry): number {
  const n = Math.floor((size - window + (ceil ? stride - 1 : 0)) / stride) + 1;
  // With ceil the last window must still start inside the input.
  return ceil && n > 0 && (n - 1) * stride >= size ? n - 1 : n;
}
