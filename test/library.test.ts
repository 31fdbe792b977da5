/**
 * The library API (src/api/, `import ... from 'neural-style-gl'`): stylising in memory, an
 * engine reused for several runs, abort, the async iterator, and bad options as UserErrors
 * naming the option. On headlessgl (npm test runs under xvfb-run) with the real weights, as
 * the CLI tests; images are decoded with jpeg-js, as a service would hand them over.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { totalmem } from 'node:os';
import jpeg from 'jpeg-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine, STYLIZE_DEFAULTS, stylize, UserError, type BoundaryEvent, type RgbaImage, type RunResumption, type StyleEngine } from '../src/api/index.js';
import { configOf } from '../src/api/options.js';
import { memoryLimit } from '../src/stylize/machine-memory.js';
import { convertWeights } from '../src/weights/convert.js';
import { BUNDLE, hasBundle, IMAGES, REPO, tempDir } from './helpers/cli.js';

const BACKEND = 'headlessgl';

function decodeJpeg(name: string): RgbaImage {
  const { width, height, data } = jpeg.decode(readFileSync(join(IMAGES, name)), { useTArray: true, formatAsRGBA: true });
  return { width, height, data };
}

/** Distinct byte values of a channel: a blank or flat image has one or two. */
function distinctValues(image: RgbaImage, channel: number): number {
  const seen = new Set<number>();
  for (let i = channel; i < image.data.length; i += 4) seen.add(image.data[i]);
  return seen.size;
}

/** The compiled kernels of an engine (private): a reused engine compiles none for a second run of the same size. */
const kernelCount = (engine: StyleEngine) => (engine as unknown as { stylizer: { engine: { kernels: Map<unknown, unknown> } } }).stylizer.engine.kernels.size;

describe.skipIf(!hasBundle)(`library API on ${BACKEND}`, () => {
  const dir = tempDir();
  const weightsPath = join(dir, 'vgg19.nstw');
  let weightsBytes: ArrayBuffer;
  let engine: StyleEngine;
  const content = decodeJpeg('tubingen.jpg');
  const style = decodeJpeg('starry_night.jpg');

  beforeAll(async () => {
    convertWeights({ source: BUNDLE, output: weightsPath });
    const file = readFileSync(weightsPath);
    weightsBytes = file.buffer.slice(file.byteOffset, file.byteOffset + file.byteLength);
    engine = await createEngine({ weights: weightsBytes, backend: BACKEND });
  });

  afterAll(async () => {
    await engine?.dispose();
  });

  it('stylises images in memory: progress every iteration, the loss falls, an RGBA image of the right size comes back', async () => {
    const events: Array<{ iteration: number; total: number; image: boolean }> = [];
    const filesBefore = readdirSync(REPO).sort();
    const result = await engine.stylize({
      content,
      style,
      size: 40,
      iterations: 12,
      seed: 3,
      imageEvery: 4,
      onProgress: (e) => events.push({ iteration: e.iteration, total: e.losses.total, image: e.image !== undefined }),
    });
    expect(readdirSync(REPO).sort(), 'nothing written beside the project').toEqual(filesBefore);
    expect(result.backend).toBe(BACKEND);
    expect(result.size).toEqual([40, 30]); // tubingen is 4:3
    expect(result.image.width).toBe(40);
    expect(result.image.height).toBe(30);
    expect(result.image.data).toBeInstanceOf(Uint8ClampedArray);
    expect(result.image.data.length).toBe(40 * 30 * 4);
    expect(distinctValues(result.image, 0)).toBeGreaterThan(20);
    expect(result.seed).toBe(3);
    expect(result.aborted).toBe(false);
    expect(result.reason).toBe('max-evaluations');
    expect(events.map((e) => e.iteration)).toEqual(Array.from({ length: 12 }, (_, k) => k + 1));
    expect(events.filter((e) => e.image).map((e) => e.iteration)).toEqual([4, 8, 12]);
    const best = Math.min(...events.map((e) => e.total));
    expect(best).toBeLessThan(0.6 * events[0].total);
    expect(result.losses.total).toBe(best);
  });

  it('runs twice on one engine without compiling again, the same seed giving the same image', async () => {
    const request = { content, style, size: 32, iterations: 4, seed: 9, init: 'random' as const };
    const first = await engine.stylize(request);
    const kernels = kernelCount(engine);
    const second = await engine.stylize(request);
    expect(kernelCount(engine), 'no kernel compiled for the second run').toBe(kernels);
    expect(second.image.data).toEqual(first.image.data);
    expect(second.losses).toEqual(first.losses);
    // Another style on the same engine: the network is shared, the result differs.
    const other = await engine.stylize({ ...request, style: decodeJpeg('the_scream.jpg') });
    expect(other.losses.total).not.toBe(first.losses.total);
  });

  it('runs started together take turns: the second starts when the first has ended', async () => {
    const order: string[] = [];
    const a = engine.start({ content, style, size: 32, iterations: 3, seed: 1, onProgress: (e) => order.push(`a${e.iteration}`) });
    const b = engine.start({ content, style, size: 32, iterations: 2, seed: 1, onProgress: (e) => order.push(`b${e.iteration}`) });
    await Promise.all([a.result, b.result]);
    expect(order).toEqual(['a1', 'a2', 'a3', 'b1', 'b2']);
  });

  it('an AbortSignal stops the run after the current evaluation and gives the best image so far', async () => {
    const controller = new AbortController();
    const totals: number[] = [];
    const result = await engine.stylize({
      content,
      style,
      size: 40,
      iterations: 200,
      signal: controller.signal,
      onProgress: (e) => {
        totals.push(e.losses.total);
        if (e.iteration === 5) controller.abort();
      },
    });
    expect(result.aborted).toBe(true);
    expect(result.reason).toBe('stopped');
    expect(result.evaluations).toBeLessThan(10);
    expect(totals.length).toBeLessThan(10);
    expect([result.image.width, result.image.height]).toEqual([40, 30]);
    expect(distinctValues(result.image, 0)).toBeGreaterThan(20);
    expect(result.losses.total).toBe(Math.min(...totals));
  });

  it('yields progress through an async iterator; leaving the loop early aborts the run', async () => {
    const run = engine.start({ content, style, size: 32, iterations: 6, seed: 2 });
    const seen: number[] = [];
    for await (const event of run) seen.push(event.iteration);
    expect(seen).toEqual([1, 2, 3, 4, 5, 6]);
    expect((await run.result).aborted).toBe(false);

    const long = engine.start({ content, style, size: 32, iterations: 300, seed: 2 });
    for await (const event of long) if (event.iteration === 2) break;
    const result = await long.result;
    expect(result.aborted).toBe(true);
    expect(result.evaluations).toBeLessThan(10);
  });

  it('bad options and images are UserErrors naming the option, thrown before anything runs', async () => {
    const cases: Array<[Record<string, unknown>, string, RegExp]> = [
      [{ styleWeight: -1 }, 'styleWeight', /^styleWeight: expected a number >= 0/],
      [{ styleWeight: 'lots' }, 'styleWeight', /^styleWeight: expected a number >= 0, got 'lots'/],
      [{ size: 8 }, 'size', /^size: expected an integer from 16/],
      [{ contentLayers: ['relu9_9'] }, 'contentLayers', /unknown layer 'relu9_9'/],
      [{ preset: 'no-such-preset' }, 'preset', /no-such-preset/],
      [{ stlyeWeight: 3 }, 'stlyeWeight', /^stlyeWeight: unknown option/],
      // Checkpoints are the command line's (a file beside the output), not the library's.
      [{ checkpoint: 'out.png.nstckpt' }, 'checkpoint', /^checkpoint: unknown option/],
      [{ resume: 'out.png.nstckpt' }, 'resume', /^resume: expected a boundary to go on from/],
      [{ tvPower: 2 }, 'tvPower', /^tvPower: only with --tv-norm pow/],
      [{ init: 'noise.png' }, 'init', /^init: expected content, random, uniform or an image/],
      [{ content: { width: 2, height: 2, data: new Uint8ClampedArray(3) } }, 'content', /^content: data must be/],
      [{ style: [] }, 'style', /^style: give a style image/],
      [{ style: [style, style], styleBlendWeights: [1] }, 'styleBlendWeights', /expected 2 values/],
    ];
    const kernels = kernelCount(engine);
    for (const [options, option, message] of cases) {
      let thrown: unknown;
      try {
        await engine.stylize({ content, style, size: 32, iterations: 2, ...options } as Parameters<StyleEngine['stylize']>[0]);
      } catch (e) {
        thrown = e;
      }
      expect(thrown, JSON.stringify(Object.keys(options))).toBeInstanceOf(UserError);
      expect((thrown as UserError).option, (thrown as Error).message).toBe(option);
      expect((thrown as Error).message).toMatch(message);
    }
    expect(kernelCount(engine), 'no run started').toBe(kernels);
  });

  it('a run whose memory estimate exceeds memoryLimitBytes is refused before it starts, naming size (or tile), with the estimate and the limit', async () => {
    const small = await createEngine({ weights: weightsBytes, backend: BACKEND, memoryLimitBytes: 100 * 2 ** 20 });
    try {
      const kernels = kernelCount(small);
      const refusal = (options: Record<string, unknown>) => {
        try {
          small.start({ content, style, size: 64, iterations: 2, ...options });
        } catch (e) {
          return e as UserError;
        }
        throw new Error('not refused');
      };
      const bySize = refusal({});
      expect(bySize).toBeInstanceOf(UserError);
      expect(bySize.option).toBe('size');
      expect(bySize.message).toMatch(/^size 64: this run needs about \d+ MiB even in tiles of 80 px, more than the 100 MiB it may use \(memoryLimitBytes\); use a smaller --size/);
      const byTile = refusal({ tile: 96 });
      expect(byTile.option).toBe('tile');
      expect(byTile.message).toMatch(/^tile 96: this run needs about \d+ MiB with tiles of 96 px, more than the 100 MiB it may use \(memoryLimitBytes\)/);
      expect(kernelCount(small), 'nothing ran').toBe(kernels);
    } finally {
      await small.dispose();
    }
    for (const memoryLimitBytes of [0, -1, Number.NaN]) {
      const refused = await createEngine({ weights: weightsBytes, backend: BACKEND, memoryLimitBytes }).catch((e: unknown) => e);
      expect((refused as UserError).option).toBe('memoryLimitBytes');
    }
  });

  it('chooses tiles as nst stylize does when the whole image does not fit the memory limit, to the same losses', async () => {
    // Only relu1_1 (a halo of 1 px): the tiles' saving exceeds their kernels' cost from about 600 px.
    const request = { content, style, size: 640, iterations: 1, seed: 5, contentLayers: [], styleLayers: ['relu1_1'] };
    const unlimited = await createEngine({ weights: weightsBytes, backend: BACKEND, memoryLimitBytes: Infinity });
    let whole: Awaited<ReturnType<StyleEngine['stylize']>> | undefined;
    let wholeBytes = 0;
    try {
      const run = unlimited.start(request);
      expect(run.plan.tile).toBeNull();
      wholeBytes = run.plan.memoryBytes;
      whole = await run.result;
      expect(whole.tile).toBeNull();
    } finally {
      await unlimited.dispose();
    }
    const limited = await createEngine({ weights: weightsBytes, backend: BACKEND, memoryLimitBytes: wholeBytes - 1 });
    try {
      const run = limited.start(request);
      expect(run.plan.tile, 'tiles chosen').not.toBeNull();
      expect(run.plan.tile!).toBeLessThan(640);
      expect(run.plan.memoryBytes).toBeLessThan(wholeBytes);
      const tiled = await run.result;
      expect(tiled.tile).toBe(run.plan.tile);
      // The same objective tile by tile, to float32 rounding (the CLI's --tile test's bound).
      expect(Math.abs(tiled.losses.total - whole!.losses.total) / whole!.losses.total).toBeLessThan(1e-4);
    } finally {
      await limited.dispose();
    }
  });

  it('reports every evaluation and boundary; a run stopped and resumed from its last boundary ends as one never stopped', async () => {
    const request = { content, style, size: 32, iterations: 10, seed: 4 };
    const evaluations: number[] = [];
    const straight = await engine.stylize({ ...request, onEvaluation: (e) => evaluations.push(e.evaluation) });
    expect(evaluations).toEqual(Array.from({ length: straight.evaluations }, (_, k) => k + 1));

    // What a checkpoint keeps, copied at each boundary: the state is the optimiser's own buffers.
    const snapshot = ({ position, boundary, best }: BoundaryEvent): RunResumption => {
      const state = boundary.state();
      const point = best();
      return {
        ...position,
        best: { ...point, x: point.x.slice() },
        optimizer: { ...state, scalars: { ...state.scalars }, vectors: Object.fromEntries(Object.entries(state.vectors).map(([k, v]) => [k, 'slice' in v ? v.slice() : v])) },
      };
    };
    let saved: RunResumption | undefined;
    const controller = new AbortController();
    const stopped = await engine.stylize({
      ...request,
      signal: controller.signal,
      onBoundary: (e) => (saved = snapshot(e)),
      onProgress: (e) => e.iteration === 5 && controller.abort(),
    });
    expect(stopped.aborted).toBe(true);
    expect(saved).toBeDefined();
    const planned: number[] = [];
    const resumed = await engine.stylize({ ...request, resume: (plan) => (planned.push(plan.iterations), saved) });
    expect(planned).toEqual([10]);
    expect(resumed.evaluations).toBe(straight.evaluations);
    expect(resumed.losses).toEqual(straight.losses);
    expect(resumed.image.data).toEqual(straight.image.data);
  });

  it('weights from a path or a URL, and a missing or damaged file is a UserError on weights', async () => {
    const missing = await createEngine({ weights: join(dir, 'none.nstw') }).catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(UserError);
    expect((missing as UserError).option).toBe('weights');
    expect((missing as Error).message).toMatch(/none\.nstw: cannot read the weights \(no such file\)/);
    const damaged = new Uint8Array(weightsBytes.slice(0));
    damaged[damaged.length - 1] ^= 0xff;
    const corrupt = await createEngine({ weights: damaged }).catch((e: unknown) => e);
    expect((corrupt as UserError).option).toBe('weights');
    expect((corrupt as Error).message).toMatch(/checksum mismatch/);
    for (const backend of ['webgl2', 'gpu']) {
      const refused = await createEngine({ weights: weightsBytes, backend: backend as 'webgl2' }).catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(UserError);
      expect((refused as UserError).option).toBe('backend');
      expect((refused as Error).message).toMatch(backend === 'gpu' ? /^backend: unknown backend 'gpu'/ : /webgl2 exists only in a browser/);
    }
    // One-shot stylize from a file: URL; a bad option fails before anything goes to the device.
    const early = await stylize({ weights: weightsPath, content, style, size: 3 }).catch((e: unknown) => e);
    expect((early as UserError).option).toBe('size');
    const otherNetwork = await stylize({ weights: weightsPath, content, style, model: 'squeezenet1_1' }).catch((e: unknown) => e);
    expect((otherNetwork as UserError).option).toBe('model');
    expect((otherNetwork as Error).message).toMatch(/^model: the weights are for vgg19, not squeezenet1_1/);
    const result = await stylize({ weights: new URL(`file://${weightsPath}`), backend: BACKEND, content, style, size: 32, iterations: 2, seed: 1 });
    expect([result.image.width, result.image.height]).toEqual([32, 24]);
  });
});

describe('library memory limit', () => {
  const GiB = 2 ** 30;
  it('is 80 % of the machine memory that Node or the browser reports, or the one given; none where unknown', () => {
    const node = { process: { getBuiltinModule: () => ({ totalmem: () => 16 * GiB }) } };
    expect(memoryLimit(undefined, node)).toEqual({ bytes: 0.8 * 16 * GiB, source: "80 % of this machine's 16.0 GiB" });
    expect(memoryLimit(undefined, { navigator: { deviceMemory: 4 } })).toEqual({ bytes: 0.8 * 4 * GiB, source: "80 % of this machine's 4.0 GiB" });
    expect(memoryLimit(undefined, { navigator: {} }), 'a browser that does not tell').toBeNull();
    expect(memoryLimit(3 * GiB, node)).toEqual({ bytes: 3 * GiB, source: 'memoryLimitBytes' });
    expect(memoryLimit()!.bytes, 'here: os.totalmem()').toBe(0.8 * totalmem());
  });
});

describe('library options', () => {
  it('take the defaults of nst stylize from the one table', () => {
    const config = configOf({}, 1);
    expect(config.size).toBe(STYLIZE_DEFAULTS.size);
    expect(config.iterations).toBe(STYLIZE_DEFAULTS.iterations);
    expect(config.styleWeight).toBe(STYLIZE_DEFAULTS.styleWeight);
    expect(config.contentLayers).toEqual(STYLIZE_DEFAULTS.layers.vgg19.contentLayers);
    expect(config.optimizer).toBe(STYLIZE_DEFAULTS.optimizer);
  });

  it('arrays, booleans and numbers reach the configuration as the command line would give them', () => {
    const config = configOf({ styleLayers: ['relu1_1', 'relu3_1'], styleLayerWeights: [2, 1], originalColors: true, clip: [-100, 100], optimizer: 'adam', tvWeight: 0 }, 2);
    expect(config.styleLayers).toEqual(['relu1_1', 'relu3_1']);
    expect(config.styleLayerWeights).toEqual([2, 1]);
    expect(config.originalColors).toBe(true);
    expect(config.clip).toEqual([-100, 100]);
    expect(config.tvWeight).toBe(0);
    expect(config.styleBlendWeights).toEqual([0.5, 0.5]);
  });

  it('the package exports the library, with type declarations', async () => {
    const name = 'neural-style-gl';
    const lib = (await import(name)) as typeof import('../src/api/index.js');
    expect(typeof lib.createEngine).toBe('function');
    expect(typeof lib.stylize).toBe('function');
    const pkg = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8'));
    expect(existsSync(join(REPO, pkg.exports['.'].types))).toBe(true);
  });
});
