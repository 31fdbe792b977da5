/**
 * One style transfer run, as `nst stylize` does it: check everything that can be checked
 * before the long part (outputs writable, images readable, memory enough, weights present),
 * then optimise, reporting progress, writing the trace and checkpoints as it goes, and save
 * the best image. Ctrl-C stops after the current evaluation and saves what there is; a NaN
 * or infinite loss stops the run and keeps the last good image.
 */
import os from 'node:os';
import { basename, dirname, extname, join } from 'node:path';
import { UserError } from '../errors.js';
import { Engine } from '../engine/engine.js';
import { resolveBackendRequest } from '../engine/backend.js';
import { checkWritable, fromNetworkInput, transferLuminance, writeImageAtomic, type RgbImage } from '../image/index.js';
import { StyleTransferObjective } from '../loss/objective.js';
import type { StopReason } from '../optim/index.js';
import { Vgg19 } from '../vgg/network.js';
import { VGG_MEAN_RGB } from '../vgg/layers.js';
import { loadModelWeights } from '../weights/load.js';
import type { ModelWeights } from '../weights/model-weights.js';
import { resolveWeightsPath } from '../weights/locate.js';
import { deepestLossLayer, type StylizeConfig } from './config.js';
import { planInputs, prepareInputs, type InputPlan } from './inputs.js';
import { estimateRunBytes, formatBytes } from './memory.js';
import { optimize } from './optimize.js';
import { PixelSpace } from './pixel-space.js';
import { Progress } from './progress.js';
import { createRecipeObjective } from './recipe-objective.js';
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

/** The loss became NaN or infinite: not the user's input, so not exit code 2. */
export class DivergedError extends Error {}

/** out.png -> out_N.png, beside it. */
export function checkpointPath(output: string, iteration: number): string {
  const ext = extname(output);
  return join(dirname(output), `${basename(output, ext)}_${iteration}${ext}`);
}

/** Refuses a run that would not fit in this machine's memory, with advice. */
function checkMemory(config: StylizeConfig, plan: InputPlan): void {
  const needed = estimateRunBytes({
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
  const plan = planInputs(config);
  checkMemory(config, plan);
  const inputs = prepareInputs(config, plan);
  // Host copy of the weights (80 MB of float32): dropped once on the device.
  let weights: ModelWeights | null = loadModelWeights(resolveWeightsPath(config.weights));
  const weightsSource = weights.source;
  const engine = Engine.create(resolveBackendRequest(config.backend));

  const [, height, width] = inputs.shape;
  const pixels = new PixelSpace(config.pixelSpace);
  const toImage = (y: Float32Array): RgbImage => {
    const img = fromNetworkInput(pixels.toNetwork(y), width, height, VGG_MEAN_RGB);
    return config.originalColors ? transferLuminance(img, inputs.content) : img;
  };
  const save = (path: string, x: Float32Array) => writeImageAtomic(path, toImage(x), { quality: config.quality });

  let net: Vgg19 | null = null;
  let objective: StyleTransferObjective | null = null;
  let interrupted = false;
  const onSigint = () => {
    interrupted = true;
    log('\ninterrupted: finishing the current iteration and saving the image');
  };
  process.on('SIGINT', onSigint);
  try {
    net = new Vgg19(engine, weights.convs, config.pooling, deepestLossLayer(config));
    weights = null;
    const recipe = createRecipeObjective(engine, net, config, inputs.shape, inputs.contentPixels, inputs.styles);
    objective = recipe.objective;
    const objectiveRef = objective;
    const presetNote = config.preset ? `preset ${config.preset}, ` : '';
    const counted = config.optimizer === 'lbfgs' && config.lbfgsRounds ? 'outer iterations' : 'iterations';
    log(`stylize: ${width}x${height} px on ${engine.backend}, ${presetNote}${config.iterations} ${counted} of ${config.optimizer}, seed ${config.seed}, weights ${weightsSource}`);
    const trace = config.trace
      ? new TraceWriter(config.trace, { backend: engine.backend, size: [width, height], seed: config.seed, optimizer: config.optimizer })
      : null;
    const progress = new Progress(config.iterations, config.printEvery, hooks.progressStream);
    const start = performance.now();
    let best = { content: NaN, style: NaN, tv: NaN, total: Infinity };
    const onEvaluation = async ({ evaluation }: { evaluation: number }) => {
      const losses = objectiveRef.last;
      if (losses.total < best.total) best = losses;
      trace?.add({ i: evaluation, ...losses, ms: Math.round(performance.now() - start) });
      // Let a pending SIGINT reach its handler: evaluations are synchronous.
      await new Promise((resolve) => setImmediate(resolve));
      return interrupted || evaluation >= (hooks.maxEvaluations ?? Infinity) ? ('stop' as const) : undefined;
    };
    const onIteration = (iteration: number, x: Float32Array) => {
      progress.update(iteration, objectiveRef.last);
      if (config.saveEvery > 0 && iteration % config.saveEvery === 0 && iteration < config.iterations) {
        save(checkpointPath(config.output, iteration), x);
      }
    };
    const result = await optimize(config, recipe.f, pixels.fromNetwork(inputs.initial), { onEvaluation, onIteration });
    progress.finish();

    if (Number.isFinite(result.loss)) save(config.output, result.x);
    if (result.reason === 'non-finite') {
      throw new DivergedError(
        Number.isFinite(result.loss)
          ? `the loss became NaN or infinite after ${result.evaluations} iterations; kept the last good image in ${config.output}`
          : 'the loss was NaN or infinite from the first iteration; no image written',
      );
    }
    return {
      backend: engine.backend,
      size: [width, height],
      evaluations: result.evaluations,
      reason: result.reason,
      losses: best,
      seconds: (performance.now() - start) / 1000,
      interrupted,
    };
  } finally {
    process.off('SIGINT', onSigint);
    objective?.dispose();
    net?.dispose();
    engine.destroy();
  }
}
