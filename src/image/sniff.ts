/**
 * Recognises an image format from its first bytes ("magic numbers"), never from the file name:
 * a mislabelled file is still read correctly, and a format we cannot decode is named in the
 * error instead of failing somewhere inside a decoder with a confusing message.
 */
import { readError } from './image-errors.js';

export type DecodableFormat = 'png' | 'jpeg';

const SUPPORTED_FORMATS_TEXT = 'supported formats are PNG and JPEG';

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const JPEG_SIGNATURE = [0xff, 0xd8, 0xff];

/** Formats people commonly hand to image tools that we recognise but cannot decode. */
const UNSUPPORTED_FORMATS: ReadonlyArray<{ name: string; matches: (b: Uint8Array) => boolean }> = [
  { name: 'GIF', matches: (b) => hasAscii(b, 0, 'GIF87a') || hasAscii(b, 0, 'GIF89a') },
  { name: 'WebP', matches: (b) => hasAscii(b, 0, 'RIFF') && hasAscii(b, 8, 'WEBP') },
  { name: 'BMP', matches: (b) => hasAscii(b, 0, 'BM') && hasBytes(b, 6, [0, 0, 0, 0]) },
  { name: 'TIFF', matches: (b) => hasBytes(b, 0, [0x49, 0x49, 0x2a, 0x00]) || hasBytes(b, 0, [0x4d, 0x4d, 0x00, 0x2a]) },
  { name: 'AVIF', matches: (b) => hasAscii(b, 4, 'ftypavi') },
  { name: 'HEIC/HEIF', matches: (b) => ['heic', 'heix', 'hevc', 'mif1', 'msf1'].some((brand) => hasAscii(b, 4, `ftyp${brand}`)) },
  { name: 'JPEG XL', matches: (b) => hasBytes(b, 0, [0xff, 0x0a]) || hasAscii(b, 4, 'JXL ') },
];

/** Returns the format of `bytes`, or throws a UserError naming `file` and what it is instead. */
export function detectFormat(bytes: Uint8Array, file: string): DecodableFormat {
  if (bytes.length === 0) throw readError(file, 'the file is empty');
  if (hasBytes(bytes, 0, PNG_SIGNATURE)) return 'png';
  if (hasBytes(bytes, 0, JPEG_SIGNATURE)) return 'jpeg';
  const known = UNSUPPORTED_FORMATS.find((format) => format.matches(bytes));
  if (known) throw readError(file, `${known.name} images are not supported (${SUPPORTED_FORMATS_TEXT})`);
  throw readError(file, 'not a PNG or JPEG image (unrecognised contents)');
}

function hasBytes(bytes: Uint8Array, offset: number, expected: readonly number[]): boolean {
  return bytes.length >= offset + expected.length && expected.every((value, i) => bytes[offset + i] === value);
}

function hasAscii(bytes: Uint8Array, offset: number, text: string): boolean {
  return hasBytes(bytes, offset, Array.from(text, (ch) => ch.charCodeAt(0)));
}
