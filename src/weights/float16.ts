/**
 * IEEE 754 binary16 <-> binary32 conversion, hand-written: Node 20 has no Math.f16round.
 * Encoding rounds to nearest, ties to even, with subnormals, overflow to infinity and NaN kept.
 */

const f32 = new Float32Array(1);
const f32Bits = new Uint32Array(f32.buffer);

const F16_INFINITY = 0x7c00;
const F16_QUIET_NAN_BIT = 0x0200;
/** Distance between the float32 and float16 exponent biases (127 - 15). */
const EXPONENT_REBIAS = 112;

/** Rounds `value >>> shift` to nearest, ties to even, using the bits shifted out. */
function shiftRoundingToEven(value: number, shift: number): number {
  const kept = value >>> shift;
  const dropped = value & ((1 << shift) - 1);
  const half = 1 << (shift - 1);
  return dropped > half || (dropped === half && (kept & 1) === 1) ? kept + 1 : kept;
}

export function float32ToFloat16Bits(value: number): number {
  f32[0] = value;
  const bits = f32Bits[0];
  const sign = (bits >>> 16) & 0x8000;
  const exponent = (bits >>> 23) & 0xff;
  const mantissa = bits & 0x7fffff;
  if (exponent === 0xff) {
    return mantissa === 0 ? sign | F16_INFINITY : sign | F16_INFINITY | F16_QUIET_NAN_BIT | (mantissa >>> 13);
  }
  const halfExponent = exponent - EXPONENT_REBIAS;
  if (halfExponent >= 0x1f) return sign | F16_INFINITY;
  if (halfExponent <= 0) {
    // Subnormal (or zero) in float16: value = m * 2^-24 with the implicit bit made explicit.
    // Anything below 2^-25 rounds to zero; the shift would also exceed the 24 bits we have.
    if (halfExponent < -10) return sign;
    return sign | shiftRoundingToEven(mantissa | 0x800000, 14 - halfExponent);
  }
  // A carry out of the mantissa correctly bumps the exponent (up to infinity).
  return sign | ((halfExponent << 10) + shiftRoundingToEven(mantissa, 13));
}

export function float16BitsToFloat32(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >>> 10) & 0x1f;
  const mantissa = bits & 0x3ff;
  if (exponent === 0) return sign * mantissa * 2 ** -24;
  if (exponent === 0x1f) return mantissa === 0 ? sign * Infinity : NaN;
  return sign * (1 + mantissa / 1024) * 2 ** (exponent - 15);
}

let decodeTable: Float32Array | undefined;

/** All 65536 float16 values, built once: decoding a whole model is then one lookup per weight. */
function float16DecodeTable(): Float32Array {
  if (!decodeTable) {
    decodeTable = new Float32Array(65536);
    for (let bits = 0; bits < 65536; bits++) decodeTable[bits] = float16BitsToFloat32(bits);
  }
  return decodeTable;
}

export function encodeFloat16Array(values: Float32Array): Uint16Array {
  const out = new Uint16Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = float32ToFloat16Bits(values[i]);
  return out;
}

export function decodeFloat16Array(bits: Uint16Array): Float32Array {
  const table = float16DecodeTable();
  const out = new Float32Array(bits.length);
  for (let i = 0; i < bits.length; i++) out[i] = table[bits[i]];
  return out;
}
