/**
 * --checkpoint, --resume: a run's state on disk, so that a crashed, killed or interrupted run
 * goes on where it was and ends as it would have without stopping (on the same backend).
 *
 * A checkpoint holds the optimiser's state at its last iteration boundary (src/optim/state.ts:
 * the point, L-BFGS's pairs or Adam's moments, the counters), where the run is in its
 * coarse-to-fine schedule, the best image so far and the losses of every evaluation before
 * (the trace). The random init needs no generator state: it is drawn once, from --seed, and the
 * checkpoint's point replaces it. It is written (checkpoint-format.ts, atomically) every
 * --checkpoint-every iterations and on Ctrl-C, and removed when the run ends normally.
 *
 * It is refused, before anything is written, unless it was made by this version of the package
 * for the same run: the same options that affect the result (a digest, and the values to name
 * the one that differs), the same images (by content), the same network and weights (by the
 * weights file's payload digest) and the same backend.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, rmSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { UserError } from '../errors.js';
import { writeProblem } from '../files.js';
import type { Boundary, OptimizerKind, OptimizerState } from '../optim/index.js';
import { copyInto, type StreamedVector } from '../optim/state.js';
import { readFileOrFail } from '../weights/files.js';
import { readCheckpointFile, readCheckpointHeader, writeCheckpointFile, type CheckpointArray } from './checkpoint-format.js';
import type { RawStylizeOptions, StylizeConfig } from './config.js';
import { flagOf } from './presets.js';
import type { BestPoint, BoundaryEvent, ScalePosition } from './stylizer.js';
import type { TraceEntry } from './trace.js';

/** What identifies the run a checkpoint belongs to. */
export interface RunIdentity {
  packageVersion: string;
  /** The configuration's values that change the result. */
  options: Record<string, unknown>;
  /** sha256 of options (canonical JSON) and of the images' contents. */
  digest: string;
  images: Array<{ role: string; path: string; sha256: string }>;
  weightsSha256: string;
  backend: string;
}

/** Where in the run a checkpoint was made: the boundary's scale, with the counts of the scales before it. */
export interface RunPosition extends ScalePosition {
  /** Milliseconds of optimisation before the boundary. */
  elapsedMs: number;
}

interface CheckpointHeader {
  identity: RunIdentity;
  invocation: StylizeConfig['invocation'];
  position: RunPosition;
  /** The boundary's iteration in the run, as --iterations counts them. */
  iteration: number;
  bestEvaluation: number;
  optimizer: OptimizerKind;
  optimizerScalars: string[];
  trace: TraceEntry[];
}

/** What a run needs to go on from a checkpoint. */
export interface ResumePoint extends RunPosition {
  /** Iterations done, as --iterations counts them. */
  iteration: number;
  best: BestPoint;
  optimizer: OptimizerState;
  trace: TraceEntry[];
}

/** Configuration keys that do not change the result: free to differ on resume. */
const RUN_LOCAL_KEYS = new Set<string>([
  'preset', 'content', 'styles', 'output', 'printEvery', 'saveEvery', 'quality', 'backend', 'weights', 'trace',
  'checkpoint', 'checkpointEvery', 'resume', 'invocation', 'maxMemory',
]);

/** Options named otherwise than their configuration key. */
const FLAGS: Record<string, string> = {
  tv: '--tv-norm/--tv-power',
  adam: '--adam-beta1/--adam-beta2/--adam-epsilon/--adam-epsilon-form',
  lrDecay: '--lr-decay-rate/--lr-decay-steps/--lr-staircase',
  lbfgsRounds: '--lbfgs-maxfun/--lbfgs-maxiter',
  scaleIterations: '--scales/--scale-iterations',
  tile: '--tile (the tile side used, automatic ones too; null: the whole image)',
};

const INIT_WORDS = new Set(['content', 'random', 'uniform']);

function sha256(bytes: Uint8Array | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** This package's version, from the package.json above this file (src/ when tested, dist/src/ when built). */
function packageVersion(): string {
  for (let dir = import.meta.dirname; dir !== dirname(dir); dir = dirname(dir)) {
    const path = join(dir, 'package.json');
    if (existsSync(path)) {
      const json = JSON.parse(readFileSync(path, 'utf8')) as { name?: string; version?: string };
      if (json.name === 'neural-style-gl' && json.version) return json.version;
    }
  }
  throw new Error("neural-style-gl's package.json not found above " + import.meta.dirname);
}

/** Keys sorted at every level, so that equal values give equal text. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value).filter(([, v]) => v !== undefined).sort(([a], [b]) => (a < b ? -1 : 1));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

export function runIdentity(config: StylizeConfig, weightsSha256: string, backend: string): RunIdentity {
  const options = Object.fromEntries(Object.entries(config).filter(([key]) => !RUN_LOCAL_KEYS.has(key)));
  const paths: Array<[string, string]> = [['content', config.content], ...config.styles.map((p, i): [string, string] => [`style ${i + 1}`, p])];
  if (!INIT_WORDS.has(config.init)) {
    options.init = 'image';
    paths.push(['--init', config.init]);
  }
  const images = paths.map(([role, path]) => ({ role, path, sha256: sha256(readFileOrFail(path)) }));
  const digest = sha256(canonicalJson({ options, images: images.map((i) => i.sha256) }));
  return { packageVersion: packageVersion(), options, digest, images, weightsSha256, backend };
}

/** Throws a UserError naming what differs between the checkpoint's run and this one. */
function checkSameRun(path: string, made: RunIdentity, now: RunIdentity): void {
  const refuse = (what: string) => new UserError(`${path}: ${what}; a checkpoint resumes only the run that wrote it`);
  if (made.packageVersion !== now.packageVersion) throw refuse(`written by neural-style-gl ${made.packageVersion}, this is ${now.packageVersion}`);
  if (made.digest !== now.digest) {
    for (const key of new Set([...Object.keys(made.options), ...Object.keys(now.options)])) {
      const [was, is] = [canonicalJson(made.options[key]), canonicalJson(now.options[key])];
      if (was !== is) throw refuse(`made with ${FLAGS[key] ?? flagOf(key)} ${was}, this run has ${is}`);
    }
    for (const [i, image] of now.images.entries()) {
      if (made.images[i]?.sha256 !== image.sha256) throw refuse(`made with another ${image.role} image than ${image.path} (${made.images[i]?.path ?? 'none'})`);
    }
    throw refuse('made with other options');
  }
  if (made.weightsSha256 !== now.weightsSha256) throw refuse(`made with other ${String(now.options.model)} weights (payload sha256 ${made.weightsSha256.slice(0, 12)}…, these ${now.weightsSha256.slice(0, 12)}…)`);
  if (made.backend !== now.backend) throw refuse(`made on the ${made.backend} backend, this run is on ${now.backend}; give --backend ${made.backend}`);
}

/**
 * The content, styles and options to run `nst stylize --resume <file>` with: the checkpoint's
 * own when no images are given (options given too override its), else those given, with the
 * checkpoint's seed unless one is given. The run then checks them against the checkpoint.
 */
export function resumeArguments(content: string | undefined, styles: string[], given: RawStylizeOptions): { content: string | undefined; styles: string[]; options: RawStylizeOptions } {
  if (given.resume === undefined) return { content, styles, options: given };
  const { invocation } = readCheckpointHeader<CheckpointHeader>(given.resume);
  if (content === undefined) return { content: invocation.content, styles: invocation.styles, options: { ...invocation.options, ...given } };
  return { content, styles, options: { seed: invocation.options.seed, ...given } };
}

/** Refuses a --checkpoint that could not be written later. */
export function checkCheckpointWritable(path: string): void {
  const problem = writeProblem(path);
  if (problem) throw new UserError(`--checkpoint: cannot write '${path}': ${problem}`);
}

/** Reads a checkpoint and checks that it belongs to this run; any problem is a UserError naming the file. */
export function readResumePoint(path: string, identity: RunIdentity): ResumePoint {
  const { header, arrays } = readCheckpointFile<CheckpointHeader>(path);
  checkSameRun(path, header.identity, identity);
  const array = (name: string, float64: boolean) => {
    const a = arrays.get(name);
    if (!a || a instanceof Float64Array !== float64) throw new UserError(`${path}: has no ${float64 ? 'float64' : 'float32'} array '${name}'; the checkpoint is corrupt`);
    return a;
  };
  const float64 = (name: string) => array(name, true) as Float64Array;
  const scalarValues = float64('optimizer.scalars');
  const vectors = Object.fromEntries([...arrays].filter(([name]) => name.startsWith('optimizer.v.')).map(([name, a]) => [name.slice('optimizer.v.'.length), a]));
  const [content, style, tv, total] = float64('best.losses');
  const bestX = array('best.x', false) as StreamedVector;
  return {
    ...header.position,
    iteration: header.iteration,
    best: { losses: { content, style, tv, total }, evaluation: header.bestEvaluation, x: copyInto(new Float32Array(bestX.length), bestX) },
    optimizer: { optimizer: header.optimizer, scalars: Object.fromEntries(header.optimizerScalars.map((name, i) => [name, scalarValues[i]])), vectors },
    trace: header.trace,
  };
}

/**
 * Writes the checkpoints of a run: remembers the optimiser's last boundary and every
 * evaluation's losses, writes when --checkpoint-every iterations have passed since the last
 * write, or when asked (Ctrl-C).
 */
export class CheckpointKeeper {
  private latest: { position: RunPosition; boundary: Boundary; iteration: number; best: () => BestPoint } | null = null;
  private lastWritten: number;

  constructor(
    private readonly config: StylizeConfig,
    private readonly identity: RunIdentity,
    /** The losses of the evaluations so far (a resumed run starts with the checkpoint's). */
    private readonly trace: TraceEntry[],
    /** Iterations done when the run (or its resumption) started. */
    startIteration: number,
  ) {
    this.lastWritten = startIteration;
  }

  record(entry: TraceEntry): void {
    this.trace.push(entry);
  }

  /** Remembers a boundary, reached `elapsedMs` into the run; true when a checkpoint is due there. */
  boundaryReached({ position, boundary, iteration, best }: BoundaryEvent, elapsedMs: number): boolean {
    this.latest = { position: { ...position, elapsedMs }, boundary, iteration, best };
    return this.config.checkpointEvery > 0 && iteration - this.lastWritten >= this.config.checkpointEvery;
  }

  /** Writes the last boundary's checkpoint (a UserError when the file cannot be written). */
  write(): void {
    if (!this.latest) return;
    const { position, boundary, iteration } = this.latest;
    const state = boundary.state();
    // The best point now: evaluations since the boundary may have lowered it (src/optim/state.ts).
    const best = this.latest.best();
    const evaluations = position.evaluationsBefore + boundary.evaluations;
    const scalarNames = Object.keys(state.scalars);
    const header: CheckpointHeader = {
      identity: this.identity,
      invocation: this.config.invocation,
      position,
      iteration,
      bestEvaluation: best.evaluation,
      optimizer: state.optimizer,
      optimizerScalars: scalarNames,
      // The evaluations after the boundary are made again on resume.
      trace: this.trace.filter((entry) => entry.i <= evaluations),
    };
    const arrays = new Map<string, CheckpointArray>([
      ['optimizer.scalars', Float64Array.from(scalarNames, (name) => state.scalars[name])],
      ...Object.entries(state.vectors).map(([name, v]): [string, CheckpointArray] => [`optimizer.v.${name}`, v]),
      ['best.losses', Float64Array.of(best.losses.content, best.losses.style, best.losses.tv, best.losses.total)],
      ['best.x', best.x],
    ]);
    writeCheckpointFile(this.config.checkpoint, '--checkpoint', header, arrays);
    this.lastWritten = iteration;
  }

  /** The run ended normally: its checkpoint has nothing left to resume. Not being able to remove it is no failure of the run. */
  remove(): void {
    if (statSync(this.config.checkpoint, { throwIfNoEntry: false })?.isFile()) rmSync(this.config.checkpoint, { force: true });
  }
}
