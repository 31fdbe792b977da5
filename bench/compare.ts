/**
 * `npm run bench:compare`: the measure of the issue "Performance", side by side with PyTorch.
 *
 * The measure is ONE objective evaluation, StyleTransferObjective.evaluate with the stylize
 * defaults of the network (VGG19: content relu4_2; style relu1_1 ... relu5_1; SqueezeNet:
 * article 002's layers; weights 5 / 100 / 1e-3): upload the image, the network forward to its
 * deepest loss layer, the loss terms, backward to the image, read the gradient back.
 * bench/torch_objective.py times the same evaluation of the same network in PyTorch in the same
 * run, right after ours, so both see the same machine in the same state. A benchmark, not a test.
 *
 *   npm run bench:compare -- [--model vgg19,squeezenet1_1] [--sizes 256,512]
 *                            [--backends headlessgl,webasm,cpu] [--repeat 2] [--threads 2]
 *                            [--weights weights/vgg19.nstw] [--no-torch] [--json]
 *
 * Default backend: only the best one available (headlessgl, else webasm, else cpu), because at
 * 512 px one evaluation on the slower backends can take minutes. headlessgl needs an X display;
 * without one, and with xvfb-run installed, it is measured in a child under `xvfb-run -a`.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import { Engine } from '../src/engine/engine.js';
import type { Shape3 } from '../src/engine/tensor.js';
import { BACKENDS, chooseBackend, type BackendName } from '../src/engine/backend.js';
import { describeDevice } from '../src/engine/device-info.js';
import { glxRenderer } from '../src/engine/glx-renderer.js';
import { Rng } from '../src/check/random.js';
import { StyleTransferObjective, type ObjectiveWeights } from '../src/loss/objective.js';
import { DEFAULT_LOSS_FORMS, STYLIZE_DEFAULTS as D } from '../src/stylize/defaults.js';
import { deepestLayer, MODEL_NAMES, type ModelName } from '../src/models/description.js';
import { MODELS } from '../src/models/index.js';
import { Network } from '../src/network/network.js';
import { loadModelWeights } from '../src/weights/load.js';
import { networkFlops } from './flops.js';
import { machine, rerunUnderXvfb, whereToMeasure } from './common.js';
import { randomWeights } from '../src/check/random-weights.js';

const PYTHON = '/usr/bin/python3';
/** From dist/bench/compare.js back to the source tree: the script is not compiled. */
const TORCH_SCRIPT = fileURLToPath(new URL('../../bench/torch_objective.py', import.meta.url));

/** The stylize defaults for `model`. */
function objectiveFor(model: ModelName): ObjectiveWeights {
  return {
    ...D.layers[model],
    contentWeight: D.contentWeight,
    styleWeight: D.styleWeight,
    tvWeight: D.tvWeight,
    normalizeGradients: false,
    ...DEFAULT_LOSS_FORMS,
  };
}

const deepestOf = (model: ModelName, o: ObjectiveWeights) => deepestLayer(MODELS[model], [...o.contentLayers, ...o.styleLayers]);

interface Options {
  models: ModelName[];
  sizes: number[];
  /** null: the best available backend. */
  backends: BackendName[] | null;
  repeat: number;
  threads: number;
  weights?: string;
  torch: boolean;
  json: boolean;
}

interface OurResult {
  model: ModelName;
  size: number;
  backend: BackendName;
  /** The GL renderer for GL backends (llvmpipe or a real GPU makes all the difference). */
  device: string;
  seconds: number;
  runs: number[];
}

/** What bench/torch_objective.py prints. */
interface TorchReport {
  torch_version: string;
  threads: number;
  /** The shared library torch.mm runs on. */
  blas: string;
  results: Array<{ model: ModelName; size: number | string; width: number; height: number; seconds: number; runs: number[] }>;
}

interface Report {
  machine: ReturnType<typeof machine>;
  weights: string;
  ours: OurResult[];
  torch: TorchReport | null;
  notes: string[];
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

function measureBackend(backend: BackendName, opts: Options): OurResult[] {
  const engine = Engine.create(backend);
  const timings = opts.models.flatMap((model) => measureModel(engine, model, opts));
  // Known only once kernels have run: the GL context is created lazily.
  const info = describeDevice(engine);
  const device = info.webgl ? (glxRenderer() ?? `${info.webgl.renderer} (driver: install glxinfo, Debian mesa-utils)`) : backend;
  engine.destroy();
  return timings.map((t) => ({ backend, device, ...t }));
}

function measureModel(engine: Engine, model: ModelName, opts: Options): Array<Pick<OurResult, 'model' | 'size' | 'seconds' | 'runs'>> {
  const rng = new Rng(1);
  const objectiveWeights = objectiveFor(model);
  const network = MODELS[model];
  const net = new Network(engine, network, opts.weights ? loadModelWeights(opts.weights, network).convs : randomWeights(network, rng), 'max', deepestOf(model, objectiveWeights));
  const timings: Array<Pick<OurResult, 'model' | 'size' | 'seconds' | 'runs'>> = [];
  for (const size of opts.sizes) {
    // Preprocessed-space images (0..255 minus the mean): roughly zero-centred, std ~50.
    const shape: Shape3 = [3, size, size];
    const content = rng.normals(3 * size * size, 50);
    const style = { pixels: rng.normals(3 * size * size, 50), shape, blend: 1 };
    const objective = new StyleTransferObjective(engine, net, objectiveWeights, shape, content, [style]);
    const x = content.slice();
    const gradient = new Float32Array(x.length);
    const once = () => {
      const start = performance.now();
      objective.evaluate(x, gradient);
      return (performance.now() - start) / 1000;
    };
    const warmUp = once(); // compiles the backward kernels for this size
    const runs = Array.from({ length: opts.repeat }, once);
    objective.dispose();
    timings.push({ model, size, seconds: median(runs), runs });
    process.stderr.write(`  ${engine.backend} ${model} ${size} px: warm-up ${warmUp.toFixed(2)} s, then ${median(runs).toFixed(3)} s per evaluation\n`);
  }
  net.dispose();
  return timings;
}

/** headlessgl without a display: measure it in a child under xvfb-run (which gives one). */
function measureUnderXvfb(opts: Options): Pick<Report, 'ours' | 'notes'> {
  const args = ['--model', opts.models.join(','), '--backends', 'headlessgl', '--sizes', opts.sizes.join(','), '--repeat', String(opts.repeat)];
  if (opts.weights) args.push('--weights', opts.weights);
  args.push('--no-torch', '--json');
  const child = JSON.parse(rerunUnderXvfb(fileURLToPath(import.meta.url), args)) as Report;
  return { ours: child.ours, notes: child.notes };
}

/** headlessgl (here or under xvfb-run), else what the engine would choose on its own. */
function bestBackend(): BackendName {
  return whereToMeasure('headlessgl') !== 'no' ? 'headlessgl' : chooseBackend('auto');
}

/** The same objective in PyTorch, one run of bench/torch_objective.py per network. */
function runTorch(opts: Options): { report: TorchReport } | { skipped: string } {
  if (spawnSync(PYTHON, ['-c', 'import torch']).status !== 0) {
    return { skipped: `PyTorch not measured: \`${PYTHON} -c 'import torch'\` failed (Debian: apt-get install python3-torch)` };
  }
  const reports = opts.models.map((model) => {
    process.stderr.write(`  pytorch (${opts.threads} threads) ${model} ${opts.sizes.join(', ')} px\n`);
    const o = objectiveFor(model);
    const args = [
      TORCH_SCRIPT,
      ...['--model', model, '--sizes', opts.sizes.join(','), '--repeat', String(opts.repeat), '--threads', String(opts.threads)],
      ...['--content-layers', o.contentLayers.join(','), '--style-layers', o.styleLayers.join(','), '--style-layer-weights', o.styleLayerWeights.join(',')],
      ...['--weights', `${o.contentWeight},${o.styleWeight},${o.tvWeight}`],
    ];
    return JSON.parse(execFileSync(PYTHON, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] })) as TorchReport;
  });
  return { report: { ...reports[0], results: reports.flatMap((r) => r.results) } };
}

/**
 * Debian's default libblas.so.3 (package libblas3) is the netlib reference: about 4 GFLOP/s on
 * one thread, so PyTorch's Gram matrices (torch.mm) then cost more than all its convolutions.
 */
function usesReferenceBlas(torch: TorchReport): boolean {
  return /\/blas\/libblas\.so/.test(torch.blas);
}


function printTable(report: Report): void {
  const m = report.machine;
  console.log(`machine: ${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB, node ${m.node}, load average ${m.loadAverage1m} at start`);
  console.log(`measure: one objective evaluation (forward to the deepest loss layer + losses + backward to the image); weights: ${report.weights}`);
  if (report.torch) console.log(`pytorch: ${report.torch.torch_version}, ${report.torch.threads} threads, BLAS ${report.torch.blas}`);
  console.log('model          size  backend      ours s   torch s   ours/torch   GFLOP   ours GFLOP/s   torch GFLOP/s   vs vgg19   device');
  for (const r of report.ours) {
    const o = objectiveFor(r.model);
    const gflop = networkFlops(MODELS[r.model], r.size, r.size, deepestOf(r.model, o), o.styleLayers) / 1e9;
    const torch = report.torch?.results.find((t) => t.model === r.model && t.width === r.size && t.height === r.size)?.seconds;
    // How much cheaper this network's evaluation is than VGG19's, where both were measured.
    const vgg19 = report.ours.find((v) => v.model === 'vgg19' && v.size === r.size && v.backend === r.backend)?.seconds;
    const cells = [
      r.model.padEnd(14),
      String(r.size).padEnd(5),
      r.backend.padEnd(11),
      r.seconds.toFixed(3).padStart(8),
      (torch?.toFixed(3) ?? '-').padStart(9),
      (torch ? (r.seconds / torch).toFixed(1) : '-').padStart(12),
      gflop.toFixed(1).padStart(7),
      (gflop / r.seconds).toFixed(2).padStart(14),
      (torch ? (gflop / torch).toFixed(1) : '-').padStart(15),
      (vgg19 ? `${(vgg19 / r.seconds).toFixed(1)}x` : '-').padStart(10),
      ` ${r.device}`,
    ];
    console.log(cells.join(' '));
  }
  for (const note of report.notes) console.log(note);
}

function parseOptions(argv: string[]): Options {
  const program = new Command('bench:compare')
    .option('--model <list>', `networks (${MODEL_NAMES.join(', ')})`, 'vgg19')
    .option('--sizes <list>', 'image sizes (px, square)', '256,512')
    .option('--backends <list>', 'backends to measure (default: the best available one)')
    .option('--repeat <n>', 'timed evaluations per size after one warm-up (median reported)', '2')
    .option('--threads <n>', 'PyTorch threads', '2')
    .option('--weights <file>', 'real .nstw weights instead of random ones of the same shapes')
    .option('--no-torch', 'do not run the PyTorch reference')
    .option('--json', 'machine-readable output on stdout')
    .parse(argv, { from: 'user' });
  const o = program.opts<{ model: string; sizes: string; backends?: string; repeat: string; threads: string; weights?: string; torch: boolean; json?: boolean }>();
  const models = o.model.split(',') as ModelName[];
  if (models.some((m) => !MODEL_NAMES.includes(m))) throw new Error(`--model: networks among ${MODEL_NAMES.join(', ')}`);
  if (o.weights && models.length > 1) throw new Error('--weights: give one --model with it');
  const sizes = o.sizes.split(',').map(Number);
  if (sizes.some((s) => !Number.isInteger(s) || s < 16)) throw new Error('--sizes: integers of at least 16 px');
  const backends = o.backends?.split(',') as BackendName[] | undefined;
  const unknown = backends?.filter((b) => !BACKENDS.includes(b)) ?? [];
  if (unknown.length) throw new Error(`--backends: unknown ${unknown.join(', ')}`);
  const count = (name: string, value: string) => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 1) throw new Error(`${name}: a positive integer`);
    return n;
  };
  return {
    models,
    sizes,
    backends: backends ?? null,
    repeat: count('--repeat', o.repeat),
    threads: count('--threads', o.threads),
    weights: o.weights,
    torch: o.torch,
    json: Boolean(o.json),
  };
}

function main(): void {
  const opts = parseOptions(process.argv.slice(2));
  const report: Report = {
    machine: machine(),
    weights: opts.weights ?? 'random, of the networks\' shapes',
    ours: [],
    torch: null,
    notes: [],
  };
  for (const backend of opts.backends ?? [bestBackend()]) {
    const where = whereToMeasure(backend);
    if (where === 'here') report.ours.push(...measureBackend(backend, opts));
    else if (where === 'xvfb') {
      const child = measureUnderXvfb(opts);
      report.ours.push(...child.ours);
      report.notes.push(...child.notes);
    } else report.notes.push(`${backend}: not available here`);
  }
  if (opts.torch) {
    const torch = runTorch(opts);
    if ('report' in torch) {
      report.torch = torch.report;
      if (usesReferenceBlas(torch.report)) {
        report.notes.push(
          "PyTorch's matrix products run on the reference BLAS (Debian libblas3), which makes its Gram matrices slow; " +
            'for a fair reference: apt-get install libopenblas0-pthread (see bench/README.md)',
        );
      }
    } else report.notes.push(torch.skipped);
  }
  if (opts.json) console.log(JSON.stringify(report, null, 2));
  else printTable(report);
}

main();
