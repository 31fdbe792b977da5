/**
 * The objective of objective.ts evaluated tile by tile (src/network/tiling.ts), for images
 * whose whole-image pass does not fit in memory. It is the same function: the value and the
 * gradient equal the whole-image ones to float32 rounding (test/tiled-objective.test.ts).
 *
 * Each tile runs the network on its crop of the image (the tile and its halo); at every loss
 * layer only the tile's own window of the output counts, so every output of every loss layer
 * is counted once over all tiles. Per layer F = [F_1 .. F_T] (the windows of the tiles):
 *  - G = norm F F^T = sum_t norm F_t F_t^T: a first pass sums the tiles' Grams (the style
 *    images' Grams, the targets A, are summed the same way once);
 *  - the style term w mean((G - A)^2) then has dL/dG from the whole G, and dL/dF_t =
 *    norm (dG + dG^T) F_t for each tile's window;
 *  - the content term w mean((F - P)^2) is a sum over cells: each tile adds its window's
 *    cells, with the mean's count (and every Gram normalisation) that of the whole layer;
 *  - the second pass runs each tile forward and backward with those layer gradients (zero
 *    outside the window) and adds the crop's image gradient into the whole image's: each
 *    tile's term depends on the halo's pixels too, and those contributions are the halo's
 *    share of the gradient, not a double count.
 * With --normalize-gradients each term's gradient g becomes weight g / |g|_1 with |g|_1 over
 * the whole layer: one more pass sums the tiles' |g_t|_1 before the gradient pass.
 * Total variation is the whole image's, as in objective.ts, computed in bands of a tile's
 * height (total-variation.ts: the whole image's upload and read-backs would be most of the
 * memory at 4096 px).
 * Each pass is a sweep over the tiles, every other one in reverse order: the tile that ends
 * one sweep begins the next with its forward pass still alive (run to every loss layer and
 * kept for backward), which saves one tile's forward per sweep after the first; the first
 * sweep ends with the largest crop so that the largest is saved.
 * After each tile the engine's texture pool is emptied: the next tile's crop may have another
 * shape, and textures of this one's would sit beside its own (src/network/network.ts trims the
 * pool at every change of scale for the same reason).
 */
import type { Engine } from '../engine/engine.js';
import type { Shape3, Tensor } from '../engine/tensor.js';
import { nodeSizes } from '../models/description.js';
import { addAndRelease } from '../ops/add.js';
import { gram, gramBackward } from '../ops/gram.js';
import { l1Norm, normalizingScale, scaleAndRelease, weightedSquaredError, type LossTerm } from '../ops/loss.js';
import { totalVariationInBands } from '../ops/total-variation.js';
import { addPixels, crop, cropBackward, cropPixels, type Window } from '../ops/window.js';
import type { ForwardPass, Network } from '../network/network.js';
import { planTiles, type Tile, type TilePlan } from '../network/tiling.js';
import { gramNormalization } from './loss-forms.js';
import { lossLayers, styleLayerWeight, type ImageObjective, type LossBreakdown, type ObjectiveWeights, type StyleImage } from './objective.js';

const cropOf = (tile: Tile): Window => ({ rows: tile.rows.crop, cols: tile.cols.crop });

const cropArea = (tile: Tile) => (tile.rows.crop.end - tile.rows.crop.start) * (tile.cols.crop.end - tile.cols.crop.start);

/** The tile's own window of `layer`'s output, or null when it owns none of it. */
function windowOf(tile: Tile, layer: string): Window | null {
  const rows = tile.rows.interiors.get(layer)!;
  const cols = tile.cols.interiors.get(layer)!;
  return rows.end > rows.start && cols.end > cols.start ? { rows, cols } : null;
}

/** Whether the tile owns part of any of `layers`' outputs (a last, narrow tile may own none of a deep layer's). */
const ownsAny = (tile: Tile, layers: readonly string[]) => layers.some((layer) => windowOf(tile, layer) !== null);

/** A forward pass over one tile's crop (the uploaded crop is `image`). */
interface TilePass {
  tile: Tile;
  image: Tensor;
  pass: ForwardPass;
}

/** One loss term of one tile: its layer, its weight and the gradient on the tile's window. */
interface TileTerm {
  /** Names the term across tiles (a layer may carry a content and a style term). */
  key: string;
  layer: string;
  weight: number;
  window: Window;
  /** dL/d(window of the layer's output); the caller releases it. */
  gradient: () => Tensor;
}

export class TiledObjective implements ImageObjective {
  private readonly plan: TilePlan;
  /** The tiles that own part of a loss layer, smallest crop first: the first sweep's order. */
  private readonly sweepOrder: Tile[];
  /** [H, W] of each loss layer's output for the whole image. */
  private readonly layerSizes: Map<string, [number, number]>;
  /** Per tile, per content layer: F(content) on the tile's window, on the host. */
  private readonly contentTargets: Array<Map<string, Float32Array>>;
  private readonly styleTargets = new Map<string, Tensor>();
  last: LossBreakdown = { content: NaN, style: NaN, tv: NaN, total: NaN };

  constructor(
    private readonly engine: Engine,
    private readonly net: Network,
    private readonly weights: ObjectiveWeights,
    readonly shape: Shape3,
    content: Float32Array,
    styles: readonly StyleImage[],
    /** Tile side in pixels: a positive multiple of the network's total stride up to the deepest loss layer. */
    readonly tile: number,
  ) {
    if (weights.styleLayerWeights.length !== weights.styleLayers.length) throw new Error('one style layer weight per style layer');
    const layers = lossLayers(weights);
    this.plan = planTiles(net.model, layers, shape[1], shape[2], tile);
    this.sweepOrder = this.plan.tiles.filter((t) => ownsAny(t, layers)).sort((a, b) => cropArea(a) - cropArea(b));
    this.layerSizes = new Map(nodeSizes(net.model, shape[1], shape[2], layers).map((s) => [s.node.name, [s.height, s.width]]));
    this.contentTargets = this.plan.tiles.map((t) => this.contentTargetsOf(content, t));
    this.computeStyleTargets(styles);
    engine.releaseCachedMemory();
  }

  get tiles(): number {
    return this.plan.tiles.length;
  }

  private upload(pixels: Float32Array, shape: Shape3, tile: Tile): Tensor {
    const window = cropOf(tile);
    return this.engine.upload(cropPixels(pixels, shape, window), [shape[0], window.rows.end - window.rows.start, window.cols.end - window.cols.start]);
  }

  /**
   * A forward pass to `layers` over each of `tiles` in order, handed to `visit`, which may
   * consume it (backward does). A pass `carried` from the previous sweep goes first, for its
   * tile; with `keepLast` the last tile's pass is run to every loss layer, kept for backward,
   * and returned for the next sweep instead of released.
   */
  private sweep(
    pixels: Float32Array,
    shape: Shape3,
    tiles: readonly Tile[],
    { layers, keepAll, carried = null, keepLast = false }: { layers: readonly string[]; keepAll: boolean; carried?: TilePass | null; keepLast?: boolean },
    visit: (run: TilePass) => void,
  ): TilePass | null {
    if (carried && !tiles.includes(carried.tile)) throw new Error('tiled objective: a carried pass of a tile this sweep does not run');
    const sequence = carried ? [carried.tile, ...tiles.filter((t) => t !== carried.tile)] : tiles;
    let kept: TilePass | null = null;
    sequence.forEach((tile, k) => {
      const last = keepLast && k === sequence.length - 1;
      let run: TilePass;
      if (k === 0 && carried) run = carried;
      else {
        const image = this.upload(pixels, shape, tile);
        run = { tile, image, pass: this.net.forward(image, last ? lossLayers(this.weights) : layers, keepAll || last) };
      }
      visit(run);
      if (last) kept = run;
      else {
        run.pass.release();
        run.image.release();
        this.engine.releaseCachedMemory();
      }
    });
    return kept;
  }

  private contentTargetsOf(content: Float32Array, tile: Tile): Map<string, Float32Array> {
    const targets = new Map<string, Float32Array>();
    const layers = this.weights.contentLayers;
    if (layers.length === 0) return targets;
    const image = this.upload(content, this.shape, tile);
    const pass = this.net.forward(image, layers, false);
    for (const layer of layers) {
      const window = windowOf(tile, layer);
      if (!window) continue;
      const mine = crop(this.engine, pass.activation(layer), window);
      targets.set(layer, this.engine.read(mine));
      mine.release();
    }
    pass.release();
    image.release();
    this.engine.releaseCachedMemory();
    return targets;
  }

  /** norm of G at `layer` for a layer of `channels` channels. */
  private gramNorm(channels: number, layerSize: [number, number]): number {
    return gramNormalization(this.weights.gramNorm, [channels, ...layerSize], this.shape);
  }

  /**
   * G at each style layer of an image, summed over `tiles` on the host (C x C values a layer).
   * With `keepLast`, the last tile's pass is returned for the next sweep (sweep's keepLast).
   */
  private grams(
    pixels: Float32Array,
    shape: Shape3,
    tiles: readonly Tile[],
    layerSizes: Map<string, [number, number]>,
    keepLast = false,
  ): { sums: Map<string, { shape: Shape3; values: Float32Array }>; kept: TilePass | null } {
    const layers = this.weights.styleLayers;
    const sums = new Map<string, { shape: Shape3; values: Float32Array }>();
    const kept = this.sweep(pixels, shape, tiles.filter((t) => ownsAny(t, layers)), { layers, keepAll: false, keepLast }, ({ tile, pass }) => {
      for (const layer of layers) {
        const window = windowOf(tile, layer);
        if (!window) continue;
        const features = pass.activation(layer);
        const mine = crop(this.engine, features, window);
        const g = gram(this.engine, mine, this.gramNorm(features.shape[0], layerSizes.get(layer)!));
        mine.release();
        const values = this.engine.read(g);
        g.release();
        const sum = sums.get(layer) ?? { shape: g.shape, values: new Float32Array(values.length) };
        for (let i = 0; i < values.length; i++) sum.values[i] += values[i];
        sums.set(layer, sum);
      }
    });
    return { sums, kept };
  }

  /** A_l = sum_i blend_i G_l(style_i), each G_l summed over the style image's own tiles. */
  private computeStyleTargets(styles: readonly StyleImage[]): void {
    const layers = this.weights.styleLayers;
    if (layers.length === 0) return;
    const blended = new Map<string, { shape: Shape3; values: Float32Array }>();
    for (const style of styles) {
      const [, height, width] = style.shape;
      const plan = planTiles(this.net.model, layers, height, width, this.tile);
      const sizes = new Map(nodeSizes(this.net.model, height, width, layers).map((s) => [s.node.name, [s.height, s.width] as [number, number]]));
      for (const [layer, { shape, values }] of this.grams(style.pixels, style.shape, plan.tiles, sizes).sums) {
        const target = blended.get(layer) ?? { shape, values: new Float32Array(values.length) };
        for (let i = 0; i < values.length; i++) target.values[i] += style.blend * values[i];
        blended.set(layer, target);
      }
    }
    for (const [layer, { shape, values }] of blended) this.styleTargets.set(layer, this.engine.upload(values, shape));
  }

  /**
   * The tile's loss terms on a forward pass over its crop: the content terms' values are
   * added to `content` now; every gradient is made when asked for (backward asks layer by
   * layer, deepest first). `styleTerms` holds each style layer's dL/dG for the whole image.
   */
  private tileTerms(tile: Tile, pass: ForwardPass, styleTerms: readonly LossTerm[], content: { value: number }): TileTerm[] {
    const { engine, weights } = this;
    const terms: TileTerm[] = [];
    for (const layer of weights.contentLayers) {
      const window = windowOf(tile, layer);
      if (!window) continue;
      const mine = crop(engine, pass.activation(layer), window);
      const target = engine.upload(this.contentTargets[this.plan.tiles.indexOf(tile)].get(layer)!, mine.shape);
      const [h, w] = this.layerSizes.get(layer)!;
      const count = weights.contentLoss === 'mean' ? mine.shape[0] * h * w : 1;
      // A sum with the weight divided by the whole layer's count: the whole image's mean.
      const term = weightedSquaredError(engine, mine, target, weights.contentWeight / count, 'sum');
      mine.release();
      target.release();
      content.value += term.value;
      terms.push({ key: `content ${layer}`, layer, weight: weights.contentWeight, window, gradient: () => term.gradient });
    }
    weights.styleLayers.forEach((layer, k) => {
      const window = windowOf(tile, layer);
      if (!window) return;
      const features = pass.activation(layer);
      const norm = this.gramNorm(features.shape[0], this.layerSizes.get(layer)!);
      const gradient = () => {
        const mine = crop(engine, features, window);
        const g = gramBackward(engine, styleTerms[k].gradient, mine, norm);
        mine.release();
        return g;
      };
      terms.push({ key: `style ${layer}`, layer, weight: styleLayerWeight(weights, k), window, gradient });
    });
    return terms;
  }

  /**
   * Per term key, |dL/dF|_1 over the whole layer: the tiles' windows summed (--normalize-gradients).
   * A sweep of its own between the first and the gradient pass, so it takes and leaves a carried pass.
   */
  private gradientNorms(x: Float32Array, styleTerms: readonly LossTerm[], tiles: readonly Tile[], carried: TilePass | null): { norms: Map<string, number>; kept: TilePass | null } {
    const norms = new Map<string, number>();
    const kept = this.sweep(x, this.shape, tiles, { layers: lossLayers(this.weights), keepAll: false, carried, keepLast: true }, ({ tile, pass }) => {
      for (const term of this.tileTerms(tile, pass, styleTerms, { value: 0 })) {
        const g = term.gradient();
        norms.set(term.key, (norms.get(term.key) ?? 0) + l1Norm(this.engine, g));
        g.release();
      }
    });
    return { norms, kept };
  }

  evaluate(x: Float32Array, gradient: Float32Array): number {
    const { engine, weights } = this;
    // Each sweep runs the tiles in the reverse order of the one before, after the tile carried from it.
    let order = this.sweepOrder;
    const reverse = () => (order = [...order].reverse());
    let carried: TilePass | null = null;
    let style = 0;
    let styleTerms: LossTerm[] = [];
    if (weights.styleLayers.length > 0) {
      ({ terms: styleTerms, kept: carried } = this.styleTerms(x, order));
      reverse();
    }
    for (const term of styleTerms) style += term.value;
    let norms: Map<string, number> | null = null;
    if (weights.normalizeGradients) {
      ({ norms, kept: carried } = this.gradientNorms(x, styleTerms, order, carried));
      reverse();
    }

    gradient.fill(0);
    const content = { value: 0 };
    this.sweep(x, this.shape, order, { layers: lossLayers(weights), keepAll: true, carried }, ({ tile, pass }) => {
      const terms = this.tileTerms(tile, pass, styleTerms, content);
      const tileGradient = this.net.backward(pass, (layer) => {
        let sum: Tensor | null = null;
        for (const term of terms.filter((t) => t.layer === layer)) {
          const g = norms ? scaleAndRelease(engine, term.gradient(), normalizingScale(term.weight, norms.get(term.key)!)) : term.gradient();
          const whole = cropBackward(engine, g, pass.activation(layer).shape, term.window);
          g.release();
          sum = sum ? addAndRelease(engine, sum, whole) : whole;
        }
        return sum;
      });
      addPixels(gradient, this.shape, cropOf(tile), engine.read(tileGradient));
      tileGradient.release();
    });
    for (const term of styleTerms) term.gradient.release();

    const tv = totalVariationInBands(engine, x, this.shape, weights.tv, weights.tvWeight, this.tile, gradient);

    this.last = { content: content.value, style, tv, total: content.value + style + tv };
    return this.last.total;
  }

  /**
   * The first pass, over `tiles` in order: each style layer's term w mean((G(x) - A)^2) and
   * dL/dG, from G summed over the tiles; the last tile's pass is kept for the next sweep.
   */
  private styleTerms(x: Float32Array, tiles: readonly Tile[]): { terms: LossTerm[]; kept: TilePass | null } {
    const { sums, kept } = this.grams(x, this.shape, tiles, this.layerSizes, true);
    const terms = this.weights.styleLayers.map((layer, k) => {
      const { shape, values } = sums.get(layer)!;
      const g = this.engine.upload(values, shape);
      const term = weightedSquaredError(this.engine, g, this.styleTargets.get(layer)!, styleLayerWeight(this.weights, k), this.weights.styleLoss);
      g.release();
      return term;
    });
    return { terms, kept };
  }

  dispose(): void {
    for (const t of this.styleTargets.values()) t.release();
    this.styleTargets.clear();
  }
}
