/**
 * `nst stylize` options: raw strings from the command line (over a preset's, presets.ts) to a
 * checked configuration. Every problem is a UserError naming the option and what is wrong,
 * so the CLI can print one line and exit 2 before any long work starts.
 */
import { UserError } from '../errors.js';
import { GRAM_NORMS, STYLE_WEIGHT_SPLITS, type LossForms } from '../loss/loss-forms.js';
import type { AdamEpsilonForm } from '../optim/index.js';
import { TV_NORMS, type TvForm } from '../ops/total-variation.js';
import { deepestLayer, type ModelName, type NetworkDescription } from '../models/description.js';
import { MODELS, modelNamed } from '../models/index.js';
import { STYLIZE_DEFAULTS as D } from './defaults.js';
import { splitIterations } from './scales.js';
import { tileOption } from './tile-option.js';
import { flagOf, withPreset, type PresetApplied } from './presets.js';
import { PIXEL_SPACES, type PixelSpaceName } from './pixel-space.js';

export const OPTIMIZERS = ['lbfgs', 'adam', 'sgd'] as const;
export type OptimizerName = (typeof OPTIMIZERS)[number];

export interface StylizeConfig extends LossForms {
  /** The preset the options started from, if any. */
  preset?: string;
  content: string;
  styles: string[];
  output: string;
  size: number;
  styleScale: number;
  styleBlendWeights: number[];
  styleResize: 'fit' | 'stretch';
  /** Objective evaluations; outer L-BFGS iterations when lbfgsRounds is set. Over all scales. */
  iterations: number;
  /** Coarse to fine: the iterations at each scale, coarsest first (length = --scales; scales.ts). */
  scaleIterations: number[];
  /** 'content', 'random', 'uniform', or an image path. */
  init: string;
  seed: number;
  /** The network (src/models). */
  model: ModelName;
  contentLayers: string[];
  styleLayers: string[];
  styleLayerWeights: number[];
  contentWeight: number;
  styleWeight: number;
  tvWeight: number;
  pooling: 'max' | 'avg';
  normalizeGradients: boolean;
  originalColors: boolean;
  pixelSpace: PixelSpaceName;
  /** Pixels clipped to [lo, hi] in the pixel space after every step (after every round for L-BFGS); null: never. */
  clip: [number, number] | null;
  optimizer: OptimizerName;
  learningRate: number;
  /** Keras's ExponentialDecay of the learning rate (SGD, Adam); null: constant. */
  lrDecay: { rate: number; steps: number; staircase: boolean } | null;
  adam: { beta1: number; beta2: number; epsilon: number; epsilonForm: AdamEpsilonForm };
  lbfgsHistory: number;
  lineSearch: 'strong-wolfe' | 'none';
  /** --tile: evaluate in tiles of this side (a multiple of the network's stride); null: chosen from the memory estimate (evaluation.ts). */
  tile: number | null;
  /** --max-memory in bytes: what the run may plan to use (evaluation.ts); null: 80 % of the machine's memory. */
  maxMemory: number | null;
  /** L-BFGS in rounds as scipy's fmin_l_bfgs_b called in a loop (--iterations counts rounds); null: one run. */
  lbfgsRounds: { maxfun?: number; maxIterations?: number } | null;
  printEvery: number;
  saveEvery: number;
  quality: number;
  backend?: string;
  weights?: string;
  trace?: string;
  /** Where the run's state is kept to resume it (--checkpoint; default beside the output, or the --resume file). */
  checkpoint: string;
  /** Iterations between checkpoints, as --iterations counts them; 0: only on Ctrl-C. */
  checkpointEvery: number;
  /** The checkpoint to go on from (--resume). */
  resume?: string;
  /** How the run was asked for, with the seed it got: a checkpoint keeps it, so that `--resume` alone can run it again. */
  invocation: { content: string; styles: string[]; options: RawStylizeOptions };
}

/** What commander hands over: every option as the string the user typed (or absent). */
export interface RawStylizeOptions {
  preset?: string;
  output?: string;
  size?: string;
  styleScale?: string;
  styleBlendWeights?: string;
  styleResize?: string;
  iterations?: string;
  scales?: string;
  scaleIterations?: string;
  init?: string;
  seed?: string;
  model?: string;
  contentLayers?: string;
  styleLayers?: string;
  styleLayerWeights?: string;
  contentWeight?: string;
  styleWeight?: string;
  tvWeight?: string;
  contentLoss?: string;
  styleLoss?: string;
  gramNorm?: string;
  styleWeightSplit?: string;
  tvNorm?: string;
  tvPower?: string;
  pooling?: string;
  normalizeGradients?: boolean;
  originalColors?: boolean;
  pixelSpace?: string;
  clip?: string;
  optimizer?: string;
  learningRate?: string;
  lrDecayRate?: string;
  lrDecaySteps?: string;
  lrStaircase?: boolean;
  adamBeta1?: string;
  adamBeta2?: string;
  adamEpsilon?: string;
  adamEpsilonForm?: string;
  lbfgsHistory?: string;
  lineSearch?: string;
  tile?: string;
  maxMemory?: string;
  lbfgsMaxfun?: string;
  lbfgsMaxiter?: string;
  printEvery?: string;
  saveEvery?: string;
  quality?: string;
  backend?: string;
  weights?: string;
  trace?: string;
  checkpoint?: string;
  checkpointEvery?: string;
  resume?: string;
}

function number(option: string, raw: string | undefined, fallback: number, check: (n: number) => boolean, expected: string): number {
  if (raw === undefined) return fallback;
  const n = Number(raw.trim());
  if (raw.trim() === '' || !Number.isFinite(n) || !check(n)) {
    throw new UserError(`${option}: expected ${expected}, got '${raw}'`);
  }
  return n;
}

const positiveInteger = (option: string, raw: string | undefined, fallback: number) =>
  number(option, raw, fallback, (n) => Number.isInteger(n) && n > 0, 'a positive integer');
const nonNegativeInteger = (option: string, raw: string | undefined, fallback: number) =>
  number(option, raw, fallback, (n) => Number.isInteger(n) && n >= 0, 'an integer >= 0');
const nonNegative = (option: string, raw: string | undefined, fallback: number) =>
  number(option, raw, fallback, (n) => n >= 0, 'a number >= 0');
const positive = (option: string, raw: string | undefined, fallback: number) =>
  number(option, raw, fallback, (n) => n > 0, 'a number > 0');

function numberList(option: string, raw: string, count: number, what: string): number[] {
  const values = raw.split(',').map((s) => number(option, s, 0, (n) => n >= 0, 'comma-separated numbers >= 0'));
  if (values.length !== count) throw new UserError(`${option}: expected ${count} values (one per ${what}), got ${values.length}`);
  return values;
}

function layerList(option: string, raw: string | undefined, fallback: readonly string[], allowEmpty: boolean, model: NetworkDescription): string[] {
  if (raw === undefined) return [...fallback];
  const layers = raw.split(',').map((s) => s.trim()).filter((s) => s !== '');
  for (const layer of layers) {
    if (!model.layers.includes(layer)) throw new UserError(`${option}: unknown layer '${layer}' for ${model.name} (known: ${model.layers.join(', ')})`);
  }
  if (layers.length === 0 && !allowEmpty) throw new UserError(`${option}: give at least one layer`);
  return layers;
}

function choice<T extends string>(option: string, raw: string | undefined, fallback: T, allowed: readonly T[]): T {
  if (raw === undefined) return fallback;
  if (!(allowed as readonly string[]).includes(raw)) throw new UserError(`${option}: expected one of ${allowed.join(', ')}, got '${raw}'`);
  return raw as T;
}

/**
 * --normalize-gradients rescales each layer's gradient, so L-BFGS's line search would test
 * true loss values against slopes that are not the loss's: the Wolfe conditions lose their
 * meaning. neural-style runs L-BFGS without line search; so does this, unless a line search
 * is asked for explicitly, which is refused.
 */
function chooseLineSearch(raw: RawStylizeOptions, optimizer: OptimizerName): 'strong-wolfe' | 'none' {
  const lineSearch = choice('--line-search', raw.lineSearch, D.lineSearch, ['strong-wolfe', 'none'] as const);
  if (!raw.normalizeGradients || optimizer !== 'lbfgs') return lineSearch;
  if (raw.lineSearch === 'strong-wolfe') {
    throw new UserError(
      "--line-search strong-wolfe: not with --normalize-gradients, whose rescaled gradients are not the loss's slopes that the line search tests; use --line-search none (the default then, as in neural-style)",
    );
  }
  return 'none';
}

/** Sizes beyond this are refused outright; the memory estimate refuses smaller ones that do not fit. */
export const MAX_SIZE = 8192;

/** Why an option cannot be taken here: the value of the option it depends on, and where that value came from. */
function because(applied: PresetApplied, key: keyof RawStylizeOptions, value: string): string {
  const origin = applied.options[key] === undefined ? 'the default' : applied.fromPreset.has(key) ? `set by --preset ${applied.preset}` : 'given';
  return `${flagOf(key)} is ${value} (${origin})`;
}

/** Refuses an option given where it has no meaning (e.g. --tv-power with a squared TV). */
function onlyWith(applied: PresetApplied, key: keyof RawStylizeOptions, allowed: boolean, what: string, parent: keyof RawStylizeOptions, parentValue: string): void {
  if (applied.options[key] === undefined || allowed) return;
  throw new UserError(`${flagOf(key)}: only with ${what}; here ${because(applied, parent, parentValue)}`);
}

function clipBounds(raw: string | undefined): [number, number] | null {
  if (raw === undefined) return null;
  const parts = raw.split(',');
  const [lo, hi] = parts.map((p) => Number(p.trim()));
  if (parts.length !== 2 || parts.some((p) => p.trim() === '') || !Number.isFinite(lo) || !Number.isFinite(hi) || !(lo < hi)) {
    throw new UserError(`--clip: expected two numbers lo,hi with lo < hi, got '${raw}'`);
  }
  return [lo, hi];
}

const inUnitInterval = (option: string, raw: string | undefined, fallback: number) =>
  number(option, raw, fallback, (n) => n >= 0 && n < 1, 'a number in [0, 1)');

function tvForm(applied: PresetApplied): TvForm {
  const raw = applied.options;
  const norm = choice('--tv-norm', raw.tvNorm, D.tvNorm, TV_NORMS);
  onlyWith(applied, 'tvPower', norm === 'pow', '--tv-norm pow', 'tvNorm', norm);
  if (norm !== 'pow') return { norm };
  const power = number('--tv-power', raw.tvPower, D.tvPower, (n) => n >= 0.5, 'a number >= 0.5 (below, each term has a cusp where neighbours are equal)');
  return { norm, power };
}

/** The optimiser and its settings; refuses the settings of another optimiser. */
function optimizerSettings(applied: PresetApplied) {
  const raw = applied.options;
  const optimizer = choice('--optimizer', raw.optimizer, D.optimizer, OPTIMIZERS);
  const isAdam = optimizer === 'adam';
  const isLbfgs = optimizer === 'lbfgs';
  for (const key of ['adamBeta1', 'adamBeta2', 'adamEpsilon', 'adamEpsilonForm'] as const) {
    onlyWith(applied, key, isAdam, '--optimizer adam', 'optimizer', optimizer);
  }
  for (const key of ['lbfgsHistory', 'lineSearch', 'lbfgsMaxfun', 'lbfgsMaxiter'] as const) {
    onlyWith(applied, key, isLbfgs, '--optimizer lbfgs', 'optimizer', optimizer);
  }
  for (const key of ['lrDecayRate', 'lrDecaySteps', 'lrStaircase'] as const) {
    onlyWith(applied, key, !isLbfgs, '--optimizer sgd or adam (L-BFGS chooses its own steps)', 'optimizer', optimizer);
  }
  const learningRate = positive('--learning-rate', raw.learningRate, D.learningRate[optimizer]);
  let lrDecay: StylizeConfig['lrDecay'] = null;
  if (raw.lrDecayRate !== undefined) {
    const rate = number('--lr-decay-rate', raw.lrDecayRate, D.lrDecayRate, (n) => n > 0 && n <= 1, 'a number in (0, 1]');
    if (raw.lrDecaySteps === undefined) throw new UserError("--lr-decay-rate: give --lr-decay-steps too (Keras's decay_steps)");
    lrDecay = { rate, steps: positiveInteger('--lr-decay-steps', raw.lrDecaySteps, 1), staircase: Boolean(raw.lrStaircase) };
  } else {
    for (const key of ['lrDecaySteps', 'lrStaircase'] as const) {
      if (raw[key] !== undefined) throw new UserError(`${flagOf(key)}: only with --lr-decay-rate`);
    }
  }
  const lbfgsRounds =
    raw.lbfgsMaxfun === undefined && raw.lbfgsMaxiter === undefined
      ? null
      : {
          ...(raw.lbfgsMaxfun === undefined ? {} : { maxfun: positiveInteger('--lbfgs-maxfun', raw.lbfgsMaxfun, 1) }),
          ...(raw.lbfgsMaxiter === undefined ? {} : { maxIterations: positiveInteger('--lbfgs-maxiter', raw.lbfgsMaxiter, 1) }),
        };
  const clip = clipBounds(raw.clip);
  if (clip && isLbfgs && !lbfgsRounds) {
    throw new UserError('--clip: L-BFGS clips between outer iterations only; give --lbfgs-maxfun or --lbfgs-maxiter too');
  }
  return {
    optimizer,
    learningRate,
    lrDecay,
    adam: {
      beta1: inUnitInterval('--adam-beta1', raw.adamBeta1, D.adamBeta1),
      beta2: inUnitInterval('--adam-beta2', raw.adamBeta2, D.adamBeta2),
      epsilon: positive('--adam-epsilon', raw.adamEpsilon, D.adamEpsilon),
      epsilonForm: choice('--adam-epsilon-form', raw.adamEpsilonForm, D.adamEpsilonForm, ['pytorch', 'keras'] as const),
    },
    lbfgsHistory: positiveInteger('--lbfgs-history', raw.lbfgsHistory, D.lbfgsHistory),
    lineSearch: chooseLineSearch(raw, optimizer),
    lbfgsRounds,
    clip,
  };
}

/** More scales than this would start below any network's smallest input at every practical size. */
const MAX_SCALES = 6;

/**
 * --iterations (the total) and its split over --scales: by --scale-iterations when given (then
 * --iterations, if given too, must be their sum), else by the default shares (scales.ts).
 */
function iterationsPerScale(raw: RawStylizeOptions): Pick<StylizeConfig, 'iterations' | 'scaleIterations'> {
  const scales = number('--scales', raw.scales, D.scales, (n) => Number.isInteger(n) && n >= 1 && n <= MAX_SCALES, `an integer from 1 to ${MAX_SCALES}`);
  if (raw.scaleIterations === undefined) {
    const iterations = positiveInteger('--iterations', raw.iterations, D.iterations);
    if (iterations < scales) throw new UserError(`--iterations: at least one per scale, here ${scales} (--scales)`);
    return { iterations, scaleIterations: splitIterations(iterations, scales) };
  }
  const scaleIterations = numberList('--scale-iterations', raw.scaleIterations, scales, 'scale, coarsest first (--scales)');
  if (scaleIterations.some((n) => !Number.isInteger(n) || n < 1)) throw new UserError(`--scale-iterations: expected positive integers, got '${raw.scaleIterations}'`);
  const iterations = scaleIterations.reduce((a, b) => a + b, 0);
  if (raw.iterations !== undefined && positiveInteger('--iterations', raw.iterations, D.iterations) !== iterations) {
    throw new UserError(`--iterations: ${raw.iterations} is not the sum of --scale-iterations ${raw.scaleIterations} (${iterations}); give one of them`);
  }
  return { iterations, scaleIterations };
}

export function parseStylizeConfig(content: string, styles: string[], given: RawStylizeOptions): StylizeConfig {
  if (!given.output) throw new UserError('-o/--output: give the output image path (.png, .jpg or .jpeg)');
  const applied = withPreset(given);
  const raw = applied.options;
  const size = number('--size', raw.size, D.size, (n) => Number.isInteger(n) && n >= 16 && n <= MAX_SIZE, `an integer from 16 to ${MAX_SIZE} (pixels, longest side)`);
  const styleScale = positive('--style-scale', raw.styleScale, D.styleScale);
  const blend = raw.styleBlendWeights === undefined ? styles.map(() => 1) : numberList('--style-blend-weights', raw.styleBlendWeights, styles.length, 'style image');
  const blendSum = blend.reduce((a, b) => a + b, 0);
  if (blendSum <= 0) throw new UserError('--style-blend-weights: the weights must not all be zero');
  const model = modelNamed(raw.model ?? D.model);
  const layerDefaults = D.layers[model.name];
  const styleLayers = layerList('--style-layers', raw.styleLayers, layerDefaults.styleLayers, true, model);
  const contentLayers = layerList('--content-layers', raw.contentLayers, layerDefaults.contentLayers, true, model);
  // The network's own per-layer weights go with its own style layers only.
  const defaultStyleLayerWeights = raw.styleLayers === undefined ? [...layerDefaults.styleLayerWeights] : styleLayers.map(() => 1);
  if (styleLayers.length + contentLayers.length === 0) throw new UserError('--content-layers, --style-layers: give at least one layer');
  const tvWeight = nonNegative('--tv-weight', raw.tvWeight, D.tvWeight);
  const pixelSpace = choice('--pixel-space', raw.pixelSpace, D.pixelSpace, PIXEL_SPACES);
  const seed = nonNegativeInteger('--seed', raw.seed, Math.floor(Math.random() * 2 ** 31));
  if (pixelSpace === 'torchvision' && tvWeight > 0) {
    throw new UserError(`--tv-weight ${tvWeight}: --pixel-space torchvision takes no total variation term (its channels have scales of their own); give --tv-weight 0`);
  }
  return {
    ...(applied.preset === undefined ? {} : { preset: applied.preset }),
    content,
    styles,
    output: given.output,
    size,
    styleScale,
    styleBlendWeights: blend.map((b) => b / blendSum),
    styleResize: choice('--style-resize', raw.styleResize, D.styleResize, ['fit', 'stretch'] as const),
    ...iterationsPerScale(raw),
    init: raw.init ?? D.init,
    seed,
    model: model.name,
    contentLayers,
    styleLayers,
    styleLayerWeights:
      raw.styleLayerWeights === undefined ? defaultStyleLayerWeights : numberList('--style-layer-weights', raw.styleLayerWeights, styleLayers.length, 'style layer'),
    contentWeight: nonNegative('--content-weight', raw.contentWeight, D.contentWeight),
    styleWeight: nonNegative('--style-weight', raw.styleWeight, D.styleWeight),
    tvWeight,
    contentLoss: choice('--content-loss', raw.contentLoss, D.contentLoss, ['mean', 'sum'] as const),
    styleLoss: choice('--style-loss', raw.styleLoss, D.styleLoss, ['mean', 'sum'] as const),
    gramNorm: choice('--gram-norm', raw.gramNorm, D.gramNorm, GRAM_NORMS),
    styleWeightSplit: choice('--style-weight-split', raw.styleWeightSplit, D.styleWeightSplit, STYLE_WEIGHT_SPLITS),
    tv: tvForm(applied),
    pooling: choice('--pooling', raw.pooling, D.pooling, ['max', 'avg'] as const),
    tile: raw.tile === undefined || raw.tile === D.tile ? null : tileOption(positiveInteger('--tile', raw.tile, 1), model, { contentLayers, styleLayers }),
    maxMemory: raw.maxMemory === undefined || raw.maxMemory === D.maxMemory ? null : positive('--max-memory', raw.maxMemory, 1) * 2 ** 30,
    normalizeGradients: Boolean(raw.normalizeGradients),
    originalColors: Boolean(raw.originalColors),
    pixelSpace,
    ...optimizerSettings(applied),
    printEvery: nonNegativeInteger('--print-every', raw.printEvery, D.printEvery),
    saveEvery: nonNegativeInteger('--save-every', raw.saveEvery, D.saveEvery),
    quality: number('--quality', raw.quality, D.quality, (n) => Number.isInteger(n) && n >= 1 && n <= 100, 'an integer from 1 to 100'),
    backend: raw.backend,
    weights: raw.weights,
    trace: raw.trace,
    checkpoint: raw.checkpoint ?? raw.resume ?? given.output + D.checkpointExtension,
    checkpointEvery: nonNegativeInteger('--checkpoint-every', raw.checkpointEvery, D.checkpointEvery),
    ...(raw.resume === undefined ? {} : { resume: raw.resume }),
    invocation: { content, styles, options: { ...given, seed: String(seed) } },
  };
}

/** The deepest content or style layer: the forward pass and the image size limits follow from it. */
export function deepestLossLayer(config: Pick<StylizeConfig, 'model' | 'contentLayers' | 'styleLayers'>): string {
  return deepestLayer(MODELS[config.model], [...config.contentLayers, ...config.styleLayers]);
}
