/**
 * `npm run bench:run`: time to a finished image. Runs `nst stylize` as a user would, at its
 * defaults, on ../shared/images/tubingen.jpg in the style of starry_night.jpg, and reports the
 * wall time (start-up, weights, style targets and every evaluation included) and the final
 * total loss at full size; then has PyTorch compute the same objective on the image written
 * (bench/torch_stylize.py --evaluate), an independent measure of the result. A benchmark,
 * not a test: it asserts nothing.
 *
 *   npm run bench:run -- [--size 512] [--no-torch] [--json] [-- more nst stylize options]
 *
 * The reference it is judged against, PyTorch's loss after 500 single-scale L-BFGS iterations
 * at 512 px on the same objective, comes from `bench/torch_stylize.py` (bench/README.md).
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import { machine } from './common.js';

const REPO = fileURLToPath(new URL('../..', import.meta.url));
const PYTHON = '/usr/bin/python3';
const OUT = `${REPO}bench/out`;

interface Options {
  size: number;
  torch: boolean;
  json: boolean;
  extra: string[];
}

interface TraceEntry {
  i: number;
  total: number;
  content: number;
  style: number;
  tv: number;
  size?: [number, number];
}

function parseOptions(argv: string[]): Options {
  const program = new Command('bench:run')
    .option('--size <px>', 'longest side (nst stylize --size)', '512')
    .option('--no-torch', 'do not have PyTorch evaluate the result')
    .option('--json', 'machine-readable output on stdout')
    .allowExcessArguments()
    .parse(argv, { from: 'user' });
  const o = program.opts<{ size: string; torch: boolean; json?: boolean }>();
  const size = Number(o.size);
  if (!Number.isInteger(size) || size < 16) throw new Error('--size: an integer of at least 16 px');
  return { size, torch: o.torch, json: Boolean(o.json), extra: program.args };
}

function main(): void {
  const opts = parseOptions(process.argv.slice(2));
  mkdirSync(OUT, { recursive: true });
  const output = `${OUT}/run-${opts.size}.png`;
  const trace = `${OUT}/run-${opts.size}.json`;
  const args = [
    'bin/nst.js', 'stylize', '../shared/images/tubingen.jpg', '../shared/images/starry_night.jpg',
    '-o', output, '--size', String(opts.size), '--trace', trace, ...opts.extra,
  ];
  process.stderr.write(`bench:run: node ${args.join(' ')}\n`);
  const start = performance.now();
  const run = spawnSync(process.execPath, args, { cwd: REPO, stdio: ['ignore', 'inherit', 'inherit'] });
  const seconds = (performance.now() - start) / 1000;
  if (run.status !== 0) throw new Error(`nst stylize exited with ${run.status ?? run.signal}`);

  const record = JSON.parse(readFileSync(trace, 'utf8')) as { backend: string; size: [number, number]; iterations: TraceEntry[] };
  // The image written is the best point at full size: the lowest total among the last scale's evaluations.
  const fullSize = record.iterations.filter((e) => !e.size || (e.size[0] === record.size[0] && e.size[1] === record.size[1]));
  const best = fullSize.reduce((a, b) => (b.total < a.total ? b : a));

  let torch: { losses: TraceEntry } | null = null;
  if (opts.torch && spawnSync(PYTHON, ['-c', 'import torch']).status === 0) {
    const evaluate = spawnSync(PYTHON, ['bench/torch_stylize.py', '--size', String(opts.size), '--evaluate', output], { cwd: REPO, encoding: 'utf8' });
    if (evaluate.status === 0) torch = JSON.parse(evaluate.stdout);
    else process.stderr.write(`bench:run: PyTorch evaluation failed:\n${evaluate.stderr}`);
  }

  const report = {
    machine: machine(),
    command: `node ${args.join(' ')}`,
    backend: record.backend,
    size: record.size,
    seconds,
    evaluations: record.iterations.length,
    final: { total: best.total, content: best.content, style: best.style, tv: best.tv },
    torchEvaluation: torch?.losses ?? null,
  };
  if (opts.json) {
    console.log(JSON.stringify(report, null, 2));
    return;
  }
  const m = report.machine;
  const e = (v: number) => v.toExponential(4);
  console.log(`machine: ${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB, node ${m.node}, load average ${m.loadAverage1m} at start`);
  console.log(`command: ${report.command}`);
  console.log(`${report.size.join('x')} px on ${report.backend}: ${report.evaluations} evaluations, ${seconds.toFixed(0)} s (${(seconds / 60).toFixed(1)} min) wall time`);
  console.log(`final loss (ours, float image):   total ${e(best.total)}  content ${e(best.content)}  style ${e(best.style)}  tv ${e(best.tv)}`);
  if (torch) {
    const t = torch.losses;
    console.log(`PyTorch on the PNG written:       total ${e(t.total)}  content ${e(t.content)}  style ${e(t.style)}  tv ${e(t.tv)}`);
  }
}

main();
