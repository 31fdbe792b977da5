/**
 * The defaults of `nst stylize`, in one place: the CLI help and README are checked against
 * this object. They follow jcjohnson/neural-style (DESIGN.md section 1) so results compare.
 */
export const STYLIZE_DEFAULTS = {
  /** Longest side of the output, px. */
  size: 512,
  /** The style image's longest side is size * styleScale. */
  styleScale: 1,
  /** Objective evaluations (neural-style counts iterations this way). */
  iterations: 500,
  init: 'content',
  contentLayers: ['relu4_2'],
  styleLayers: ['relu1_1', 'relu2_1', 'relu3_1', 'relu4_1', 'relu5_1'],
  contentWeight: 5,
  styleWeight: 100,
  tvWeight: 1e-3,
  pooling: 'max',
  optimizer: 'lbfgs',
  /**
   * L-BFGS history. neural-style inherits torch's 100 pairs; each pair is 2 images of
   * float32, so at 1024 px 100 pairs would take 1.8 GB. 10 pairs (scipy's default) cost
   * 180 MB there, and on these smooth image objectives converge about as fast.
   */
  lbfgsHistory: 10,
  lineSearch: 'strong-wolfe',
  /** L-BFGS: first trial step (scaled by 1/|g|_1 on the first iteration); Adam: step size, as neural-style's 1e1. */
  learningRate: { lbfgs: 1, adam: 10 },
  printEvery: 50,
  saveEvery: 0,
  quality: 92,
  /** Standard deviation of the random init in the preprocessed space (neural-style's 0.001). */
  randomInitStd: 0.001,
} as const;
