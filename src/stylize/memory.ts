/**
 * How much memory a run needs, estimated before it starts so an impossible size is refused
 * with advice instead of dying hours later. Counted in float32 values:
 *  - every layer output up to the deepest loss layer (kept for backward, as autograd keeps
 *    the relu outputs; SqueezeNet's few other outputs are counted too, a small overestimate);
 *  - the largest layer three more times (its gradient, the next gradient, a loss gradient);
 *  - the network weights on the device;
 *  - the optimiser: L-BFGS (2 m + 7) n values for n = 3 H W and history m (7 n when the
 *    history is kept in a file: history-file.ts), Adam 4 n, SGD 2 n;
 *  - the content, style and trial images in a few host copies;
 *  - a fixed part: Node, the GL driver and the compiled kernels.
 * The cpu and webasm backends keep each tensor row as its own typed array; the overhead
 * factor covers that, the engine's bookkeeping and the GL texture pool (and the row-of-8
 * kernels' transients). Calibrated against `npm run bench:memory` on headlessgl
 * (bench/README.md): VGG19 measured 1084 MiB at 512 px and 2850 MiB at 1024 px, estimated
 * 1131 and 2925 MiB. SqueezeNet's fixed part is larger, as measured rather than derived (many
 * small layers, each with kernels and textures of its own): SqueezeNet 1.1 measured 670, 854
 * and 1458 MiB at 256, 512 and 1024 px, estimated 701, 874 and 1570 MiB.
 * Tiled evaluation (--tile) counts the network's part for one tile's crop instead of the
 * image, the tiled objective's full-size host buffers (tiledValues), and the kernels compiled
 * for each crop shape (interior, edge and corner tiles, of the content and the style images):
 * measured 2270 MiB at 1024 px in tiles of 512 (2350 in a later run), estimated 2377 MiB;
 * in tiles of 768 measured 3234 MiB, estimated 3040 (6% under; not analysed); 4096x3072 in tiles
 * of 416 with the history in a file measured 4559 MiB over two evaluations (4b3f569), estimated
 * 5190 MiB (14% over: the images' six copies are four when the start is the content).
 */
import { nodeSizes, parameterCount, type ModelName, type NetworkDescription } from '../models/description.js';
import { haloOf } from '../network/tiling.js';

const BYTES = 4;
const OVERHEAD = 1.35;
/** Resident before any image-sized data: ~125 MiB for Node with headless-gl, the rest driver and kernels. */
const FIXED_BYTES: Record<ModelName, number> = {
  vgg19: 430 * 2 ** 20,
  vgg16: 430 * 2 ** 20,
  squeezenet1_1: 640 * 2 ** 20,
  squeezenet1_0: 640 * 2 ** 20,
};
/** The kernels compiled for the crop shapes of a tiled evaluation, about 2 MiB each. */
const TILED_KERNELS_BYTES = 250 * 2 ** 20;

export interface MemoryPlan {
  model: NetworkDescription;
  width: number;
  height: number;
  /** Every content and style layer. */
  layers: readonly string[];
  contentLayers: readonly string[];
  optimizer: 'lbfgs' | 'adam' | 'sgd';
  lbfgsHistory: number;
  /** L-BFGS's pairs kept in a file (src/stylize/history-file.ts), not in memory. */
  historyOnDisk?: boolean;
  styleImages: Array<{ width: number; height: number }>;
  /** Tiled evaluation with tiles of this side (src/loss/tiled-objective.ts); absent: the whole image at once. */
  tile?: number;
}

/** Float32 values of one forward and backward pass over an image of height x width. */
function networkValues(model: NetworkDescription, height: number, width: number, layers: readonly string[]): number {
  let activations = 0;
  let largest = 0;
  for (const { node, channels, height: h, width: w } of nodeSizes(model, height, width, layers)) {
    if (node.kind === 'pool') continue; // released once the next layer has read it
    const size = channels * h * w;
    activations += size;
    largest = Math.max(largest, size);
  }
  return activations + 3 * largest;
}

/**
 * Tiled evaluation runs the network on one tile's crop at a time (the tile and its halo), keeps
 * on the host the content layers' targets for the whole image, and takes the total variation
 * in bands of a tile's rows (and two more): the band's upload, its gradient and the copies read
 * back.
 */
function tiledValues(plan: MemoryPlan & { tile: number }): number {
  const { before, after } = haloOf(plan.model, plan.layers);
  const crop = (side: number) => Math.min(side, plan.tile + before + after);
  const network = networkValues(plan.model, crop(plan.height), crop(plan.width), plan.layers);
  const targets = plan.contentLayers.length === 0 ? 0 : nodeSizes(plan.model, plan.height, plan.width, plan.contentLayers)
    .filter((s) => plan.contentLayers.includes(s.node.name))
    .reduce((sum, s) => sum + s.channels * s.height * s.width, 0);
  return network + targets + 3 * 3 * plan.width * Math.min(plan.height, plan.tile + 2);
}

export function estimateRunBytes(plan: MemoryPlan): number {
  const network = plan.tile === undefined ? networkValues(plan.model, plan.height, plan.width, plan.layers) : tiledValues({ ...plan, tile: plan.tile });
  const weights = parameterCount(plan.model);
  const n = 3 * plan.width * plan.height;
  const pairs = plan.historyOnDisk ? 0 : 2 * plan.lbfgsHistory;
  const optimizer = plan.optimizer === 'lbfgs' ? (pairs + 7) * n : plan.optimizer === 'adam' ? 4 * n : 2 * n;
  const images = 6 * n + plan.styleImages.reduce((sum, s) => sum + 3 * 3 * s.width * s.height, 0);
  const fixed = FIXED_BYTES[plan.model.name] + (plan.tile === undefined ? 0 : TILED_KERNELS_BYTES);
  return fixed + (network + weights + optimizer + images) * BYTES * OVERHEAD;
}

export function formatBytes(bytes: number): string {
  return bytes >= 2 ** 30 ? `${(bytes / 2 ** 30).toFixed(1)} GiB` : `${Math.round(bytes / 2 ** 20)} MiB`;
}
