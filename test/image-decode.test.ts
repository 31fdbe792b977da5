/**
 * Decoding: PNG colour types and bit depths (made here with pngjs, or by hand where pngjs cannot
 * write them), JPEG (jpeg-js encoder, plus committed progressive/greyscale fixtures), Exif
 * orientation (an APP1 segment spliced into a JPEG), and the user errors for bad input files.
 */
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { crc32, deflateSync } from 'node:zlib';
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeImage, readImage, type RgbImage } from '../src/image/index.js';
import { applyOrientation } from '../src/image/orientation.js';
import type { Orientation } from '../src/image/exif.js';
import { expectUserError, expectUserErrorThrown } from './helpers/expect-user-error.js';
import { isRoot, thrownWithoutFilePrivileges } from './helpers/without-file-privileges.js';

const FIXTURES = fileURLToPath(new URL('./fixtures/images/', import.meta.url));
const TUBINGEN = fileURLToPath(new URL('../../shared/images/tubingen.jpg', import.meta.url));

type Rgb = [number, number, number];
const RED: Rgb = [255, 0, 0];
const GREEN: Rgb = [0, 255, 0];
const BLUE: Rgb = [0, 0, 255];
const WHITE: Rgb = [255, 255, 255];

function pixel(img: RgbImage, x: number, y: number): Rgb {
  const i = (y * img.width + x) * 3;
  return [img.data[i], img.data[i + 1], img.data[i + 2]];
}

function expectPixelClose(img: RgbImage, x: number, y: number, expected: Rgb, tolerance: number): void {
  pixel(img, x, y).forEach((value, c) => expect(Math.abs(value - expected[c])).toBeLessThanOrEqual(tolerance));
}

/** A PNG written by pngjs from RGBA input, converted to the given colour type and depth. */
function pngFromRgba(width: number, height: number, rgba: number[], colorType: 0 | 2 | 4 | 6): Uint8Array {
  const png = new PNG({ width, height });
  png.data = Buffer.from(rgba);
  return PNG.sync.write(png, { colorType });
}

/** A PNG assembled chunk by chunk, for what pngjs cannot write (palettes, depths below 8). */
function handMadePng(ihdr: { width: number; height: number; bitDepth: number; colorType: number }, scanlines: number[][], extraChunks: Array<[string, number[]]> = []): Uint8Array {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(ihdr.width, 0);
  header.writeUInt32BE(ihdr.height, 4);
  header.set([ihdr.bitDepth, ihdr.colorType, 0, 0, 0], 8);
  const filtered = scanlines.flatMap((line) => [0, ...line]); // filter type 0 (None) per row
  const chunk = (type: string, data: Uint8Array) => {
    const typeAndData = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(typeAndData));
    return Buffer.concat([length, typeAndData, crc]);
  };
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    ...extraChunks.map(([type, data]) => chunk(type, Buffer.from(data))),
    chunk('IDAT', deflateSync(Buffer.from(filtered))),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** 64x32, quadrants 32x16 (aligned to JPEG blocks): red, green on top; blue, white below. */
const QUADRANT_COLOURS: Rgb[][] = [
  [RED, GREEN],
  [BLUE, WHITE],
];
function quadrantsJpeg(): Uint8Array {
  const width = 64;
  const height = 32;
  const rgba = Buffer.alloc(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) rgba.set([...QUADRANT_COLOURS[y >> 4][x >> 5], 255], (y * width + x) * 4);
  }
  return jpeg.encode({ width, height, data: rgba }, 95).data;
}

/** Checks the colour at the middle of each quadrant of `img`, given as rows of colours. */
function expectQuadrants(img: RgbImage, expected: Rgb[][]): void {
  expected.forEach((row, qy) =>
    row.forEach((colour, qx) => {
      const x = Math.floor(((qx + 0.5) * img.width) / row.length);
      const y = Math.floor(((qy + 0.5) * img.height) / expected.length);
      expectPixelClose(img, x, y, colour, 8);
    }),
  );
}

/** Inserts an APP1 Exif segment (a Make tag, then the Orientation tag) right after SOI. */
function withExifOrientation(jpegBytes: Uint8Array, orientation: number, byteOrder: 'II' | 'MM'): Uint8Array {
  const little = byteOrder === 'II';
  const tiff = new DataView(new ArrayBuffer(8 + 2 + 2 * 12 + 4));
  tiff.setUint16(0, little ? 0x4949 : 0x4d4d);
  tiff.setUint16(2, 42, little);
  tiff.setUint32(4, 8, little); // IFD0 right after the header
  tiff.setUint16(8, 2, little); // two entries
  tiff.setUint16(10, 0x010f, little); // Make, ASCII, 4 bytes stored inline
  tiff.setUint16(12, 2, little);
  tiff.setUint32(14, 4, little);
  new Uint8Array(tiff.buffer).set([0x61, 0x62, 0x63, 0], 18);
  tiff.setUint16(22, 0x0112, little); // Orientation, SHORT, count 1
  tiff.setUint16(24, 3, little);
  tiff.setUint32(26, 1, little);
  tiff.setUint16(30, orientation, little);
  tiff.setUint32(34, 0, little); // no next IFD
  const payload = Buffer.concat([Buffer.from('Exif\0\0', 'binary'), new Uint8Array(tiff.buffer)]);
  const segmentHeader = Buffer.from([0xff, 0xe1, (payload.length + 2) >> 8, (payload.length + 2) & 0xff]);
  return Buffer.concat([jpegBytes.subarray(0, 2), segmentHeader, payload, jpegBytes.subarray(2)]);
}

describe('decodeImage: PNG', () => {
  it('decodes 8-bit RGB exactly', () => {
    const bytes = pngFromRgba(2, 1, [10, 20, 30, 255, 200, 150, 100, 255], 2);
    const img = decodeImage(bytes, 'rgb.png');
    expect([img.width, img.height]).toEqual([2, 1]);
    expect(Array.from(img.data)).toEqual([10, 20, 30, 200, 150, 100]);
  });

  it('composites RGBA on white', () => {
    const bytes = pngFromRgba(3, 1, [200, 100, 50, 128, 0, 0, 0, 0, 1, 2, 3, 255], 6);
    const img = decodeImage(bytes, 'rgba.png');
    const a = 128 / 255;
    [200, 100, 50].forEach((v, c) => expect(img.data[c]).toBeCloseTo(a * v + (1 - a) * 255, 4));
    expect(pixel(img, 1, 0)).toEqual(WHITE);
    expect(pixel(img, 2, 0)).toEqual([1, 2, 3]);
  });

  it('expands 8-bit greyscale and greyscale+alpha to RGB', () => {
    const grey = decodeImage(pngFromRgba(2, 1, [0, 0, 0, 255, 90, 90, 90, 255], 0), 'grey.png');
    expect(Array.from(grey.data)).toEqual([0, 0, 0, 90, 90, 90]);
    const greyAlpha = decodeImage(pngFromRgba(1, 1, [0, 0, 0, 51], 4), 'grey-alpha.png');
    expect(pixel(greyAlpha, 0, 0)).toEqual([204, 204, 204]); // 0.2 black over white
  });

  it('keeps 16-bit precision (value / 257 on the 0..255 scale)', () => {
    const samples = [0, 65535, 1000, 32768, 12345, 257];
    const png = new PNG({ width: 2, height: 1 });
    png.data = Buffer.from(new Uint16Array(samples).buffer); // pngjs takes native-endian 16-bit input
    const bytes = PNG.sync.write(png, { bitDepth: 16, colorType: 2, inputColorType: 2, inputHasAlpha: false });
    const img = decodeImage(bytes, 'deep.png');
    samples.forEach((s, i) => expect(img.data[i]).toBeCloseTo(s / 257, 4));
  });

  it('scales 16-bit alpha before compositing', () => {
    const png = new PNG({ width: 1, height: 1 });
    png.data = Buffer.from(new Uint16Array([0, 0, 65535, 32768]).buffer);
    const bytes = PNG.sync.write(png, { bitDepth: 16, colorType: 6, inputColorType: 6 });
    const a = 32768 / 65535;
    const img = decodeImage(bytes, 'deep-alpha.png');
    expect(img.data[0]).toBeCloseTo((1 - a) * 255, 3);
    expect(img.data[2]).toBeCloseTo(255, 3);
  });

  it('decodes a 2-bit palette image with a transparent entry (tRNS)', () => {
    const bytes = handMadePng(
      { width: 3, height: 1, bitDepth: 2, colorType: 3 },
      [[0b00_01_10_00]], // indices 0, 1, 2 packed two bits each
      [
        ['PLTE', [10, 20, 30, 200, 100, 0, 0, 0, 0]],
        ['tRNS', [255, 255, 0]],
      ],
    );
    const img = decodeImage(bytes, 'palette.png');
    expect(Array.from(img.data)).toEqual([10, 20, 30, 200, 100, 0, 255, 255, 255]);
  });

  it('scales 2-bit greyscale to 0..255', () => {
    const bytes = handMadePng({ width: 4, height: 1, bitDepth: 2, colorType: 0 }, [[0b00_01_10_11]]);
    const img = decodeImage(bytes, 'grey2.png');
    expect([0, 1, 2, 3].map((x) => pixel(img, x, 0)[0])).toEqual([0, 85, 170, 255]);
  });

  it('recognises the format by content, not by the file name', () => {
    const img = decodeImage(pngFromRgba(1, 1, [1, 2, 3, 255], 2), 'actually-a-png.jpg');
    expect(pixel(img, 0, 0)).toEqual([1, 2, 3]);
  });
});

describe('decodeImage: JPEG', () => {
  it('decodes a baseline JPEG approximately', () => {
    const img = decodeImage(quadrantsJpeg(), 'quadrants.jpg');
    expect([img.width, img.height]).toEqual([64, 32]);
    expectQuadrants(img, QUADRANT_COLOURS);
  });

  it('decodes the committed progressive JPEG (4:2:0 chroma)', () => {
    const img = readImage(join(FIXTURES, 'progressive-quadrants.jpg'));
    expect([img.width, img.height]).toEqual([64, 32]);
    expectQuadrants(img, QUADRANT_COLOURS);
  });

  it('decodes the committed greyscale JPEG to equal R, G and B', () => {
    const img = readImage(join(FIXTURES, 'greyscale.jpg'));
    expect([img.width, img.height]).toEqual([16, 8]);
    expectPixelClose(img, 2, 4, [0, 0, 0], 4);
    expectPixelClose(img, 13, 4, [200, 200, 200], 4);
  });

  it('reads the sample photo tubingen.jpg at 1024x768', { skip: !existsSync(TUBINGEN) }, () => {
    const img = readImage(TUBINGEN);
    expect([img.width, img.height]).toEqual([1024, 768]);
    expect(img.data.length).toBe(1024 * 768 * 3);
  });
});

describe('Exif orientation', () => {
  // Where each stored quadrant ends up once the photo is displayed upright.
  const displayed: Record<3 | 6 | 8, Rgb[][]> = {
    3: [
      [WHITE, BLUE],
      [GREEN, RED],
    ],
    6: [
      [BLUE, RED],
      [WHITE, GREEN],
    ],
    8: [
      [GREEN, WHITE],
      [RED, BLUE],
    ],
  };

  for (const byteOrder of ['II', 'MM'] as const) {
    for (const orientation of [3, 6, 8] as const) {
      it(`applies orientation ${orientation} (${byteOrder === 'II' ? 'little' : 'big'}-endian Exif)`, () => {
        const img = decodeImage(withExifOrientation(quadrantsJpeg(), orientation, byteOrder), 'oriented.jpg');
        expect([img.width, img.height]).toEqual(orientation === 3 ? [64, 32] : [32, 64]);
        expectQuadrants(img, displayed[orientation]);
      });
    }
  }

  it('ignores orientation 1 and out-of-range values', () => {
    for (const orientation of [1, 0, 9]) {
      const img = decodeImage(withExifOrientation(quadrantsJpeg(), orientation, 'MM'), 'plain.jpg');
      expect([img.width, img.height]).toEqual([64, 32]);
      expectQuadrants(img, QUADRANT_COLOURS);
    }
  });

  it('maps every orientation 1-8 exactly (stored 3x2 image a b c / d e f)', () => {
    const stored: RgbImage = { width: 3, height: 2, data: new Float32Array([..."abcdef"].flatMap((_, i) => [i, i, i])) };
    const label = (img: RgbImage) =>
      Array.from({ length: img.height }, (_, y) =>
        Array.from({ length: img.width }, (_, x) => 'abcdef'[pixel(img, x, y)[0]]).join(''),
      ).join('/');
    const expected: Record<Orientation, string> = {
      1: 'abc/def',
      2: 'cba/fed',
      3: 'fed/cba',
      4: 'def/abc',
      5: 'ad/be/cf',
      6: 'da/eb/fc',
      7: 'fc/eb/da',
      8: 'cf/be/ad',
    };
    for (const [orientation, layout] of Object.entries(expected)) {
      expect(label(applyOrientation(stored, Number(orientation) as Orientation))).toBe(layout);
    }
  });
});

describe('decode errors', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'nst-image-decode-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const writeTemp = (name: string, bytes: Uint8Array | string) => {
    const path = join(dir, name);
    writeFileSync(path, bytes);
    return path;
  };

  it('missing file', () => {
    expectUserError(() => readImage(join(dir, 'nope.png')), 'nope.png', 'no such file');
  });

  it('a directory', () => {
    const path = join(dir, 'folder.png');
    mkdirSync(path);
    expectUserError(() => readImage(path), 'folder.png', 'directory');
  });

  it('unreadable file (permission)', () => {
    const path = writeTemp('secret.png', pngFromRgba(1, 1, [0, 0, 0, 255], 2));
    chmodSync(path, 0o000);
    // As root (CI), in a child without root's power to read anything. Caught: EACCES worded otherwise (src/files.ts).
    if (isRoot) expectUserErrorThrown(thrownWithoutFilePrivileges('src/image/index.js', 'readImage', [path]), 'secret.png', 'permission denied');
    else expectUserError(() => readImage(path), 'secret.png', 'permission denied');
  });

  it('empty file', () => {
    expectUserError(() => readImage(writeTemp('empty.jpg', '')), 'empty.jpg', 'empty');
  });

  it('truncated PNG', () => {
    const bytes = pngFromRgba(8, 8, Array.from({ length: 256 }, (_, i) => (i * 37) % 256), 6);
    const path = writeTemp('cut.png', bytes.subarray(0, bytes.length >> 1));
    expectUserError(() => readImage(path), 'cut.png', 'truncated');
  });

  it('truncated JPEG', () => {
    const bytes = quadrantsJpeg();
    const path = writeTemp('cut.jpg', bytes.subarray(0, bytes.length >> 1));
    expectUserError(() => readImage(path), 'cut.jpg', 'truncated');
  });

  it('a text file', () => {
    expectUserError(() => readImage(writeTemp('notes.png', 'hello, world\n')), 'notes.png', 'not a PNG or JPEG image');
  });

  it.each([
    ['GIF', 'GIF89a\x01\x00\x01\x00\x00\x00\x00;'],
    ['WebP', 'RIFF\x1a\x00\x00\x00WEBPVP8 '],
    ['BMP', 'BM\x3a\x00\x00\x00\x00\x00\x00\x00\x36\x00\x00\x00'],
    ['TIFF', 'II*\x00\x08\x00\x00\x00'],
  ])('unsupported format: %s', (format, header) => {
    const path = writeTemp(`picture.${format.toLowerCase()}`, Buffer.from(header, 'binary'));
    expectUserError(() => readImage(path), path, `${format} images are not supported`, 'PNG and JPEG');
  });

  it('arithmetic-coded JPEG is named as unsupported', () => {
    const bytes = Buffer.from(quadrantsJpeg());
    const sof0 = bytes.indexOf(Buffer.from([0xff, 0xc0]));
    bytes[sof0 + 1] = 0xc9; // SOF9: extended sequential, arithmetic coding
    expectUserError(() => decodeImage(bytes, 'arith.jpg'), 'arith.jpg', 'arithmetic-coded JPEG is not supported');
  });

  it('rejects images over the pixel limit from the header, before decoding', () => {
    const png = Buffer.from(pngFromRgba(1, 1, [0, 0, 0, 255], 2));
    png.writeUInt32BE(20000, 16); // IHDR width
    png.writeUInt32BE(20000, 20); // IHDR height
    expectUserError(() => decodeImage(png, 'huge.png'), 'huge.png', '20000x20000', 'MP');

    const jpg = Buffer.from(quadrantsJpeg());
    const sof0 = jpg.indexOf(Buffer.from([0xff, 0xc0]));
    jpg.writeUInt16BE(60000, sof0 + 5); // height
    jpg.writeUInt16BE(60000, sof0 + 7); // width
    expectUserError(() => decodeImage(jpg, 'huge.jpg'), 'huge.jpg', '60000x60000');
  });
});
