import { Rng } from '../../src/check/random.js';
import { VGG19_CONVS } from '../../src/vgg/layers.js';
import type { ConvWeights } from '../../src/weights/model-weights.js';

/**
 * VGG19-shaped weights with every layer's channel count divided by `shrink` (the image input
 * keeps 3 channels), He-initialised so activations keep their scale through the depth.
 */
export function randomVggWeights(seed: number, shrink: number): ConvWeights[] {
  const rng = new Rng(seed);
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
