/**
 * The objective a configuration's optimiser sees: the style transfer objective with the
 * configuration's loss forms and weights, in the configuration's pixel space (pixel-space.ts).
 * `nst stylize` and the fidelity tests build it here, the same way.
 */
import type { Engine } from '../engine/engine.js';
import type { Shape3 } from '../engine/tensor.js';
import { StyleTransferObjective, type ImageObjective, type StyleImage } from '../loss/objective.js';
import { TiledObjective } from '../loss/tiled-objective.js';
import type { ChannelMean } from '../image/index.js';
import type { Network } from '../network/network.js';
import type { StylizeConfig } from './config.js';
import { PixelSpace } from './pixel-space.js';

export interface RecipeObjective {
  objective: ImageObjective;
  pixels: PixelSpace;
  /** f(y) and df/dy for y in the pixel space. */
  f: (y: Float32Array, gradient: Float32Array) => number;
}

export function createRecipeObjective(
  engine: Engine,
  net: Network,
  config: StylizeConfig,
  shape: Shape3,
  contentPixels: Float32Array,
  styles: readonly StyleImage[],
  /** The weights' input mean (the network's input is RGB on 0..255 minus it). */
  mean: ChannelMean,
  /** Tile side for tiled evaluation (src/loss/tiled-objective.ts); null: the whole image at once. */
  tile: number | null = null,
): RecipeObjective {
  const pixels = new PixelSpace(config.pixelSpace, mean);
  const weightsOnNetwork = { ...config, tvWeight: pixels.tvWeightOnNetwork(config.tvWeight, config.tv) };
  const objective =
    tile === null
      ? new StyleTransferObjective(engine, net, weightsOnNetwork, shape, contentPixels, styles)
      : new TiledObjective(engine, net, weightsOnNetwork, shape, contentPixels, styles, tile);
  return { objective, pixels, f: pixels.wrap((x, g) => objective.evaluate(x, g)) };
}
