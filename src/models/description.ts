/**
 * A network as data: its nodes in a topological order, each naming its input(s), and the
 * names users may pick as content or style layers. The walker (src/network/network.ts), the
 * float64 reference, the importers, the memory estimate and the FLOP counts all read this;
 * nothing else knows a network's shape. One file per network sits beside this one.
 */
import { convOutputSize, pooledSize, type ConvGeometry, type PoolGeometry } from '../ops/output-size.js';

export const MODEL_NAMES = ['vgg19', 'vgg16', 'squeezenet1_1', 'squeezenet1_0'] as const;
export type ModelName = (typeof MODEL_NAMES)[number];

/** The input of the first node. */
export const IMAGE = 'image';

export interface ConvNode extends ConvGeometry {
  kind: 'conv';
  /** Name of the output (after the ReLU when fused): 'relu1_1', 'conv1', 'fire2/squeeze1x1'. */
  name: string;
  /** Name of its weights in .nstw files: 'conv1_1', 'conv1', 'fire2/squeeze1x1'. */
  weights: string;
  input: string;
  inChannels: number;
  outChannels: number;
  relu: boolean;
}

/** Max or average pooling, as --pooling says. */
export interface PoolNode extends PoolGeometry {
  kind: 'pool';
  name: string;
  input: string;
}

/** Channel concatenation of two nodes' outputs (a fire module's two expand branches). */
export interface ConcatNode {
  kind: 'concat';
  name: string;
  inputs: readonly [string, string];
}

export type NetworkNode = ConvNode | PoolNode | ConcatNode;

export interface NetworkDescription {
  name: ModelName;
  /** For messages: 'VGG19', 'SqueezeNet 1.1'. */
  title: string;
  /** In an order where every node comes after its inputs. */
  nodes: readonly NetworkNode[];
  /** Names that --content-layers and --style-layers accept, in network order. */
  layers: readonly string[];
  /**
   * The input the network runs on is RGB on a 0..255 scale minus a per-channel mean; each
   * weights file records its own mean. Imports from torchvision, trained on (rgb/255 - m)/s,
   * are converted to this mean (src/weights/input-convention.ts).
   */
  torchvisionTargetMean: readonly [number, number, number];
  /**
   * Where each conv's weights sit in torchvision's `<model>().features` state dict:
   * 'conv1_1' -> 'features.0', 'fire2/squeeze1x1' -> 'features.3.squeeze'.
   */
  torchvisionNames: Readonly<Record<string, string>>;
}

export function inputsOf(node: NetworkNode): readonly string[] {
  return node.kind === 'concat' ? node.inputs : [node.input];
}

export function convNodes(model: NetworkDescription): ConvNode[] {
  return model.nodes.filter((n): n is ConvNode => n.kind === 'conv');
}

/** The error for a layer name the network does not have (config.ts turns it into a UserError). */
export class UnknownLayerError extends Error {
  constructor(
    readonly model: NetworkDescription,
    readonly layer: string,
  ) {
    super(`${model.name} has no layer '${layer}' (known: ${model.layers.join(', ')})`);
  }
}

function indexOfLayer(model: NetworkDescription, layer: string): number {
  const index = model.layers.includes(layer) ? model.nodes.findIndex((n) => n.name === layer) : -1;
  if (index < 0) throw new UnknownLayerError(model, layer);
  return index;
}

/** The nodes that must run to produce every one of `layers`, in network order. */
export function nodesUpTo(model: NetworkDescription, layers: readonly string[]): NetworkNode[] {
  const last = Math.max(...layers.map((l) => indexOfLayer(model, l)));
  return model.nodes.slice(0, last + 1);
}

/** The one of `layers` furthest into the network: a forward pass must run up to it. */
export function deepestLayer(model: NetworkDescription, layers: readonly string[]): string {
  return layers.reduce((a, b) => (indexOfLayer(model, a) >= indexOfLayer(model, b) ? a : b));
}

export interface NodeSize {
  node: NetworkNode;
  /** Output shape [C, H, W] of the node. */
  channels: number;
  height: number;
  width: number;
  /** Its (first) input's height and width. */
  inHeight: number;
  inWidth: number;
}

/** Every node up to `layers` with its output size for an h x w image (sizes may reach 0 or below for a too-small image). */
export function nodeSizes(model: NetworkDescription, height: number, width: number, layers: readonly string[] = [model.layers[model.layers.length - 1]]): NodeSize[] {
  const sizes = new Map<string, NodeSize | { channels: number; height: number; width: number }>([[IMAGE, { channels: 3, height, width }]]);
  const out: NodeSize[] = [];
  for (const node of nodesUpTo(model, layers)) {
    const input = sizes.get(inputsOf(node)[0])!;
    const [inHeight, inWidth] = [input.height, input.width];
    let size: NodeSize;
    if (node.kind === 'conv') {
      size = { node, channels: node.outChannels, height: convOutputSize(inHeight, node), width: convOutputSize(inWidth, node), inHeight, inWidth };
    } else if (node.kind === 'pool') {
      size = { node, channels: input.channels, height: pooledSize(inHeight, node), width: pooledSize(inWidth, node), inHeight, inWidth };
    } else {
      const channels = node.inputs.reduce((sum, name) => sum + sizes.get(name)!.channels, 0);
      size = { node, channels, height: inHeight, width: inWidth, inHeight, inWidth };
    }
    sizes.set(node.name, size);
    out.push(size);
  }
  return out;
}

/** The smallest image side for which every node up to `layer` still has at least one pixel. */
export function minimumSideFor(model: NetworkDescription, layer: string): number {
  const fits = (side: number) => nodeSizes(model, side, side, [layer]).every((s) => s.height >= 1 && s.width >= 1);
  let side = 1;
  while (!fits(side)) side++;
  return side;
}

/**
 * The same network with every channel count divided by `divisor` (the image keeps its 3):
 * the shrunken networks of tests and fixtures, which keep the real topology and kernels.
 */
export function withChannelsDividedBy(model: NetworkDescription, divisor: number): NetworkDescription {
  const divide = (n: number) => {
    if (n % divisor !== 0) throw new Error(`${model.name}: ${n} channels do not divide by ${divisor}`);
    return n / divisor;
  };
  const nodes = model.nodes.map((node) =>
    node.kind === 'conv' ? { ...node, inChannels: node.input === IMAGE ? 3 : divide(node.inChannels), outChannels: divide(node.outChannels) } : node,
  );
  return { ...model, nodes };
}

/** Parameters of every conv (weights and biases). */
export function parameterCount(model: NetworkDescription): number {
  return convNodes(model).reduce((sum, c) => sum + c.outChannels * (c.inChannels * c.kernel * c.kernel + 1), 0);
}
