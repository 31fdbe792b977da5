/**
 * One style transfer run, as `nst stylize` does it: the files, terminal and signals door onto
 * the library's engine (src/api/engine.ts, which checks the options and images, plans the run
 * within the machine's memory and optimises). Check everything that can be checked before the
 * long part (outputs writable, images readable, weights present, memory enough), then run,
 * reporting progress, writing the trace, the --save-every images and the checkpoint (the run's
 * state, checkpoint.ts; checked against the run first when resuming) as it goes, and save the
 * image. Ctrl-C stops after the current evaluation and saves what there is, the checkpoint too;
 * a NaN or infinite loss, or a backend that fails (a fallback, a shader, a texture limit), stops
 * the run and keeps the best image so far. A trace, image or checkpoint beside the run that
 * cannot be written is reported once and the run goes on: the image is what the user waits for.
 */
import { existsSync } from 'node:fs';
import { basename, dirname, extname, join } from 'node:path';
import { isUserError, UserError } from '../errors.js';
import { NonFiniteLossError, StyleEngine, type RunRequest, type StylizeRun } from '../api/engine.js';
import { optionsOfCommandLine } from '../api/options.js';
import { resolveBackendRequest, type BackendName } from '../engine/backend.js';
import { muteFallbackWarnings, type BackendFailure } from '../engine/backend-failure.js';
import { checkWritable, readImage, writeImageAtomic, type RgbImage } from '../image/index.js';
import { fromRgba } from '../image/rgba.js';
import type { StopReason } from '../optim/index.js';
import { MODELS } from '../models/index.js';
import { loadModelWeights } from '../weights/load.js';
import { resolveWeightsPath } from '../weights/locate.js';
import type { StylizeConfig } from './config.js';
import type { DecodedInputs } from './inputs.js';
import { Progress } from './progress.js';
import { BackendRunError } from './stylizer.js';
import { TraceWriter } from './trace.js';
import { HistoryFile } from './history-file.js';
import { checkCheckpointWritable, CheckpointKeeper, readResumePoint, runIdentity, type ResumePoint, type RunIdentity } from './checkpoint.js';

export interface RunSummary {
  backend: string;
  size: [number, number];
  evaluations: number;
  reason: StopReason;
  losses: { content: number; style: number; tv: number; total: number };
  seconds: number;
  interrupted: boolean;
}

/** The run stopped for a reason that is not the user's input (a NaN loss, a backend failure): exit code 1, not 2. */
export class RunFailedError extends Error {}

/** The loss became NaN or infinite. */
export class DivergedError extends RunFailedError {}

/** The --save-every image of iteration N: out.png -> out_N.png, beside it. */
export function intermediatePath(output: string, iteration: number): string {
  const ext = extname(output);
  return join(dirname(output), `${basename(output, ext)}_${iteration}${ext}`);
}

/** The other backends that run in Node, for advice. */
function otherBackends(backend: BackendName): string {
  return (['headlessgl', 'webasm', 'cpu'] as const).filter((b) => b !== backend).join(' or ');
}

function backendFailureMessage(backend: BackendName, failure: BackendFailure, kept: string): string {
  const advice = failure.textureLimit
    ? `use a smaller --size, or --backend ${otherBackends(backend)}`
    : `try --backend ${otherBackends(backend)}; \`nst doctor --backend ${backend}\` shows which kernels fail here`;
  return `the ${backend} backend failed: ${failure.reason}; ${kept}; ${advice}`;
}

/**
 * A write beside the run (trace, --save-every image, checkpoint) whose failure must not end
 * it. The first failure is reported; later ones, most likely the same, are not, though each
 * write is tried again.
 */
function sideWrite(log: (line: string) => void): (write: () => void) => void {
  let warned = false;
  return (write) => {
    try {
      write();
    } catch (e) {
      if (!isUserError(e)) throw e;
      if (!warned) log(`nst: warning: ${e.message}; the run goes on (further failures of this write are not reported)`);
      warned = true;
    }
  };
}

export interface RunHooks {
  /** Progress output; default stderr. */
  progressStream?: NodeJS.WriteStream;
  log?: (line: string) => void;
  /** Stop after this many objective evaluations, whatever --iterations says (the gallery gives every preset the same budget). */
  maxEvaluations?: number;
}

/** The images the options name, decoded once (every scale resizes them). */
export function readInputs(config: StylizeConfig): DecodedInputs {
  return {
    content: readImage(config.content),
    styles: config.styles.map((path) => ({ path, image: readImage(path) })),
    ...(['content', 'random', 'uniform'].includes(config.init) ? {} : { init: readImage(config.init) }),
  };
}

/** The run as the library takes it: the decoded images, named by their paths for messages, and the options as given (with the seed chosen). */
function requestOf(config: StylizeConfig, images: DecodedInputs): RunRequest {
  return {
    ...optionsOfCommandLine(config.invocation.options),
    content: { ...images.content, name: config.content },
    style: images.styles.map(({ path, image }) => ({ ...image, name: path })),
    ...(images.init ? { init: { ...images.init, name: config.init } } : {}),
  };
}

/** A library UserError in the command line's words (flags, not option names): the parser's own, which it keeps as its cause. */
function inCommandLineWords(e: unknown): unknown {
  return e instanceof UserError && e.cause instanceof UserError ? e.cause : e;
}

export async function stylize(config: StylizeConfig, hooks: RunHooks = {}): Promise<RunSummary> {
  const log = hooks.log ?? ((line: string) => process.stderr.write(line + '\n'));
  checkWritable(config.output);
  if (config.trace) TraceWriter.checkWritable(config.trace);
  checkCheckpointWritable(config.checkpoint);
  const images = readInputs(config);
  const model = MODELS[config.model];
  const weights = loadModelWeights(resolveWeightsPath(config.weights, config.model), model);
  const save = (path: string, image: RgbImage) => writeImageAtomic(path, image, { quality: config.quality });

  let interrupted = false;
  const interrupt = new AbortController();
  const onSigint = () => {
    interrupted = true;
    interrupt.abort();
    log('\ninterrupted: finishing the current iteration and saving the image');
  };
  let engine: StyleEngine | null = null;
  let historyFile = null as HistoryFile | null;
  let progress: Progress | null = null;
  process.on('SIGINT', onSigint);
  const unmuteFallbackWarnings = muteFallbackWarnings();
  try {
    // The host copy of the weights is dropped once they are on the device.
    engine = StyleEngine.fromWeights(weights, { backend: resolveBackendRequest(config.backend), networkFor: config });
    // Known once the run is planned (start() calls `resume` then), before it starts.
    const planned: { identity?: RunIdentity; resumed?: ResumePoint } = {};
    const writeTrace = sideWrite(log);
    const writeIntermediate = sideWrite(log);
    const writeState = sideWrite(log);
    let run: StylizeRun;
    try {
      run = engine.start({
        ...requestOf(config, images),
        signal: interrupt.signal,
        maxEvaluations: hooks.maxEvaluations,
        imageEvery: config.saveEvery,
        // L-BFGS's pairs in a file beside the output when they do not fit in memory.
        historyStorage: (bytes) => (historyFile = new HistoryFile(dirname(config.output), bytes)).storage,
        // Checked on the backend chosen: a checkpoint resumes only on the one it was made on. The
        // tiles used, also when chosen from this machine's memory: tiled evaluation equals the whole
        // image's only up to float32 rounding, so a resumed run must tile as its start did.
        resume: (plan) => {
          planned.identity = runIdentity({ ...config, tile: plan.tile }, weights.payloadSha256 ?? '', plan.backend);
          if (config.resume) planned.resumed = readResumePoint(config.resume, planned.identity);
          return planned.resumed;
        },
        // The hooks are called once start() has returned: what they use is made below.
        onEvaluation: ({ evaluation, losses, size, seconds }) => {
          const entry = { i: evaluation, ...losses, ms: Math.round(elapsedBefore + seconds * 1000), ...(run.plan.scales.length > 1 ? { size } : {}) };
          keeper.record(entry);
          if (trace) writeTrace(() => trace.add(entry));
        },
        onBoundary: (event) => {
          if (keeper.boundaryReached(event, elapsedBefore + event.seconds * 1000)) writeState(() => keeper.write());
        },
        onProgress: ({ iteration, losses, image }) => {
          progressRef.update(iteration, losses);
          if (image && iteration < config.iterations) writeIntermediate(() => save(intermediatePath(config.output, iteration), fromRgba(image, config.output)));
        },
      });
    } catch (e) {
      throw inCommandLineWords(e);
    }
    const { plan } = run;
    const { identity, resumed } = planned as { identity: RunIdentity; resumed?: ResumePoint };
    const [width, height] = plan.size;
    const presetNote = config.preset ? `preset ${config.preset}, ` : '';
    const counted = config.optimizer === 'lbfgs' && config.lbfgsRounds ? 'outer iterations' : 'iterations';
    const scales = plan.scales;
    const scaleNote = scales.length > 1 ? ` over ${scales.length} scales (${scales.map((s) => `${s.size.join('x')}: ${s.iterations}`).join(', ')})` : '';
    const tileNote = plan.tile === null ? '' : `, evaluated in tiles of ${plan.tile} px`;
    const historyNote = plan.historyInFile ? `, L-BFGS history in a file in ${dirname(config.output)}` : '';
    log(`stylize: ${width}x${height} px on ${plan.backend}, ${model.name}, ${presetNote}${config.iterations} ${counted} of ${config.optimizer}${scaleNote}${tileNote}${historyNote}, seed ${config.seed}, weights ${weights.source}`);
    const trace = config.trace
      ? new TraceWriter(config.trace, { backend: plan.backend, size: [width, height], seed: config.seed, optimizer: config.optimizer }, resumed?.trace)
      : null;
    const progressRef = (progress = new Progress(config.iterations, config.printEvery, hooks.progressStream, resumed?.iteration));
    const elapsedBefore = resumed?.elapsedMs ?? 0;
    const keeper = new CheckpointKeeper(config, identity, [...(resumed?.trace ?? [])], resumed?.iteration ?? 0);
    if (!resumed && existsSync(config.checkpoint)) {
      log(`nst: note: ${config.checkpoint} exists (an earlier run's checkpoint?); this run will replace it (to go on with that run: nst stylize --resume ${config.checkpoint})`);
    }
    const outcome = await run.result.catch((e: unknown) => {
      if (e instanceof NonFiniteLossError) return null;
      throw e;
    });
    progress.finish();
    if (interrupted) {
      writeState(() => {
        keeper.write();
        log(`kept the run's state in ${config.checkpoint}; to go on: nst stylize --resume ${config.checkpoint}`);
      });
    }

    if (outcome) save(config.output, fromRgba(outcome.image, config.output));
    const diverged = outcome === null || outcome.reason === 'non-finite';
    if (!interrupted && !diverged) keeper.remove();
    if (diverged) {
      throw new DivergedError(
        outcome
          ? `the loss became NaN or infinite after ${outcome.evaluations} iterations; kept the last good image in ${config.output}`
          : 'the loss was NaN or infinite from the first iteration; no image written',
      );
    }
    return {
      backend: outcome.backend,
      size: outcome.size,
      evaluations: outcome.evaluations,
      reason: outcome.reason,
      losses: outcome.losses,
      seconds: outcome.seconds + elapsedBefore / 1000,
      interrupted,
    };
  } catch (e) {
    if (!(e instanceof BackendRunError)) throw e;
    progress?.finish();
    const kept = e.best ? `kept the best image so far (iteration ${e.best.evaluation}) in ${config.output}` : 'no image written';
    if (e.best) save(config.output, e.best.image);
    throw new RunFailedError(backendFailureMessage(e.backend, e.failure, kept));
  } finally {
    unmuteFallbackWarnings();
    process.off('SIGINT', onSigint);
    await engine?.dispose();
    historyFile?.release();
  }
}
