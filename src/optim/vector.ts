/**
 * Vector helpers for the optimisers. Vectors are stored as Float32Array (up to a few
 * million values, so memory matters) but reductions accumulate in float64 (JS numbers),
 * so that sums over millions of terms do not lose the precision float32 would.
 */

export function dot(a: Float32Array, b: Float32Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += a[i] * b[i];
  return sum;
}

/** y += alpha * x */
export function addScaled(y: Float32Array, alpha: number, x: Float32Array): void {
  for (let i = 0; i < y.length; i++) y[i] += alpha * x[i];
}

export function scale(v: Float32Array, factor: number): void {
  for (let i = 0; i < v.length; i++) v[i] *= factor;
}

/** The infinity norm, max |v_i|. */
export function maxAbs(v: Float32Array): number {
  let max = 0;
  for (let i = 0; i < v.length; i++) max = Math.max(max, Math.abs(v[i]));
  return max;
}

/** The L1 norm, sum |v_i|. */
export function sumAbs(v: Float32Array): number {
  let sum = 0;
  for (let i = 0; i < v.length; i++) sum += Math.abs(v[i]);
  return sum;
}

export function allFinite(v: Float32Array): boolean {
  for (let i = 0; i < v.length; i++) {
    if (!Number.isFinite(v[i])) return false;
  }
  return true;
}
