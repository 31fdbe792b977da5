/**
 * The stylisation itself, apart from its doors: an engine with the network's weights on the
 * device, created once and reused for many runs (a service must not recompile kernels per
 * request), and one run on images already in memory. A run prepares every scale's images
 * first (one too small for the network fails before the long part), then optimises coarse to
 * fine (each scale starts from the last one's result, upsampled), tracking the best point, and
 * yields to the event loop between evaluations so a page stays responsive and a signal
 * handler gets to run. It reports the optimiser's iteration boundaries and goes on from one
 * (a checkpoint's, `nst stylize --resume`). It knows nothing of files, terminals or signals:
 * the library (src/api/) is its door, and `nst stylize` (run.ts) and the playground page go
 * through that. No Node built-ins.
 */
import type { BackendRequest, BackendName } from '../engine/backend.js';
import { asBackendFailure, type BackendFailure } from '../engine/backend-failure.js';
import { Engine } from '../engine/engine.js';
import { transferLuminance } from '../image/color.js';
import { fromNetworkInput, type ChannelMean } from '../image/preprocess.js';
import type { RgbImage } from '../image/types.js';
import type { ImageObjective, LossBreakdown } from '../loss/objective.js';
import type { Boundary, OptimizerState, OptimResult, StopReason } from '../optim/index.js';
import type { PairStorageFactory } from '../optim/pair-storage.js';
import { UserError } from '../errors.js';
import { deepestLayer } from '../models/description.js';
import { MODELS } from '../models/index.js';
import { Network } from '../network/network.js';
import type { ModelWeights } from '../weights/model-weights.js';
import type { ModelName } from '../models/description.js';
import { deepestLossLayer, type StylizeConfig } from './config.js';
import { planInputs, prepareInputs, type DecodedInputs, type RunInputs } from './inputs.js';
import { optimize } from './optimize.js';
import { PixelSpace } from './pixel-space.js';
import { createRecipeObjective } from './recipe-objective.js';
import { scaleSchedule, upsample } from './scales.js';

/** After each objective evaluation, counted over all scales. */
export interface EvaluationEvent {
  evaluation: number;
  losses: LossBreakdown;
  /** [width, height] of the scale being optimised. */
  size: [number, number];
}

/** After each iteration as --iterations counts them (an evaluation, or an outer L-BFGS iteration). */
export interface IterationEvent {
  iteration: number;
  /** Evaluations so far, over all scales. */
  evaluation: number;
  losses: LossBreakdown;
  size: [number, number];
  /** The current image at this scale's size: computed on demand (every pixel converted), valid during the call only. */
  image(): RgbImage;
}

/** Where a run is in its coarse-to-fine schedule: at scale `scale` (0: coarsest), after the scales before it. */
export interface ScalePosition {
  scale: number;
  /** Evaluations and iterations (as --iterations counts them) of the scales before this one. */
  evaluationsBefore: number;
  iterationsBefore: number;
}

/** The lowest-loss point evaluated at the current scale, and its evaluation (counted over all scales). */
export interface BestPoint {
  losses: LossBreakdown;
  evaluation: number;
  x: Float32Array;
}

/** At each of the optimiser's iteration boundaries (src/optim/state.ts): what a checkpoint keeps. */
export interface BoundaryEvent {
  position: ScalePosition;
  /** Iterations done before the boundary, over all scales, as --iterations counts them. */
  iteration: number;
  boundary: Boundary;
  /** The best point of this scale as it is when called (also after the run): later evaluations may have lowered it. */
  best(): BestPoint;
}

/** A run to go on with from a boundary (a checkpoint's): the scales before `scale` are done. */
export interface RunResumption extends ScalePosition {
  /** The best point of that scale so far. */
  best: BestPoint;
  /** The optimiser's state at the boundary: it holds the point. */
  optimizer: OptimizerState;
}

export interface RunHooks {
  onEvaluation?(event: EvaluationEvent): void;
  onIteration?(event: IterationEvent): void;
  onBoundary?(event: BoundaryEvent): void;
  /** Go on from this point of an earlier run with the same configuration and images, instead of starting afresh. */
  resume?: RunResumption;
  /** Asked after every evaluation: true stops the run, which then returns the best image so far. */
  shouldStop?(): boolean;
  /** Stop after this many objective evaluations, whatever the iterations say (the gallery gives every preset the same budget). */
  maxEvaluations?: number;
  /** Where L-BFGS keeps its pairs; default in memory (a file at print sizes: history-file.ts). */
  historyStorage?: PairStorageFactory;
}

export interface RunOutcome {
  backend: BackendName;
  /** [width, height] of the output. */
  size: [number, number];
  evaluations: number;
  reason: StopReason;
  /** The losses of the best evaluation. */
  losses: LossBreakdown;
  seconds: number;
  /** shouldStop() said so. */
  stopped: boolean;
  /**
   * At the output's size: the optimiser's final point; the best point so far when stopped; the
   * last point with a finite loss when the loss became NaN; null when no loss was ever finite.
   */
  image: RgbImage | null;
}

/** The backend failed mid-run (a fallback, a shader, a texture limit); the best image so far comes with it. */
export class BackendRunError extends Error {
  constructor(
    readonly backend: BackendName,
    readonly failure: BackendFailure,
    /** The best image so far at the output's size, and its evaluation; null before the first finite loss. */
    readonly best: { image: RgbImage; evaluation: number } | null,
  ) {
    super(`the ${backend} backend failed: ${failure.reason}`);
    this.name = 'BackendRunError';
  }
}

/** A run's configuration with every scale's images prepared: what can fail on bad input has. */
export interface PreparedRun {
  config: StylizeConfig;
  /** The input mean the images were prepared with. */
  mean: ChannelMean;
  scales: Array<{ size: number; iterations: number; inputs: RunInputs }>;
  /** Tile side of tiled evaluation (src/loss/tiled-objective.ts), for scales larger than one tile; null: every scale whole. */
  tile: number | null;
}

/**
 * Prepares every scale's images for a network whose input is RGB on 0..255 minus `mean` (the
 * weights' convention); an image too small for the network is a UserError here, before any long work.
 */
export function prepareRun(config: StylizeConfig, images: DecodedInputs, mean: ChannelMean, tile = config.tile): PreparedRun {
  const scales = scaleSchedule(config.size, config.scaleIterations).map((scale) => ({
    ...scale,
    inputs: prepareInputs(config, planInputs(config, images, scale.size), mean),
  }));
  return { config, mean, scales, tile };
}

const NO_LOSSES: LossBreakdown = { content: NaN, style: NaN, tv: NaN, total: Infinity };

/** When a visible page last got a frame painted between evaluations. */
let lastFrame = 0;

/**
 * Lets the event loop run between evaluations (a signal handler, a click on Stop). A visible
 * page also gets a frame painted, at most every 100 ms: a timeout alone may run before the
 * browser's next frame, so the image would not change on screen until the run ends. (Hidden
 * tabs get no frames at all: a timeout then.)
 */
async function yieldToEventLoop(): Promise<void> {
  const page = typeof document !== 'undefined' && typeof requestAnimationFrame === 'function' && document.visibilityState === 'visible';
  if (page && performance.now() - lastFrame > 100) {
    await new Promise<void>((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)));
    lastFrame = performance.now();
  } else {
    await new Promise<void>((resolve) => setTimeout(resolve, 0));
  }
}

/** What the network on the device depends on. */
export type NetworkChoice = Pick<StylizeConfig, 'model' | 'pooling' | 'contentLayers' | 'styleLayers'>;

export interface StylizerOptions {
  backend: BackendRequest;
  weights: ModelWeights;
  /**
   * Build the network now, for one configuration's pooling and depth, and drop the host copy of
   * the weights (80 MB of float32): what a one-run process (`nst stylize`) wants. By default
   * the host copy stays, so that a later run may ask for another pooling or a deeper layer.
   */
  networkFor?: NetworkChoice;
}

export class Stylizer {
  private weights: ModelWeights | null;
  private net: { network: Network; pooling: StylizeConfig['pooling']; upTo: string } | null = null;
  private busy = false;
  private readonly modelName: ModelName;
  private readonly mean: ChannelMean;

  private constructor(
    readonly engine: Engine,
    weights: ModelWeights,
  ) {
    this.weights = weights;
    this.modelName = weights.model;
    this.mean = weights.inputMean;
  }

  /** Chooses the backend and uploads the weights (up to the deepest loss layer with `networkFor`, else all). */
  static create(options: StylizerOptions): Stylizer {
    const stylizer = new Stylizer(Engine.create(options.backend), options.weights);
    try {
      if (options.networkFor) {
        stylizer.network(options.networkFor);
        stylizer.weights = null;
      }
    } catch (e) {
      const backend = stylizer.backend;
      stylizer.dispose();
      // Uploading the weights runs kernels too: a backend failing there is the run's failure, before any image.
      const failure = asBackendFailure(e);
      throw failure ? new BackendRunError(backend, failure, null) : e;
    }
    return stylizer;
  }

  get backend(): BackendName {
    return this.engine.backend;
  }

  /** The network the weights are for. */
  get model(): ModelName {
    return this.modelName;
  }

  /** The weights' input mean: images go in as RGB on 0..255 minus it (prepareRun). */
  get inputMean(): ChannelMean {
    return this.mean;
  }

  /** The network for a configuration: the one on the device when it has the pooling and reaches deep enough. */
  private network(config: NetworkChoice): Network {
    if (config.model !== this.modelName) throw new UserError(`model: the weights are for ${this.modelName}, not ${config.model}`, 'model');
    const model = MODELS[config.model];
    const needed = deepestLossLayer(config);
    if (this.net && this.net.pooling === config.pooling && deepestLayer(model, [this.net.upTo, needed]) === this.net.upTo) return this.net.network;
    if (!this.weights) throw new Error('the weights were uploaded for another configuration and their host copy dropped (networkFor)');
    this.net?.network.dispose();
    this.net = null;
    this.net = { network: new Network(this.engine, model, this.weights.convs, config.pooling, needed), pooling: config.pooling, upTo: needed };
    return this.net.network;
  }

  /** Device memory is released; the stylizer cannot run again. */
  dispose(): void {
    this.net?.network.dispose();
    this.net = null;
    this.weights = null;
    this.engine.destroy();
  }

  /** One run (prepareRun first). Throws BackendRunError when the backend fails. */
  async run(prepared: PreparedRun, hooks: RunHooks = {}): Promise<RunOutcome> {
    if (this.busy) throw new Error('this stylizer is already running: one run at a time per engine');
    this.busy = true;
    try {
      return await this.runScales(prepared, hooks);
    } finally {
      this.busy = false;
      // Textures of this run's sizes; the compiled kernels stay for the next run.
      this.engine.releaseCachedMemory();
    }
  }

  private async runScales({ config, mean, scales, tile: runTile }: PreparedRun, hooks: RunHooks): Promise<RunOutcome> {
    const final = scales[scales.length - 1].inputs;
    const net = this.network(config);
    const pixels = new PixelSpace(config.pixelSpace, mean);
    /** y in the pixel space, at the size of `inputs`, as an image. */
    const toImage = (y: Float32Array, inputs: RunInputs): RgbImage => {
      const [, height, width] = inputs.shape;
      const img = fromNetworkInput(pixels.toNetwork(y), width, height, mean);
      return config.originalColors ? transferLuminance(img, inputs.content) : img;
    };
    /** A point of an earlier scale (stopped there) is upsampled to the output size first. */
    const outputImage = (y: Float32Array, inputs: RunInputs) => toImage(inputs === final ? y : upsample(y, inputs.shape, final.shape), final);

    // The lowest-loss point evaluated at the current scale: what a stopped run returns, and
    // what a backend failure (an exception out of the optimiser) still hands back.
    let best = { losses: NO_LOSSES, evaluation: 0, x: new Float32Array(0), inputs: final };
    let objective: ImageObjective | null = null;
    let stopped = false;
    const start = performance.now();
    try {
      const { resume } = hooks;
      // Counts over all scales so far: progress, trace, checkpoints and the budget are the run's.
      let evaluationsBefore = resume?.evaluationsBefore ?? 0;
      let evaluationsSoFar = evaluationsBefore;
      let iterationsBefore = resume?.iterationsBefore ?? 0;
      let y = pixels.fromNetwork(scales[0].inputs.initial);
      let result: OptimResult | null = null;
      for (const [k, scale] of scales.entries()) {
        const { inputs } = scale;
        if (resume && k < resume.scale) continue; // done before the resumed boundary
        const resumeHere = resume?.scale === k ? resume : undefined;
        if (resumeHere) {
          y = new Float32Array(inputs.contentPixels.length); // the optimiser's state holds the point
        } else if (k > 0) {
          y = upsample(result!.x, scales[k - 1].inputs.shape, inputs.shape);
          this.engine.releaseCachedMemory(); // textures of the last scale's sizes
        }
        // A scale no larger than one tile runs whole: the same function, in one pass.
        const tile = runTile !== null && Math.max(inputs.shape[1], inputs.shape[2]) > runTile ? runTile : null;
        const recipe = createRecipeObjective(this.engine, net, config, inputs.shape, inputs.contentPixels, inputs.styles, mean, tile);
        objective = recipe.objective;
        const objectiveRef = objective;
        best = resumeHere
          ? { ...resumeHere.best, x: resumeHere.best.x.slice(), inputs }
          : { losses: NO_LOSSES, evaluation: 0, x: new Float32Array(y.length), inputs };
        const bestHere = best;
        const size: [number, number] = [inputs.shape[2], inputs.shape[1]];
        const onEvaluation = async ({ evaluation, x }: { evaluation: number; x: Float32Array }) => {
          const losses = objectiveRef.last;
          const i = evaluationsBefore + evaluation;
          evaluationsSoFar = i;
          if (losses.total < best.losses.total) {
            best.losses = losses;
            best.evaluation = i;
            best.x.set(x);
          }
          hooks.onEvaluation?.({ evaluation: i, losses, size });
          await yieldToEventLoop();
          stopped ||= hooks.shouldStop?.() ?? false;
          return stopped || i >= (hooks.maxEvaluations ?? Infinity) ? ('stop' as const) : undefined;
        };
        const onIteration = (iteration: number, x: Float32Array) => {
          hooks.onIteration?.({ iteration: iterationsBefore + iteration, evaluation: evaluationsSoFar, losses: objectiveRef.last, size, image: () => toImage(x, inputs) });
        };
        const position: ScalePosition = { scale: k, evaluationsBefore, iterationsBefore };
        const onBoundary = hooks.onBoundary && ((iteration: number, boundary: Boundary) => {
          hooks.onBoundary!({ position, iteration: position.iterationsBefore + iteration, boundary, best: () => bestHere });
        });
        result = await optimize({ ...config, iterations: scale.iterations }, recipe.f, y, { onEvaluation, onIteration, onBoundary, resume: resumeHere?.optimizer, historyStorage: hooks.historyStorage });
        objective.dispose();
        objective = null;
        evaluationsBefore += result.evaluations;
        iterationsBefore += scale.iterations;
        if (result.reason === 'stopped' || result.reason === 'non-finite') break;
      }
      const point = stopped && best.evaluation > 0 ? { x: best.x, inputs: best.inputs } : { x: result!.x, inputs: best.inputs };
      return {
        backend: this.engine.backend,
        size: [final.shape[2], final.shape[1]],
        evaluations: evaluationsBefore,
        reason: result!.reason,
        losses: best.losses,
        seconds: (performance.now() - start) / 1000,
        stopped,
        image: Number.isFinite(result!.loss) || (stopped && best.evaluation > 0) ? outputImage(point.x, point.inputs) : null,
      };
    } catch (e) {
      const failure = asBackendFailure(e);
      if (!failure) throw e;
      const kept = best.evaluation > 0 ? { image: outputImage(best.x, best.inputs), evaluation: best.evaluation } : null;
      throw new BackendRunError(this.engine.backend, failure, kept);
    } finally {
      objective?.dispose();
    }
  }
}
