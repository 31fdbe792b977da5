/**
 * --tile's value, checked against the network (config.ts parses it; no Node modules here, so
 * the library's browser bundle takes it too).
 */
import { UserError } from '../errors.js';
import { lossLayers } from '../loss/objective.js';
import { deepestLayer, type NetworkDescription } from '../models/description.js';
import { haloOf, minimumTile, totalStride } from '../network/tiling.js';

/**
 * --tile's value as the tiled objective takes it: rounded down to a multiple of the network's
 * stride up to the deepest loss layer (tiles start there so that pooling windows line up), and
 * refused below the halo the deepest layer's receptive field needs on each side.
 */
export function tileOption(option: number, model: NetworkDescription, config: { contentLayers: readonly string[]; styleLayers: readonly string[] }): number {
  const layers = lossLayers(config);
  const minimum = minimumTile(model, layers);
  if (option < minimum) {
    const stride = totalStride(model, layers);
    const { before, after } = haloOf(model, layers);
    throw new UserError(
      `--tile ${option}: tiles must be at least ${minimum} px for ${model.name} up to ${deepestLayer(model, layers)} (each tile reads ${before} px before it and ${after} after it, ` +
        `and starts at a multiple of ${stride} px); use --tile ${minimum} or more, or leave --tile out`,
    );
  }
  return option - (option % totalStride(model, layers));
}

