/**
 * JPEG decoding with jpeg-js, which handles baseline, extended and progressive Huffman-coded
 * JPEGs (greyscale, YCbCr, CMYK/Adobe) but not arithmetic-coded, lossless, hierarchical or
 * 12-bit ones. We read the frame header ourselves first to name those cases and enforce the
 * size limit, give jpeg-js a memory budget sized to the frame, and apply the Exif orientation
 * that jpeg-js ignores.
 */
import jpeg from 'jpeg-js';
import { exifOrientation } from './exif.js';
import { readError } from './image-errors.js';
import { isStartOfFrame, readHeaderSegments, type JpegSegment } from './jpeg-segments.js';
import { checkPixelLimit, MAX_IMAGE_MEGAPIXELS } from './limits.js';
import { applyOrientation } from './orientation.js';
import { createImage, type RgbImage } from './types.js';

/** What jpeg-js may allocate per pixel: measured about 21 B for 3-component images; CMYK needs more. */
const DECODER_BYTES_PER_PIXEL = 32;
/** Headroom for tables and MCU padding, which matter for tiny images. */
const DECODER_BASE_MEGABYTES = 16;

/** SOF markers jpeg-js can decode, and names for the ones it cannot. */
const SUPPORTED_FRAME_MARKERS = new Set([0xc0, 0xc1, 0xc2]); // baseline, extended, progressive
const UNSUPPORTED_CODINGS: Record<number, string> = {
  0xc3: 'lossless',
  0xc5: 'hierarchical',
  0xc6: 'hierarchical progressive',
  0xc7: 'hierarchical lossless',
  0xc9: 'arithmetic-coded',
  0xca: 'arithmetic-coded progressive',
  0xcb: 'arithmetic-coded lossless',
  0xcd: 'hierarchical arithmetic-coded',
  0xce: 'hierarchical arithmetic-coded progressive',
  0xcf: 'hierarchical arithmetic-coded lossless',
};

interface FrameHeader {
  marker: number;
  precisionBits: number;
  width: number;
  height: number;
}

export function decodeJpeg(bytes: Uint8Array, file: string): RgbImage {
  const segments = readHeaderSegments(bytes);
  const frame = readFrameHeader(segments);
  if (frame) checkFrameSupported(frame, file);
  const decoded = runDecoder(bytes, file, frame);
  const img = createImage(decoded.width, decoded.height);
  img.data.set(decoded.data);
  return applyOrientation(img, exifOrientation(segments));
}

function readFrameHeader(segments: readonly JpegSegment[]): FrameHeader | undefined {
  const segment = segments.find((s) => isStartOfFrame(s.marker));
  if (!segment || segment.payload.length < 5) return undefined;
  const p = segment.payload;
  return { marker: segment.marker, precisionBits: p[0], height: (p[1] << 8) | p[2], width: (p[3] << 8) | p[4] };
}

function checkFrameSupported(frame: FrameHeader, file: string): void {
  if (!SUPPORTED_FRAME_MARKERS.has(frame.marker)) {
    const coding = UNSUPPORTED_CODINGS[frame.marker] ?? `SOF 0x${frame.marker.toString(16)}`;
    throw readError(file, `${coding} JPEG is not supported (only baseline and progressive JPEGs are)`);
  }
  if (frame.precisionBits !== 8) {
    throw readError(file, `${frame.precisionBits}-bit JPEG is not supported (only 8-bit JPEGs are)`);
  }
  checkPixelLimit(frame.width, frame.height, file);
}

function runDecoder(bytes: Uint8Array, file: string, frame: FrameHeader | undefined) {
  const pixels = frame ? frame.width * frame.height : MAX_IMAGE_MEGAPIXELS * 1e6;
  try {
    return jpeg.decode(bytes, {
      useTArray: true,
      formatAsRGBA: false,
      tolerantDecoding: true, // accept the slightly malformed scans some cameras write
      maxResolutionInMP: MAX_IMAGE_MEGAPIXELS,
      maxMemoryUsageInMB: DECODER_BASE_MEGABYTES + (pixels * DECODER_BYTES_PER_PIXEL) / 2 ** 20,
    });
  } catch (e) {
    const reason = e instanceof Error ? e.message : String(e);
    throw readError(file, `the JPEG file is truncated or corrupt (${reason})`);
  }
}
