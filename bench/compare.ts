/**
 * `npm run bench:compare`: the measure of the issue "Performance", side by side with PyTorch.
 *
 * The measure is ONE objective evaluation, StyleTransferObjective.evaluate with the stylize
 * defaults (content relu4_2; style relu1_1 ... relu5_1; weights 5 / 100 / 1e-3): upload the
 * image, VGG19 forward to relu5_1, the loss terms, backward to the image, read the gradient
 * back. bench/torch_objective.py times the same evaluation in PyTorch in the same run, right
 * after ours, so both see the same machine in the same state. A benchmark, not a test.
 *
 *   npm run bench:compare -- [--sizes 256,512] [--backends headlessgl,webasm,cpu] [--repeat 2]
 *                            [--threads 2] [--weights weights/vgg19.nstw] [--no-torch] [--json]
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
import { Rng } from '../src/check/random.js';
import { StyleTransferObjective, type ObjectiveWeights } from '../src/loss/objective.js';
import { DEFAULT_LOSS_FORMS, STYLIZE_DEFAULTS as D } from '../src/stylize/defaults.js';
import { Vgg19 } from '../src/vgg/network.js';
import { deepestLayer } from '../src/vgg/layers.js';
import { loadModelWeights } from '../src/weights/load.js';
import { vggFlops } from './flops.js';
import { machine, rerunUnderXvfb, whereToMeasure } from './common.js';
import { randomVggWeights } from '../src/check/random-weights.js';

const PYTHON = '/usr/bin/python3';
/** From dist/bench/compare.js back to the source tree: the script is not compiled. */
const TORCH_SCRIPT = fileURLToPath(new URL('../../bench/torch_objective.py', import.meta.url));

const OBJECTIVE: ObjectiveWeights = {
  contentLayers: D.contentLayers,
  styleLayers: D.styleLayers,
  styleLayerWeights: D.styleLayers.map(() => 1),
  contentWeight: D.contentWeight,
  styleWeight: D.styleWeight,
  tvWeight: D.tvWeight,
  normalizeGradients: false,
  ...DEFAULT_LOSS_FORMS,
};

interface Options {
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
  results: Array<{ size: number | string; width: number; height: number; seconds: number; runs: number[] }>;
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
  const rng = new Rng(1);
  const deepest = deepestLayer([...OBJECTIVE.contentLayers, ...OBJECTIVE.styleLayers]);
  const net = new Vgg19(engine, opts.weights ? loadModelWeights(opts.weights).convs : randomVggWeights(rng), 'max', deepest);
  const timings: Array<Pick<OurResult, 'size' | 'seconds' | 'runs'>> = [];
  for (const size of opts.sizes) {
    // Preprocessed-space images (0..255 minus the mean): roughly zero-centred, std ~50.
    const shape: Shape3 = [3, size, size];
    const content = rng.normals(3 * size * size, 50);
    const style = { pixels: rng.normals(3 * size * size, 50), shape, blend: 1 };
    const objective = new StyleTransferObjective(engine, net, OBJECTIVE, shape, content, [style]);
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
    timings.push({ size, seconds: median(runs), runs });
    process.stderr.write(`  ${backend} ${size} px: warm-up ${warmUp.toFixed(2)} s, then ${median(runs).toFixed(3)} s per evaluation\n`);
  }
  // Known only once kernels have run: the GL context is created lazily.
  const info = describeDevice(engine);
  const device = info.openglRenderer ?? (info.webgl ? `${info.webgl.renderer} (driver: install glxinfo, Debian mesa-utils)` : backend);
  net.dispose();
  engine.destroy();
  return timings.map((t) => ({ backend, device, ...t }));
}

/** headlessgl without a display: measure it in a child under xvfb-run (which gives one). */
function measureUnderXvfb(opts: Options): Pick<Report, 'ours' | 'notes'> {
  const args = ['--backends', 'headlessgl', '--sizes', opts.sizes.join(','), '--repeat', String(opts.repeat)];
  if (opts.weights) args.push('--weights', opts.weights);
  args.push('--no-torch', '--json');
  const child = JSON.parse(rerunUnderXvfb(fileURLToPath(import.meta.url), args)) as Report;
  return { ours: child.ours, notes: child.notes };
}

/** headlessgl (here or under xvfb-run), else what the engine would choose on its own. */
function bestBackend(): BackendName {
  return whereToMeasure('headlessgl') !== 'no' ? 'headlessgl' : chooseBackend('auto');
}

function runTorch(opts: Options): { report: TorchReport } | { skipped: string } {
  if (spawnSync(PYTHON, ['-c', 'import torch']).status !== 0) {
    return { skipped: `PyTorch not measured: \`${PYTHON} -c 'import torch'\` failed (Debian: apt-get install python3-torch)` };
  }
  process.stderr.write(`  pytorch (${opts.threads} threads) ${opts.sizes.join(', ')} px\n`);
  const args = [TORCH_SCRIPT, '--sizes', opts.sizes.join(','), '--repeat', String(opts.repeat), '--threads', String(opts.threads)];
  const out = execFileSync(PYTHON, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  return { report: JSON.parse(out) as TorchReport };
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
  console.log(`measure: one objective evaluation (VGG19 forward to relu5_1 + losses + backward to the image); weights: ${report.weights}`);
  if (report.torch) console.log(`pytorch: ${report.torch.torch_version}, ${report.torch.threads} threads, BLAS ${report.torch.blas}`);
  console.log('size  backend      ours s   torch s   ours/torch   GFLOP   ours GFLOP/s   torch GFLOP/s   device');
  for (const r of report.ours) {
    const gflop = vggFlops(r.size, r.size, OBJECTIVE.styleLayers) / 1e9;
    const torch = report.torch?.results.find((t) => t.width === r.size && t.height === r.size)?.seconds;
    const cells = [
      String(r.size).padEnd(5),
      r.backend.padEnd(11),
      r.seconds.toFixed(3).padStart(8),
      (torch?.toFixed(3) ?? '-').padStart(9),
      (torch ? (r.seconds / torch).toFixed(1) : '-').padStart(12),
      gflop.toFixed(1).padStart(7),
      (gflop / r.seconds).toFixed(2).padStart(14),
      (torch ? (gflop / torch).toFixed(1) : '-').padStart(15),
      ` ${r.device}`,
    ];
    console.log(cells.join(' '));
  }
  for (const note of report.notes) console.log(note);
}

function parseOptions(argv: string[]): Options {
  const program = new Command('bench:compare')
    .option('--sizes <list>', 'image sizes (px, square)', '256,512')
    .option('--backends <list>', 'backends to measure (default: the best available one)')
    .option('--repeat <n>', 'timed evaluations per size after one warm-up (median reported)', '2')
    .option('--threads <n>', 'PyTorch threads', '2')
    .option('--weights <file>', 'real .nstw weights instead of random ones of the same shapes')
    .option('--no-torch', 'do not run the PyTorch reference')
    .option('--json', 'machine-readable output on stdout')
    .parse(argv, { from: 'user' });
  const o = program.opts<{ sizes: string; backends?: string; repeat: string; threads: string; weights?: string; torch: boolean; json?: boolean }>();
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
    weights: opts.weights ?? 'random, VGG19 shapes',
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
