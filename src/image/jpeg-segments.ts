/**
 * Lists the marker segments of a JPEG header (everything before the first scan), which is where
 * the frame header (SOFn: size, coding process) and the Exif block live. jpeg-js does not expose
 * these, and reading them ourselves lets us reject unsupported codings and oversized images
 * before decoding. Malformed structure just ends the list: the decoder then reports the error.
 */
export interface JpegSegment {
  /** The byte after 0xFF, e.g. 0xE1 for APP1. */
  marker: number;
  /** The segment's contents after its two-byte length field. */
  payload: Uint8Array;
}

export const APP1 = 0xe1;
const START_OF_SCAN = 0xda;
const END_OF_IMAGE = 0xd9;
const FILL_BYTE = 0xff;
const SOI_LENGTH = 2;

export function readHeaderSegments(bytes: Uint8Array): JpegSegment[] {
  const segments: JpegSegment[] = [];
  let offset = SOI_LENGTH;
  while (offset + 4 <= bytes.length && bytes[offset] === 0xff) {
    const marker = bytes[offset + 1];
    if (marker === FILL_BYTE) {
      offset += 1;
      continue;
    }
    if (marker === START_OF_SCAN || marker === END_OF_IMAGE) break;
    const length = (bytes[offset + 2] << 8) | bytes[offset + 3];
    const end = offset + 2 + length;
    if (length < 2 || end > bytes.length) break;
    segments.push({ marker, payload: bytes.subarray(offset + 4, end) });
    offset = end;
  }
  return segments;
}

/** The frame header: SOF0..SOF15, except the markers in that range that mean something else. */
export function isStartOfFrame(marker: number): boolean {
  const DHT = 0xc4;
  const JPG = 0xc8;
  const DAC = 0xcc;
  return marker >= 0xc0 && marker <= 0xcf && marker !== DHT && marker !== JPG && marker !== DAC;
}
