/**
 * Any network of src/models on the engine: forward to the deepest layer asked for, keeping
 * what backward needs, and backward from gradients at any subset of its layers down to the
 * image. The walk follows the description node by node; nothing here knows a network's shape.
 *
 * What backward needs: a conv with a fused ReLU needs its output (the ReLU mask) and its
 * weights; a max pool needs its input to find the arg-max; an average pool and a concat need
 * only shapes. Those tensors are kept; every other one is released as soon as the last node
 * reading it has run. Backward releases each node's output once it has passed it, and asks
 * for the loss gradient at a layer only when it gets there: at 512 px the first layers'
 * tensors are 50 MB each, and the peak is reached on the way back down (bench/README.md,
 * memory). Where the image scale changes (a pool, a strided conv) the engine's texture pool
 * is trimmed: textures of the old size would not be used again soon.
 *
 * Channel counts come from the weights, not the description: tests run the real topologies
 * with a fraction of the channels.
 */
import type { Engine } from '../engine/engine.js';
import type { Shape3, Tensor } from '../engine/tensor.js';
import { IMAGE, inputsOf, nodesUpTo, type ConvNode, type NetworkDescription, type NetworkNode, type PoolNode } from '../models/description.js';
import { addAndRelease } from '../ops/add.js';
import { concat, splitAndRelease } from '../ops/concat.js';
import { Conv3x3 } from '../ops/conv.js';
import { ConvGeneral } from '../ops/conv-general.js';
import { pool2x2, pool2x2Backward, type PoolingKind } from '../ops/pool.js';
import { poolWindow, poolWindowBackward } from '../ops/pool-window.js';
import type { ConvWeights } from '../weights/model-weights.js';

/** The activations of one forward pass; release() frees them. */
export class ForwardPass {
  constructor(
    /** Node name -> its output, for the nodes kept, in network order. */
    readonly activations: Map<string, Tensor>,
    readonly image: Tensor,
    /** The nodes that ran, in network order. */
    readonly nodes: readonly NetworkNode[],
    /** The output shape of every node that ran (and of the image). */
    readonly shapes: ReadonlyMap<string, Shape3>,
  ) {}

  activation(name: string): Tensor {
    const t = this.activations.get(name);
    if (!t) throw new Error(`activation ${name} was not kept by this forward pass`);
    return t;
  }

  /** Frees one activation early (backward does, once past its node). */
  releaseActivation(name: string): void {
    this.activations.get(name)?.release();
    this.activations.delete(name);
  }

  release(): void {
    for (const t of this.activations.values()) t.release();
    this.activations.clear();
  }
}

/**
 * The loss gradient dL/d(output) at a layer, or null when no loss reads that layer. Called
 * once per layer, deepest first, while that layer's activation is still alive; the caller
 * hands the returned tensor over to backward.
 */
export type LayerGradients = (layer: string) => Tensor | null;

/** LayerGradients from gradients computed up front (tests, benchmarks). */
export function gradientsFrom(gradients: Map<string, Tensor>): LayerGradients {
  return (layer) => gradients.get(layer) ?? null;
}

/** A conv layer on the device, whichever kernel runs it. */
interface ConvLayer {
  forward(x: Tensor, relu: boolean): Tensor;
  /** dL/dx for an input of `inputShape`; releases gradOutput. */
  backwardAndRelease(gradOutput: Tensor, fusedReluOutput: Tensor | null, inputShape: Shape3): Tensor;
  release(): void;
}

/** VGG's 3x3 stride-1 pad-1 convs take the blocked kernel on GL (ops/conv.ts); anything else the general one. */
function uploadConv(engine: Engine, node: ConvNode, w: ConvWeights): ConvLayer {
  if (node.kernel !== w.kernel) throw new Error(`${node.weights}: weights are ${w.kernel}x${w.kernel}, the network needs ${node.kernel}x${node.kernel}`);
  if (node.kernel === 3 && node.stride === 1 && node.padding === 1) {
    const conv = Conv3x3.upload(engine, w.weight, w.bias, w.outChannels, w.inChannels);
    return {
      forward: (x, relu) => conv.forward(x, relu),
      backwardAndRelease: (g, fusedReluOutput) => conv.backwardAndRelease(g, fusedReluOutput),
      release: () => conv.release(),
    };
  }
  return ConvGeneral.upload(engine, w.weight, w.bias, w.outChannels, w.inChannels, node);
}

/** VGG's 2x2 stride-2 pools keep their own kernel (ops/pool.ts); others are windowed (ops/pool-window.ts). */
const isPool2x2 = (node: PoolNode) => node.window === 2 && node.stride === 2 && !node.ceil;

const sameScale = (a: Shape3, b: Shape3) => a[1] === b[1] && a[2] === b[2];

export class Network {
  private readonly convs = new Map<string, ConvLayer>();

  /**
   * `weights` may stop early (tests use a prefix). With `upTo` (a layer name) only the convs
   * up to that layer go to the device: style transfer on VGG19 stops at relu5_1, and the three
   * convs after it would take 57 MB of device memory for nothing.
   */
  constructor(
    private readonly engine: Engine,
    readonly model: NetworkDescription,
    weights: readonly ConvWeights[],
    readonly pooling: PoolingKind = 'max',
    upTo?: string,
  ) {
    const byName = new Map(weights.map((w) => [w.name, w]));
    const nodes = upTo === undefined ? model.nodes : nodesUpTo(model, [upTo]);
    for (const node of nodes) {
      const w = node.kind === 'conv' ? byName.get(node.weights) : undefined;
      if (node.kind === 'conv' && w) this.convs.set(node.weights, uploadConv(engine, node, w));
    }
  }

  private convOf(node: ConvNode): ConvLayer {
    const conv = this.convs.get(node.weights);
    if (!conv) throw new Error(`no weights loaded for ${node.weights}`);
    return conv;
  }

  /** Outputs backward reads: fused-ReLU conv outputs, max pool inputs (and 2x2 pool inputs, whose backward takes the tensor). */
  private neededByBackward(nodes: readonly NetworkNode[]): Set<string> {
    const needed = new Set<string>();
    for (const node of nodes) {
      if (node.kind === 'conv' && node.relu) needed.add(node.name);
      if (node.kind === 'pool' && (this.pooling === 'max' || isPool2x2(node))) needed.add(node.input);
    }
    return needed;
  }

  private runNode(node: NetworkNode, values: Map<string, Tensor>): Tensor {
    const input = (name: string) => values.get(name)!;
    switch (node.kind) {
      case 'conv':
        return this.convOf(node).forward(input(node.input), node.relu);
      case 'pool':
        return isPool2x2(node) ? pool2x2(this.engine, input(node.input), this.pooling) : poolWindow(this.engine, input(node.input), this.pooling, node);
      case 'concat':
        return concat(this.engine, input(node.inputs[0]), input(node.inputs[1]));
    }
  }

  /**
   * Runs the network on `image` ([3][H][W], preprocessed) up to the deepest of `layers`.
   * With keepAll, everything backward needs stays too; otherwise only `layers` do.
   */
  forward(image: Tensor, layers: readonly string[], keepAll: boolean): ForwardPass {
    const nodes = nodesUpTo(this.model, layers);
    const keep = new Set([...layers, ...(keepAll ? this.neededByBackward(nodes) : [])]);
    const readsLeft = new Map<string, number>();
    for (const node of nodes) for (const name of inputsOf(node)) readsLeft.set(name, (readsLeft.get(name) ?? 0) + 1);

    const values = new Map<string, Tensor>([[IMAGE, image]]);
    const shapes = new Map<string, Shape3>([[IMAGE, image.shape]]);
    for (const node of nodes) {
      const out = this.runNode(node, values);
      values.set(node.name, out);
      shapes.set(node.name, out.shape);
      for (const name of inputsOf(node)) {
        const left = readsLeft.get(name)! - 1;
        readsLeft.set(name, left);
        if (left === 0 && name !== IMAGE && !keep.has(name)) {
          values.get(name)!.release();
          values.delete(name);
        }
      }
      if (!sameScale(out.shape, shapes.get(inputsOf(node)[0])!)) this.engine.releaseCachedMemory();
    }
    values.delete(IMAGE);
    return new ForwardPass(values, image, nodes, shapes);
  }

  /**
   * dL/dimage from a keepAll forward pass, given the loss gradients layer by layer. Consumes
   * the pass (its activations are released on the way down) and the gradients handed in;
   * the caller releases the returned tensor.
   */
  backward(pass: ForwardPass, gradientAt: LayerGradients): Tensor {
    /** dL/d(output) of each node (and the image) still to be passed down. */
    const grads = new Map<string, Tensor>();
    const accumulate = (name: string, g: Tensor) => {
      const before = grads.get(name);
      grads.set(name, before ? addAndRelease(this.engine, before, g) : g);
    };
    for (let k = pass.nodes.length - 1; k >= 0; k--) {
      const node = pass.nodes[k];
      if (this.model.layers.includes(node.name)) {
        const incoming = gradientAt(node.name);
        if (incoming) accumulate(node.name, incoming);
      }
      const grad = grads.get(node.name);
      grads.delete(node.name);
      if (grad) this.backwardNode(node, grad, pass, accumulate);
      pass.releaseActivation(node.name);
    }
    pass.release();
    const imageGradient = grads.get(IMAGE);
    if (!imageGradient) throw new Error('backward: no gradient reached the image');
    return imageGradient;
  }

  /** Passes dL/d(node output) to the node's inputs; releases `grad`. */
  private backwardNode(node: NetworkNode, grad: Tensor, pass: ForwardPass, accumulate: (name: string, g: Tensor) => void): void {
    const shapeOf = (name: string) => pass.shapes.get(name)!;
    switch (node.kind) {
      case 'conv': {
        const fusedReluOutput = node.relu ? pass.activation(node.name) : null;
        accumulate(node.input, this.convOf(node).backwardAndRelease(grad, fusedReluOutput, shapeOf(node.input)));
        break;
      }
      case 'pool': {
        const next = isPool2x2(node)
          ? pool2x2Backward(this.engine, grad, pass.activation(node.input), this.pooling)
          : poolWindowBackward(this.engine, grad, pass.activations.get(node.input) ?? shapeOf(node.input), this.pooling, node);
        grad.release();
        accumulate(node.input, next);
        break;
      }
      case 'concat': {
        const [first, second] = splitAndRelease(this.engine, grad, shapeOf(node.inputs[0])[0]);
        accumulate(node.inputs[0], first);
        accumulate(node.inputs[1], second);
        break;
      }
    }
    if (!sameScale(shapeOf(node.name), shapeOf(inputsOf(node)[0]))) this.engine.releaseCachedMemory();
  }

  dispose(): void {
    for (const c of this.convs.values()) c.release();
    this.convs.clear();
  }
}
