import type { AffineUint8 } from './model-weights.js';

/** Per-tensor affine uint8: scale = (max - min) / 255, q = round((w - min) / scale). */
export function quantizeUint8(values: Float32Array): AffineUint8 {
  let min = Infinity;
  let max = -Infinity;
  for (const v of values) {
    if (v < min) min = v;
    if (v > max) max = v;
  }
  if (values.length === 0) min = max = 0;
  const scale = (max - min) / 255;
  const q = new Uint8Array(values.length);
  // A constant tensor has scale 0: every q stays 0 and decodes to min exactly.
  if (scale > 0) {
    for (let i = 0; i < values.length; i++) q[i] = Math.min(255, Math.max(0, Math.round((values[i] - min) / scale)));
  }
  return { q, scale, min };
}

/** w = q * scale + min, computed in float64 and rounded once to float32. */
export function dequantizeUint8({ q, scale, min }: AffineUint8): Float32Array {
  const out = new Float32Array(q.length);
  for (let i = 0; i < q.length; i++) out[i] = q[i] * scale + min;
  return out;
}
