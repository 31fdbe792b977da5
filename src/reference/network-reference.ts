/** Any network of src/models in float64, node by node from its description, for checks. */
import { IMAGE, nodesUpTo, type NetworkDescription } from '../models/description.js';
import { VGG19 } from '../models/vgg19.js';
import type { ConvWeights } from '../weights/model-weights.js';
import { concatRef, convRef, poolRef, type HostTensor } from './reference.js';

/** Every node's output up to `deepest`, by node name. */
export function networkForwardRef(
  model: NetworkDescription,
  image: HostTensor,
  convs: readonly ConvWeights[],
  deepest: string,
  pooling: 'max' | 'avg',
): Map<string, HostTensor> {
  const byName = new Map(convs.map((c) => [c.name, c]));
  const out = new Map<string, HostTensor>([[IMAGE, image]]);
  for (const node of nodesUpTo(model, [deepest])) {
    if (node.kind === 'conv') {
      const w = byName.get(node.weights);
      if (!w) throw new Error(`no weights for ${node.weights}`);
      out.set(node.name, convRef(out.get(node.input)!, Float64Array.from(w.weight), Float64Array.from(w.bias), node, node.relu));
    } else if (node.kind === 'pool') {
      out.set(node.name, poolRef(out.get(node.input)!, pooling, node));
    } else {
      out.set(node.name, concatRef(out.get(node.inputs[0])!, out.get(node.inputs[1])!));
    }
  }
  out.delete(IMAGE);
  return out;
}

/** VGG19's, the network of the objective and recipe references. */
export function vggForwardRef(image: HostTensor, convs: readonly ConvWeights[], deepest: string, pooling: 'max' | 'avg'): Map<string, HostTensor> {
  return networkForwardRef(VGG19, image, convs, deepest, pooling);
}
