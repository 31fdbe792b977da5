/**
 * The Gatys et al. objective of DESIGN.md section 1 over the pixels x of an image:
 *   total = w_c sum_l mean((F_l(x) - F_l(c))^2)                  content layers
 *         + w_s sum_l lambda_l mean((G_l(x) - A_l)^2)            style layers
 *         + w_tv sum (forward differences of x)^2
 * with G_l the Gram matrix normalised by C H W and A_l the blend of the style images' Grams.
 * That is jcjohnson/neural-style's; the other recipes change the forms (loss-forms.ts): a
 * sum for a mean, another Gram normalisation, the style weight divided among the layers
 * (w_s / L for L style layers), another total variation.
 *
 * One evaluation: upload x, one forward pass keeping what backward needs, the loss terms and
 * their gradients at their layers, one backward pass to the image, then the total variation
 * term on the image. Only the loss values and the image gradient come back to the host.
 */
import type { Engine } from '../engine/engine.js';
import type { Shape3, Tensor } from '../engine/tensor.js';
import { addAndRelease } from '../ops/add.js';
import { gram, gramBackward } from '../ops/gram.js';
import { normalizeGradient, weightedSquaredError } from '../ops/loss.js';
import { totalVariation } from '../ops/total-variation.js';
import type { Network } from '../network/network.js';
import { gramNormalization, type LossForms } from './loss-forms.js';

export interface ObjectiveWeights extends LossForms {
  contentLayers: readonly string[];
  styleLayers: readonly string[];
  /** lambda_l, one per style layer. */
  styleLayerWeights: readonly number[];
  contentWeight: number;
  styleWeight: number;
  tvWeight: number;
  /** neural-style's -normalize_gradients: each layer's gradient scaled to L1 norm = its weight. */
  normalizeGradients: boolean;
}

export interface LossBreakdown {
  content: number;
  style: number;
  tv: number;
  total: number;
}

export interface StyleImage {
  /** Preprocessed planar RGB, [3][H][W]. */
  pixels: Float32Array;
  shape: Shape3;
  /** Normalised blend weight (the weights of all style images sum to 1). */
  blend: number;
}

/** What the optimiser's side of a run needs of an objective, whole-image or tiled (tiled-objective.ts). */
export interface ImageObjective {
  readonly shape: Shape3;
  /** The terms of the most recent evaluation. */
  readonly last: LossBreakdown;
  /** Returns the total loss and writes d total / dx into `gradient`. */
  evaluate(x: Float32Array, gradient: Float32Array): number;
  dispose(): void;
}

/** Every layer the objective reads, for the forward pass. */
export function lossLayers(weights: Pick<ObjectiveWeights, 'contentLayers' | 'styleLayers'>): string[] {
  return [...new Set([...weights.contentLayers, ...weights.styleLayers])];
}

/** The weight of the k-th style layer's term: the style weight (shared among the layers or not) times lambda_k. */
export function styleLayerWeight(weights: ObjectiveWeights, k: number): number {
  return (weights.styleWeight / (weights.styleWeightSplit === 'shared' ? weights.styleLayers.length : 1)) * weights.styleLayerWeights[k];
}

export class StyleTransferObjective implements ImageObjective {
  private readonly contentTargets = new Map<string, Tensor>();
  private readonly styleTargets = new Map<string, Tensor>();
  /** The terms of the most recent evaluation, for progress lines and the trace. */
  last: LossBreakdown = { content: NaN, style: NaN, tv: NaN, total: NaN };

  constructor(
    private readonly engine: Engine,
    private readonly net: Network,
    private readonly weights: ObjectiveWeights,
    readonly shape: Shape3,
    content: Float32Array,
    styles: readonly StyleImage[],
  ) {
    if (weights.styleLayerWeights.length !== weights.styleLayers.length) {
      throw new Error('one style layer weight per style layer');
    }
    this.computeContentTargets(content);
    this.computeStyleTargets(styles);
    // Style images have sizes of their own: what was kept for reuse at those sizes would
    // stay unused through the whole run.
    engine.releaseCachedMemory();
  }

  private computeContentTargets(content: Float32Array): void {
    if (this.weights.contentLayers.length === 0) return;
    const image = this.engine.upload(content, this.shape);
    const pass = this.net.forward(image, this.weights.contentLayers, false);
    for (const layer of this.weights.contentLayers) this.contentTargets.set(layer, pass.activation(layer));
    pass.activations.clear(); // ownership moved to contentTargets
    image.release();
  }

  /** A_l = sum_i blend_i G_l(style_i), blended on the host (C x C values per layer). */
  private computeStyleTargets(styles: readonly StyleImage[]): void {
    const layers = this.weights.styleLayers;
    if (layers.length === 0) return;
    const blended = new Map<string, { shape: Shape3; values: Float32Array }>();
    for (const style of styles) {
      const image = this.engine.upload(style.pixels, style.shape);
      const pass = this.net.forward(image, layers, false);
      for (const layer of layers) {
        const g = gram(this.engine, pass.activation(layer), this.gramNorm(pass.activation(layer)));
        const values = this.engine.read(g);
        const target = blended.get(layer) ?? { shape: g.shape, values: new Float32Array(values.length) };
        for (let i = 0; i < values.length; i++) target.values[i] += style.blend * values[i];
        blended.set(layer, target);
        g.release();
      }
      pass.release();
      image.release();
    }
    for (const [layer, { shape, values }] of blended) this.styleTargets.set(layer, this.engine.upload(values, shape));
  }

  private gramNorm(features: Tensor): number {
    return gramNormalization(this.weights.gramNorm, features.shape, this.shape);
  }

  /**
   * Returns the total loss and writes d total / dx into `gradient`. The loss values come
   * from the forward pass; the gradients at each layer are made when backward reaches that
   * layer (LayerGradients), so the large ones near the image do not wait through the pass.
   */
  evaluate(x: Float32Array, gradient: Float32Array): number {
    const { engine, weights } = this;
    const image = engine.upload(x, this.shape);
    const pass = this.net.forward(image, lossLayers(weights), true);
    /** Per layer, the gradient terms still to compute, each with its weight. */
    const pending = new Map<string, Array<{ weight: number; make: () => Tensor }>>();
    const later = (layer: string, weight: number, make: () => Tensor) => {
      pending.set(layer, [...(pending.get(layer) ?? []), { weight, make }]);
    };

    let content = 0;
    for (const layer of weights.contentLayers) {
      const term = weightedSquaredError(engine, pass.activation(layer), this.contentTargets.get(layer)!, weights.contentWeight, weights.contentLoss);
      content += term.value;
      later(layer, weights.contentWeight, () => term.gradient);
    }

    let style = 0;
    weights.styleLayers.forEach((layer, k) => {
      const features = pass.activation(layer);
      const norm = this.gramNorm(features);
      const g = gram(engine, features, norm);
      const layerWeight = styleLayerWeight(weights, k);
      const term = weightedSquaredError(engine, g, this.styleTargets.get(layer)!, layerWeight, weights.styleLoss);
      g.release();
      style += term.value;
      later(layer, layerWeight, () => {
        const featureGradient = gramBackward(engine, term.gradient, features, norm);
        term.gradient.release();
        return featureGradient;
      });
    });

    const networkGradient = this.net.backward(pass, (layer) => {
      let sum: Tensor | null = null;
      for (const { weight, make } of pending.get(layer) ?? []) {
        const g = weights.normalizeGradients ? normalizeGradient(engine, make(), weight) : make();
        sum = sum ? addAndRelease(engine, sum, g) : g;
      }
      return sum;
    });
    const tvTerm = totalVariation(engine, image, weights.tv, weights.tvWeight);
    image.release();
    const total = addAndRelease(engine, networkGradient, tvTerm.gradient);
    gradient.set(engine.read(total));
    total.release();

    this.last = { content, style, tv: tvTerm.value, total: content + style + tvTerm.value };
    return this.last.total;
  }

  dispose(): void {
    for (const t of [...this.contentTargets.values(), ...this.styleTargets.values()]) t.release();
    this.contentTargets.clear();
    this.styleTargets.clear();
  }
}
