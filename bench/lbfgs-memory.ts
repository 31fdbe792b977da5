/**
 * Peak resident memory of L-BFGS's own state at a given image size, without the network: the
 * optimiser that `nst stylize` runs (src/optim/lbfgs.ts, every history pair allocated up front)
 * on a cheap quadratic over 3 x width x height float32 values, for a few evaluations. It answers
 * whether the history fits in float32 at print sizes (bench/README.md, tiled evaluation). A
 * benchmark, not a test: it asserts nothing.
 *
 *   npm run build && node dist/bench/lbfgs-memory.js <width> <height> [history=10]
 */
import { lbfgs } from '../src/optim/index.js';

const [width, height, history = 10] = process.argv.slice(2).map(Number);
if (!(width > 0 && height > 0)) {
  console.error('usage: node dist/bench/lbfgs-memory.js <width> <height> [history]');
  process.exit(2);
}
const n = 3 * width * height;
const before = process.memoryUsage().rss;
const x0 = new Float32Array(n).fill(1);
// f(x) = sum (x_i - i mod 7)^2 / 2: a gradient of its own at every value, as an image's.
const f = (x: Float32Array, g: Float32Array) => {
  let s = 0;
  for (let i = 0; i < n; i++) {
    const d = x[i] - (i % 7);
    g[i] = d;
    s += d * d;
  }
  return s / 2;
};
await lbfgs(f, x0, { maxEvaluations: 3, history, lineSearch: 'none', tolFunction: -1, tolGradient: -1, tolChange: -1 });
const peak = process.resourceUsage().maxRSS * 1024;
const mib = (b: number) => `${Math.round(b / 2 ** 20)} MiB`;
console.log(
  `L-BFGS, ${width}x${height} px (n = ${n}), ${history} pairs: peak RSS ${mib(peak)} (${mib(before)} before), ` +
    `(2m + 7) n float32 = ${mib((2 * history + 7) * n * 4)}, of which the history 2 m n = ${mib(2 * history * n * 4)}`,
);
