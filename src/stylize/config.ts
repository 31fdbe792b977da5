/**
 * `nst stylize` options: raw strings from the command line to a checked configuration.
 * Every problem is a UserError naming the option and what is wrong, so the CLI can print
 * one line and exit 2 before any long work starts.
 */
import { UserError } from '../errors.js';
import { deepestLayer, RELU_NAMES } from '../vgg/layers.js';
import { STYLIZE_DEFAULTS as D } from './defaults.js';

export interface StylizeConfig {
  content: string;
  styles: string[];
  output: string;
  size: number;
  styleScale: number;
  styleBlendWeights: number[];
  iterations: number;
  /** 'content', 'random', or an image path. */
  init: string;
  seed: number;
  contentLayers: string[];
  styleLayers: string[];
  styleLayerWeights: number[];
  contentWeight: number;
  styleWeight: number;
  tvWeight: number;
  pooling: 'max' | 'avg';
  normalizeGradients: boolean;
  originalColors: boolean;
  optimizer: 'lbfgs' | 'adam';
  learningRate: number;
  lbfgsHistory: number;
  lineSearch: 'strong-wolfe' | 'none';
  printEvery: number;
  saveEvery: number;
  quality: number;
  backend?: string;
  weights?: string;
  trace?: string;
}

/** What commander hands over: every option as the string the user typed (or absent). */
export interface RawStylizeOptions {
  output?: string;
  size?: string;
  styleScale?: string;
  styleBlendWeights?: string;
  iterations?: string;
  init?: string;
  seed?: string;
  contentLayers?: string;
  styleLayers?: string;
  styleLayerWeights?: string;
  contentWeight?: string;
  styleWeight?: string;
  tvWeight?: string;
  pooling?: string;
  normalizeGradients?: boolean;
  originalColors?: boolean;
  optimizer?: string;
  learningRate?: string;
  lbfgsHistory?: string;
  lineSearch?: string;
  printEvery?: string;
  saveEvery?: string;
  quality?: string;
  backend?: string;
  weights?: string;
  trace?: string;
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

function layerList(option: string, raw: string | undefined, fallback: readonly string[], allowEmpty: boolean): string[] {
  if (raw === undefined) return [...fallback];
  const layers = raw.split(',').map((s) => s.trim()).filter((s) => s !== '');
  for (const layer of layers) {
    if (!RELU_NAMES.includes(layer)) throw new UserError(`${option}: unknown layer '${layer}' (known: ${RELU_NAMES.join(', ')})`);
  }
  if (layers.length === 0 && !allowEmpty) throw new UserError(`${option}: give at least one layer`);
  return layers;
}

function choice<T extends string>(option: string, raw: string | undefined, fallback: T, allowed: readonly T[]): T {
  if (raw === undefined) return fallback;
  if (!(allowed as readonly string[]).includes(raw)) throw new UserError(`${option}: expected one of ${allowed.join(', ')}, got '${raw}'`);
  return raw as T;
}

/** Sizes beyond this are refused outright; the memory estimate refuses smaller ones that do not fit. */
export const MAX_SIZE = 8192;

export function parseStylizeConfig(content: string, styles: string[], raw: RawStylizeOptions): StylizeConfig {
  if (!raw.output) throw new UserError('-o/--output: give the output image path (.png, .jpg or .jpeg)');
  const size = number('--size', raw.size, D.size, (n) => Number.isInteger(n) && n >= 16 && n <= MAX_SIZE, `an integer from 16 to ${MAX_SIZE} (pixels, longest side)`);
  const styleScale = positive('--style-scale', raw.styleScale, D.styleScale);
  const blend = raw.styleBlendWeights === undefined ? styles.map(() => 1) : numberList('--style-blend-weights', raw.styleBlendWeights, styles.length, 'style image');
  const blendSum = blend.reduce((a, b) => a + b, 0);
  if (blendSum <= 0) throw new UserError('--style-blend-weights: the weights must not all be zero');
  const styleLayers = layerList('--style-layers', raw.styleLayers, D.styleLayers, true);
  const contentLayers = layerList('--content-layers', raw.contentLayers, D.contentLayers, true);
  if (styleLayers.length + contentLayers.length === 0) throw new UserError('--content-layers, --style-layers: give at least one layer');
  const optimizer = choice('--optimizer', raw.optimizer, D.optimizer, ['lbfgs', 'adam'] as const);
  return {
    content,
    styles,
    output: raw.output,
    size,
    styleScale,
    styleBlendWeights: blend.map((b) => b / blendSum),
    iterations: positiveInteger('--iterations', raw.iterations, D.iterations),
    init: raw.init ?? D.init,
    seed: nonNegativeInteger('--seed', raw.seed, Math.floor(Math.random() * 2 ** 31)),
    contentLayers,
    styleLayers,
    styleLayerWeights: raw.styleLayerWeights === undefined ? styleLayers.map(() => 1) : numberList('--style-layer-weights', raw.styleLayerWeights, styleLayers.length, 'style layer'),
    contentWeight: nonNegative('--content-weight', raw.contentWeight, D.contentWeight),
    styleWeight: nonNegative('--style-weight', raw.styleWeight, D.styleWeight),
    tvWeight: nonNegative('--tv-weight', raw.tvWeight, D.tvWeight),
    pooling: choice('--pooling', raw.pooling, D.pooling, ['max', 'avg'] as const),
    normalizeGradients: Boolean(raw.normalizeGradients),
    originalColors: Boolean(raw.originalColors),
    optimizer,
    learningRate: positive('--learning-rate', raw.learningRate, D.learningRate[optimizer]),
    lbfgsHistory: positiveInteger('--lbfgs-history', raw.lbfgsHistory, D.lbfgsHistory),
    lineSearch: choice('--line-search', raw.lineSearch, D.lineSearch, ['strong-wolfe', 'none'] as const),
    printEvery: nonNegativeInteger('--print-every', raw.printEvery, D.printEvery),
    saveEvery: nonNegativeInteger('--save-every', raw.saveEvery, D.saveEvery),
    quality: number('--quality', raw.quality, D.quality, (n) => Number.isInteger(n) && n >= 1 && n <= 100, 'an integer from 1 to 100'),
    backend: raw.backend,
    weights: raw.weights,
    trace: raw.trace,
  };
}

/** The deepest content or style layer: the forward pass and the image size limits follow from it. */
export function deepestLossLayer(config: Pick<StylizeConfig, 'contentLayers' | 'styleLayers'>): string {
  return deepestLayer([...config.contentLayers, ...config.styleLayers]);
}
