/**
 * `nst stylize` options that change the result, each checked so that the test would fail if
 * the option were ignored: blend weights select the styles, avg pooling changes the network,
 * Adam takes another path than L-BFGS, normalised gradients change the trajectory, and with
 * L-BFGS they switch the line search off (as neural-style, which has none). Through the real
 * CLI on the real weights, but small: cpu, 16 px, 5 iterations, content and style at relu1_1
 * (relu2_1 for pooling, which needs a pool before it), compared through the --trace losses and
 * the output bytes (runs are deterministic on a backend).
 *
 * Each was seen to fail when its option was ignored (tried, then reverted, in
 * src/stylize/config.ts: blend weights forced equal; pooling forced to max; optimizer forced to
 * lbfgs; normalizeGradients forced false; the line search left at strong-wolfe).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { convertWeights } from '../src/weights/convert.js';
import { BUNDLE, hasBundle, IMAGES, runNst, tempDir } from './helpers/cli.js';

const CONTENT = join(IMAGES, 'tubingen.jpg');
const STYLE_A = join(IMAGES, 'starry_night.jpg');
const STYLE_B = join(IMAGES, 'the_scream.jpg');
const SMALL = ['--backend', 'cpu', '--size', '16', '--iterations', '5', '--content-layers', 'relu1_1', '--style-layers', 'relu1_1'];
/** Past pool1: where the pooling kind matters. */
const THROUGH_POOL = ['--content-layers', 'relu2_1', '--style-layers', 'relu1_1,relu2_1'];

interface Run {
  code: number | null;
  stderr: string;
  /** The total loss of every evaluation, from the trace. */
  totals: number[];
  image: Buffer;
}

describe.skipIf(!hasBundle)('nst stylize options change the result', () => {
  const dir = tempDir();
  const weights = join(dir, 'vgg19.nstw');
  const runs = new Map<string, Promise<Run>>();

  /** Runs once per distinct command line (several tests compare against the same run). */
  function stylize(styles: string[], options: string[]): Promise<Run> {
    const args = [CONTENT, ...styles, ...SMALL, ...options];
    const key = JSON.stringify(args);
    if (!runs.has(key)) {
      const name = `run-${runs.size}`;
      const out = join(dir, `${name}.png`);
      const trace = join(dir, `${name}.json`);
      runs.set(
        key,
        runNst(['stylize', ...args, '-o', out, '--trace', trace], { env: { NST_WEIGHTS: weights } }).then((r) => {
          expect(r.code, r.stderr).toBe(0);
          const totals = JSON.parse(readFileSync(trace, 'utf8')).iterations.map((e: { total: number }) => e.total);
          return { code: r.code, stderr: r.stderr, totals, image: readFileSync(out) };
        }),
      );
    }
    return runs.get(key)!;
  }

  beforeAll(() => {
    convertWeights({ source: BUNDLE, output: weights });
  });

  it('blend weights 1,0 and 0,1 give exactly the runs with the first or the second style alone, which differ', async () => {
    const [a, b, first, second] = await Promise.all([
      stylize([STYLE_A], []),
      stylize([STYLE_B], []),
      stylize([STYLE_A, STYLE_B], ['--style-blend-weights', '1,0']),
      stylize([STYLE_A, STYLE_B], ['--style-blend-weights', '0,1']),
    ]);
    expect(first.totals).toEqual(a.totals);
    expect(first.image.equals(a.image)).toBe(true);
    expect(second.totals).toEqual(b.totals);
    expect(second.image.equals(b.image)).toBe(true);
    expect(b.totals[0]).not.toBeCloseTo(a.totals[0], 0);
  });

  it('avg pooling is another network than max pooling: the losses differ from the first evaluation', async () => {
    const max = await stylize([STYLE_A], THROUGH_POOL);
    const avg = await stylize([STYLE_A], [...THROUGH_POOL, '--pooling', 'avg']);
    expect(Math.abs(avg.totals[0] - max.totals[0]) / max.totals[0]).toBeGreaterThan(1e-3);
  });

  it('Adam starts where L-BFGS starts, then takes another path', async () => {
    // the same learning rate (L-BFGS's default), so that only the optimiser differs
    const lbfgs = await stylize([STYLE_A], []);
    const adam = await stylize([STYLE_A], ['--optimizer', 'adam', '--learning-rate', '1']);
    expect(adam.totals[0]).toBe(lbfgs.totals[0]);
    expect(adam.totals).toHaveLength(5);
    for (let i = 1; i < 5; i++) expect(adam.totals[i], `evaluation ${i + 1}`).not.toBe(lbfgs.totals[i]);
  });

  it('--normalize-gradients changes the trajectory (both with fixed L-BFGS steps)', async () => {
    const plain = await stylize([STYLE_A], ['--line-search', 'none']);
    const normalized = await stylize([STYLE_A], ['--line-search', 'none', '--normalize-gradients']);
    // the same objective at the same start; the normalised gradient takes other steps
    expect(normalized.totals[0]).toBe(plain.totals[0]);
    for (let i = 1; i < 5; i++) expect(normalized.totals[i], `evaluation ${i + 1}`).not.toBe(plain.totals[i]);
    const apart = normalized.totals.map((t, i) => Math.abs(t - plain.totals[i]) / plain.totals[i]);
    expect(Math.max(...apart)).toBeGreaterThan(0.1);
  });

  it('--normalize-gradients with L-BFGS turns the line search off, with a note: the same run as --line-search none', async () => {
    const fixed = await stylize([STYLE_A], ['--line-search', 'none', '--normalize-gradients']);
    const defaulted = await stylize([STYLE_A], ['--normalize-gradients']);
    expect(defaulted.stderr).toMatch(/^nst: note: --normalize-gradients: L-BFGS runs without line search/m);
    expect(fixed.stderr).not.toMatch(/note:/);
    expect(defaulted.totals).toEqual(fixed.totals);
    expect(defaulted.image.equals(fixed.image)).toBe(true);
  });

  it('refuses --normalize-gradients with an explicit --line-search strong-wolfe: one line, exit 2', async () => {
    const r = await runNst(['stylize', CONTENT, STYLE_A, ...SMALL, '--normalize-gradients', '--line-search', 'strong-wolfe', '-o', join(dir, 'refused.png')], {
      env: { NST_WEIGHTS: weights },
    });
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^nst: --line-search strong-wolfe: not with --normalize-gradients.*use --line-search none/)]);
  });

  it('ends with a line that says why the optimiser stopped', async () => {
    const { stderr } = await stylize([STYLE_A], []);
    expect(stderr.trim().split('\n').at(-1)).toMatch(/^wrote .*; stopped: all iterations done$/);
  });
});
