/**
 * The library's options: every option of `nst stylize` that is about the image (not files,
 * terminals or the machine), typed. They go through the very parser the command line does
 * (config.ts, presets.ts), so that both have one table of defaults (defaults.ts), the same
 * presets and the same checks; a UserError says which option is at fault (`error.option`).
 */
import { UserError } from '../errors.js';
import type { GramNorm, StyleWeightSplit } from '../loss/loss-forms.js';
import type { TvNorm } from '../ops/total-variation.js';
import type { InputImage } from '../image/rgba.js';
import { parseStylizeConfig, type OptimizerName, type RawStylizeOptions, type StylizeConfig } from '../stylize/config.js';
import type { PixelSpaceName } from '../stylize/pixel-space.js';
import type { ModelName } from '../models/description.js';

/**
 * Options of `nst stylize` that belong to its doors: files, the terminal, the machine. The
 * checkpoint files (--checkpoint, --checkpoint-every, --resume) are the command line's: the
 * library refuses them as unknown options and offers what they are made of instead (a run's
 * onBoundary and resume, engine.ts).
 */
const DOOR_OPTIONS = ['output', 'printEvery', 'saveEvery', 'quality', 'trace', 'backend', 'weights', 'checkpoint', 'checkpointEvery', 'resume'] as const;
type DoorOption = (typeof DOOR_OPTIONS)[number];

export interface StylizeOptions {
  /** A source article's recipe (README, Presets; PRESETS); the options given here override it. */
  preset?: string;
  /** The network: by default the one the engine's weights are for (or the preset's). */
  model?: ModelName;
  /** Longest side of the output, px (default 512). */
  size?: number;
  styleScale?: number;
  /** One per style image, normalised to sum to 1 (default equal). */
  styleBlendWeights?: number[];
  styleResize?: 'fit' | 'stretch';
  /** Objective evaluations over all scales (outer iterations with lbfgsMaxfun/lbfgsMaxiter). */
  iterations?: number;
  /** Coarse to fine: optimise at 1/2^(n-1), ..., 1/2 of the size first. */
  scales?: number;
  /** Iterations at each scale, coarsest first. */
  scaleIterations?: number[];
  /** The start: the content, Gaussian or uniform noise, or an image of your own. */
  init?: 'content' | 'random' | 'uniform' | InputImage;
  /** For the random starts (default: random, reported in the result). */
  seed?: number;
  contentLayers?: string[];
  styleLayers?: string[];
  styleLayerWeights?: number[];
  contentWeight?: number;
  styleWeight?: number;
  tvWeight?: number;
  contentLoss?: 'mean' | 'sum';
  styleLoss?: 'mean' | 'sum';
  gramNorm?: GramNorm;
  styleWeightSplit?: StyleWeightSplit;
  tvNorm?: TvNorm;
  tvPower?: number;
  pooling?: 'max' | 'avg';
  normalizeGradients?: boolean;
  originalColors?: boolean;
  pixelSpace?: PixelSpaceName;
  /** [lo, hi] in the pixel space. */
  clip?: [number, number];
  optimizer?: OptimizerName;
  learningRate?: number;
  lrDecayRate?: number;
  lrDecaySteps?: number;
  lrStaircase?: boolean;
  adamBeta1?: number;
  adamBeta2?: number;
  adamEpsilon?: number;
  adamEpsilonForm?: 'pytorch' | 'keras';
  lbfgsHistory?: number;
  lineSearch?: 'strong-wolfe' | 'none';
  /** Evaluate in tiles of this side, px (`--tile`); by default tiles only when the whole image's estimate exceeds the memory limit (memoryLimitBytes). */
  tile?: number;
  /** Memory the run may plan for, GiB (`--max-memory`); default 80 % of the machine's memory. */
  maxMemory?: number;
  lbfgsMaxfun?: number;
  lbfgsMaxiter?: number;
}

/**
 * Every option the library takes, by name. Typed against the command line's: an option added to
 * `nst stylize` that is missing here (or one here the command line lacks) does not compile.
 */
const OPTION_KEYS: { [K in Exclude<keyof RawStylizeOptions, DoorOption>]: K extends keyof StylizeOptions ? true : never } & {
  [K in keyof StylizeOptions]: K extends keyof RawStylizeOptions ? true : never;
} = {
  preset: true, model: true, size: true, styleScale: true, styleBlendWeights: true, styleResize: true, iterations: true, scales: true,
  scaleIterations: true, init: true, seed: true, contentLayers: true, styleLayers: true, styleLayerWeights: true,
  contentWeight: true, styleWeight: true, tvWeight: true, contentLoss: true, styleLoss: true, gramNorm: true,
  styleWeightSplit: true, tvNorm: true, tvPower: true, pooling: true, normalizeGradients: true, originalColors: true,
  pixelSpace: true, clip: true, optimizer: true, learningRate: true, lrDecayRate: true, lrDecaySteps: true,
  lrStaircase: true, adamBeta1: true, adamBeta2: true, adamEpsilon: true, adamEpsilonForm: true, lbfgsHistory: true,
  lineSearch: true, tile: true, maxMemory: true, lbfgsMaxfun: true, lbfgsMaxiter: true,
};

/** Labels the parser uses for the in-memory inputs, which its messages start with. */
export const INPUT_LABELS = { content: 'content', init: 'init', style: (i: number) => `style[${i}]` } as const;

/** What the parser's messages call the inputs: their names where given, else INPUT_LABELS. */
export interface InputNames {
  content: string;
  styles: string[];
  init: string;
}

export function inputNames(styles: number, given: { content?: string; styles?: Array<string | undefined>; init?: string } = {}): InputNames {
  return {
    content: given.content ?? INPUT_LABELS.content,
    styles: Array.from({ length: styles }, (_, i) => given.styles?.[i] ?? INPUT_LABELS.style(i)),
    init: given.init ?? INPUT_LABELS.init,
  };
}

/**
 * The library's options as `nst stylize` was given them (text, as commander hands it over;
 * the parser reads it as it reads the text configOf makes of numbers and arrays), without the
 * command line's own: how the command line runs through the library.
 */
export function optionsOfCommandLine(raw: RawStylizeOptions): StylizeOptions {
  const options: Record<string, unknown> = { ...raw };
  for (const key of DOOR_OPTIONS) delete options[key];
  return options as StylizeOptions;
}

/** camelCase name of a command-line flag: --style-weight -> styleWeight. */
const keyOfFlag = (flag: string) => flag.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());

/** The option a parser message is about: its messages start with the flag. */
function optionOf(message: string): string | undefined {
  const flag = /^(?:-o\/)?--([a-z0-9-]+)/.exec(message);
  return flag ? keyOfFlag(flag[1]) : undefined;
}

/**
 * A UserError from the parser, with the option at fault named for the library's user: its
 * message starts with the library's name of the option (styleWeight) instead of the flag; a
 * message about a named input (`names`) is that input's (content, style, init). The parser's
 * error, in the command line's words, is kept as the cause.
 */
export function withOption(e: unknown, names: InputNames): unknown {
  if (!(e instanceof UserError) || e.option !== undefined) return e;
  const named = inputOf(e.message, names);
  const option = named ?? optionOf(e.message);
  const flag = named ? undefined : /^(?:-o\/)?--[a-z0-9-]+/.exec(e.message)?.[0];
  return new UserError(flag && option ? option + e.message.slice(flag.length) : e.message, option, { cause: e });
}

/** The input a message is about, by the name it starts with. */
function inputOf(message: string, names: InputNames): string | undefined {
  const about = (name: string) => message.startsWith(`${name}:`);
  if (about(names.content)) return 'content';
  if (names.styles.some(about)) return 'style';
  return about(names.init) ? 'init' : undefined;
}

function rawValue(key: string, value: unknown): string | boolean | undefined {
  if (value === undefined || value === false) return undefined;
  if (value === true) return true;
  if (typeof value === 'number' || typeof value === 'string') return String(value);
  if (Array.isArray(value) && value.every((v) => typeof v === 'number' || typeof v === 'string')) return value.join(',');
  throw new UserError(`${key}: expected ${Array.isArray(value) ? 'an array of numbers or names' : 'a number, a name or a boolean'}, got ${JSON.stringify(value)}`, key);
}

const START_POINTS = ['content', 'random', 'uniform'];

/**
 * The checked configuration of a run on in-memory images (`inputs` names them, or counts the
 * style images) for weights of network `model`: the network unless the options (or their
 * preset) name another.
 */
export function configOf(options: StylizeOptions, inputs: InputNames | number, model?: ModelName): StylizeConfig {
  const names = typeof inputs === 'number' ? inputNames(inputs) : inputs;
  const raw: Record<string, string | boolean | undefined> = { output: '(memory)', ...(options.preset === undefined ? { model } : {}) };
  for (const key of Object.keys(options) as Array<keyof StylizeOptions>) {
    if (!(key in OPTION_KEYS)) throw new UserError(`${key}: unknown option (the options are those of nst stylize in camelCase: ${Object.keys(OPTION_KEYS).join(', ')})`, key);
    const value = options[key];
    if (key === 'init' && typeof value === 'string' && !START_POINTS.includes(value)) {
      throw new UserError(`init: expected ${START_POINTS.join(', ')} or an image { width, height, data }, got '${value}'`, 'init');
    }
    raw[key] = key === 'init' && value !== null && typeof value === 'object' ? names.init : rawValue(key, value);
  }
  let config: StylizeConfig;
  try {
    config = parseStylizeConfig(names.content, names.styles, raw as RawStylizeOptions);
  } catch (e) {
    throw withOption(e, names);
  }
  if (model !== undefined && config.model !== model) {
    const origin = options.model === undefined ? ` (set by preset ${options.preset})` : '';
    throw new UserError(`model: the weights are for ${model}, not ${config.model}${origin}; load weights for ${config.model}`, 'model');
  }
  return config;
}
