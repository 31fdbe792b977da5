/**
 * The `.nstckpt` file: a JSON header and named float arrays, with a sha256 of everything at
 * the end, so that a truncated or damaged file is refused rather than resumed from.
 *
 *   offset 0       4 bytes   magic, ASCII "NSTC"
 *          4       u32       format version (CHECKPOINT_FORMAT_VERSION)
 *          8       u32       header length H
 *          12      H bytes   header, UTF-8 JSON; its "arrays" lists each array's name, dtype
 *                            ("float32" or "float64"), length and offset in the payload
 *          P       ...       payload: the arrays, each at an offset that is a multiple of 8,
 *                            little-endian; P = 12 + H rounded up to a multiple of 8
 *          end-32  32 bytes  sha256 of every byte before it
 *
 * What the header holds besides the arrays is checkpoint.ts's business. Writing streams the
 * arrays from their buffers (no copy of the optimiser's state in memory) through the atomic
 * writer, so a crash while writing leaves the previous checkpoint.
 */
import { createHash } from 'node:crypto';
import { closeSync, openSync, readSync } from 'node:fs';
import { UserError } from '../errors.js';
import { describeFsError, writeFileAtomic } from '../files.js';
import { readFileOrFail } from '../weights/files.js';

const MAGIC = 'NSTC';
export const CHECKPOINT_FORMAT_VERSION = 1;
const PREFIX_BYTES = 12;
const DIGEST_BYTES = 32;
const ALIGN = 8;

export type CheckpointArray = Float32Array | Float64Array;

interface ArrayEntry {
  name: string;
  dtype: 'float32' | 'float64';
  length: number;
  offset: number;
}

export interface CheckpointContents<H> {
  header: H;
  arrays: Map<string, CheckpointArray>;
}

const alignUp = (n: number) => Math.ceil(n / ALIGN) * ALIGN;

function bytesOf(a: CheckpointArray): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}

/** Writes `header` and `arrays` to `path` atomically; fs errors become a UserError naming `option` and the file. */
export function writeCheckpointFile(path: string, option: string, header: object, arrays: ReadonlyMap<string, CheckpointArray>): void {
  const entries: ArrayEntry[] = [];
  let offset = 0;
  for (const [name, a] of arrays) {
    entries.push({ name, dtype: a instanceof Float64Array ? 'float64' : 'float32', length: a.length, offset });
    offset = alignUp(offset + a.byteLength);
  }
  const json = Buffer.from(JSON.stringify({ ...header, arrays: entries }), 'utf8');
  const prefix = Buffer.alloc(alignUp(PREFIX_BYTES + json.length));
  prefix.write(MAGIC, 0, 'ascii');
  prefix.writeUInt32LE(CHECKPOINT_FORMAT_VERSION, 4);
  prefix.writeUInt32LE(json.length, 8);
  json.copy(prefix, PREFIX_BYTES);
  const parts: Uint8Array[] = [prefix];
  for (const a of arrays.values()) {
    parts.push(bytesOf(a));
    const padding = alignUp(a.byteLength) - a.byteLength;
    if (padding > 0) parts.push(new Uint8Array(padding));
  }
  const hash = createHash('sha256');
  for (const part of parts) hash.update(part);
  parts.push(hash.digest());
  try {
    writeFileAtomic(path, parts);
  } catch (e) {
    throw new UserError(`${option}: cannot write '${path}': ${describeFsError(e)}`);
  }
}

/** The header alone (cheap: the arrays are neither read nor checked), for a first look at a checkpoint. */
export function readCheckpointHeader<H>(path: string): H {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (e) {
    throw new UserError(`${path}: ${describeFsError(e)}`);
  }
  try {
    const prefix = Buffer.alloc(PREFIX_BYTES);
    const got = readSync(fd, prefix, 0, PREFIX_BYTES, 0);
    const length = got === PREFIX_BYTES ? prefix.readUInt32LE(8) : 0;
    const start = Buffer.alloc(PREFIX_BYTES + length);
    const read = readSync(fd, start, 0, start.length, 0);
    return parseHeader<H>(start.subarray(0, read), path).header;
  } finally {
    closeSync(fd);
  }
}

/** Header and arrays, after checking magic, version, checksum and bounds; any problem is a UserError naming the file. */
export function readCheckpointFile<H>(path: string): CheckpointContents<H> {
  const bytes = readFileOrFail(path);
  const { header, payloadStart, entries } = parseHeader<H & { arrays: ArrayEntry[] }>(bytes, path);
  const end = bytes.length - DIGEST_BYTES;
  if (end < payloadStart || !createHash('sha256').update(bytes.subarray(0, end)).digest().equals(bytes.subarray(end))) {
    throw new UserError(`${path}: checksum mismatch: the checkpoint is truncated or corrupt; start the run again without --resume`);
  }
  const arrays = new Map<string, CheckpointArray>();
  for (const { name, dtype, length, offset } of entries) {
    const Type = dtype === 'float64' ? Float64Array : Float32Array;
    const start = payloadStart + offset;
    if (!(Number.isInteger(length) && length >= 0 && Number.isInteger(offset) && start + length * Type.BYTES_PER_ELEMENT <= end)) {
      throw new UserError(`${path}: array '${name}' lies outside the file; the checkpoint is corrupt`);
    }
    // A copy: the file's buffer is not aligned for every type, and need not stay in memory.
    const copy = new Uint8Array(length * Type.BYTES_PER_ELEMENT);
    copy.set(bytes.subarray(start, start + copy.length));
    arrays.set(name, new Type(copy.buffer));
  }
  return { header, arrays };
}

function parseHeader<H>(buffer: Buffer, path: string): { header: H; payloadStart: number; entries: ArrayEntry[] } {
  if (buffer.length < PREFIX_BYTES || buffer.toString('ascii', 0, 4) !== MAGIC) {
    throw new UserError(`${path}: not an nst checkpoint (no ${MAGIC} magic at its start)`);
  }
  const version = buffer.readUInt32LE(4);
  if (version !== CHECKPOINT_FORMAT_VERSION) {
    throw new UserError(`${path}: checkpoint format version ${version}; this nst reads version ${CHECKPOINT_FORMAT_VERSION} only`);
  }
  const length = buffer.readUInt32LE(8);
  const truncated = () => new UserError(`${path}: checksum mismatch: the checkpoint is truncated or corrupt; start the run again without --resume`);
  if (PREFIX_BYTES + length > buffer.length) throw truncated();
  let header: H & { arrays?: unknown };
  try {
    header = JSON.parse(buffer.toString('utf8', PREFIX_BYTES, PREFIX_BYTES + length));
  } catch {
    throw truncated();
  }
  if (typeof header !== 'object' || header === null || !Array.isArray(header.arrays)) throw truncated();
  return { header, payloadStart: alignUp(PREFIX_BYTES + length), entries: header.arrays as ArrayEntry[] };
}
