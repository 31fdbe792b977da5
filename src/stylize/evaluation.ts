/**
 * Whole-image or tiled evaluation for a run (src/loss/tiled-objective.ts computes the same
 * objective tile by tile): the whole image at once when its memory estimate fits the memory
 * limit (machine-memory.ts, or --max-memory) and --tile is not given; otherwise tiles, of
 * --tile px or the largest size whose estimate fits. For each of these, in that order (fastest
 * first), L-BFGS keeps its pairs in memory when they fit, else elsewhere when the caller offers
 * a place (`nst stylize`: a file beside the output, history-file.ts; it costs seconds per
 * iteration, where tiles cost twice the time). A run that fits no way is refused with advice
 * before anything long starts. `nst stylize` and the library both plan their runs here
 * (src/api/engine.ts).
 */
import { UserError } from '../errors.js';
import { lossLayers } from '../loss/objective.js';
import { MODELS } from '../models/index.js';
import { minimumTile, totalStride } from '../network/tiling.js';
import type { StylizeConfig } from './config.js';
import type { InputPlan } from './inputs.js';
import { estimateRunBytes, formatBytes, type MemoryPlan } from './memory.js';
import type { MemoryLimit } from './machine-memory.js';

/** How a run evaluates its objective: tile side in px, or null for the whole image at once. */
export interface Evaluation {
  tile: number | null;
  /** L-BFGS's pairs are kept in a file (src/stylize/history-file.ts). */
  historyOnDisk: boolean;
  /** The memory estimate of the run evaluated so. */
  bytes: number;
}

/**
 * Whole or tiled, and with which tile, for the run's final size (coarser scales use the same
 * tile where they are larger than it), within `limit`; no limit: whole unless --tile says.
 * `historyElsewhere`: L-BFGS's pairs may leave memory when they do not fit.
 */
export function chooseEvaluation(config: StylizeConfig, plan: InputPlan, limit: MemoryLimit | null, historyElsewhere = false): Evaluation {
  const model = MODELS[config.model];
  const [width, height] = plan.contentSize;
  const memoryPlan: MemoryPlan = {
    model,
    width,
    height,
    layers: lossLayers(config),
    contentLayers: config.contentLayers,
    optimizer: config.optimizer,
    lbfgsHistory: config.lbfgsHistory,
    styleImages: plan.styles.map(({ size: [w, h] }) => ({ width: w, height: h })),
  };
  const estimateWith = (tile: number | null, historyOnDisk: boolean): Evaluation => ({
    tile,
    historyOnDisk,
    bytes: estimateRunBytes({ ...memoryPlan, historyOnDisk, ...(tile === null ? {} : { tile }) }),
  });
  // The pairs in a file only where they do not fit in memory.
  const estimate = (tile: number | null): Evaluation => {
    const inMemory = estimateWith(tile, false);
    const fits = limit === null || inMemory.bytes <= limit.bytes;
    return fits || !historyElsewhere || config.optimizer !== 'lbfgs' ? inMemory : estimateWith(tile, true);
  };
  const lbfgsAdvice = config.optimizer === 'lbfgs' ? ', a smaller --lbfgs-history or --optimizer adam' : '';
  if (config.tile !== null) {
    const tiled = estimate(config.tile);
    if (limit !== null && tiled.bytes > limit.bytes) {
      throw new UserError(
        `--tile ${config.tile}: this run needs about ${formatBytes(tiled.bytes)} with tiles of ${config.tile} px, more than the ${formatBytes(limit.bytes)} it may use (${limit.source}); ` +
          `use a smaller --tile or --size${lbfgsAdvice}`,
      );
    }
    return tiled;
  }
  const whole = estimate(null);
  if (limit === null || whole.bytes <= limit.bytes) return whole;
  const stride = totalStride(model, memoryPlan.layers);
  const smallest = minimumTile(model, memoryPlan.layers);
  for (let tile = Math.floor(Math.max(width, height) / stride) * stride; tile >= smallest; tile -= stride) {
    const tiled = estimate(tile);
    if (tiled.bytes <= limit.bytes) return tiled;
  }
  throw new UserError(
    `--size ${config.size}: this run needs about ${formatBytes(estimate(smallest).bytes)} even in tiles of ${smallest} px, more than the ${formatBytes(limit.bytes)} it may use (${limit.source}); ` +
      `use a smaller --size (the image buffers grow with its square)${lbfgsAdvice}`,
  );
}
