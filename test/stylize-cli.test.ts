/**
 * `nst stylize` end to end, through the real CLI on real (imported) weights and photos, at
 * tiny sizes so it stays quick. Runs on headlessgl (npm test runs under xvfb-run), the
 * fastest backend here. Needs ../shared (the weights bundle and photos), as CI has; without
 * it the suite is skipped, and the summary line says so.
 */
import { readFileSync, writeFileSync, existsSync, readdirSync, copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { readImage, resize, toYuv } from '../src/image/index.js';
import { convertWeights } from '../src/weights/convert.js';
import { BUNDLE, expectUsageError, hasBundle, IMAGES, runNst, tempDir } from './helpers/cli.js';

const BACKEND = 'headlessgl';
const CONTENT = join(IMAGES, 'tubingen.jpg');
const STYLE = join(IMAGES, 'starry_night.jpg');

interface PrintedLine {
  i: number;
  total: number;
  content: number;
  style: number;
  tv: number;
}

function printedLosses(stderr: string): PrintedLine[] {
  const re = /^iteration (\d+)\/\d+: total (\S+) \(content (\S+), style (\S+), tv (\S+)\)/gm;
  return [...stderr.matchAll(re)].map((m) => ({ i: +m[1], total: +m[2], content: +m[3], style: +m[4], tv: +m[5] }));
}

describe.skipIf(!hasBundle)(`nst stylize on ${BACKEND}`, () => {
  const dir = tempDir();
  const weights = join(dir, 'vgg19.nstw');
  const env = { NST_WEIGHTS: weights };
  const stylize = (args: string[], extra: Parameters<typeof runNst>[1] = {}) =>
    runNst(['stylize', CONTENT, STYLE, '--backend', BACKEND, ...args], { env, ...extra });

  beforeAll(() => {
    convertWeights({ source: BUNDLE, output: weights });
  });

  it('stylises a photo: the loss falls well below its start, the trace agrees with the printed losses', async () => {
    const out = join(dir, 'small.png');
    const trace = join(dir, 'trace.json');
    const r = await stylize(['-o', out, '--size', '40', '--iterations', '20', '--print-every', '5', '--seed', '3', '--trace', trace]);
    expect(r.code, r.stderr).toBe(0);

    const img = readImage(out);
    expect([img.width, img.height]).toEqual([40, 30]); // tubingen is 4:3

    const t = JSON.parse(readFileSync(trace, 'utf8'));
    expect(t.backend).toBe(BACKEND);
    expect(t.size).toEqual([40, 30]);
    expect(t.iterations.map((e: { i: number }) => e.i)).toEqual(Array.from({ length: 20 }, (_, k) => k + 1));
    for (const e of t.iterations) {
      expect(e.total).toBeCloseTo(e.content + e.style + e.tv, 3);
      expect(e.ms).toBeGreaterThanOrEqual(0);
    }
    const printed = printedLosses(r.stderr);
    expect(printed.map((p) => p.i)).toEqual([5, 10, 15, 20]);
    for (const p of printed) {
      const e = t.iterations[p.i - 1];
      for (const term of ['total', 'content', 'style', 'tv'] as const) {
        expect(Math.abs(p[term] - e[term]), `${term} at ${p.i}`).toBeLessThanOrEqual(1e-3 * Math.abs(e[term]) + 1e-9);
      }
    }

    const totals: number[] = t.iterations.map((e: { total: number }) => e.total);
    const runningBest = totals.map((_, k) => Math.min(...totals.slice(0, k + 1)));
    expect(runningBest[19]).toBeLessThan(0.3 * totals[0]);
    expect(runningBest[9]).toBeLessThan(runningBest[0]);
    expect(runningBest[19]).toBeLessThan(runningBest[9]);
  });

  it('--tile evaluates in tiles, to the losses of the whole image (coarse to fine: the small scale runs whole)', async () => {
    const run = async (tile: string[]) => {
      const trace = join(dir, `tile${tile.length}.json`);
      const r = await stylize(['-o', join(dir, `tile${tile.length}.png`), '--size', '100', '--scales', '2', '--iterations', '4', '--seed', '3', '--trace', trace, ...tile]);
      expect(r.code, r.stderr).toBe(0);
      return { stderr: r.stderr, totals: JSON.parse(readFileSync(trace, 'utf8')).iterations.map((e: { total: number }) => e.total) as number[] };
    };
    const whole = await run([]);
    const tiled = await run(['--tile', '90']);
    expect(whole.stderr).not.toMatch(/tiles/);
    expect(tiled.stderr).toMatch(/evaluated in tiles of 80 px/); // 90 rounded down to VGG19's stride, 16
    expect(tiled.totals.length).toBe(whole.totals.length);
    tiled.totals.forEach((total, k) => expect(Math.abs(total - whole.totals[k]) / whole.totals[k], `evaluation ${k + 1}`).toBeLessThan(1e-4));
  });

  it('gives the same image for the same seed, and another run for another seed', async () => {
    const run = async (seed: string, name: string) => {
      const out = join(dir, `${name}.png`);
      const trace = join(dir, `${name}.json`);
      const r = await stylize(['-o', out, '--size', '32', '--iterations', '3', '--init', 'random', '--seed', seed, '--trace', trace]);
      expect(r.code, r.stderr).toBe(0);
      const totals = JSON.parse(readFileSync(trace, 'utf8')).iterations.map((e: { total: number }) => e.total);
      return { image: readFileSync(out), totals };
    };
    const a = await run('11', 'seed-a');
    const b = await run('11', 'seed-b');
    const c = await run('12', 'seed-c');
    expect(a.image.equals(b.image)).toBe(true);
    expect(a.totals).toEqual(b.totals);
    // neural-style's random init is almost flat grey (std 0.001): seeds differ in the losses
    // long before they differ in 8-bit pixels.
    expect(c.totals).not.toEqual(a.totals);
  });

  // Blend weights, avg pooling, Adam and normalised gradients each have a test of their own
  // (stylize-options.test.ts): here they only come along, on headlessgl at a real size.
  it('--original-colors keeps the content chroma (with two styles, avg pooling, Adam, normalised gradients)', async () => {
    const out = join(dir, 'options.png');
    const second = join(IMAGES, 'the_scream.jpg');
    const r = await runNst(
      ['stylize', CONTENT, STYLE, second, '--backend', BACKEND, '-o', out, '--size', '32', '--iterations', '3',
        '--style-blend-weights', '3,1', '--original-colors', '--pooling', 'avg', '--optimizer', 'adam',
        '--learning-rate', '5', '--normalize-gradients'],
      { env },
    );
    expect(r.code, r.stderr).toBe(0);
    const result = toYuv(readImage(out));
    const content = readImage(CONTENT);
    const contentYuv = toYuv(resize(content, result.width, result.height));
    // Chroma (U, V) is the content's, up to 8-bit rounding of the RGB output; Y has moved.
    let chroma = 0;
    let luma = 0;
    for (let i = 0; i < result.data.length; i += 3) {
      chroma = Math.max(chroma, Math.abs(result.data[i + 1] - contentYuv.data[i + 1]), Math.abs(result.data[i + 2] - contentYuv.data[i + 2]));
      luma = Math.max(luma, Math.abs(result.data[i] - contentYuv.data[i]));
    }
    expect(chroma).toBeLessThan(2);
    expect(luma).toBeGreaterThan(2);
  });

  it('writes checkpoints beside the output with --save-every', async () => {
    const out = join(dir, 'ckpt.jpg');
    const r = await stylize(['-o', out, '--size', '32', '--iterations', '4', '--save-every', '2', '--quality', '80']);
    expect(r.code, r.stderr).toBe(0);
    expect(existsSync(join(dir, 'ckpt_2.jpg'))).toBe(true);
    expect(readImage(join(dir, 'ckpt_2.jpg')).width).toBe(32);
    expect(readImage(out).width).toBe(32);
  });

  it('saves the current image and exits 130 on Ctrl-C', async () => {
    const out = join(dir, 'interrupted.png');
    let sent = false;
    const r = await stylize(['-o', out, '--size', '32', '--iterations', '500', '--print-every', '1'], {
      onStderr: (chunk, child) => {
        if (!sent && chunk.includes('iteration 2/')) {
          sent = true;
          child.kill('SIGINT');
        }
      },
    });
    expect(sent).toBe(true);
    expect(r.code, r.stderr).toBe(130);
    expect(r.stderr).toContain('interrupted');
    expect(r.stderr.trim().split('\n').at(-1)).toMatch(/^wrote .*; stopped: interrupted$/);
    expect(readImage(out).width).toBe(32);
  });

  it('stops on a NaN or infinite loss and keeps the last good image', async () => {
    const out = join(dir, 'diverged.png');
    // A fixed step of 1e30 along the first direction overflows float32 in the next evaluation.
    const r = await stylize(['-o', out, '--size', '32', '--iterations', '5', '--line-search', 'none', '--learning-rate', '1e30']);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toMatch(/nst: the loss became NaN or infinite after \d+ iterations; kept the last good image/);
    expect(readImage(out).width).toBe(32);
  });

  describe('runs every preset end to end (a few iterations at 32 px)', () => {
    // Budgets cut to keep the suite short; at 32 px the keras recipe's SGD (lr 100, tuned for
    // 400 px high images) diverges at its third step, so it gets two.
    const runs: Array<[string, string[], string]> = [
      ['neural-style', ['--iterations', '2'], 'lbfgs'],
      ['keras', ['--iterations', '2'], 'sgd'],
      ['keras-lbfgs', ['--iterations', '2'], 'lbfgs'],
      ['keras-lbfgs-book', ['--iterations', '1'], 'lbfgs'],
      ['tf-adam', ['--iterations', '3'], 'adam'],
    ];
    for (const [preset, budget, optimizer] of runs) {
      it(preset, async () => {
        const out = join(dir, `preset-${preset}.png`);
        const trace = join(dir, `preset-${preset}.json`);
        const r = await stylize(['-o', out, '--size', '32', '--preset', preset, ...budget, '--seed', '5', '--print-every', '1', '--trace', trace]);
        expect(r.code, r.stderr).toBe(0);
        expect(r.stderr).toContain(`preset ${preset}, `);
        expect(readImage(out).width).toBe(32);
        const t = JSON.parse(readFileSync(trace, 'utf8'));
        expect(t.optimizer).toBe(optimizer);
        const iterations = Number(budget[1]);
        expect(printedLosses(r.stderr).map((p) => p.i)).toEqual(Array.from({ length: iterations }, (_, k) => k + 1));
        if (preset.startsWith('keras-lbfgs')) {
          // Outer iterations of L-BFGS, each several evaluations: the trace has every evaluation.
          expect(t.iterations.length).toBeGreaterThan(2 * iterations);
          expect(r.stderr).toMatch(/evaluations in L-BFGS outer iterations on/);
        } else {
          expect(t.iterations).toHaveLength(iterations);
        }
      });
    }
  });

  it('nst presets lists every preset with its source article', async () => {
    const r = await runNst(['presets']);
    expect(r.code, r.stderr).toBe(0);
    for (const name of ['neural-style', 'keras', 'keras-lbfgs', 'keras-lbfgs-book', 'tf-adam', 'pytorch-squeezenet']) {
      expect(r.stdout).toMatch(new RegExp(`^${name}\n  from: `, 'm'));
    }
    expect(r.stdout).toMatch(/^keras\n  from: article 003 .*\n  sets: .*--optimizer sgd --learning-rate 100 --lr-decay-rate 0\.96 --lr-decay-steps 100/m);
    expect(r.stdout).toMatch(/^pytorch-squeezenet\n  from: article 002 .*\n(.*\n)*  sets: --model squeezenet1_1 .*--pixel-space torchvision --optimizer adam --learning-rate 0\.003/m);
  });

  describe('refuses bad input with one line and exit code 2, leaving no file', () => {
    const text = join(dir, 'notes.jpg');
    const truncated = join(dir, 'cut.jpg');
    const gif = join(dir, 'anim.gif');
    const corruptWeights = join(dir, 'corrupt.nstw');
    beforeAll(() => {
      writeFileSync(text, 'not an image\n');
      writeFileSync(truncated, readFileSync(CONTENT).subarray(0, 2000));
      writeFileSync(gif, Buffer.from('GIF89a\x01\x00\x01\x00\x00\x00\x00;', 'binary'));
      copyFileSync(weights, corruptWeights);
      const bytes = readFileSync(corruptWeights);
      bytes[bytes.length - 100] ^= 0xff;
      writeFileSync(corruptWeights, bytes);
    });

    const cases: Array<[string, () => string[], RegExp]> = [
      ['missing content', () => ['stylize', join(dir, 'nope.jpg'), STYLE], /nope\.jpg.*no such file/],
      ['non-image content', () => ['stylize', text, STYLE], /notes\.jpg.*not a PNG or JPEG/],
      ['truncated style', () => ['stylize', CONTENT, truncated], /cut\.jpg.*truncated/],
      ['unsupported format', () => ['stylize', CONTENT, gif], /anim\.gif.*GIF/],
      ['zero size', () => ['stylize', CONTENT, STYLE, '--size', '0'], /--size: expected an integer from 16/],
      ['non-numeric size', () => ['stylize', CONTENT, STYLE, '--size', 'big'], /--size: expected .*got 'big'/],
      // With L-BFGS's history in a file even 8000 px fits a 24 GB machine in small tiles: the limit is given.
      ['absurd size', () => ['stylize', CONTENT, STYLE, '--size', '8000', '--max-memory', '4'], /--size 8000: this run needs about .* GiB even in tiles of 80 px, more than the 4\.0 GiB it may use \(--max-memory\)/],
      ['tile below the halo', () => ['stylize', CONTENT, STYLE, '--tile', '64'], /--tile 64: tiles must be at least 80 px for vgg19 up to relu5_1/],
      ['zero max memory', () => ['stylize', CONTENT, STYLE, '--max-memory', '0'], /--max-memory: expected a number > 0/],
      ['max memory too small', () => ['stylize', CONTENT, STYLE, '--size', '512', '--max-memory', '0.3'], /--size 512: this run needs about .* even in tiles of 80 px, more than the 307 MiB it may use \(--max-memory\)/],
      ['negative iterations', () => ['stylize', CONTENT, STYLE, '--iterations', '-5'], /--iterations: expected a positive integer/],
      ['non-numeric weight', () => ['stylize', CONTENT, STYLE, '--style-weight', 'lots'], /--style-weight: expected a number >= 0/],
      ['unknown layer', () => ['stylize', CONTENT, STYLE, '--style-layers', 'relu1_1,relu9_9'], /--style-layers: unknown layer 'relu9_9'/],
      ['blend weights count', () => ['stylize', CONTENT, STYLE, '--style-blend-weights', '1,2'], /--style-blend-weights: expected 1 values/],
      ['unknown pooling', () => ['stylize', CONTENT, STYLE, '--pooling', 'median'], /--pooling: expected one of max, avg/],
      ['unknown backend', () => ['stylize', CONTENT, STYLE, '--backend', 'cuda'], /--backend: unknown backend 'cuda'/],
      ['missing weights', () => ['stylize', CONTENT, STYLE, '--weights', join(dir, 'none.nstw')], /none\.nstw/],
      ['corrupt weights', () => ['stylize', CONTENT, STYLE, '--weights', corruptWeights], /corrupt\.nstw.*checksum/],
      ['image too small for relu5_1', () => ['stylize', CONTENT, STYLE, '--size', '20'], /too small for relu5_1/],
      ['unknown preset', () => ['stylize', CONTENT, STYLE, '--preset', 'picasso'], /--preset: unknown preset 'picasso'/],
      ['SqueezeNet preset on VGG19 weights', () => ['stylize', CONTENT, STYLE, '--preset', 'pytorch-squeezenet'], /vgg19\.nstw: holds vgg19 weights, not squeezenet1_1; choose --model vgg19/],
      ['--tv-power with a squared TV', () => ['stylize', CONTENT, STYLE, '--tv-power', '2'], /--tv-power: only with --tv-norm pow; here --tv-norm is squared/],
      ['decay rate above 1', () => ['stylize', CONTENT, STYLE, '--preset', 'keras', '--lr-decay-rate', '1.2'], /--lr-decay-rate: expected a number in \(0, 1\]/],
      ['negative beta', () => ['stylize', CONTENT, STYLE, '--preset', 'tf-adam', '--adam-beta1', '-0.9'], /--adam-beta1: expected a number in \[0, 1\)/],
    ];
    for (const [name, args, message] of cases) {
      it(name, async () => {
        const out = join(dir, `${name.replace(/\W+/g, '-')}.png`);
        const given = args();
        // These fail before any kernel runs; cpu needs no display.
        const backend = given.includes('--backend') ? [] : ['--backend', 'cpu'];
        const r = await runNst([...given, '-o', out, ...backend], { env });
        expectUsageError(r, message);
        expect(existsSync(out)).toBe(false);
      });
    }

    it('an output directory that does not exist', async () => {
      expectUsageError(await stylize(['-o', join(dir, 'no-such-dir', 'out.png')]), /does not exist/);
    });
    it('an output extension it cannot write', async () => {
      expectUsageError(await stylize(['-o', join(dir, 'out.gif')]), /out\.gif/);
    });
    it('left no partial or temporary files', () => {
      expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    });
  });
});
