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
 * What the header holds besides the arrays is checkpoint.ts's business. Neither side holds the
 * file in memory (at 4096 px a checkpoint is over 4 GB): writing streams the arrays from their
 * buffers, or chunk by chunk from L-BFGS's history file, through the atomic writer, so a crash
 * while writing leaves the previous checkpoint; reading checks the checksum in one streaming
 * pass, then loads the float64 arrays (counters, a few values) and hands each float32 array
 * over as a stream read from the file when it is used.
 */
import { createHash } from 'node:crypto';
import { closeSync, fstatSync, openSync } from 'node:fs';
import { UserError } from '../errors.js';
import { describeFsError, readAt, readFloat32Chunks, writeFileAtomic } from '../files.js';
import { forEachChunkOf, type StreamedVector } from '../optim/state.js';

const MAGIC = 'NSTC';
export const CHECKPOINT_FORMAT_VERSION = 1;
const PREFIX_BYTES = 12;
const DIGEST_BYTES = 32;
const ALIGN = 8;
/** Bytes per read when checking or streaming: 4 MiB. */
const READ_CHUNK = 1 << 22;

/** What a checkpoint stores: float64 arrays whole, float32 arrays whole or streamed. */
export type CheckpointArray = Float32Array | Float64Array | StreamedVector;
/** What reading gives back: float64 arrays whole, float32 arrays as streams from the file. */
export type CheckpointArrayRead = Float64Array | StreamedVector;

interface ArrayEntry {
  name: string;
  dtype: 'float32' | 'float64';
  length: number;
  offset: number;
}

export interface CheckpointContents<H> {
  header: H;
  arrays: Map<string, CheckpointArrayRead>;
}

const alignUp = (n: number) => Math.ceil(n / ALIGN) * ALIGN;

function bytesOf(a: Float32Array | Float64Array): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}

const byteLengthOf = (a: CheckpointArray) => (a instanceof Float64Array ? a.byteLength : a.length * 4);

/** Writes `header` and `arrays` to `path` atomically; fs errors become a UserError naming `option` and the file. */
export function writeCheckpointFile(path: string, option: string, header: object, arrays: ReadonlyMap<string, CheckpointArray>): void {
  const entries: ArrayEntry[] = [];
  let offset = 0;
  for (const [name, a] of arrays) {
    entries.push({ name, dtype: a instanceof Float64Array ? 'float64' : 'float32', length: a.length, offset });
    offset = alignUp(offset + byteLengthOf(a));
  }
  const json = Buffer.from(JSON.stringify({ ...header, arrays: entries }), 'utf8');
  const prefix = Buffer.alloc(alignUp(PREFIX_BYTES + json.length));
  prefix.write(MAGIC, 0, 'ascii');
  prefix.writeUInt32LE(CHECKPOINT_FORMAT_VERSION, 4);
  prefix.writeUInt32LE(json.length, 8);
  json.copy(prefix, PREFIX_BYTES);
  try {
    writeFileAtomic(path, (append) => {
      const hash = createHash('sha256');
      const put = (part: Uint8Array) => {
        hash.update(part);
        append(part);
      };
      put(prefix);
      for (const a of arrays.values()) {
        if (a instanceof Float64Array) put(bytesOf(a));
        else forEachChunkOf(a, (chunk) => put(bytesOf(chunk)));
        const padding = alignUp(byteLengthOf(a)) - byteLengthOf(a);
        if (padding > 0) put(new Uint8Array(padding));
      }
      append(hash.digest());
    });
  } catch (e) {
    throw new UserError(`${option}: cannot write '${path}': ${describeFsError(e)}`);
  }
}

/** Opens `path` for reading, or throws a UserError naming it. */
function openOrFail(path: string): number {
  try {
    return openSync(path, 'r');
  } catch (e) {
    throw new UserError(`${path}: ${describeFsError(e)}`);
  }
}

/** The header alone (cheap: the arrays are neither read nor checked), for a first look at a checkpoint. */
export function readCheckpointHeader<H>(path: string): H {
  const fd = openOrFail(path);
  try {
    return readHead<H>(fd, path).header;
  } finally {
    closeSync(fd);
  }
}

function readHead<H>(fd: number, path: string): ReturnType<typeof parseHeader<H>> {
  const prefix = Buffer.alloc(PREFIX_BYTES);
  const got = readAt(fd, prefix, PREFIX_BYTES, 0);
  // A damaged length must not ask for gigabytes: no header is longer than the file.
  const length = got === PREFIX_BYTES ? Math.min(prefix.readUInt32LE(8), fstatSync(fd).size) : 0;
  const start = Buffer.alloc(PREFIX_BYTES + length);
  const read = readAt(fd, start, start.length, 0);
  return parseHeader<H>(start.subarray(0, read), path);
}

const corrupt = (path: string) => new UserError(`${path}: checksum mismatch: the checkpoint is truncated or corrupt; start the run again without --resume`);

/** Whether the sha256 at the end of the file is that of every byte before it, read in one pass. */
function checksumMatches(fd: number, size: number): boolean {
  const end = size - DIGEST_BYTES;
  if (end < 0) return false;
  const hash = createHash('sha256');
  const buffer = Buffer.alloc(Math.min(READ_CHUNK, Math.max(end, 1)));
  for (let position = 0; position < end; ) {
    const got = readAt(fd, buffer, Math.min(buffer.length, end - position), position);
    if (got === 0) return false;
    hash.update(buffer.subarray(0, got));
    position += got;
  }
  const digest = Buffer.alloc(DIGEST_BYTES);
  return readAt(fd, digest, DIGEST_BYTES, end) === DIGEST_BYTES && hash.digest().equals(digest);
}

/** A float32 array of the file, read chunk by chunk each time it is used. */
function streamedArray(path: string, start: number, length: number): StreamedVector {
  return {
    length,
    forEachChunk(visit) {
      const fd = openOrFail(path);
      try {
        readFloat32Chunks(fd, start, length, new Float32Array(Math.min(READ_CHUNK / 4, length)), visit, () => corrupt(path));
      } finally {
        closeSync(fd);
      }
    },
  };
}

/**
 * Header and arrays, after checking magic, version, checksum and bounds; any problem is a
 * UserError naming the file. The float32 arrays are read from the file when used: it must stay
 * in place while they are.
 */
export function readCheckpointFile<H>(path: string): CheckpointContents<H> {
  const fd = openOrFail(path);
  try {
    const { header, payloadStart, entries } = readHead<H & { arrays: ArrayEntry[] }>(fd, path);
    const size = fstatSync(fd).size;
    const end = size - DIGEST_BYTES;
    if (end < payloadStart || !checksumMatches(fd, size)) throw corrupt(path);
    const arrays = new Map<string, CheckpointArrayRead>();
    for (const { name, dtype, length, offset } of entries) {
      const bytesPer = dtype === 'float64' ? 8 : 4;
      const start = payloadStart + offset;
      if (!((dtype === 'float32' || dtype === 'float64') && Number.isInteger(length) && length >= 0 && Number.isInteger(offset) && offset >= 0 && start + length * bytesPer <= end)) {
        throw new UserError(`${path}: array '${name}' lies outside the file; the checkpoint is corrupt`);
      }
      if (dtype === 'float32') {
        arrays.set(name, streamedArray(path, start, length));
      } else {
        const values = new Float64Array(length);
        if (readAt(fd, bytesOf(values), values.byteLength, start) !== values.byteLength) throw corrupt(path);
        arrays.set(name, values);
      }
    }
    return { header, arrays };
  } finally {
    closeSync(fd);
  }
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
  const truncated = () => corrupt(path);
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
