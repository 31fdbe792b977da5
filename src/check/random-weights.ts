import type { Rng } from './random.js';
import { VGG19_CONVS } from '../vgg/layers.js';
import type { ConvWeights } from '../weights/model-weights.js';

/**
 * VGG19-shaped random weights, He-initialised so activations keep their scale through the
 * depth: for tests (every channel count divided by `shrink`; the image input keeps 3) and for
 * benchmarks (full size: speed does not depend on the values).
 */
export function randomVggWeights(rng: Rng, shrink = 1): ConvWeights[] {
  return VGG19_CONVS.map((layer) => {
    const inChannels = layer.inChannels === 3 ? 3 : layer.inChannels / shrink;
    const outChannels = layer.outChannels / shrink;
    return {
      name: layer.name,
      inChannels,
      outChannels,
      weight: rng.normals(outChannels * inChannels * 9, Math.sqrt(2 / (9 * inChannels))),
      bias: rng.normals(outChannels, 0.05),
    };
  });
}
