/**
 * Whole-image or tiled evaluation for a run (src/loss/tiled-objective.ts computes the same
 * objective tile by tile): the whole image at once when its memory estimate fits and --tile
 * is not given; otherwise tiles, of --tile px or the largest size whose estimate fits. A run
 * that fits neither way is refused with advice before anything long starts.
 */
import os from 'node:os';
import { UserError } from '../errors.js';
import { lossLayers } from '../loss/objective.js';
import { MODELS } from '../models/index.js';
import { minimumTile, totalStride } from '../network/tiling.js';
import type { StylizeConfig } from './config.js';
import type { InputPlan } from './inputs.js';
import { estimateRunBytes, formatBytes, type MemoryPlan } from './memory.js';

/** How a run evaluates its objective: tile side in px, or null for the whole image at once. */
export interface Evaluation {
  tile: number | null;
  /** The memory estimate of the run evaluated so. */
  bytes: number;
}

/** Whole or tiled, and with which tile, for the run's final size (coarser scales use the same tile where they are larger than it). */
export function chooseEvaluation(config: StylizeConfig, plan: InputPlan, available = os.totalmem() * 0.8): Evaluation {
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
  const estimate = (tile: number | null): Evaluation => ({ tile, bytes: estimateRunBytes(tile === null ? memoryPlan : { ...memoryPlan, tile }) });
  const lbfgsAdvice = config.optimizer === 'lbfgs' ? ', a smaller --lbfgs-history or --optimizer adam' : '';
  if (config.tile !== null) {
    const tiled = estimate(config.tile);
    if (tiled.bytes > available) {
      throw new UserError(
        `--tile ${config.tile}: this run needs about ${formatBytes(tiled.bytes)} with tiles of ${config.tile} px but the machine has ${formatBytes(os.totalmem())}; ` +
          `use a smaller --tile or --size${lbfgsAdvice}`,
      );
    }
    return tiled;
  }
  const whole = estimate(null);
  if (whole.bytes <= available) return whole;
  const stride = totalStride(model, memoryPlan.layers);
  const smallest = minimumTile(model, memoryPlan.layers);
  for (let tile = Math.floor(Math.max(width, height) / stride) * stride; tile >= smallest; tile -= stride) {
    const tiled = estimate(tile);
    if (tiled.bytes <= available) return tiled;
  }
  throw new UserError(
    `--size ${config.size}: this run needs about ${formatBytes(estimate(smallest).bytes)} even in tiles of ${smallest} px, but the machine has ${formatBytes(os.totalmem())}; ` +
      `use a smaller --size (the image buffers grow with its square)${lbfgsAdvice}`,
  );
}
