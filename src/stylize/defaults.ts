import type { ModelName } from '../models/description.js';

/** A network's default loss layers. */
export interface NetworkLayers {
  contentLayers: readonly string[];
  styleLayers: readonly string[];
  styleLayerWeights: readonly number[];
}

const NEURAL_STYLE_LAYERS: NetworkLayers = {
  contentLayers: ['relu4_2'],
  styleLayers: ['relu1_1', 'relu2_1', 'relu3_1', 'relu4_1', 'relu5_1'],
  styleLayerWeights: [1, 1, 1, 1, 1],
};

/** Article 002 (SqueezeNet 1.0), with `secondPool` for its pool after fire4. */
function articleLayers(secondPool: string): NetworkLayers {
  return {
    contentLayers: ['fire6'],
    styleLayers: ['conv1', 'fire2', 'fire3', 'fire4', secondPool, 'fire5', 'fire6', 'fire7'],
    styleLayerWeights: [1.0, 0.8, 0.65, 0.5, 0.45, 0.3, 0.1, 0.15],
  };
}

/**
 * The defaults of `nst stylize`, in one place: the CLI help and README are checked against
 * this object. They follow jcjohnson/neural-style (DESIGN.md section 1) so results compare;
 * the preset neural-style is exactly these.
 */
import type { LossForms } from '../loss/loss-forms.js';

export const STYLIZE_DEFAULTS = {
  /** Longest side of the output, px. */
  size: 512,
  /** The style image's longest side is size * styleScale. */
  styleScale: 1,
  /** Objective evaluations (neural-style counts iterations this way), over all scales. */
  iterations: 500,
  /** Coarse to fine: scales, each half the size of the next (scales.ts); their share of the iterations is DEFAULT_SCALE_SHARES. */
  scales: 1,
  /** fit: longest side = size * styleScale, aspect kept; stretch: the content's size (the Keras examples). */
  styleResize: 'fit',
  init: 'content',
  /** The network (src/models). */
  model: 'vgg19',
  /**
   * Per network, the content layers, the style layers and their weights (lambda_l).
   * VGG19 and VGG16: neural-style's. The SqueezeNets: article 002's choice, made on v1.0's
   * torchvision modules (content at fire6; style at conv1, fire2, fire3, fire4, the pool after
   * fire4, fire5, fire6, fire7 with weights 1.0, 0.8, 0.65, 0.5, 0.45, 0.3, 0.1, 0.15). On
   * v1.1, which pools after fire3 instead of fire4, the fires keep their names and that pool
   * is v1.1's second one, pool3 (README, "Networks").
   */
  layers: {
    vgg19: NEURAL_STYLE_LAYERS,
    vgg16: NEURAL_STYLE_LAYERS,
    squeezenet1_1: articleLayers('pool3'),
    squeezenet1_0: articleLayers('pool4'),
  } satisfies Record<ModelName, NetworkLayers>,
  contentWeight: 5,
  styleWeight: 100,
  tvWeight: 1e-3,
  contentLoss: 'mean',
  styleLoss: 'mean',
  gramNorm: 'chw',
  styleWeightSplit: 'each',
  tvNorm: 'squared',
  /** The power of --tv-norm pow when --tv-power is not given: the Keras examples' L^1.25. */
  tvPower: 1.25,
  pooling: 'max',
  /** The space the optimiser moves the pixels in: the network's input itself (0..255 minus the mean). */
  pixelSpace: 'network',
  optimizer: 'lbfgs',
  /**
   * L-BFGS history. neural-style inherits torch's 100 pairs; each pair is 2 images of
   * float32, so at 1024 px 100 pairs would take 1.8 GB. 10 pairs (scipy's default) cost
   * 180 MB there, and on these smooth image objectives converge about as fast.
   */
  lbfgsHistory: 10,
  lineSearch: 'strong-wolfe',
  /** Evaluation tile side in px: auto = the whole image at once when it fits in memory, else the largest tiles that fit (evaluation.ts). */
  tile: 'auto',
  /** Memory a run may plan for, in GiB: auto = 80 % of the machine's memory (evaluation.ts). */
  maxMemory: 'auto',
  /**
   * L-BFGS: trial step (scaled by 1/|g|_inf on the first iteration, 1/|g|_1 without line search); Adam: step size, as
   * neural-style's 1e1; SGD: step size (it depends on the loss's scale: the keras preset uses 100).
   */
  learningRate: { lbfgs: 1, adam: 10, sgd: 1 },
  /** Adam's parameters, as the paper, torch and PyTorch. */
  adamBeta1: 0.9,
  adamBeta2: 0.999,
  adamEpsilon: 1e-8,
  /** Where Adam adds epsilon: to the bias-corrected sqrt(v-hat), as PyTorch (and this project before presets). */
  adamEpsilonForm: 'pytorch',
  /** No learning-rate decay (a rate of 1). */
  lrDecayRate: 1,
  printEvery: 50,
  saveEvery: 0,
  quality: 92,
  /** --checkpoint's default: the output's path with this added (out.png.nstckpt). */
  checkpointExtension: '.nstckpt',
  /**
   * Iterations between checkpoints. Writing one costs about as much as copying the L-BFGS
   * history (2·m + 4 images of float32: 75 MB at 512×512 px), a fraction of a second, while an
   * evaluation takes seconds at the sizes where runs are long; 20 loses at most 20 of them.
   */
  checkpointEvery: 20,
  /** Standard deviation of the random init in the preprocessed space (neural-style's 0.001). */
  randomInitStd: 0.001,
} as const;

/** The loss forms of the defaults (jcjohnson/neural-style), for code that builds an objective without a config. */
export const DEFAULT_LOSS_FORMS: LossForms = {
  contentLoss: STYLIZE_DEFAULTS.contentLoss,
  styleLoss: STYLIZE_DEFAULTS.styleLoss,
  gramNorm: STYLIZE_DEFAULTS.gramNorm,
  styleWeightSplit: STYLIZE_DEFAULTS.styleWeightSplit,
  tv: { norm: STYLIZE_DEFAULTS.tvNorm },
};
