/** The first bytes that tell the file formats apart. */

export const ZIP_MAGIC: readonly number[] = [0x50, 0x4b, 0x03, 0x04];
export const HDF5_MAGIC: readonly number[] = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a];
/** Legacy torch.save files open with pickle PROTO 2. */
export const PICKLE_PROTOCOL_2: readonly number[] = [0x80, 0x02];

export function startsWithMagic(bytes: Uint8Array, magic: readonly number[]): boolean {
  return bytes.length >= magic.length && magic.every((b, i) => bytes[i] === b);
}
