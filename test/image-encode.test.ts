/**
 * Encoding and writing: PNG round trips exactly, JPEG closely (and quality trades size),
 * values are rounded and clamped only here, writes are atomic (no temp file left, target
 * replaced), and checkWritable rejects what would fail at the end of a long run.
 */
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { checkWritable, decodeImage, encodeImage, readImage, writeImageAtomic, type RgbImage } from '../src/image/index.js';
import { expectUserError, expectUserErrorThrown } from './helpers/expect-user-error.js';
import { isRoot, thrownWithoutFilePrivileges } from './helpers/without-file-privileges.js';


function imageFrom(width: number, height: number, valueAt: (x: number, y: number, c: number) => number): RgbImage {
  const data = new Float32Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      for (let c = 0; c < 3; c++) data[(y * width + x) * 3 + c] = valueAt(x, y, c);
    }
  }
  return { width, height, data };
}

/** Whole numbers in 0..255 with no simple pattern, so a PNG round trip must be exact. */
const bytesImage = imageFrom(13, 7, (x, y, c) => (x * 37 + y * 101 + c * 59) % 256);
/** A smooth image, the kind JPEG reproduces well. */
const smoothImage = imageFrom(64, 48, (x, y, c) => 40 + x + 2 * y + 10 * c); // 40..217

function meanAbsoluteError(a: RgbImage, b: RgbImage): number {
  return a.data.reduce((sum, value, i) => sum + Math.abs(value - b.data[i]), 0) / a.data.length;
}

describe('encodeImage', () => {
  it('PNG round trip is exact', () => {
    const decoded = decodeImage(encodeImage(bytesImage, 'png'), 'round-trip.png');
    expect([decoded.width, decoded.height]).toEqual([13, 7]);
    expect(Array.from(decoded.data)).toEqual(Array.from(bytesImage.data));
  });

  it('rounds and clamps to 0..255 (NaN becomes 0)', () => {
    const img: RgbImage = { width: 2, height: 2, data: new Float32Array([1.4, 1.6, -5, 300, 254.5, 0.49, NaN, 255, 128, 7.5, -0.4, 1e9]) };
    const decoded = decodeImage(encodeImage(img, 'png'), 'clamped.png');
    expect(Array.from(decoded.data)).toEqual([1, 2, 0, 255, 255, 0, 0, 255, 128, 8, 0, 255]);
  });

  it('JPEG round trip is close, and lower quality gives a smaller file', () => {
    const high = encodeImage(smoothImage, 'jpeg', 95);
    const low = encodeImage(smoothImage, 'jpeg', 20);
    expect(meanAbsoluteError(decodeImage(high, 'high.jpg'), smoothImage)).toBeLessThan(2);
    expect(meanAbsoluteError(decodeImage(low, 'low.jpg'), smoothImage)).toBeLessThan(8);
    expect(low.length).toBeLessThan(high.length);
  });

  it('rejects a JPEG quality outside 1..100', () => {
    for (const quality of [0, 101, 50.5]) expectUserError(() => encodeImage(smoothImage, 'jpeg', quality), 'quality');
  });
});

describe('writeImageAtomic', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'nst-image-write-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('writes the file, replaces an existing one, and leaves no temporary file', () => {
    const path = join(dir, 'out.png');
    writeFileSync(path, 'an old, different file');
    writeImageAtomic(path, bytesImage);
    expect(Array.from(readImage(path).data)).toEqual(Array.from(bytesImage.data));
    const black = imageFrom(3, 2, () => 0);
    writeImageAtomic(path, black);
    expect(readImage(path)).toEqual(decodeImage(encodeImage(black, 'png'), 'black.png'));
    expect(readdirSync(dir)).toEqual(['out.png']);
  });

  it('chooses the format by extension, case-insensitively, and passes the quality on', () => {
    writeImageAtomic(join(dir, 'a.JPG'), smoothImage, { quality: 95 });
    writeImageAtomic(join(dir, 'b.jpeg'), smoothImage, { quality: 20 });
    const high = readImage(join(dir, 'a.JPG'));
    expect(meanAbsoluteError(high, smoothImage)).toBeLessThan(2);
    expect(meanAbsoluteError(readImage(join(dir, 'b.jpeg')), smoothImage)).toBeGreaterThan(meanAbsoluteError(high, smoothImage));
  });

  it('rejects an unsupported extension, naming the path and the supported ones', () => {
    const path = join(dir, 'out.webp');
    expectUserError(() => writeImageAtomic(path, bytesImage), path, '.png', '.jpg');
    expectUserError(() => writeImageAtomic(join(dir, 'noextension'), bytesImage), 'noextension', 'no extension');
    expect(readdirSync(dir)).toEqual([]);
  });

  it('fails with a UserError and cleans up when the target cannot be replaced', () => {
    const path = join(dir, 'taken.png');
    mkdirSync(path);
    expectUserError(() => writeImageAtomic(path, bytesImage), 'taken.png');
    expect(readdirSync(dir)).toEqual(['taken.png']);
  });

  it('fails with a UserError when the directory is missing', () => {
    const path = join(dir, 'missing', 'out.png');
    expectUserError(() => writeImageAtomic(path, bytesImage), path, 'no such file or directory');
  });
});

describe('checkWritable', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'nst-image-check-'));
  });
  afterEach(() => {
    chmodSync(dir, 0o700);
    rmSync(dir, { recursive: true, force: true });
  });

  it('accepts a new file in an existing directory', () => {
    expect(() => checkWritable(join(dir, 'result.jpg'))).not.toThrow();
    expect(() => checkWritable(join(dir, 'result.PNG'))).not.toThrow();
  });

  it('rejects a missing directory', () => {
    expectUserError(() => checkWritable(join(dir, 'missing', 'out.png')), 'missing', 'does not exist');
  });

  it('rejects a path whose directory is a file', () => {
    writeFileSync(join(dir, 'file'), '');
    expectUserError(() => checkWritable(join(dir, 'file', 'out.png')), 'is not a directory');
  });

  it('rejects a bad extension', () => {
    expectUserError(() => checkWritable(join(dir, 'out.gif')), 'out.gif', "'.gif'", '.png, .jpg or .jpeg');
  });

  it('rejects a path that is a directory', () => {
    mkdirSync(join(dir, 'out.png'));
    expectUserError(() => checkWritable(join(dir, 'out.png')), 'out.png', 'is a directory');
  });

  it('rejects a directory without write permission', () => {
    chmodSync(dir, 0o500);
    // As root (CI), in a child without root's power to write anywhere. Caught: a check of F_OK instead of W_OK.
    if (isRoot) expectUserErrorThrown(thrownWithoutFilePrivileges('src/image/index.js', 'checkWritable', [join(dir, 'out.png')]), 'not writable');
    else expectUserError(() => checkWritable(join(dir, 'out.png')), 'not writable');
  });
});
