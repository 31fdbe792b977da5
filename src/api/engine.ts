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
import { fromRgba, toRgba, type RgbaImage } from '../image/rgba.js';
import type { LossBreakdown } from '../loss/objective.js';
import type { StopReason } from '../optim/index.js';
import { prepareRun, Stylizer, type PreparedRun } from '../stylize/stylizer.js';
import { configOf, INPUT_LABELS, optionOf, type StylizeOptions } from './options.js';
import { loadWeights, type WeightsSource } from './weights.js';
import type { ModelWeights } from '../weights/model-weights.js';
import type { ModelName } from '../models/description.js';
import type { ChannelMean } from '../image/preprocess.js';

export interface EngineOptions {
  /** The .nstw file: a path (Node), a URL, or its bytes. */
  weights: WeightsSource;
  /** 'auto' (default): headlessgl in Node (webgl2 then webgl in a browser), then webasm, then cpu. */
  backend?: BackendRequest;
}

/** One run: the images, the options of `nst stylize` (same names, camelCase, same defaults), and how to follow it. */
export interface RunRequest extends StylizeOptions {
  content: RgbaImage;
  /** One style image or several (blended by styleBlendWeights). */
  style: RgbaImage | RgbaImage[];
  /** Aborting stops the run after the current evaluation; it then resolves with the best image so far. */
  signal?: AbortSignal;
  /** Called after every iteration (as `iterations` counts them). */
  onProgress?(event: ProgressEvent): void;
  /** Attach the current image to every n-th progress event (0, the default: never; converting it costs a pass over the pixels). */
  imageEvery?: number;
}

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
  reason: StopReason;
  aborted: boolean;
}

/** A run started by engine.start(): iterate it for progress events, await `result` for the image. */
export interface StylizeRun extends AsyncIterable<ProgressEvent> {
  /** Resolves when the run ends; leaving a `for await` loop over the run early aborts it. */
  result: Promise<StylizeResult>;
}

/** Images and options checked and every scale's inputs prepared: all that can fail on bad input has. */
function prepare(request: RunRequest, weights: { model: ModelName; inputMean: ChannelMean }): { prepared: PreparedRun; imageEvery: number } {
  if (request === null || typeof request !== 'object') throw new UserError('expected the run as an object { content, style, ...options }');
  const { content, style, signal, onProgress, imageEvery = 0, ...options } = request;
  if (signal !== undefined && !(signal instanceof AbortSignal)) throw new UserError('signal: expected an AbortSignal', 'signal');
  if (onProgress !== undefined && typeof onProgress !== 'function') throw new UserError('onProgress: expected a function', 'onProgress');
  if (!Number.isInteger(imageEvery) || imageEvery < 0) throw new UserError(`imageEvery: expected an integer >= 0, got ${imageEvery}`, 'imageEvery');
  const styles = style === undefined ? [] : Array.isArray(style) ? style : [style];
  if (styles.length === 0) throw new UserError('style: give a style image (or several)', 'style');
  const config = configOf(options, styles.length, weights.model);
  const images = {
    content: fromRgbaInput(content, INPUT_LABELS.content, 'content'),
    styles: styles.map((image, i) => ({ path: INPUT_LABELS.style(i), image: fromRgbaInput(image, INPUT_LABELS.style(i), 'style') })),
    ...(typeof options.init === 'object' ? { init: fromRgbaInput(options.init, INPUT_LABELS.init, 'init') } : {}),
  };
  return { prepared: withOptionNamed(() => prepareRun(config, images, weights.inputMean)), imageEvery };
}

function fromRgbaInput(image: RgbaImage, label: string, option: string) {
  return withOptionNamed(() => fromRgba(image, label), option);
}

/** A UserError out of `f` names `option`, or the input its message starts with. */
function withOptionNamed<T>(f: () => T, option?: string): T {
  try {
    return f();
  } catch (e) {
    if (!(e instanceof UserError) || e.option !== undefined) throw e;
    throw new UserError(e.message, option ?? optionOf(e.message));
  }
}

export class StyleEngine {
  /** The runs started and not yet finished, in order: each starts when the one before ends. */
  private queue: Promise<unknown> = Promise.resolve();
  private disposed = false;

  private constructor(private readonly stylizer: Stylizer) {}

  /** The weights onto the device (the host copy stays: a later run may want another pooling or deeper layers). */
  static fromWeights(weights: ModelWeights, backend: BackendRequest = 'auto'): StyleEngine {
    // A backend that is not available here is the backend option's fault.
    return new StyleEngine(withOptionNamed(() => Stylizer.create({ backend: parseBackendRequest(String(backend), 'backend'), weights }), 'backend'));
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
    const { prepared, imageEvery } = prepare(request, { model: this.stylizer.model, inputMean: this.stylizer.inputMean });
    const events: ProgressEvent[] = [];
    let wake: (() => void) | null = null;
    let finished = false;
    let leftLoop = false;
    /** Events are kept for an iterator only: a caller that just awaits the result keeps no images. */
    let iterating = false;
    let started = 0;
    const totalIterations = prepared.config.iterations;
    const result = this.enqueue(async () => {
      started = performance.now();
      try {
        const outcome = await this.stylizer.run(prepared, {
          shouldStop: () => leftLoop || (request.signal?.aborted ?? false),
          onIteration: ({ iteration, evaluation, losses, size, image }) => {
            const event: ProgressEvent = {
              iteration,
              iterations: totalIterations,
              evaluation,
              losses,
              size,
              seconds: (performance.now() - started) / 1000,
              ...(imageEvery > 0 && iteration % imageEvery === 0 ? { image: toRgba(image()) } : {}),
            };
            request.onProgress?.(event);
            if (iterating) events.push(event);
            wake?.();
          },
        });
        if (!outcome.image) throw new Error('the loss was NaN or infinite from the first evaluation: no image');
        const { image, stopped, ...rest } = outcome;
        return { ...rest, image: toRgba(image), aborted: stopped, seed: prepared.config.seed };
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
  return StyleEngine.fromWeights(await weightsOf(options), options.backend);
}

/** One run on an engine of its own, released afterwards: for a single image (a service keeps an engine instead). */
export async function stylize(request: RunRequest & EngineOptions): Promise<StylizeResult> {
  const { weights: source, backend, ...run } = request;
  const weights = await weightsOf({ weights: source });
  prepare(run, weights); // bad options fail before anything goes to the device
  const engine = StyleEngine.fromWeights(weights, backend);
  try {
    return await engine.stylize(run);
  } finally {
    await engine.dispose();
  }
}
