/** The VGG19 forward pass in float64, layer by layer from the same table, for checks. */
import { VGG19_LAYERS } from '../vgg/layers.js';
import type { ConvWeights } from '../weights/model-weights.js';
import { CONV3X3, convRef, POOL2X2, poolRef, type HostTensor } from './reference.js';

export function vggForwardRef(
  image: HostTensor,
  convs: readonly ConvWeights[],
  deepest: string,
  pooling: 'max' | 'avg',
): Map<string, HostTensor> {
  const byName = new Map(convs.map((c) => [c.name, c]));
  const out = new Map<string, HostTensor>();
  let current = image;
  for (const layer of VGG19_LAYERS) {
    if (layer.kind === 'pool') {
      current = poolRef(current, pooling, POOL2X2);
      continue;
    }
    const w = byName.get(layer.name);
    if (!w) throw new Error(`no weights for ${layer.name}`);
    current = convRef(current, Float64Array.from(w.weight), Float64Array.from(w.bias), CONV3X3, true);
    out.set(layer.relu, current);
    if (layer.relu === deepest) return out;
  }
  throw new Error(`unknown layer '${deepest}'`);
}
