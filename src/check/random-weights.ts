import type { Rng } from './random.js';
import { convNodes, withChannelsDividedBy, type NetworkDescription } from '../models/description.js';
import type { ConvWeights } from '../weights/model-weights.js';

/**
 * Random weights of `model`'s shapes, He-initialised so activations keep their scale through
 * the depth: for tests (every channel count divided by `shrink`; the image input keeps 3) and
 * for benchmarks (full size: speed does not depend on the values).
 */
export function randomWeights(model: NetworkDescription, rng: Rng, shrink = 1): ConvWeights[] {
  return convNodes(withChannelsDividedBy(model, shrink)).map(({ weights: name, inChannels, outChannels, kernel }) => {
    const taps = kernel * kernel;
    return {
      name,
      inChannels,
      outChannels,
      kernel,
      weight: rng.normals(outChannels * inChannels * taps, Math.sqrt(2 / (taps * inChannels))),
      bias: rng.normals(outChannels, 0.05),
    };
  });
}
