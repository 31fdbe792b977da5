/**
 * The style transfer objective (src/loss/objective.ts: DESIGN.md section 1 and the loss forms
 * of src/loss/loss-forms.ts) in float64, from the reference network: the yardstick for
 * StyleTransferObjective in the tests.
 *
 * Besides the loss terms it gives what the device objective hands to backward at each layer,
 * d term / d F_l (content: 2 w (F - P), over n for a mean; style: with dG = 2 w (G - A), over
 * C^2 for a mean, the Gram backward norm (dG + dG^T) F), so that a check can rebuild
 * neural-style's normalised pseudo-gradient, which is the gradient of no function: along a
 * direction u it is
 *   sum over terms of < w g / (|g|_1 + 1e-8), J_l u >  +  d tv(x + t u) / dt,
 * with g the term's layer gradient and J_l u = d F_l(x + t u) / dt by central differences.
 */
import type { Shape3 } from '../engine/tensor.js';
import type { LossBreakdown, ObjectiveWeights } from '../loss/objective.js';
import { gramNormalization } from '../loss/loss-forms.js';
import type { ConvWeights } from '../weights/model-weights.js';
import { deepestLayer as deepestOf } from '../models/description.js';
import { VGG19 } from '../models/vgg19.js';
import { vggForwardRef } from './network-reference.js';
import { gramRef, totalVariationRef, weightedSquaredErrorRef, type HostTensor } from './reference.js';

/** The VGG19 layer of `layers` furthest into the network. */
const deepestLayer = (layers: readonly string[]) => deepestOf(VGG19, layers);

/** The objective's weights and forms; normalisation is a flag of directional() here. */
export type ReferenceWeights = Omit<ObjectiveWeights, 'normalizeGradients'>;

/** One loss term at one layer: its weight and d term / d F_l. */
interface LayerTerm {
  layer: string;
  weight: number;
  gradient: Float64Array;
}

/** neural-style's epsilon in the normalisation, as src/ops/loss.ts's normalizeGradient. */
const NORMALIZE_EPSILON = 1e-8;

export class ObjectiveReference {
  private readonly contentTargets = new Map<string, Float64Array>();
  private readonly styleTargets = new Map<string, Float64Array>();
  private readonly deepest: string | null;

  constructor(
    private readonly convs: readonly ConvWeights[],
    private readonly pooling: 'max' | 'avg',
    private readonly weights: ReferenceWeights,
    readonly shape: Shape3,
    content: Float64Array,
    styles: ReadonlyArray<{ data: Float64Array; shape: Shape3; blend: number }>,
  ) {
    const layers = [...weights.contentLayers, ...weights.styleLayers];
    this.deepest = layers.length > 0 ? deepestLayer(layers) : null;
    if (weights.contentLayers.length > 0) {
      const acts = this.forward({ shape, data: content }, deepestLayer(weights.contentLayers));
      for (const l of weights.contentLayers) this.contentTargets.set(l, acts.get(l)!.data);
    }
    if (weights.styleLayers.length > 0) {
      for (const style of styles) {
        const acts = this.forward(style, deepestLayer(weights.styleLayers));
        for (const l of weights.styleLayers) {
          const g = this.gram(acts.get(l)!);
          const target = this.styleTargets.get(l) ?? new Float64Array(g.length);
          g.forEach((v, j) => (target[j] += style.blend * v));
          this.styleTargets.set(l, target);
        }
      }
    }
  }

  private forward(image: HostTensor, deepest: string): Map<string, HostTensor> {
    return vggForwardRef(image, this.convs, deepest, this.pooling);
  }

  private activations(x: Float64Array): Map<string, HostTensor> {
    return this.deepest ? this.forward({ shape: this.shape, data: x }, this.deepest) : new Map();
  }

  private gramNorm(features: HostTensor): number {
    return gramNormalization(this.weights.gramNorm, features.shape, this.shape);
  }

  private gram(features: HostTensor): Float64Array {
    return gramRef(features, this.gramNorm(features)).data;
  }

  /** w_s lambda_l, or w_s lambda_l / L when the style weight is shared among the L layers. */
  private styleLayerWeight(k: number): number {
    const w = this.weights;
    return (w.styleWeight / (w.styleWeightSplit === 'shared' ? w.styleLayers.length : 1)) * w.styleLayerWeights[k];
  }

  losses(x: Float64Array): LossBreakdown {
    const w = this.weights;
    const acts = this.activations(x);
    let content = 0;
    for (const l of w.contentLayers) content += weightedSquaredErrorRef(acts.get(l)!.data, this.contentTargets.get(l)!, w.contentWeight, w.contentLoss);
    let style = 0;
    w.styleLayers.forEach((l, k) => {
      style += weightedSquaredErrorRef(this.gram(acts.get(l)!), this.styleTargets.get(l)!, this.styleLayerWeight(k), w.styleLoss);
    });
    const tv = totalVariationRef({ shape: this.shape, data: x }, w.tv, w.tvWeight);
    return { content, style, tv, total: content + style + tv };
  }

  /** Every loss term's d term / d F_l at x, in the order the objective lists them. */
  private layerTerms(acts: Map<string, HostTensor>): LayerTerm[] {
    const w = this.weights;
    const terms: LayerTerm[] = [];
    for (const layer of w.contentLayers) {
      const f = acts.get(layer)!.data;
      const p = this.contentTargets.get(layer)!;
      const scale = (2 * w.contentWeight) / (w.contentLoss === 'mean' ? f.length : 1);
      terms.push({ layer, weight: w.contentWeight, gradient: f.map((v, i) => scale * (v - p[i])) });
    }
    w.styleLayers.forEach((layer, k) => {
      const features = acts.get(layer)!;
      const [c, h, wd] = features.shape;
      const n = h * wd;
      const weight = this.styleLayerWeight(k);
      const g = this.gram(features);
      const a = this.styleTargets.get(layer)!;
      const dG = g.map((v, j) => (2 * weight * (v - a[j])) / (w.styleLoss === 'mean' ? c * c : 1));
      const norm = this.gramNorm(features);
      const gradient = new Float64Array(c * n);
      for (let i = 0; i < c; i++) {
        for (let j = 0; j < c; j++) {
          const s = norm * (dG[i * c + j] + dG[j * c + i]);
          for (let p = 0; p < n; p++) gradient[i * n + p] += s * features.data[j * n + p];
        }
      }
      terms.push({ layer, weight, gradient });
    });
    return terms;
  }

  /**
   * The directional derivative along u of the "gradient" the device objective returns:
   * d total(x + t u) / dt, or with normalisation the pseudo-gradient described above.
   * Central differences of step h.
   */
  directional(x: Float64Array, u: Float64Array, h: number, normalize: boolean): number {
    const along = (t: number) => x.map((v, i) => v + t * u[i]);
    if (!normalize) return (this.losses(along(h)).total - this.losses(along(-h)).total) / (2 * h);
    const tv = (image: Float64Array) => totalVariationRef({ shape: this.shape, data: image }, this.weights.tv, this.weights.tvWeight);
    const tvSlope = (tv(along(h)) - tv(along(-h))) / (2 * h);
    return tvSlope + this.projectLayerTerms(x, u, h, (term) => term.weight / (l1(term.gradient) + NORMALIZE_EPSILON));
  }

  /**
   * sum over terms of < d term / d F_l, J_l u >: by the chain rule the network part of
   * directional(x, u, h, false), a check of the layer formulas that the normalised case uses.
   */
  layerDirectional(x: Float64Array, u: Float64Array, h: number): number {
    return this.projectLayerTerms(x, u, h, () => 1);
  }

  /** sum over terms of scale(term) < g_term, J_l u >, J_l u by central differences of step h. */
  private projectLayerTerms(x: Float64Array, u: Float64Array, h: number, scale: (term: LayerTerm) => number): number {
    const plus = this.activations(x.map((v, i) => v + h * u[i]));
    const minus = this.activations(x.map((v, i) => v - h * u[i]));
    let sum = 0;
    for (const term of this.layerTerms(this.activations(x))) {
      const fPlus = plus.get(term.layer)!.data;
      const fMinus = minus.get(term.layer)!.data;
      let projected = 0;
      for (let i = 0; i < term.gradient.length; i++) projected += term.gradient[i] * (fPlus[i] - fMinus[i]);
      sum += (scale(term) * projected) / (2 * h);
    }
    return sum;
  }
}

function l1(v: Float64Array): number {
  let s = 0;
  for (const x of v) s += Math.abs(x);
  return s;
}
