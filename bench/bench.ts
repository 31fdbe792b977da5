/**
 * `npm run bench`: seconds and GFLOP/s per kernel and for a whole VGG19 forward + backward to
 * relu5_1, on every backend available here. A benchmark, not a test: it asserts nothing.
 *
 *   npm run bench -- [--sizes 128,256] [--backends headlessgl,webasm,cpu] [--repeat 2] [--json]
 *
 * The headlessgl backend needs an X display; without one, and with xvfb-run installed, that
 * backend is measured in a child process under `xvfb-run -a`.
 */
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import { Engine } from '../src/engine/engine.js';
import { BACKENDS, type BackendName } from '../src/engine/backend.js';
import type { Shape3, Tensor } from '../src/engine/tensor.js';
import { Rng } from '../src/check/random.js';
import { Conv3x3, type ConvTiling } from '../src/ops/conv.js';
import { defaultTiling } from '../src/ops/blocked.js';
import { gram, gramBackward } from '../src/ops/gram.js';
import { pool2x2, pool2x2Backward } from '../src/ops/pool.js';
import { VGG19 } from '../src/models/vgg19.js';
import { gradientsFrom, Network } from '../src/network/network.js';
import { convFlops, gramFlops, networkFlops } from './flops.js';
import { machine, rerunUnderXvfb, whereToMeasure } from './common.js';
import { randomWeights } from '../src/check/random-weights.js';

export interface BenchResult {
  backend: BackendName;
  name: string;
  shape: Shape3;
  seconds: number;
  gflop: number;
  gflops: number;
}

interface Options {
  sizes: number[];
  backends: BackendName[];
  repeat: number;
  json: boolean;
}

/** Runs this long already dwarf kernel compilation: no separate warm-up run is needed. */
const LONG_RUN_SECONDS = 5;

/**
 * Median wall time of `repeat` runs after one warm-up run (which compiles the kernels); a
 * first run longer than LONG_RUN_SECONDS counts as a timed run itself.
 */
function time(engine: Engine, repeat: number, run: () => Tensor[]): number {
  const once = () => {
    const start = performance.now();
    const outs = run();
    for (const t of outs) engine.read(t); // forces GL work to finish
    const seconds = (performance.now() - start) / 1000;
    for (const t of outs) t.release();
    return seconds;
  };
  const first = once();
  const timed = first > LONG_RUN_SECONDS ? [first] : [];
  while (timed.length < repeat) timed.push(once());
  timed.sort((a, b) => a - b);
  return timed[Math.floor(timed.length / 2)];
}

function randomConv(engine: Engine, rng: Rng, inChannels: number, outChannels: number, tiling: ConvTiling): Conv3x3 {
  return Conv3x3.upload(engine, rng.normals(outChannels * inChannels * 9, 0.05), rng.normals(outChannels, 0.1), outChannels, inChannels, tiling);
}


function benchBackend(backend: BackendName, opts: Options): BenchResult[] {
  const engine = Engine.create(backend);
  const rng = new Rng(1);
  const results: BenchResult[] = [];
  const record = (name: string, shape: Shape3, flops: number, run: () => Tensor[]) => {
    const seconds = time(engine, opts.repeat, run);
    results.push({ backend, name, shape, seconds, gflop: flops / 1e9, gflops: flops / 1e9 / seconds });
    if (!opts.json) process.stderr.write(`  ${backend} ${name} [${shape.join(',')}] ${seconds.toFixed(3)} s\n`);
  };

  // Kernels at the shape of relu2_1 for the smallest requested image size: 128 channels.
  const side = Math.max(8, Math.floor(opts.sizes[0] / 2));
  const shape: Shape3 = [128, side, side];
  const x = engine.upload(rng.normals(shape[0] * shape[1] * shape[2]), shape);
  // Both tilings where the backend has the blocked one: the difference is the point of it.
  const tilings: ConvTiling[] = defaultTiling(engine) === 'blocked' ? ['direct', 'blocked'] : ['direct'];
  for (const tiling of tilings) {
    const conv = randomConv(engine, rng, 128, 128, tiling);
    const out = conv.forward(x, true);
    const gradOut = engine.upload(rng.normals(out.size), out.shape);
    record(`conv3x3+relu forward (${tiling})`, shape, convFlops(128, 128, side, side), () => [conv.forward(x, true)]);
    record(`conv3x3+relu backward (${tiling})`, shape, convFlops(128, 128, side, side), () => [conv.backward(gradOut, out)]);
    for (const t of [out, gradOut]) t.release();
    conv.release();
    const g = gram(engine, x, undefined, tiling);
    record(`gram forward (${tiling})`, shape, gramFlops(128, side, side), () => [gram(engine, x, undefined, tiling)]);
    record(`gram backward (${tiling})`, shape, gramFlops(128, side, side), () => [gramBackward(engine, g, x, undefined, tiling)]);
    g.release();
  }
  record('maxpool2x2 forward', shape, 0, () => [pool2x2(engine, x, 'max')]);
  const pooledGrad = engine.upload(rng.normals(x.size / 4), [128, side / 2, side / 2]);
  record('maxpool2x2 backward', shape, 0, () => [pool2x2Backward(engine, pooledGrad, x, 'max')]);
  for (const t of [x, pooledGrad]) t.release();

  const net = new Network(engine, VGG19, randomWeights(VGG19, rng), 'max');
  for (const size of opts.sizes) {
    const imageShape: Shape3 = [3, size, size];
    const image = engine.upload(rng.normals(3 * size * size, 50), imageShape);
    record('vgg19 forward+backward to relu5_1', imageShape, networkFlops(VGG19, size, size, 'relu5_1'), () => {
      const pass = net.forward(image, ['relu5_1'], true);
      const top = pass.activation('relu5_1');
      const grad = net.backward(pass, gradientsFrom(new Map([['relu5_1', engine.upload(new Float32Array(top.size).fill(1e-3), top.shape)]])));
      return [grad];
    });
    image.release();
  }
  net.dispose();
  engine.destroy();
  return results;
}

/** headlessgl without a display: measure it in a child under xvfb-run. */
function benchUnderXvfb(opts: Options): BenchResult[] {
  const args = ['--backends', 'headlessgl', '--sizes', opts.sizes.join(','), '--repeat', String(opts.repeat), '--json'];
  return (JSON.parse(rerunUnderXvfb(fileURLToPath(import.meta.url), args)) as { results: BenchResult[] }).results;
}



function printTable(results: BenchResult[]): void {
  const m = machine();
  console.log(`machine: ${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB, node ${m.node}`);
  console.log('backend     benchmark                            shape          seconds   GFLOP   GFLOP/s');
  for (const r of results) {
    const gf = r.gflop > 0 ? `${r.gflop.toFixed(2).padStart(7)}  ${r.gflops.toFixed(2).padStart(7)}` : '      -        -';
    console.log(`${r.backend.padEnd(11)} ${r.name.padEnd(36)} ${`[${r.shape.join(',')}]`.padEnd(14)} ${r.seconds.toFixed(3).padStart(8)} ${gf}`);
  }
}

function parseOptions(argv: string[]): Options {
  const program = new Command('bench')
    .option('--sizes <list>', 'image sizes (px, square) for the whole-network benchmark', '128,256')
    .option('--backends <list>', 'backends to measure', 'headlessgl,webasm,cpu')
    .option('--repeat <n>', 'timed runs per benchmark (median reported)', '2')
    .option('--json', 'machine-readable output on stdout')
    .parse(argv, { from: 'user' });
  const o = program.opts<{ sizes: string; backends: string; repeat: string; json?: boolean }>();
  const sizes = o.sizes.split(',').map(Number);
  if (sizes.some((s) => !Number.isInteger(s) || s < 16)) throw new Error('--sizes: integers of at least 16 px');
  const backends = o.backends.split(',') as BackendName[];
  const unknown = backends.filter((b) => !BACKENDS.includes(b));
  if (unknown.length) throw new Error(`--backends: unknown ${unknown.join(', ')}`);
  return { sizes, backends, repeat: Math.max(1, Number(o.repeat)), json: Boolean(o.json) };
}

function main(): void {
  const opts = parseOptions(process.argv.slice(2));
  const results: BenchResult[] = [];
  const skipped: string[] = [];
  for (const backend of opts.backends) {
    const where = whereToMeasure(backend);
    if (where === 'here') results.push(...benchBackend(backend, opts));
    else if (where === 'xvfb') results.push(...benchUnderXvfb(opts));
    else skipped.push(backend);
  }
  if (opts.json) console.log(JSON.stringify({ machine: machine(), skipped, results }, null, 2));
  else {
    printTable(results);
    if (skipped.length) console.log(`not available here: ${skipped.join(', ')}`);
  }
}

main();
