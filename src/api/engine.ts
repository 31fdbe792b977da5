/**
 * The library's engine: the weights on a device once, many runs on it (a service does not
 * recompile kernels or re-upload 80 MB per request), one at a time (later runs wait their
 * turn), until dispose(). A run takes RGBA images in memory and gives one back; its progress
 * comes as a callback, an async iterator, or both; an AbortSignal stops it with the best image
 * so far. Bad options or images are a UserError naming the option (before anything runs); a
 * backend that fails mid-run is a BackendRunError, which carries the best image so far.
 */
import { UserError } from '../errors.js';
import { parseBackendRequest, type BackendName, type BackendRequest } from '../engine/backend.js';
import { fromRgba, toRgba, type InputImage, type RgbaImage } from '../image/rgba.js';
import type { LossBreakdown } from '../loss/objective.js';
import type { StopReason } from '../optim/index.js';
import { chooseEvaluation } from '../stylize/evaluation.js';
import { historyBytes, type PairStorageFactory } from '../optim/pair-storage.js';
import { planInputs } from '../stylize/inputs.js';
import { memoryLimit, runMemoryLimit, type MemoryLimit } from '../stylize/machine-memory.js';
import {
  prepareRun,
  Stylizer,
  type BoundaryEvent as StylizerBoundaryEvent,
  type EvaluationEvent as StylizerEvaluationEvent,
  type NetworkChoice,
  type PreparedRun,
  type RunResumption,
} from '../stylize/stylizer.js';
import { configOf, inputNames, withOption, type InputNames, type StylizeOptions } from './options.js';
import { loadWeights, type WeightsSource } from './weights.js';
import type { ModelWeights } from '../weights/model-weights.js';
import type { ModelName } from '../models/description.js';
import type { ChannelMean } from '../image/preprocess.js';

export interface EngineOptions {
  /** The .nstw file: a path (Node), a URL, or its bytes. */
  weights: WeightsSource;
  /** 'auto' (default): headlessgl in Node (webgl2 then webgl in a browser), then webasm, then cpu. */
  backend?: BackendRequest;
  /**
   * Bytes a run may use (Infinity: no limit). A run whose memory estimate exceeds it is
   * evaluated in tiles, or refused (a UserError on `size`, or on `tile` when given) when even
   * the smallest tiles do not fit. Default: 80 % of the machine's memory, os.totalmem() in
   * Node, navigator.deviceMemory in a browser that tells it; no limit in one that does not.
   */
  memoryLimitBytes?: number;
}

/** One run: the images, the options of `nst stylize` (same names, camelCase, same defaults), and how to follow it. */
export interface RunRequest extends StylizeOptions {
  content: InputImage;
  /** One style image or several (blended by styleBlendWeights). */
  style: InputImage | InputImage[];
  /** Aborting stops the run after the current evaluation; it then resolves with the best image so far. */
  signal?: AbortSignal;
  /** Called after every iteration (as `iterations` counts them). */
  onProgress?(event: ProgressEvent): void;
  /** Attach the current image to every n-th progress event (0, the default: never; converting it costs a pass over the pixels). */
  imageEvery?: number;
  /** Called after every objective evaluation (L-BFGS's line search may make several per iteration): `nst stylize --trace`'s entries. */
  onEvaluation?(event: EvaluationEvent): void;
  /**
   * Called at each of the optimiser's iteration boundaries with what a checkpoint keeps (the
   * optimiser's state, where the run is, the best point): to go on later with `resume`.
   * The state is valid during the call and until the run passes its next boundary.
   */
  onBoundary?(event: BoundaryEvent): void;
  /**
   * Go on from a boundary of an earlier run with the same options and images (made from an
   * onBoundary event, as `nst stylize --resume` does), or a function of this run's plan giving
   * that (or undefined: start afresh); start() calls it before the run starts and throws what it throws.
   */
  resume?: RunResumption | ((plan: RunPlan) => RunResumption | undefined);
  /** Stop after this many objective evaluations, whatever `iterations` says. */
  maxEvaluations?: number;
  /**
   * Somewhere else to keep L-BFGS's curvature pairs when they do not fit the memory limit
   * (`nst stylize` gives a file beside the output: src/stylize/history-file.ts), called with
   * their size in bytes before the run starts; the caller releases it after the run. Without
   * it the pairs stay in memory and the memory check counts them.
   */
  historyStorage?: (bytes: number) => PairStorageFactory;
}

/**
 * Every hook is called after start() has returned (a run begins after the current task, and
 * after the runs before it on the engine); `seconds` count from the run's beginning.
 */
export interface ProgressEvent {
  /** 1-based, over all scales; `iterations` in all. */
  iteration: number;
  iterations: number;
  /** Objective evaluations so far (L-BFGS's line search may take several per iteration). */
  evaluation: number;
  losses: LossBreakdown;
  /** [width, height] being optimised (a coarse-to-fine run's coarser scales are smaller). */
  size: [number, number];
  /** Since the run started. */
  seconds: number;
  /** The current image at `size`, on every imageEvery-th iteration. */
  image?: RgbaImage;
}

/** After each objective evaluation: its number over all scales, its losses, the size being optimised. */
export interface EvaluationEvent extends StylizerEvaluationEvent {
  seconds: number;
}

/** At each of the optimiser's iteration boundaries. */
export interface BoundaryEvent extends StylizerBoundaryEvent {
  seconds: number;
}

/** What a run will do, known when start() returns: its sizes, the evaluation the memory limit allows. */
export interface RunPlan {
  backend: BackendName;
  /** [width, height] of the output. */
  size: [number, number];
  /** Each scale's size and iterations, coarsest first (one scale unless `scales` says more). */
  scales: Array<{ size: [number, number]; iterations: number }>;
  iterations: number;
  seed: number;
  /** The side of the tiles the objective is evaluated in (given as `tile`, or chosen for the memory limit); null: the whole image at once. */
  tile: number | null;
  /** The run's memory estimate, bytes. */
  memoryBytes: number;
  /** L-BFGS's pairs are kept by `historyStorage`, not in memory. */
  historyInFile: boolean;
}

export interface StylizeResult {
  /** The output: the final image; the best image so far when aborted; the last good one when the loss became NaN. */
  image: RgbaImage;
  backend: BackendName;
  /** [width, height] of the image. */
  size: [number, number];
  evaluations: number;
  /** The losses of the best evaluation. */
  losses: LossBreakdown;
  seconds: number;
  /** The seed of the random starts: the one given, or the one chosen. */
  seed: number;
  /** As the plan: tiles of this side, or null (the whole image). */
  tile: number | null;
  reason: StopReason;
  aborted: boolean;
}

/** A run started by engine.start(): iterate it for progress events, await `result` for the image. */
export interface StylizeRun extends AsyncIterable<ProgressEvent> {
  plan: RunPlan;
  /** Resolves when the run ends; leaving a `for await` loop over the run early aborts it. */
  result: Promise<StylizeResult>;
}

/** The loss was NaN or infinite from the first evaluation on: there is no image to give. */
export class NonFiniteLossError extends Error {
  constructor() {
    super('the loss was NaN or infinite from the first evaluation: no image');
    this.name = 'NonFiniteLossError';
  }
}

interface PreparedRequest {
  prepared: PreparedRun;
  /** The run's memory estimate. */
  bytes: number;
  historyInFile: boolean;
  imageEvery: number;
}

/**
 * Images and options checked, the evaluation chosen within the memory limit and every scale's
 * inputs prepared: all that can fail on bad input has.
 */
function prepare(request: RunRequest, weights: { model: ModelName; inputMean: ChannelMean }, limit: MemoryLimit | null): PreparedRequest {
  if (request === null || typeof request !== 'object') throw new UserError('expected the run as an object { content, style, ...options }');
  const { content, style, signal, onProgress, imageEvery = 0, onEvaluation, onBoundary, resume, maxEvaluations, historyStorage, ...options } = request;
  if (signal !== undefined && !(signal instanceof AbortSignal)) throw new UserError('signal: expected an AbortSignal', 'signal');
  for (const [name, hook] of Object.entries({ onProgress, onEvaluation, onBoundary, historyStorage })) {
    if (hook !== undefined && typeof hook !== 'function') throw new UserError(`${name}: expected a function`, name);
  }
  if (!Number.isInteger(imageEvery) || imageEvery < 0) throw new UserError(`imageEvery: expected an integer >= 0, got ${imageEvery}`, 'imageEvery');
  if (resume !== undefined && typeof resume !== 'function') checkResumption(resume);
  if (maxEvaluations !== undefined && !(Number.isInteger(maxEvaluations) && maxEvaluations > 0)) {
    throw new UserError(`maxEvaluations: expected a positive integer, got ${maxEvaluations}`, 'maxEvaluations');
  }
  const styles = style === undefined ? [] : Array.isArray(style) ? style : [style];
  if (styles.length === 0) throw new UserError('style: give a style image (or several)', 'style');
  const init = typeof options.init === 'object' ? options.init : undefined;
  const names = inputNames(styles.length, { content: content?.name, styles: styles.map((s) => s?.name), init: init?.name });
  const config = configOf(options, names, weights.model);
  return asLibraryError(() => {
    const images = {
      content: fromRgbaInput(content, names.content, 'content'),
      styles: styles.map((image, i) => ({ path: names.styles[i], image: fromRgbaInput(image, names.styles[i], 'style') })),
      ...(init ? { init: fromRgbaInput(init, names.init, 'init') } : {}),
    };
    const { tile, bytes, historyOnDisk } = chooseEvaluation(config, planInputs(config, images), runMemoryLimit(config, limit), historyStorage !== undefined);
    return { prepared: prepareRun(config, images, weights.inputMean, tile), bytes, historyInFile: historyOnDisk, imageEvery };
  }, names);
}

/** A resumption is what onBoundary gave; a checkpoint file's path is `nst stylize --resume`'s, not the library's. */
function checkResumption(resume: unknown): asserts resume is RunResumption | undefined {
  if (resume === undefined) return;
  const given = resume as Partial<RunResumption> | null;
  if (given === null || typeof given !== 'object' || typeof given.scale !== 'number' || !given.best || !given.optimizer) {
    throw new UserError(
      'resume: expected a boundary to go on from, { scale, evaluationsBefore, iterationsBefore, best, optimizer } as onBoundary gives it (or a function of the plan returning one); checkpoint files are nst stylize\'s',
      'resume',
    );
  }
}

function fromRgbaInput(image: InputImage, label: string, option: string) {
  try {
    return fromRgba(image, label);
  } catch (e) {
    throw e instanceof UserError ? new UserError(e.message, option) : e;
  }
}

/** A UserError out of `f` names the option or input at fault (options.ts, withOption). */
function asLibraryError<T>(f: () => T, names: InputNames): T {
  try {
    return f();
  } catch (e) {
    throw withOption(e, names);
  }
}

function planOf({ prepared, bytes, historyInFile }: PreparedRequest, backend: BackendName): RunPlan {
  const { config, scales, tile } = prepared;
  const sizeOf = ({ inputs }: PreparedRun['scales'][number]): [number, number] => [inputs.shape[2], inputs.shape[1]];
  return {
    backend,
    size: sizeOf(scales[scales.length - 1]),
    scales: scales.map((scale) => ({ size: sizeOf(scale), iterations: scale.iterations })),
    iterations: config.iterations,
    seed: config.seed,
    tile,
    memoryBytes: bytes,
    historyInFile,
  };
}

/** What StyleEngine.fromWeights takes besides the weights. */
export interface EngineSettings {
  backend?: BackendRequest;
  memoryLimitBytes?: number;
  /**
   * For an engine made for one run (`nst stylize`, the one-shot stylize()): the network is
   * built now for this configuration and the host copy of the weights dropped (80 MB for
   * VGG19), so later runs must not need another pooling or a deeper layer.
   */
  networkFor?: NetworkChoice;
}

export class StyleEngine {
  /** The runs started and not yet finished, in order: each starts when the one before ends. */
  private queue: Promise<unknown> = Promise.resolve();
  private disposed = false;

  private constructor(
    private readonly stylizer: Stylizer,
    private readonly memoryLimit: MemoryLimit | null,
  ) {}

  /** The weights onto the device (the host copy stays, unless `networkFor`: a later run may want another pooling or deeper layers). */
  static fromWeights(weights: ModelWeights, { backend = 'auto', memoryLimitBytes, networkFor }: EngineSettings = {}): StyleEngine {
    const limit = memoryLimit(memoryLimitBytes);
    try {
      return new StyleEngine(Stylizer.create({ backend: parseBackendRequest(String(backend), 'backend'), weights, networkFor }), limit);
    } catch (e) {
      // A backend that is not available here is the backend option's fault.
      throw e instanceof UserError && e.option === undefined ? new UserError(e.message, 'backend', { cause: e }) : e;
    }
  }

  /** The backend the kernels run on. */
  get backend(): BackendName {
    return this.stylizer.backend;
  }

  /** Runs to the end (or the abort) and gives the image. */
  async stylize(request: RunRequest): Promise<StylizeResult> {
    return this.start(request).result;
  }

  /**
   * Starts a run (after the runs already started on this engine) and returns at once: iterate
   * it for the progress events, await `result` for the image. Throws a UserError at once on bad
   * options or images.
   */
  start(request: RunRequest): StylizeRun {
    if (this.disposed) throw new Error('this engine was disposed');
    const checked = prepare(request, { model: this.stylizer.model, inputMean: this.stylizer.inputMean }, this.memoryLimit);
    const { prepared, imageEvery } = checked;
    const plan = planOf(checked, this.backend);
    const resume = typeof request.resume === 'function' ? request.resume(plan) : request.resume;
    checkResumption(resume);
    const [width, height] = plan.size;
    const historyStorage = plan.historyInFile ? request.historyStorage!(historyBytes(prepared.config.lbfgsHistory, 3 * width * height)) : undefined;
    const events: ProgressEvent[] = [];
    let wake: (() => void) | null = null;
    let finished = false;
    let leftLoop = false;
    /** Events are kept for an iterator only: a caller that just awaits the result keeps no images. */
    let iterating = false;
    let started = 0;
    const totalIterations = prepared.config.iterations;
    const seconds = () => (performance.now() - started) / 1000;
    const result = this.enqueue(async () => {
      started = performance.now();
      try {
        const outcome = await this.stylizer.run(prepared, {
          shouldStop: () => leftLoop || (request.signal?.aborted ?? false),
          maxEvaluations: request.maxEvaluations,
          ...(resume ? { resume } : {}),
          ...(historyStorage ? { historyStorage } : {}),
          onEvaluation: request.onEvaluation && ((event) => request.onEvaluation!({ ...event, seconds: seconds() })),
          onBoundary: request.onBoundary && ((event) => request.onBoundary!({ ...event, seconds: seconds() })),
          onIteration: ({ iteration, evaluation, losses, size, image }) => {
            const event: ProgressEvent = {
              iteration,
              iterations: totalIterations,
              evaluation,
              losses,
              size,
              seconds: seconds(),
              ...(imageEvery > 0 && iteration % imageEvery === 0 ? { image: toRgba(image()) } : {}),
            };
            request.onProgress?.(event);
            if (iterating) events.push(event);
            wake?.();
          },
        });
        if (!outcome.image) throw new NonFiniteLossError();
        const { image, stopped, ...rest } = outcome;
        return { ...rest, image: toRgba(image), aborted: stopped, seed: plan.seed, tile: plan.tile };
      } finally {
        finished = true;
        wake?.();
      }
    });
    // A caller that only iterates learns of a failure from the iterator; the promise is not left unhandled.
    result.catch(() => {});
    async function* follow(): AsyncGenerator<ProgressEvent> {
        try {
          for (;;) {
            while (events.length > 0) yield events.shift()!;
            if (finished) break;
            await new Promise<void>((resolve) => (wake = resolve));
            wake = null;
          }
          await result; // a failed run throws out of the loop
        } finally {
          if (!finished) leftLoop = true;
        }
    }
    return {
      plan,
      result,
      [Symbol.asyncIterator]() {
        iterating = true;
        return follow();
      },
    };
  }

  /** Releases the device memory and the kernels, after the runs already started end. */
  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    await this.queue.catch(() => {});
    this.stylizer.dispose();
  }

  private enqueue<T>(run: () => Promise<T>): Promise<T> {
    const next = this.queue.then(run, run);
    this.queue = next.catch(() => {});
    return next;
  }
}

function weightsOf(options: Partial<EngineOptions>): Promise<ModelWeights> {
  if (options === null || typeof options !== 'object' || options.weights === undefined) {
    throw new UserError('weights: give the .nstw file as a path, a URL or its bytes', 'weights');
  }
  return loadWeights(options.weights);
}

/** Loads the weights onto the device: create once, run many times, then dispose(). */
export async function createEngine(options: EngineOptions): Promise<StyleEngine> {
  const { backend, memoryLimitBytes } = options ?? {};
  return StyleEngine.fromWeights(await weightsOf(options), { backend, memoryLimitBytes });
}

/** One run on an engine of its own, released afterwards: for a single image (a service keeps an engine instead). */
export async function stylize(request: RunRequest & EngineOptions): Promise<StylizeResult> {
  const { weights: source, backend, memoryLimitBytes, ...run } = request;
  const weights = await weightsOf({ weights: source });
  // Bad options fail before anything goes to the device; the network is built for this run only.
  const { config } = prepare(run, weights, memoryLimit(memoryLimitBytes)).prepared;
  const engine = StyleEngine.fromWeights(weights, { backend, memoryLimitBytes, networkFor: config });
  try {
    return await engine.stylize(run);
  } finally {
    await engine.dispose();
  }
}
