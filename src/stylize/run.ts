/**
 * One style transfer run, as `nst stylize` does it: check everything that can be checked
 * before the long part (outputs writable, images readable, memory enough, weights present),
 * then optimise (coarse to fine over --scales: each scale starts from the last one's result,
 * upsampled), reporting progress, writing the trace and checkpoints as it goes, and save the
 * best image. Ctrl-C stops after the current evaluation and saves what there is; a NaN
 * or infinite loss, or a backend that fails (a fallback, a shader, a texture limit), stops the
 * run and keeps the best image so far. A trace or checkpoint that cannot be written is
 * reported once and the run goes on: the image is what the user waits for.
 */
import os from 'node:os';
import { basename, dirname, extname, join } from 'node:path';
import { isUserError, UserError } from '../errors.js';
import { Engine } from '../engine/engine.js';
import { resolveBackendRequest, type BackendName } from '../engine/backend.js';
import { asBackendFailure, muteFallbackWarnings, type BackendFailure } from '../engine/backend-failure.js';
import { checkWritable, fromNetworkInput, transferLuminance, writeImageAtomic, type RgbImage } from '../image/index.js';
import { StyleTransferObjective } from '../loss/objective.js';
import type { OptimResult, StopReason } from '../optim/index.js';
import { MODELS } from '../models/index.js';
import { Network } from '../network/network.js';
import { loadModelWeights } from '../weights/load.js';
import type { ModelWeights } from '../weights/model-weights.js';
import { resolveWeightsPath } from '../weights/locate.js';
import { deepestLossLayer, type StylizeConfig } from './config.js';
import { planInputs, prepareInputs, readInputs, type InputPlan, type RunInputs } from './inputs.js';
import { estimateRunBytes, formatBytes } from './memory.js';
import { optimize } from './optimize.js';
import { PixelSpace } from './pixel-space.js';
import { Progress } from './progress.js';
import { createRecipeObjective } from './recipe-objective.js';
import { scaleSchedule, upsample } from './scales.js';
import { TraceWriter } from './trace.js';

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

/** out.png -> out_N.png, beside it. */
export function checkpointPath(output: string, iteration: number): string {
  const ext = extname(output);
  return join(dirname(output), `${basename(output, ext)}_${iteration}${ext}`);
}

/** Refuses a run that would not fit in this machine's memory, with advice. */
function checkMemory(config: StylizeConfig, plan: InputPlan): void {
  const needed = estimateRunBytes({
    model: MODELS[config.model],
    width: plan.contentSize[0],
    height: plan.contentSize[1],
    deepestLayer: deepestLossLayer(config),
    optimizer: config.optimizer,
    lbfgsHistory: config.lbfgsHistory,
    styleImages: plan.styles.map(({ size: [width, height] }) => ({ width, height })),
  });
  const available = os.totalmem() * 0.8;
  if (needed > available) {
    throw new UserError(
      `--size ${config.size}: this run needs about ${formatBytes(needed)} but the machine has ${formatBytes(os.totalmem())}; ` +
        `use a smaller --size (memory grows with its square)${config.optimizer === 'lbfgs' ? ', a smaller --lbfgs-history or --optimizer adam' : ''}`,
    );
  }
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
 * A write beside the run (trace, checkpoint) whose failure must not end it. The first failure
 * is reported; later ones, most likely the same, are not, though each write is tried again.
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

export async function stylize(config: StylizeConfig, hooks: RunHooks = {}): Promise<RunSummary> {
  const log = hooks.log ?? ((line: string) => process.stderr.write(line + '\n'));
  checkWritable(config.output);
  if (config.trace) TraceWriter.checkWritable(config.trace);
  const images = readInputs(config);
  const schedule = scaleSchedule(config.size, config.scaleIterations);
  const finalPlan = planInputs(config, images);
  checkMemory(config, finalPlan);
  const model = MODELS[config.model];
  // Host copy of the weights (80 MB of float32 for VGG19): dropped once on the device.
  let weights: ModelWeights | null = loadModelWeights(resolveWeightsPath(config.weights, config.model), model);
  const { source: weightsSource, inputMean } = weights;
  // Every scale's images now, before the long part: one too small for the network fails here.
  const scales = schedule.map((scale) => ({ ...scale, inputs: prepareInputs(config, planInputs(config, images, scale.size), inputMean) }));
  const final = scales[scales.length - 1].inputs;
  const engine = Engine.create(resolveBackendRequest(config.backend));

  const pixels = new PixelSpace(config.pixelSpace, inputMean);
  /** y in the pixel space, at the size of `inputs`, as an image. */
  const toImage = (y: Float32Array, inputs: RunInputs): RgbImage => {
    const [, height, width] = inputs.shape;
    const img = fromNetworkInput(pixels.toNetwork(y), width, height, inputMean);
    return config.originalColors ? transferLuminance(img, inputs.content) : img;
  };
  const save = (path: string, y: Float32Array, inputs: RunInputs) => writeImageAtomic(path, toImage(y, inputs), { quality: config.quality });
  /** The output: a point of an earlier scale (interrupted there) is upsampled to the output size first. */
  const saveOutput = (y: Float32Array, inputs: RunInputs) =>
    save(config.output, inputs === final ? y : upsample(y, inputs.shape, final.shape), final);

  let net: Network | null = null;
  let objective: StyleTransferObjective | null = null;
  let progress: Progress | null = null;
  let interrupted = false;
  const onSigint = () => {
    interrupted = true;
    log('\ninterrupted: finishing the current iteration and saving the image');
  };
  // The lowest-loss point evaluated at the current scale, kept here too: a backend failure
  // ends the optimiser with an exception, and the image so far must still be saved.
  let best = { losses: { content: NaN, style: NaN, tv: NaN, total: Infinity }, evaluation: 0, x: new Float32Array(0), inputs: final };
  process.on('SIGINT', onSigint);
  const unmuteFallbackWarnings = muteFallbackWarnings();
  try {
    net = new Network(engine, model, weights.convs, config.pooling, deepestLossLayer(config));
    weights = null;
    const netRef = net;
    const [, height, width] = final.shape;
    const presetNote = config.preset ? `preset ${config.preset}, ` : '';
    const counted = config.optimizer === 'lbfgs' && config.lbfgsRounds ? 'outer iterations' : 'iterations';
    const scaleNote = scales.length > 1 ? ` over ${scales.length} scales (${scales.map((s) => `${s.inputs.shape[2]}x${s.inputs.shape[1]}: ${s.iterations}`).join(', ')})` : '';
    log(`stylize: ${width}x${height} px on ${engine.backend}, ${model.name}, ${presetNote}${config.iterations} ${counted} of ${config.optimizer}${scaleNote}, seed ${config.seed}, weights ${weightsSource}`);
    const trace = config.trace
      ? new TraceWriter(config.trace, { backend: engine.backend, size: [width, height], seed: config.seed, optimizer: config.optimizer })
      : null;
    const writeTrace = sideWrite(log);
    const writeCheckpoint = sideWrite(log);
    const progressRef = (progress = new Progress(config.iterations, config.printEvery, hooks.progressStream));
    const start = performance.now();
    // Counts over all scales so far: progress, trace, checkpoints and the budget are the run's.
    let evaluationsBefore = 0;
    let iterationsBefore = 0;
    let y = pixels.fromNetwork(scales[0].inputs.initial);
    let result: OptimResult | null = null;
    for (const [k, scale] of scales.entries()) {
      const { inputs } = scale;
      if (k > 0) {
        y = upsample(result!.x, scales[k - 1].inputs.shape, inputs.shape);
        engine.releaseCachedMemory(); // textures of the last scale's sizes
      }
      const recipe = createRecipeObjective(engine, netRef, config, inputs.shape, inputs.contentPixels, inputs.styles, inputMean);
      objective = recipe.objective;
      const objectiveRef = objective;
      best = { losses: { content: NaN, style: NaN, tv: NaN, total: Infinity }, evaluation: 0, x: new Float32Array(y.length), inputs };
      const size: [number, number] = [inputs.shape[2], inputs.shape[1]];
      const onEvaluation = async ({ evaluation, x }: { evaluation: number; x: Float32Array }) => {
        const losses = objectiveRef.last;
        const i = evaluationsBefore + evaluation;
        if (losses.total < best.losses.total) {
          best.losses = losses;
          best.evaluation = i;
          best.x.set(x);
        }
        if (trace) writeTrace(() => trace.add({ i, ...losses, ms: Math.round(performance.now() - start), ...(scales.length > 1 ? { size } : {}) }));
        // Let a pending SIGINT reach its handler: evaluations are synchronous.
        await new Promise((resolve) => setImmediate(resolve));
        return interrupted || i >= (hooks.maxEvaluations ?? Infinity) ? ('stop' as const) : undefined;
      };
      const onIteration = (iteration: number, x: Float32Array) => {
        const i = iterationsBefore + iteration;
        progressRef.update(i, objectiveRef.last);
        if (config.saveEvery > 0 && i % config.saveEvery === 0 && i < config.iterations) {
          writeCheckpoint(() => save(checkpointPath(config.output, i), x, inputs));
        }
      };
      result = await optimize({ ...config, iterations: scale.iterations }, recipe.f, y, { onEvaluation, onIteration });
      objective.dispose();
      objective = null;
      evaluationsBefore += result.evaluations;
      iterationsBefore += scale.iterations;
      if (result.reason === 'stopped' || result.reason === 'non-finite') break;
    }
    progress.finish();

    if (Number.isFinite(result!.loss)) saveOutput(result!.x, best.inputs);
    if (result!.reason === 'non-finite') {
      throw new DivergedError(
        Number.isFinite(result!.loss)
          ? `the loss became NaN or infinite after ${evaluationsBefore} iterations; kept the last good image in ${config.output}`
          : 'the loss was NaN or infinite from the first iteration; no image written',
      );
    }
    return {
      backend: engine.backend,
      size: [width, height],
      evaluations: evaluationsBefore,
      reason: result!.reason,
      losses: best.losses,
      seconds: (performance.now() - start) / 1000,
      interrupted,
    };
  } catch (e) {
    const failure = asBackendFailure(e);
    if (!failure) throw e;
    progress?.finish();
    const kept = best.evaluation > 0 ? `kept the best image so far (iteration ${best.evaluation}) in ${config.output}` : 'no image written';
    if (best.evaluation > 0) saveOutput(best.x, best.inputs);
    throw new RunFailedError(backendFailureMessage(engine.backend, failure, kept));
  } finally {
    unmuteFallbackWarnings();
    process.off('SIGINT', onSigint);
    objective?.dispose();
    net?.dispose();
    engine.destroy();
  }
}
