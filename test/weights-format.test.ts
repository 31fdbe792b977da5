/** The .nstw format and its tensor codecs: float16 rounding, uint8 quantisation, round trips. */
import { describe, expect, it } from 'vitest';
import { decodeFloat16Array, encodeFloat16Array, float16BitsToFloat32, float32ToFloat16Bits } from '../src/weights/float16.js';
import {
  decodeTensor,
  encodeNstw,
  NSTW_PREAMBLE_BYTES,
  parseNstw,
  PAYLOAD_ALIGNMENT,
  payloadChecksumMatches,
  STORAGE_DTYPES,
  TENSOR_ALIGNMENT,
} from '../src/weights/format.js';
import type { ModelWeights } from '../src/weights/model-weights.js';
import { sha256Hex } from '../src/weights/digest.js';
import { dequantizeUint8, quantizeUint8 } from '../src/weights/quantize.js';
import { expected } from './fixtures/weights/fixtures.js';

const f32 = new Float32Array(1);
const f32Bits = new Uint32Array(f32.buffer);

function fromBits(bits: number): number {
  f32Bits[0] = bits;
  return f32[0];
}

/** A tiny two-layer model with awkward sizes (odd element counts test the alignment). */
function smallModel(): ModelWeights {
  const values = (n: number, seed: number) => Float32Array.from({ length: n }, (_, i) => Math.sin(i * 12.9898 + seed) * 0.7);
  return {
    model: 'vgg19',
    convs: [
      { name: 'conv1_1', outChannels: 3, inChannels: 3, kernel: 3, weight: values(81, 1), bias: values(3, 2) },
      { name: 'conv1_2', outChannels: 5, inChannels: 3, kernel: 3, weight: values(135, 3), bias: values(5, 4) },
    ],
    inputMean: [123.68, 116.779, 103.939],
    source: 'memory',
  };
}

describe('float16', () => {
  it('rounds every case exactly as numpy does (nearest, ties to even, subnormals, overflow, NaN)', () => {
    for (const [bits32, bits16] of expected.float16_cases) {
      expect(float32ToFloat16Bits(fromBits(bits32)), `float32 bits 0x${bits32.toString(16)}`).toBe(bits16);
    }
  });

  it('handles the edges by name', () => {
    expect(float32ToFloat16Bits(65504)).toBe(0x7bff); // largest finite
    expect(float32ToFloat16Bits(65519)).toBe(0x7bff); // just below the rounding midpoint
    expect(float32ToFloat16Bits(65520)).toBe(0x7c00); // midpoint: ties to even = infinity
    expect(float32ToFloat16Bits(2 ** -24)).toBe(0x0001); // smallest subnormal
    expect(float32ToFloat16Bits(2 ** -25)).toBe(0x0000); // half of it: ties to even = 0
    expect(float32ToFloat16Bits(3 * 2 ** -25)).toBe(0x0002); // 1.5 ulp: ties to even = 2
    expect(float32ToFloat16Bits(2 ** -14 - 2 ** -25)).toBe(0x0400); // rounds up into the normals
    expect(float32ToFloat16Bits(1 + 2 ** -11)).toBe(0x3c00); // tie, even mantissa stays
    expect(float32ToFloat16Bits(1 + 3 * 2 ** -11)).toBe(0x3c02); // tie, odd mantissa rounds up
    expect(float32ToFloat16Bits(-0)).toBe(0x8000);
    expect(float32ToFloat16Bits(-Infinity)).toBe(0xfc00);
    expect(float32ToFloat16Bits(NaN) & 0x7c00).toBe(0x7c00);
    expect(float32ToFloat16Bits(NaN) & 0x03ff).not.toBe(0);
  });

  it('decodes every one of the 65536 bit patterns back to the same bits', () => {
    const all = Uint16Array.from({ length: 65536 }, (_, i) => i);
    const decoded = decodeFloat16Array(all);
    const reencoded = encodeFloat16Array(decoded);
    for (let bits = 0; bits < 65536; bits++) {
      const isNaN = (bits & 0x7c00) === 0x7c00 && (bits & 0x03ff) !== 0;
      if (isNaN) expect(Number.isNaN(decoded[bits])).toBe(true);
      else expect(reencoded[bits]).toBe(bits);
    }
    expect(float16BitsToFloat32(0x3c00)).toBe(1);
    expect(float16BitsToFloat32(0x0001)).toBe(2 ** -24);
    expect(Object.is(float16BitsToFloat32(0x8000), -0)).toBe(true);
  });
});

describe('uint8 quantisation', () => {
  it('uses scale = (max - min) / 255 and is within half a step everywhere', () => {
    const values = Float32Array.from([-0.5, 0.25, 1.5, 0.1, 0.9]);
    const { q, scale, min } = quantizeUint8(values);
    expect(min).toBe(-0.5);
    expect(scale).toBeCloseTo(2 / 255, 12);
    expect([q[0], q[2]]).toEqual([0, 255]);
    dequantizeUint8({ q, scale, min }).forEach((v, i) => expect(Math.abs(v - values[i])).toBeLessThanOrEqual(scale / 2 + 1e-7));
  });

  it('keeps a constant tensor exact', () => {
    const { q, scale, min } = quantizeUint8(new Float32Array([0.3, 0.3, 0.3]));
    expect(scale).toBe(0);
    expect(Array.from(dequantizeUint8({ q, scale, min }))).toEqual(Array.from(new Float32Array([0.3, 0.3, 0.3])));
  });
});

describe('.nstw round trip', () => {
  const model = smallModel();
  const tolerance = { float32: 0, float16: 2 ** -11, uint8: 1.4 / 255 / 2 + 1e-6 };

  it.each(STORAGE_DTYPES)('stores and reads back %s within its precision', (dtype) => {
    const file = encodeNstw(model, dtype, 'memory', sha256Hex);
    const contents = parseNstw(file, 'mem.nstw');
    expect(payloadChecksumMatches(contents, sha256Hex)).toBe(true);
    expect(contents.header.tensors.map((t) => t.name)).toEqual(['conv1_1.weight', 'conv1_1.bias', 'conv1_2.weight', 'conv1_2.bias']);
    expect(contents.header.tensors[2].shape).toEqual([5, 3, 3, 3]);
    model.convs.forEach((conv, i) => {
      for (const [entry, original] of [
        [contents.header.tensors[2 * i], conv.weight],
        [contents.header.tensors[2 * i + 1], conv.bias],
      ] as const) {
        expect(entry.dtype).toBe(dtype);
        expect(entry.offset % TENSOR_ALIGNMENT).toBe(0);
        const decoded = decodeTensor(contents, entry);
        decoded.forEach((v, k) => expect(Math.abs(v - original[k])).toBeLessThanOrEqual(tolerance[dtype]));
      }
    });
  });

  it('lays the file out as documented: magic, version, header length, JSON, 64-byte aligned payload', () => {
    const file = encodeNstw(model, 'float16', 'memory', sha256Hex);
    const view = new DataView(file.buffer, file.byteOffset, file.byteLength);
    expect(new TextDecoder().decode(file.subarray(0, 4))).toBe('NSTW');
    expect(view.getUint32(4, true)).toBe(1);
    const headerLength = view.getUint32(8, true);
    const header = JSON.parse(new TextDecoder().decode(file.subarray(NSTW_PREAMBLE_BYTES, NSTW_PREAMBLE_BYTES + headerLength)));
    expect(header).toMatchObject({ format_version: 1, model: 'vgg19', input: { channel_order: 'RGB', scale: 255, mean: [123.68, 116.779, 103.939] } });
    const payloadStart = Math.ceil((NSTW_PREAMBLE_BYTES + headerLength) / PAYLOAD_ALIGNMENT) * PAYLOAD_ALIGNMENT;
    expect(file.length).toBe(payloadStart + header.payload_byte_length);
    // float16 little-endian at the documented offset
    const first = header.tensors[0];
    expect(view.getUint16(payloadStart + first.offset, true)).toBe(float32ToFloat16Bits(model.convs[0].weight[0]));
  });

  it('reuses the quantised bytes, scale and min it was given instead of quantising again', () => {
    const q = Uint8Array.from({ length: 81 }, (_, i) => (i * 37) % 256);
    const affine = { q, scale: 0.0123456789012345, min: -0.987654321098765 };
    const withQuantized = smallModel();
    withQuantized.convs[0].quantized = { weight: affine, bias: { q: new Uint8Array([1, 2, 3]), scale: 0.5, min: -1 } };
    const contents = parseNstw(encodeNstw(withQuantized, 'uint8', 'memory', sha256Hex), 'mem.nstw');
    const entry = contents.header.tensors[0];
    expect(entry).toMatchObject({ scale: affine.scale, min: affine.min });
    expect(Array.from(contents.payload.subarray(entry.offset, entry.offset + entry.byteLength))).toEqual(Array.from(q));
  });
});
