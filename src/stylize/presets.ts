/**
 * The recipes of the source articles (../shared/seeds, README "Presets") as data: each preset
 * is the `nst stylize` options that reproduce one recipe, with where it comes from and what
 * was chosen where the article is ambiguous or wrong. `--preset NAME` sets them; options
 * given on the command line override them (see withPreset for the options that travel together).
 */
import { UserError } from '../errors.js';
import type { RawStylizeOptions } from './config.js';

/** The options a preset can set: the recipe, not the files or the machine. */
export type PresetOptions = Partial<Omit<RawStylizeOptions, 'output' | 'preset' | 'backend' | 'weights' | 'trace' | 'seed'>>;

export interface Preset {
  name: string;
  /** The article(s), as files of ../shared/seeds, and what they are. */
  source: string;
  /** What was ambiguous or wrong in the source and what the preset does about it. */
  choices: string[];
  options: PresetOptions;
  /** Set while the preset needs something this tool does not have yet: running it exits 2 with this. */
  waitsFor?: string;
}

const KERAS_STYLE_LAYERS = 'relu1_1,relu2_1,relu3_1,relu4_1,relu5_1';

/** The Keras examples' loss forms: sums, the 4 * 3^2 * size^2 quirk, the style weight shared by the layers. */
const KERAS_LOSS_FORMS: PresetOptions = {
  contentLayers: 'relu5_2',
  contentLoss: 'sum',
  styleLayers: KERAS_STYLE_LAYERS,
  styleLoss: 'sum',
  gramNorm: 'keras',
  styleWeightSplit: 'shared',
  // load_img(style, target_size=(img_height, img_width)): the style image takes the content's size.
  styleResize: 'stretch',
};

const KERAS_QUIRK =
  "style loss divided by 4 * channels^2 * size^2 with channels = 3 and size = the image's pixels at every layer, as the article " +
  "(Gatys et al. meant each layer's channels and positions): kept, since the recipe's weights are tuned to it (--gram-norm keras)";

export const PRESETS: readonly Preset[] = [
  {
    name: 'neural-style',
    source: "jcjohnson/neural-style (DESIGN.md section 1): this tool's defaults",
    choices: [],
    options: {},
  },
  {
    name: 'keras',
    source: "article 003 (003_068a0bd768cc7fd2.txt): keras.io's neural style transfer example",
    choices: [
      KERAS_QUIRK,
      'ExponentialDecay without staircase, as the article (Keras\'s default): the rate falls smoothly, 0.96 per 100 steps',
      'the article fixes the image height at 400 px; here --size (the longest side) stays yours',
    ],
    options: {
      ...KERAS_LOSS_FORMS,
      contentWeight: '2.5e-8',
      styleWeight: '1e-6',
      tvNorm: 'pow',
      tvPower: '1.25',
      tvWeight: '1e-6',
      init: 'content',
      optimizer: 'sgd',
      learningRate: '100',
      lrDecayRate: '0.96',
      lrDecaySteps: '100',
      iterations: '4000',
    },
  },
  {
    name: 'keras-lbfgs',
    source: "article 000 (000_7d5bb1212d3c4922.txt), its complete Keras program with scipy's L-BFGS; rounds as article 004",
    choices: [
      KERAS_QUIRK,
      'total variation: tf.image.total_variation (sum of absolute differences), as the program; its weight 1.0 goes with that form ' +
        '(article 004 uses 1e-4 with the L^1.25 form: preset keras-lbfgs-book)',
      "the article's Gram function wraps the features in K.variable, which would cut the style gradient; the intended formula is used",
      '20 outer iterations of fmin_l_bfgs_b(maxiter=5), clipping to [-128, 127] in the network\'s space after each, as the program; ' +
        "L-BFGS's first trial step is this tool's (min(1, 1/|g|_inf)), not scipy's 1/|g|_2, and its line search is strong Wolfe, not scipy's",
      'the article fixes 600x800 px; here --size stays yours',
    ],
    options: {
      ...KERAS_LOSS_FORMS,
      contentWeight: '0.025',
      styleWeight: '1',
      tvNorm: 'abs',
      tvWeight: '1',
      init: 'uniform',
      optimizer: 'lbfgs',
      lbfgsHistory: '10',
      lbfgsMaxiter: '5',
      clip: '-128,127',
      iterations: '20',
    },
  },
  {
    name: 'keras-lbfgs-book',
    source: "article 004 (004_c91dd793a882b352.txt): the Keras example of F. Chollet's Deep Learning with Python, scipy's L-BFGS",
    choices: [
      KERAS_QUIRK,
      "the article's horizontal TV term reads x[:, img_height-1, ...] (one row, a typo); the intended x[:, :img_height-1, ...] of article 003 is used",
      '20 outer iterations of fmin_l_bfgs_b(maxfun=20): each a fresh L-BFGS run that stops after the iteration that takes it past 20 ' +
        "evaluations, as scipy counts them; first step and line search are this tool's (see keras-lbfgs)",
      'the article fixes the image height at 400 px; here --size stays yours',
    ],
    options: {
      ...KERAS_LOSS_FORMS,
      contentWeight: '0.025',
      styleWeight: '1',
      tvNorm: 'pow',
      tvPower: '1.25',
      tvWeight: '1e-4',
      init: 'content',
      optimizer: 'lbfgs',
      lbfgsHistory: '10',
      lbfgsMaxfun: '20',
      iterations: '20',
    },
  },
  {
    name: 'tf-adam',
    source:
      "articles 000 and 001 (000_7d5bb1212d3c4922.txt, 001_357f68f691a4003f.txt): TensorFlow's Adam recipe, with article 000's Adam " +
      '(lr 0.02, beta_1 0.99, epsilon 0.1, the TF tutorial\'s) and article 001\'s losses and weights',
    choices: [
      "Adam's numbers are for pixels in [0, 1] (the TF tutorial's image, clipped to [0, 1] after every step): --pixel-space unit; " +
        "article 001's inputs scaled to [-1, 1] are not what VGG19's weights expect",
      "Keras's Adam adds epsilon before the bias correction (--adam-epsilon-form keras)",
      'content at relu4_2 as article 001 says (its code indexes the style outputs, a bug), mean squared error, weight 1e3',
      "style: Gram matrices divided by H W, mean squared error, weight 1e-2 shared by the layers; article 001 also divides by " +
        '4 * channels^2 * size^2, which leaves the style term about 1e-15 of the loss (the TF blog post it follows has that factor ' +
        'commented out): not applied',
      "total variation: tf.image.total_variation on the [0, 1] image (article 000 and the TF tutorial), weight 30 (article 001's); " +
        "article 001's mean of squared differences is not used",
      'article 001 squashes both images to 512x512; here they keep their aspect',
    ],
    options: {
      contentLayers: 'relu4_2',
      contentWeight: '1e3',
      contentLoss: 'mean',
      styleLayers: KERAS_STYLE_LAYERS,
      styleWeight: '1e-2',
      styleLoss: 'mean',
      gramNorm: 'hw',
      styleWeightSplit: 'shared',
      tvNorm: 'abs',
      tvWeight: '30',
      init: 'content',
      pixelSpace: 'unit',
      clip: '0,1',
      optimizer: 'adam',
      learningRate: '0.02',
      adamBeta1: '0.99',
      adamBeta2: '0.999',
      adamEpsilon: '0.1',
      adamEpsilonForm: 'keras',
      iterations: '1000',
    },
  },
  {
    name: 'pytorch-squeezenet',
    source: 'article 002 (002_1544981574cd2977.txt): PyTorch with SqueezeNet 1.0 features',
    choices: [
      "network: the article's squeezenet1_0 has no weights here, so the recipe runs on squeezenet1_1 (the shared weights); " +
        'with v1.0 weights, --model squeezenet1_0 runs the same layers on the network the article used',
      "layers: the article's conv1_1 ... conv8_1 are features 0, 3, 4, 5, 6, 7, 8, 9 of v1.0: conv1 (after its in-place ReLU), " +
        'fire2, fire3, fire4, the max pool after fire4, fire5, fire6, fire7, content at fire6; on v1.1 the fires keep their names ' +
        "and v1.0's second pool (pool4) becomes v1.1's second pool, pool3 (README, Networks)",
      'pixels in torchvision\'s normalised space ((rgb/255 - m)/s) as the article\'s transform, so Adam\'s lr 0.003 and epsilon ' +
        'are its own (--pixel-space torchvision); PyTorch\'s Adam (epsilon after the bias correction)',
      'range(1, 2000) runs 1999 steps',
      'the article scales the shorter side to 256 px; here --size (the longest side) stays yours',
    ],
    options: {
      model: 'squeezenet1_1',
      contentLayers: 'fire6',
      contentWeight: '1',
      contentLoss: 'mean',
      styleLayers: 'conv1,fire2,fire3,fire4,pool3,fire5,fire6,fire7',
      styleLayerWeights: '1,0.8,0.65,0.5,0.45,0.3,0.1,0.15',
      styleWeight: '1e6',
      styleLoss: 'mean',
      gramNorm: 'chw',
      styleWeightSplit: 'each',
      tvWeight: '0',
      pooling: 'max',
      init: 'content',
      pixelSpace: 'torchvision',
      optimizer: 'adam',
      learningRate: '0.003',
      adamBeta1: '0.9',
      adamBeta2: '0.999',
      adamEpsilon: '1e-8',
      adamEpsilonForm: 'pytorch',
      iterations: '1999',
    },
  },
];

export const PRESET_NAMES: readonly string[] = PRESETS.map((p) => p.name);

export function findPreset(name: string): Preset {
  const preset = PRESETS.find((p) => p.name === name);
  if (!preset) throw new UserError(`--preset: unknown preset '${name}' (known: ${PRESET_NAMES.join(', ')}; see nst presets)`);
  if (preset.waitsFor) throw new UserError(`--preset ${name}: needs ${preset.waitsFor}`);
  return preset;
}

type OptionKey = keyof PresetOptions;

/**
 * Options that go with another: a preset's setting of one of them is dropped when that other
 * option is given on the command line, because it was chosen for the preset's value of it.
 */
const TRAVELS_WITH: ReadonlyArray<{ parent: OptionKey; dependents: readonly OptionKey[] }> = [
  {
    parent: 'optimizer',
    dependents: ['iterations', 'learningRate', 'lrDecayRate', 'lrDecaySteps', 'lrStaircase', 'adamBeta1', 'adamBeta2', 'adamEpsilon',
      'adamEpsilonForm', 'lbfgsHistory', 'lineSearch', 'lbfgsMaxfun', 'lbfgsMaxiter', 'clip'],
  },
  { parent: 'tvNorm', dependents: ['tvPower'] },
  // --scale-iterations sets the total: a preset's --iterations is dropped.
  { parent: 'scaleIterations', dependents: ['iterations'] },
  { parent: 'pixelSpace', dependents: ['clip', 'learningRate'] },
];

export interface PresetApplied {
  preset: string | undefined;
  options: RawStylizeOptions;
  /** The options whose value came from the preset, to say so in error messages. */
  fromPreset: ReadonlySet<string>;
}

/** The command line's options over the preset's, less the preset's options that travel with an overridden one. */
export function withPreset(raw: RawStylizeOptions): PresetApplied {
  if (raw.preset === undefined) return { preset: undefined, options: raw, fromPreset: new Set() };
  const preset = findPreset(raw.preset);
  const given = (key: string) => (raw as Record<string, unknown>)[key] !== undefined;
  const presetOptions: Record<string, unknown> = { ...preset.options };
  for (const { parent, dependents } of TRAVELS_WITH) {
    if (given(parent)) for (const key of dependents) delete presetOptions[key];
  }
  const fromPreset = new Set(Object.keys(presetOptions).filter((key) => !given(key)));
  const explicit = Object.fromEntries(Object.entries(raw).filter(([, value]) => value !== undefined));
  return { preset: preset.name, options: { ...presetOptions, ...explicit } as RawStylizeOptions, fromPreset };
}

/** `--content-weight 2.5e-8 ...`: what a preset sets, as options one could type. */
export function presetFlags(preset: Preset): string {
  return Object.entries(preset.options)
    .map(([key, value]) => (value === true ? flagOf(key) : `${flagOf(key)} ${value}`))
    .join(' ');
}

/** The command-line spelling of an option key: tvPower -> --tv-power. */
export function flagOf(key: string): string {
  return '--' + key.replace(/[A-Z]/g, (c) => '-' + c.toLowerCase());
}
