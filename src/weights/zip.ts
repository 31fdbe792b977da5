/**
 * A minimal ZIP reader for PyTorch checkpoints: central directory (with ZIP64 records, which
 * torch.save always writes), stored entries, and deflate through node:zlib just in case.
 */
import { inflateRawSync } from 'node:zlib';
import { UserError } from '../errors.js';

export interface ZipEntry {
  name: string;
  method: number;
  compressedSize: number;
  size: number;
  localHeaderOffset: number;
}

const SIG_LOCAL_HEADER = 0x04034b50;
const SIG_CENTRAL_ENTRY = 0x02014b50;
const SIG_END = 0x06054b50;
const SIG_ZIP64_END = 0x06064b50;
const SIG_ZIP64_LOCATOR = 0x07064b50;
const ZIP64_EXTRA_ID = 0x0001;
const SATURATED_U16 = 0xffff;
const SATURATED_U32 = 0xffffffff;
const END_RECORD_BYTES = 22;
const METHOD_STORED = 0;
const METHOD_DEFLATE = 8;

class ZipView {
  private readonly view: DataView;

  constructor(
    readonly bytes: Uint8Array,
    readonly label: string,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  fail(problem: string): never {
    throw new UserError(`${this.label}: ${problem} (not a valid ZIP/PyTorch file, or truncated)`);
  }

  private check(offset: number, length: number): void {
    if (offset < 0 || offset + length > this.bytes.length) this.fail(`ZIP record at byte ${offset} runs past the end`);
  }

  u16(offset: number): number {
    this.check(offset, 2);
    return this.view.getUint16(offset, true);
  }

  u32(offset: number): number {
    this.check(offset, 4);
    return this.view.getUint32(offset, true);
  }

  u64(offset: number): number {
    this.check(offset, 8);
    const value = this.view.getBigUint64(offset, true);
    if (value > BigInt(Number.MAX_SAFE_INTEGER)) this.fail(`ZIP64 value at byte ${offset} is too large`);
    return Number(value);
  }

  expectSignature(offset: number, signature: number, what: string): void {
    if (this.u32(offset) !== signature) this.fail(`no ${what} at byte ${offset}`);
  }
}

function findEndRecord(zip: ZipView): number {
  const lowest = Math.max(0, zip.bytes.length - END_RECORD_BYTES - SATURATED_U16);
  for (let at = zip.bytes.length - END_RECORD_BYTES; at >= lowest; at--) {
    if (zip.u32(at) === SIG_END) return at;
  }
  return zip.fail('no end of central directory record');
}

/** Where the central directory starts and how many entries it has, from ZIP64 records if needed. */
function centralDirectory(zip: ZipView): { offset: number; count: number } {
  const end = findEndRecord(zip);
  const count = zip.u16(end + 10);
  const offset = zip.u32(end + 16);
  if (count !== SATURATED_U16 && offset !== SATURATED_U32) return { offset, count };
  zip.expectSignature(end - 20, SIG_ZIP64_LOCATOR, 'ZIP64 end of central directory locator');
  const end64 = zip.u64(end - 20 + 8);
  zip.expectSignature(end64, SIG_ZIP64_END, 'ZIP64 end of central directory record');
  return { offset: zip.u64(end64 + 48), count: zip.u64(end64 + 32) };
}

/** Replaces saturated 32-bit fields by their values from the entry's ZIP64 extra field. */
function applyZip64Extra(zip: ZipView, entry: ZipEntry, extraStart: number, extraLength: number): void {
  for (let at = extraStart; at + 4 <= extraStart + extraLength; at += 4 + zip.u16(at + 2)) {
    if (zip.u16(at) !== ZIP64_EXTRA_ID) continue;
    let field = at + 4;
    for (const key of ['size', 'compressedSize', 'localHeaderOffset'] as const) {
      if (entry[key] === SATURATED_U32) {
        entry[key] = zip.u64(field);
        field += 8;
      }
    }
  }
}

export function listZipEntries(bytes: Uint8Array, label: string): ZipEntry[] {
  const zip = new ZipView(bytes, label);
  const entries: ZipEntry[] = [];
  let { offset: at, count } = centralDirectory(zip);
  for (; count > 0; count--) {
    zip.expectSignature(at, SIG_CENTRAL_ENTRY, 'central directory entry');
    const nameLength = zip.u16(at + 28);
    const extraLength = zip.u16(at + 30);
    const commentLength = zip.u16(at + 32);
    const entry: ZipEntry = {
      name: new TextDecoder().decode(bytes.subarray(at + 46, at + 46 + nameLength)),
      method: zip.u16(at + 10),
      compressedSize: zip.u32(at + 20),
      size: zip.u32(at + 24),
      localHeaderOffset: zip.u32(at + 42),
    };
    applyZip64Extra(zip, entry, at + 46 + nameLength, extraLength);
    entries.push(entry);
    at += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}

export function readZipEntry(bytes: Uint8Array, entry: ZipEntry, label: string): Uint8Array {
  const zip = new ZipView(bytes, label);
  const local = entry.localHeaderOffset;
  zip.expectSignature(local, SIG_LOCAL_HEADER, `local header of ${entry.name}`);
  // The local header's name and extra lengths may differ from the central directory's
  // (torch pads the extra field to align the data): read them here.
  const dataStart = local + 30 + zip.u16(local + 26) + zip.u16(local + 28);
  if (dataStart + entry.compressedSize > bytes.length) zip.fail(`${entry.name} runs past the end of the file`);
  const data = bytes.subarray(dataStart, dataStart + entry.compressedSize);
  if (entry.method === METHOD_STORED) return data;
  if (entry.method === METHOD_DEFLATE) {
    try {
      return inflateRawSync(data);
    } catch {
      return zip.fail(`${entry.name} does not inflate`);
    }
  }
  return zip.fail(`${entry.name} uses ZIP compression method ${entry.method}; only stored and deflate are supported`);
}
