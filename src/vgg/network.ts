/**
 * VGG19 on the engine: forward to the deepest layer asked for, keeping what backward needs,
 * and backward from gradients at any subset of relu outputs down to the image.
 *
 * What backward needs: every fused conv+ReLU needs its output (the ReLU mask) and its
 * weights; a max pool needs its input (the relu before it) to find the arg-max. So the relu
 * outputs are kept and the pool outputs are released as soon as the next conv has read them.
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

  release(): void {
    for (const t of this.activations.values()) t.release();
    this.activations.clear();
  }
}

export class Vgg19 {
  private readonly params = new Map<string, Conv3x3>();

  /** `convs` may stop early (tests use a prefix with small random weights). */
  constructor(
    private readonly engine: Engine,
    convs: readonly ConvWeights[],
    readonly pooling: PoolingKind = 'max',
  ) {
    for (const c of convs) {
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
   * dL/dimage, given dL/d(relu) for some of the layers of a keepAll forward pass.
   * Consumes (releases) the given gradients; the caller releases the returned tensor.
   */
  backward(pass: ForwardPass, gradients: Map<string, Tensor>): Tensor {
    const deepest = deepestLayer([...gradients.keys()]);
    const layers = layersUpTo(deepest);
    let grad: Tensor | null = null;
    for (let k = layers.length - 1; k >= 0; k--) {
      const layer = layers[k];
      if (layer.kind === 'conv') {
        const incoming = gradients.get(layer.relu);
        if (incoming) grad = grad ? addAndRelease(this.engine, grad, incoming) : incoming;
        if (!grad) continue;
        const next = this.paramsOf(layer.name).backward(grad, pass.activation(layer.relu));
        grad.release();
        grad = next;
      } else if (grad) {
        // the pool's input is the relu just before it
        const before = layers[k - 1];
        if (before.kind !== 'conv') throw new Error('VGG19 table: a pool must follow a conv');
        const next = pool2x2Backward(this.engine, grad, pass.activation(before.relu), this.pooling);
        grad.release();
        grad = next;
      }
    }
    gradients.clear();
    if (!grad) throw new Error('backward: no gradient reached the image');
    return grad;
  }

  dispose(): void {
    for (const p of this.params.values()) p.release();
    this.params.clear();
  }
}
