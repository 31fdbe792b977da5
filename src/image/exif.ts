/**
 * Reads the Exif orientation (TIFF tag 0x0112) from a JPEG's APP1 segment. Cameras store the
 * sensor's pixels as shot and record how to turn them; jpeg-js ignores this, so without it
 * portrait photos would come out sideways. Parsed by hand because it is a few fixed offsets:
 * "Exif\0\0", then a TIFF header ("II" little-endian or "MM" big-endian, 42, offset of IFD0),
 * then IFD0's 12-byte entries. Anything malformed means "no orientation", as in browsers.
 */
import { APP1, type JpegSegment } from './jpeg-segments.js';

/** Exif orientation: 1 = as stored, 2-8 = the flips and rotations that display it upright. */
export type Orientation = 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8;

const EXIF_HEADER = [0x45, 0x78, 0x69, 0x66, 0, 0]; // "Exif\0\0"
const TIFF_LITTLE_ENDIAN = 0x4949; // "II"
const TIFF_BIG_ENDIAN = 0x4d4d; // "MM"
const TIFF_MAGIC = 42;
const ORIENTATION_TAG = 0x0112;
const TYPE_SHORT = 3;
const IFD_ENTRY_SIZE = 12;

export function exifOrientation(segments: readonly JpegSegment[]): Orientation {
  const exif = segments.find((s) => s.marker === APP1 && startsWithExifHeader(s.payload));
  return (exif && orientationFromTiff(exif.payload.subarray(EXIF_HEADER.length))) ?? 1;
}

function startsWithExifHeader(payload: Uint8Array): boolean {
  return EXIF_HEADER.every((value, i) => payload[i] === value);
}

function orientationFromTiff(tiff: Uint8Array): Orientation | undefined {
  if (tiff.length < 8) return undefined;
  const view = new DataView(tiff.buffer, tiff.byteOffset, tiff.byteLength);
  const byteOrder = view.getUint16(0);
  if (byteOrder !== TIFF_LITTLE_ENDIAN && byteOrder !== TIFF_BIG_ENDIAN) return undefined;
  const littleEndian = byteOrder === TIFF_LITTLE_ENDIAN;
  if (view.getUint16(2, littleEndian) !== TIFF_MAGIC) return undefined;

  const ifd0 = view.getUint32(4, littleEndian);
  if (ifd0 + 2 > tiff.length) return undefined;
  const entryCount = view.getUint16(ifd0, littleEndian);
  for (let i = 0; i < entryCount; i++) {
    const entry = ifd0 + 2 + i * IFD_ENTRY_SIZE;
    if (entry + IFD_ENTRY_SIZE > tiff.length) return undefined;
    if (view.getUint16(entry, littleEndian) !== ORIENTATION_TAG) continue;
    if (view.getUint16(entry + 2, littleEndian) !== TYPE_SHORT) return undefined;
    // A single SHORT sits in the first two bytes of the entry's 4-byte value field.
    const value = view.getUint16(entry + 8, littleEndian);
    return isOrientation(value) ? value : undefined;
  }
  return undefined;
}

function isOrientation(value: number): value is Orientation {
  return Number.isInteger(value) && value >= 1 && value <= 8;
}
