/**
 * VGG19 on the engine: forward to the deepest layer asked for, keeping what backward needs,
 * and backward from gradients at any subset of relu outputs down to the image.
 *
 * What backward needs: every fused conv+ReLU needs its output (the ReLU mask) and its
 * weights; a max pool needs its input (the relu before it) to find the arg-max. So the relu
 * outputs are kept and the pool outputs are released as soon as the next conv has read them.
 * Backward releases each relu output once it has passed it, and asks for the loss gradient
 * at a layer only when it gets there: at 512 px the first layers' tensors are 50 MB each,
 * and the peak is reached on the way back down (bench/README.md, memory).
 */
import type { Engine } from '../engine/engine.js';
import type { Tensor } from '../engine/tensor.js';
import { addAndRelease } from '../ops/add.js';
import { Conv3x3 } from '../ops/conv.js';
import { pool2x2, pool2x2Backward, type PoolingKind } from '../ops/pool.js';
import type { ConvWeights } from '../weights/model-weights.js';
import { deepestLayer, layersUpTo } from './layers.js';

/** The activations of one forward pass; release() frees them. */
export class ForwardPass {
  constructor(
    /** relu name -> its output, in network order, up to the deepest layer run. */
    readonly activations: Map<string, Tensor>,
    readonly image: Tensor,
  ) {}

  activation(relu: string): Tensor {
    const t = this.activations.get(relu);
    if (!t) throw new Error(`activation ${relu} was not kept by this forward pass`);
    return t;
  }

  /** Frees one activation early (backward does, once past its layer). */
  releaseActivation(relu: string): void {
    this.activations.get(relu)?.release();
    this.activations.delete(relu);
  }

  release(): void {
    for (const t of this.activations.values()) t.release();
    this.activations.clear();
  }
}

/**
 * The loss gradient dL/d(relu) at a layer, or null when no loss reads that layer. Called
 * once per layer, deepest first, while that layer's activation is still alive; the caller
 * hands the returned tensor over to backward.
 */
export type LayerGradients = (relu: string) => Tensor | null;

/** LayerGradients from gradients computed up front (tests, benchmarks). */
export function gradientsFrom(gradients: Map<string, Tensor>): LayerGradients {
  return (relu) => gradients.get(relu) ?? null;
}

export class Vgg19 {
  private readonly params = new Map<string, Conv3x3>();

  /**
   * `convs` may stop early (tests use a prefix with small random weights). With `upTo` (a relu
   * name) only the convs up to that layer go to the device: style transfer stops at relu5_1,
   * and the three convs after it would take 57 MB of device memory for nothing.
   */
  constructor(
    private readonly engine: Engine,
    convs: readonly ConvWeights[],
    readonly pooling: PoolingKind = 'max',
    upTo?: string,
  ) {
    const needed = upTo === undefined ? null : new Set(layersUpTo(upTo).map((l) => l.name));
    for (const c of convs) {
      if (needed && !needed.has(c.name)) continue;
      this.params.set(c.name, Conv3x3.upload(engine, c.weight, c.bias, c.outChannels, c.inChannels));
    }
  }

  private paramsOf(conv: string): Conv3x3 {
    const p = this.params.get(conv);
    if (!p) throw new Error(`no weights loaded for ${conv}`);
    return p;
  }

  /**
   * Runs the network on `image` ([3][H][W], preprocessed) up to the deepest of `layers`.
   * With keepAll, every relu output stays (for backward); otherwise only `layers` do.
   */
  forward(image: Tensor, layers: readonly string[], keepAll: boolean): ForwardPass {
    const deepest = deepestLayer(layers);
    const kept = new Map<string, Tensor>();
    let current = image;
    let currentIsPoolOutput = false;
    let previousRelu: string | null = null;
    for (const layer of layersUpTo(deepest)) {
      if (layer.kind === 'pool') {
        current = pool2x2(this.engine, current, this.pooling);
        currentIsPoolOutput = true;
        this.engine.releaseCachedMemory();
        continue;
      }
      const out = this.paramsOf(layer.name).forward(current, true);
      // Backward never needs a pool output, and a forward-only pass needs only `layers`.
      if (currentIsPoolOutput) current.release();
      if (previousRelu && !keepAll && !layers.includes(previousRelu)) {
        kept.get(previousRelu)!.release();
        kept.delete(previousRelu);
      }
      kept.set(layer.relu, out);
      previousRelu = layer.relu;
      current = out;
      currentIsPoolOutput = false;
    }
    return new ForwardPass(kept, image);
  }

  /**
   * dL/dimage from a keepAll forward pass, given the loss gradients layer by layer. Consumes
   * the pass (its activations are released on the way down) and the gradients handed in;
   * the caller releases the returned tensor.
   */
  backward(pass: ForwardPass, gradientAt: LayerGradients): Tensor {
    const layers = layersUpTo(deepestLayer([...pass.activations.keys()]));
    let grad: Tensor | null = null;
    for (let k = layers.length - 1; k >= 0; k--) {
      const layer = layers[k];
      if (layer.kind === 'conv') {
        const incoming = gradientAt(layer.relu);
        if (incoming) grad = grad ? addAndRelease(this.engine, grad, incoming) : incoming;
        if (grad) grad = this.paramsOf(layer.name).backwardAndRelease(grad, pass.activation(layer.relu));
        pass.releaseActivation(layer.relu);
      } else if (grad) {
        const before = layers[k - 1];
        if (before.kind !== 'conv') throw new Error('VGG19 table: a pool must follow a conv');
        const next = pool2x2Backward(this.engine, grad, pass.activation(before.relu), this.pooling);
        grad.release();
        grad = next;
        this.engine.releaseCachedMemory();
      }
    }
    pass.release();
    if (!grad) throw new Error('backward: no gradient reached the image');
    return grad;
  }

  dispose(): void {
    for (const p of this.params.values()) p.release();
    this.params.clear();
  }
}
