/** The VGG19 forward pass in float64, layer by layer from the same table, for checks. */
import { VGG19_LAYERS } from '../vgg/layers.js';
import type { ConvWeights } from '../weights/model-weights.js';
import { conv3x3Ref, pool2x2Ref, type HostTensor } from './reference.js';

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
      current = pool2x2Ref(current, pooling);
      continue;
    }
    const w = byName.get(layer.name);
    if (!w) throw new Error(`no weights for ${layer.name}`);
    current = conv3x3Ref(current, Float64Array.from(w.weight), Float64Array.from(w.bias), true);
    out.set(layer.relu, current);
    if (layer.relu === deepest) return out;
  }
  throw new Error(`unknown layer '${deepest}'`);
}
