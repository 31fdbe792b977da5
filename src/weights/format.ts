/**
 * The project's weights file (.nstw), specified in weights/FORMAT.md:
 * 'NSTW', u32 version, u32 header length, UTF-8 JSON header, zero padding to a 64-byte boundary,
 * then the payload (each tensor 16-byte aligned, little-endian).
 */
import { UserError } from '../errors.js';
import { MODEL_NAMES, type ModelName } from '../models/description.js';
import { decodeFloat16Array, encodeFloat16Array } from './float16.js';
import { biasTensorName, convWeightShape, weightTensorName, type AffineUint8, type ModelWeights } from './model-weights.js';
import { dequantizeUint8, quantizeUint8 } from './quantize.js';

export const NSTW_MAGIC = 'NSTW';
export const NSTW_VERSION = 1;
/** Magic (4 bytes), version (u32), header length (u32). */
export const NSTW_PREAMBLE_BYTES = 12;
export const PAYLOAD_ALIGNMENT = 64;
export const TENSOR_ALIGNMENT = 16;

/** SHA-256 of some bytes as lowercase hex: Node's crypto in the CLI (digest.ts); the format itself runs in browsers too. */
export type Sha256Hex = (bytes: Uint8Array) => string;

export const STORAGE_DTYPES = ['float32', 'float16', 'uint8'] as const;
export type StorageDtype = (typeof STORAGE_DTYPES)[number];

const BYTES_PER_ELEMENT: Record<StorageDtype, number> = { float32: 4, float16: 2, uint8: 1 };

export interface TensorEntry {
  name: string;
  shape: number[];
  dtype: StorageDtype;
  /** Byte offset from the start of the payload; a multiple of TENSOR_ALIGNMENT. */
  offset: number;
  byteLength: number;
  /** uint8 only: w = q * scale + min. */
  scale?: number;
  min?: number;
}

/**
 * What the first layer expects: (pixel - mean) / std, RGB, pixels on 0..scale. The importers
 * fold any other convention into the first layer (input-convention.ts), so the files nst
 * writes all take RGB on 0..255 with std 1; only the mean differs between networks.
 */
export interface InputConvention {
  channel_order: 'RGB';
  scale: 255;
  mean: [number, number, number];
  /** Absent in files written before networks other than VGG19 existed: read as [1, 1, 1]. */
  std?: [1, 1, 1];
}

export interface NstwHeader {
  format_version: number;
  /** The network the weights are for (src/models). */
  model: ModelName;
  input: InputConvention;
  /** File or directory name the weights were imported from (informational). */
  converted_from: string;
  tensors: TensorEntry[];
  payload_byte_length: number;
  payload_sha256: string;
}

export interface NstwContents {
  header: NstwHeader;
  payload: Uint8Array;
}

function isStorageDtype(value: unknown): value is StorageDtype {
  return (STORAGE_DTYPES as readonly unknown[]).includes(value);
}

function alignUp(n: number, alignment: number): number {
  return Math.ceil(n / alignment) * alignment;
}

// ------------------------------------------------------------------------------------ writing

interface EncodedTensor {
  name: string;
  shape: number[];
  bytes: Uint8Array;
  affine?: { scale: number; min: number };
}

function float32Bytes(values: Float32Array): Uint8Array {
  const view = new DataView(new ArrayBuffer(values.length * 4));
  for (let i = 0; i < values.length; i++) view.setFloat32(i * 4, values[i], true);
  return new Uint8Array(view.buffer);
}

function float16Bytes(values: Float32Array): Uint8Array {
  const halves = encodeFloat16Array(values);
  const view = new DataView(new ArrayBuffer(halves.length * 2));
  for (let i = 0; i < halves.length; i++) view.setUint16(i * 2, halves[i], true);
  return new Uint8Array(view.buffer);
}

function encodeTensor(name: string, shape: number[], values: Float32Array, dtype: StorageDtype, quantized?: AffineUint8): EncodedTensor {
  if (dtype === 'float32') return { name, shape, bytes: float32Bytes(values) };
  if (dtype === 'float16') return { name, shape, bytes: float16Bytes(values) };
  const { q, scale, min } = quantized ?? quantizeUint8(values);
  return { name, shape, bytes: q, affine: { scale, min } };
}

function encodeTensors(weights: ModelWeights, dtype: StorageDtype): EncodedTensor[] {
  return weights.convs.flatMap((conv) => [
    encodeTensor(weightTensorName(conv.name), convWeightShape(conv), conv.weight, dtype, conv.quantized?.weight),
    encodeTensor(biasTensorName(conv.name), [conv.outChannels], conv.bias, dtype, conv.quantized?.bias),
  ]);
}

/** Lays the tensors out back to back, each starting on a TENSOR_ALIGNMENT boundary. */
function buildPayload(tensors: EncodedTensor[], dtype: StorageDtype): { entries: TensorEntry[]; payload: Uint8Array } {
  let end = 0;
  const entries = tensors.map(({ name, shape, bytes, affine }) => {
    const offset = alignUp(end, TENSOR_ALIGNMENT);
    end = offset + bytes.length;
    return { name, shape, dtype, offset, byteLength: bytes.length, ...affine };
  });
  const payload = new Uint8Array(end);
  tensors.forEach((t, i) => payload.set(t.bytes, entries[i].offset));
  return { entries, payload };
}

/** The whole .nstw file for `weights`, every tensor stored as `dtype`. */
export function encodeNstw(weights: ModelWeights, dtype: StorageDtype, convertedFrom: string, sha256Hex: Sha256Hex): Uint8Array {
  const { entries, payload } = buildPayload(encodeTensors(weights, dtype), dtype);
  const header: NstwHeader = {
    format_version: NSTW_VERSION,
    model: weights.model,
    input: { channel_order: 'RGB', scale: 255, mean: weights.inputMean, std: [1, 1, 1] },
    converted_from: convertedFrom,
    tensors: entries,
    payload_byte_length: payload.length,
    payload_sha256: sha256Hex(payload),
  };
  const headerBytes = new TextEncoder().encode(JSON.stringify(header));
  const payloadStart = alignUp(NSTW_PREAMBLE_BYTES + headerBytes.length, PAYLOAD_ALIGNMENT);
  const file = new Uint8Array(payloadStart + payload.length);
  const view = new DataView(file.buffer);
  file.set(new TextEncoder().encode(NSTW_MAGIC), 0);
  view.setUint32(4, NSTW_VERSION, true);
  view.setUint32(8, headerBytes.length, true);
  file.set(headerBytes, NSTW_PREAMBLE_BYTES);
  file.set(payload, payloadStart);
  return file;
}

// ------------------------------------------------------------------------------------ reading

function fail(label: string, problem: string): never {
  throw new UserError(`${label}: ${problem}`);
}

function isNonNegativeInteger(v: unknown): v is number {
  return Number.isSafeInteger(v) && (v as number) >= 0;
}

function checkTensorEntry(label: string, entry: unknown, index: number, payloadLength: number): TensorEntry {
  const where = `header tensor ${index + 1}`;
  if (typeof entry !== 'object' || entry === null) fail(label, `${where} is not an object`);
  const t = entry as Record<string, unknown>;
  if (typeof t.name !== 'string') fail(label, `${where} has no name`);
  const what = `tensor '${t.name}'`;
  if (!Array.isArray(t.shape) || !t.shape.every(isNonNegativeInteger)) fail(label, `${what} has an invalid shape`);
  if (!isStorageDtype(t.dtype)) fail(label, `${what} has unknown dtype ${JSON.stringify(t.dtype)} (expected ${STORAGE_DTYPES.join(', ')})`);
  if (!isNonNegativeInteger(t.offset) || t.offset % TENSOR_ALIGNMENT !== 0) fail(label, `${what} has an invalid or unaligned offset`);
  const elements = (t.shape as number[]).reduce((a, b) => a * b, 1);
  if (t.byteLength !== elements * BYTES_PER_ELEMENT[t.dtype]) fail(label, `${what}: byteLength does not match its shape and dtype`);
  if (t.offset + t.byteLength > payloadLength) fail(label, `${what} lies past the end of the payload`);
  if (t.dtype === 'uint8' && !(Number.isFinite(t.scale) && Number.isFinite(t.min))) fail(label, `${what} is uint8 but lacks a finite scale and min`);
  return t as unknown as TensorEntry;
}

function checkHeader(label: string, json: unknown): NstwHeader {
  if (typeof json !== 'object' || json === null) fail(label, 'header is not a JSON object');
  const h = json as Record<string, unknown>;
  if (h.format_version !== NSTW_VERSION) fail(label, `header format_version is ${JSON.stringify(h.format_version)}; expected ${NSTW_VERSION}`);
  if (!(MODEL_NAMES as readonly unknown[]).includes(h.model)) {
    fail(label, `holds weights for network ${JSON.stringify(h.model)}, which this build does not know (known: ${MODEL_NAMES.join(', ')})`);
  }
  const input = h.input as { channel_order?: unknown; scale?: unknown; mean?: unknown; std?: unknown } | undefined;
  const meanOk = Array.isArray(input?.mean) && input.mean.length === 3 && input.mean.every(Number.isFinite);
  const stdOk = input?.std === undefined || (Array.isArray(input.std) && input.std.length === 3 && input.std.every((s) => s === 1));
  if (input?.channel_order !== 'RGB' || input.scale !== 255 || !meanOk || !stdOk) {
    fail(label, 'header input convention must be {channel_order: "RGB", scale: 255, mean: [r, g, b], std: [1, 1, 1]}');
  }
  if (typeof h.converted_from !== 'string') fail(label, 'header converted_from is missing');
  if (!isNonNegativeInteger(h.payload_byte_length)) fail(label, 'header payload_byte_length is missing or invalid');
  if (typeof h.payload_sha256 !== 'string' || !/^[0-9a-f]{64}$/.test(h.payload_sha256)) fail(label, 'header payload_sha256 is missing or invalid');
  if (!Array.isArray(h.tensors)) fail(label, 'header has no tensors list');
  const payloadLength = h.payload_byte_length;
  h.tensors.forEach((t, i) => checkTensorEntry(label, t, i, payloadLength));
  return h as unknown as NstwHeader;
}

function parseHeaderJson(label: string, bytes: Uint8Array): unknown {
  try {
    return JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    return fail(label, 'header is not valid UTF-8 JSON (file corrupt)');
  }
}

/**
 * Parses and checks the structure of a .nstw file: magic, version, header, bounds, and that the
 * payload has exactly the announced length. The payload checksum is left to the caller.
 */
export function parseNstw(bytes: Uint8Array, label: string): NstwContents {
  if (bytes.length < NSTW_PREAMBLE_BYTES || new TextDecoder().decode(bytes.subarray(0, 4)) !== NSTW_MAGIC) {
    fail(label, `not a neural-style-gl weights file (no '${NSTW_MAGIC}' magic)`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = view.getUint32(4, true);
  if (version !== NSTW_VERSION) fail(label, `weights format version ${version} is not supported (this build reads version ${NSTW_VERSION})`);
  const headerLength = view.getUint32(8, true);
  if (NSTW_PREAMBLE_BYTES + headerLength > bytes.length) fail(label, 'file is truncated inside its header');
  const header = checkHeader(label, parseHeaderJson(label, bytes.subarray(NSTW_PREAMBLE_BYTES, NSTW_PREAMBLE_BYTES + headerLength)));
  const payloadStart = alignUp(NSTW_PREAMBLE_BYTES + headerLength, PAYLOAD_ALIGNMENT);
  const payloadEnd = payloadStart + header.payload_byte_length;
  if (bytes.length < payloadEnd) fail(label, `file is truncated: ${bytes.length} bytes, expected ${payloadEnd}`);
  if (bytes.length > payloadEnd) fail(label, `file has ${bytes.length - payloadEnd} unexpected bytes after the payload`);
  return { header, payload: bytes.subarray(payloadStart, payloadEnd) };
}

export function payloadChecksumMatches({ header, payload }: NstwContents, sha256Hex: Sha256Hex): boolean {
  return sha256Hex(payload) === header.payload_sha256;
}

function readFloat32LE(view: DataView): Float32Array {
  const out = new Float32Array(view.byteLength / 4);
  for (let i = 0; i < out.length; i++) out[i] = view.getFloat32(i * 4, true);
  return out;
}

function readUint16LE(view: DataView): Uint16Array {
  const out = new Uint16Array(view.byteLength / 2);
  for (let i = 0; i < out.length; i++) out[i] = view.getUint16(i * 2, true);
  return out;
}

/** A tensor's values as float32, whatever its storage dtype. */
export function decodeTensor({ payload }: NstwContents, entry: TensorEntry): Float32Array {
  const bytes = payload.subarray(entry.offset, entry.offset + entry.byteLength);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  switch (entry.dtype) {
    case 'float32':
      return readFloat32LE(view);
    case 'float16':
      return decodeFloat16Array(readUint16LE(view));
    case 'uint8':
      return dequantizeUint8({ q: bytes, scale: entry.scale!, min: entry.min! });
  }
}
