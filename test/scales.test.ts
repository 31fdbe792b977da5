/**
 * Coarse to fine (src/stylize/scales.ts, --scales and --scale-iterations): the sizes of the
 * scales, the split of the iterations (and README's statement of it), the upsampling between
 * scales, the options' bad input, and a run through the CLI.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import { convertWeights } from '../src/weights/convert.js';
import { parseStylizeConfig, type RawStylizeOptions } from '../src/stylize/config.js';
import { DEFAULT_SCALE_SHARES, scaleSchedule, scaleSize, splitIterations, upsample } from '../src/stylize/scales.js';
import { BUNDLE, hasBundle, IMAGES, REPO, runNst, tempDir } from './helpers/cli.js';
import { expectUserError } from './helpers/expect-user-error.js';

const parse = (raw: RawStylizeOptions) => parseStylizeConfig('c.jpg', ['s.jpg'], { output: 'o.png', seed: '1', ...raw });

describe('scale sizes', () => {
  it('halves the size once per scale below the last', () => {
    expect([0, 1, 2].map((k) => scaleSize(512, k, 3))).toEqual([128, 256, 512]);
    expect([0, 1].map((k) => scaleSize(500, k, 2))).toEqual([250, 500]);
    expect(scaleSize(333, 0, 3)).toBe(83);
    expect(scaleSchedule(512, [300, 150, 50])).toEqual([
      { size: 128, iterations: 300 },
      { size: 256, iterations: 150 },
      { size: 512, iterations: 50 },
    ]);
  });
});

describe('the split of --iterations over the scales', () => {
  it('follows the default shares and keeps the total', () => {
    expect(splitIterations(500, 1)).toEqual([500]);
    expect(splitIterations(500, 2)).toEqual([375, 125]);
    expect(splitIterations(500, 3)).toEqual([300, 150, 50]);
    for (const [total, scales] of [[10, 2], [7, 3], [3, 3], [1001, 3], [50, 4], [9, 6]]) {
      const counts = splitIterations(total, scales);
      expect(counts).toHaveLength(scales);
      expect(counts.reduce((a, b) => a + b, 0), `${total} over ${scales}`).toBe(total);
      expect(Math.min(...counts)).toBeGreaterThanOrEqual(1);
    }
  });

  it('is what README says', () => {
    const readme = readFileSync(join(REPO, 'README.md'), 'utf8');
    const row = readme.split('\n').find((line) => line.startsWith('| `--scales'))!;
    const stated = (scales: number) => new RegExp(`([\\d/]+) % over ${scales}`).exec(row)?.[1];
    for (const scales of [2, 3]) {
      expect(stated(scales)?.split('/').map((p) => Number(p) / 100), `README on ${scales} scales`).toEqual(DEFAULT_SCALE_SHARES[scales]);
    }
  });
});

describe('upsampling a result to the next scale', () => {
  it('keeps a constant image constant and a ramp close to a ramp', () => {
    const [h, w] = [6, 8];
    const x = new Float32Array(3 * h * w);
    for (let c = 0; c < 3; c++) for (let i = 0; i < h * w; i++) x[c * h * w + i] = c === 0 ? -40 : c === 1 ? (i % w) * 10 : 7;
    const up = upsample(x, [3, h, w], [3, 2 * h, 2 * w]);
    expect(up).toHaveLength(3 * 4 * h * w);
    const plane = (c: number) => up.subarray(c * 4 * h * w, (c + 1) * 4 * h * w);
    for (const v of plane(0)) expect(v).toBeCloseTo(-40, 4);
    for (const v of plane(2)) expect(v).toBeCloseTo(7, 4);
    // Inside the image (away from the clamped edges) a linear ramp is reproduced: 5 per output pixel.
    const row = plane(1).subarray(4 * 2 * w, 5 * 2 * w);
    for (let x2 = 3; x2 < 2 * w - 4; x2++) expect(row[x2 + 1] - row[x2]).toBeCloseTo(5, 3);
  });
});

describe('--scales and --scale-iterations', () => {
  it('split --iterations by default, or take the counts given', () => {
    expect(parse({}).scaleIterations).toEqual([500]);
    expect(parse({ scales: '3', iterations: '100' }).scaleIterations).toEqual([60, 30, 10]);
    const given = parse({ scales: '2', scaleIterations: '40,10' });
    expect([given.iterations, given.scaleIterations]).toEqual([50, [40, 10]]);
    expect(parse({ scales: '2', scaleIterations: '40,10', iterations: '50' }).iterations).toBe(50);
  });

  it("a preset's --iterations gives way to --scale-iterations", () => {
    expect(parse({ preset: 'keras', scales: '2', scaleIterations: '3,2' }).iterations).toBe(5);
  });

  it('refuse bad input with one line naming the option', () => {
    expectUserError(() => parse({ scales: '0' }), '--scales', 'an integer from 1 to 6');
    expectUserError(() => parse({ scales: '7' }), '--scales');
    expectUserError(() => parse({ scales: '1.5' }), '--scales');
    expectUserError(() => parse({ scales: '3', iterations: '2' }), '--iterations', 'at least one per scale');
    expectUserError(() => parse({ scales: '2', scaleIterations: '5' }), '--scale-iterations', 'expected 2 values');
    expectUserError(() => parse({ scales: '2', scaleIterations: '5,0' }), '--scale-iterations', 'positive integers');
    expectUserError(() => parse({ scales: '2', scaleIterations: '5,2.5' }), '--scale-iterations', 'positive integers');
    expectUserError(() => parse({ scales: '2', scaleIterations: '5,5', iterations: '11' }), '--iterations', 'not the sum of --scale-iterations');
  });
});

describe.skipIf(!hasBundle)('nst stylize --scales', () => {
  const dir = tempDir();
  const weights = join(dir, 'vgg19.nstw');
  const SMALL = ['--backend', 'cpu', '--content-layers', 'relu1_1', '--style-layers', 'relu1_1'];

  it('optimises at half the size first, then at the size asked for', async () => {
    convertWeights({ source: BUNDLE, output: weights });
    const out = join(dir, 'out.png');
    const trace = join(dir, 'trace.json');
    const r = await runNst(
      ['stylize', join(IMAGES, 'tubingen.jpg'), join(IMAGES, 'starry_night.jpg'), '-o', out, '--trace', trace, '--size', '32', '--scales', '2', '--iterations', '4', ...SMALL],
      { env: { NST_WEIGHTS: weights } },
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('4 iterations of lbfgs over 2 scales (16x12: 3, 32x24: 1)');
    const record = JSON.parse(readFileSync(trace, 'utf8'));
    expect(record.size).toEqual([32, 24]);
    expect(record.iterations.map((e: { i: number; size: number[] }) => [e.i, e.size.join('x')])).toEqual([
      [1, '16x12'],
      [2, '16x12'],
      [3, '16x12'],
      [4, '32x24'],
    ]);
    const png = PNG.sync.read(readFileSync(out));
    expect([png.width, png.height]).toEqual([32, 24]);
  });

  it('refuses a coarsest scale too small for the network, naming --scales', async () => {
    const r = await runNst(['stylize', join(IMAGES, 'tubingen.jpg'), join(IMAGES, 'starry_night.jpg'), '-o', join(dir, 'small.png'), '--size', '64', '--scales', '4'], {
      env: { NST_WEIGHTS: weights },
    });
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/too small for relu5_1.*fewer --scales/);
    expect(existsSync(join(dir, 'small.png'))).toBe(false);
  });
});
