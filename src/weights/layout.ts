/** Axis shuffles between the kernel layouts of the sources and the canonical OIHW. */

type NumericArray = Float32Array | Uint8Array;

/**
 * Transposes a 4-D row-major tensor: output axis k is source axis `axes[k]`
 * (numpy's `transpose(axes)`). Works on float and on quantised bytes alike.
 */
export function transpose4d<T extends NumericArray>(source: T, shape: readonly number[], axes: readonly number[]): T {
  const sourceStrides = [shape[1] * shape[2] * shape[3], shape[2] * shape[3], shape[3], 1];
  const outShape = axes.map((a) => shape[a]);
  const stride = axes.map((a) => sourceStrides[a]);
  const out = new (source.constructor as new (n: number) => T)(source.length);
  let k = 0;
  for (let a = 0; a < outShape[0]; a++) {
    for (let b = 0; b < outShape[1]; b++) {
      for (let c = 0; c < outShape[2]; c++) {
        const base = a * stride[0] + b * stride[1] + c * stride[2];
        for (let d = 0; d < outShape[3]; d++) out[k++] = source[base + d * stride[3]];
      }
    }
  }
  return out;
}
