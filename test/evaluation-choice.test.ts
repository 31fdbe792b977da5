/**
 * How a run fits its memory (src/stylize/evaluation.ts): the whole image with L-BFGS's pairs in
 * memory when that fits, then the whole image with the pairs in a file, then tiles, largest
 * first, each with the pairs in memory if they fit, else in a file; a run that fits no way is
 * refused naming what limits it. Checked against the estimate itself (memory.ts), at the sizes
 * of the print-size benchmark.
 */
import { describe, expect, it } from 'vitest';
import { UserError } from '../src/errors.js';
import type { RgbImage } from '../src/image/types.js';
import { parseStylizeConfig, type RawStylizeOptions } from '../src/stylize/config.js';
import { chooseEvaluation, type Evaluation } from '../src/stylize/evaluation.js';
import { runMemoryLimit } from '../src/stylize/machine-memory.js';
import { planInputs } from '../src/stylize/inputs.js';

const image = (width: number, height: number): RgbImage => ({ width, height, data: new Float32Array(0) });
const GiB = 2 ** 30;

/** The evaluation chosen for a 1024 x 768 content at --size `size`, on a machine of `machine` bytes. */
function choose(size: number, options: RawStylizeOptions, machine = 24 * GiB): Evaluation {
  const config = parseStylizeConfig('content.jpg', ['style.jpg'], { output: 'out.png', size: String(size), ...options });
  const plan = planInputs(config, { content: image(1024, 768), styles: [{ path: 'style.jpg', image: image(1024, 640) }] });
  return chooseEvaluation(config, plan, runMemoryLimit(config, { bytes: 0.8 * machine, source: 'a test machine' }), true);
}

describe('the evaluation chosen to fit memory', () => {
  it('is the whole image with the pairs in memory when both fit', () => {
    expect(choose(512, {})).toMatchObject({ tile: null, historyOnDisk: false });
  });

  it('keeps the whole image and moves the pairs to a file before it tiles', () => {
    const whole = choose(2048, {});
    expect(whole).toMatchObject({ tile: null, historyOnDisk: false });
    // A limit just below the whole image's estimate with the pairs in memory.
    const limit = (whole.bytes - 1) / GiB;
    const chosen = choose(2048, { maxMemory: String(limit) });
    expect(chosen).toMatchObject({ tile: null, historyOnDisk: true });
    expect(chosen.bytes).toBeLessThan(whole.bytes);
  });

  it('tiles, with the pairs in a file, at 4096 px within 5.6 GiB', () => {
    const chosen = choose(4096, { maxMemory: '5.6' });
    expect(chosen.historyOnDisk).toBe(true);
    expect(chosen.tile).toBeGreaterThanOrEqual(80);
    expect(chosen.bytes).toBeLessThanOrEqual(5.6 * GiB);
    // The largest tile that fits: one stride (16 px) more does not.
    expect(() => choose(4096, { maxMemory: '5.6', tile: String(chosen.tile! + 16) })).toThrow(/^--tile \d+: this run needs about 5\.\d GiB with tiles of \d+ px, more than the 5\.6 GiB it may use \(--max-memory\); /);
  });

  it('keeps the pairs in memory for a forced tile when they fit, in a file when not', () => {
    const inMemory = choose(2048, { tile: '512' });
    expect(inMemory).toMatchObject({ tile: 512, historyOnDisk: false });
    const inFile = choose(2048, { tile: '512', maxMemory: String((inMemory.bytes - 1) / GiB) });
    expect(inFile).toMatchObject({ tile: 512, historyOnDisk: true });
  });

  it('never moves Adam\'s moments to a file', () => {
    expect(choose(4096, { optimizer: 'adam', maxMemory: '5.6' }).historyOnDisk).toBe(false);
  });

  it('refuses, naming --max-memory or the machine, a run that fits no way', () => {
    expect(() => choose(4096, { maxMemory: '1' })).toThrow(UserError);
    expect(() => choose(4096, { maxMemory: '1' })).toThrow(/^--size 4096: this run needs about .* GiB even in tiles of 80 px, more than the 1\.0 GiB it may use \(--max-memory\); /);
    expect(() => choose(4096, {}, 2 * GiB)).toThrow(/more than the 1\.6 GiB it may use \(a test machine\); /);
  });
});
