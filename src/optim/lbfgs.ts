/**
 * L-BFGS: Nocedal & Wright, Numerical Optimization (2nd ed.), Algorithm 7.5, with the
 * two-loop recursion of Algorithm 7.4 (see curvature-history.ts) and either the
 * strong-Wolfe line search of Algorithms 3.5/3.6 (see line-search.ts) or a fixed step,
 * as torch's optim.lbfgs without a line search, which jcjohnson/neural-style uses.
 *
 * The budget is a hard cap on objective evaluations, line-search evaluations included.
 * Whatever ends the run, the result is the lowest-loss finite point evaluated.
 *
 * Memory for n values and m pairs: (2·m + 7)·n float32, or 7·n with the pairs in a file
 * (historyStorage). The 7 vectors are the iterate, its gradient, the direction, the
 * line-search trial point and its gradient, the gradient of the best line-search step, and
 * the best point seen.
 */
import { CountedObjective } from './counted-objective.js';
import { CurvatureHistory } from './curvature-history.js';
import type { PairStorageFactory } from './pair-storage.js';
import { strongWolfeLineSearch, type LineFunction, type LinePoint } from './line-search.js';
import { copyInto, expectKind, restoreCounted, scalarOf, stateOf, vectorOf, type OptimizerState, type ResumeOptions } from './state.js';
import type { Objective, OnEvaluation, OptimResult, StopReason } from './types.js';
import { dot, maxAbs, sumAbs } from './vector.js';

export interface LbfgsOptions extends ResumeOptions {
  /** Hard cap on objective evaluations, line-search evaluations included. */
  maxEvaluations: number;
  /**
   * Curvature pairs kept; default 10, as scipy. Each pair costs 2·n float32, 24 MB for a
   * 3M-value image, so torch's and PyTorch's 100 would take 2.4 GB; N&W (section 7.2)
   * report that 3 to 20 pairs usually suffice.
   */
  history?: number;
  /**
   * Where the pairs are kept; default in memory. The caller that gives a storage releases it
   * when it no longer needs the run's state (a checkpoint may be written after the run).
   */
  historyStorage?: PairStorageFactory;
  /** Default 'strong-wolfe'; 'none' takes the fixed step learningRate along the L-BFGS direction. */
  lineSearch?: 'strong-wolfe' | 'none';
  /**
   * Step along the direction for lineSearch 'none', and the line search's first trial
   * step; default 1. While the history is empty (first iteration, or after a reset) the
   * direction is the raw -gradient, whose scale says nothing about a good step, so:
   *  - lineSearch 'none' takes min(1, 1/|g|_1)·learningRate, as torch and PyTorch do, so
   *    that a huge gradient on 0..255 pixels does not explode;
   *  - the line search first tries min(1, 1/|g|_inf)·learningRate, a step that moves no
   *    value by more than learningRate. From 1/|g|_1, n/(mean/max) times smaller on an
   *    image, the search spent 6 evaluations extrapolating before the loss moved (128 px,
   *    the stylize defaults); from here it moves on the first (bench/README.md).
   */
  learningRate?: number;
  /**
   * Stop when an iteration changes the loss by at most tolFunction·max(|f_prev|, |f|, 1):
   * relative, as scipy's ftol, because image losses range over many magnitudes.
   * Default 1e-9, below float32 resolution: it stops when the loss no longer changes.
   * A negative value disables the test, as for the other tolerances.
   */
  tolFunction?: number;
  /** Stop after this many iterations; default unlimited (scipy's maxiter). */
  maxIterations?: number;
  /**
   * Stop at the end of the first iteration after which more than maxfun evaluations have
   * been made; default unlimited. scipy's fmin_l_bfgs_b(maxfun=...): checked only between
   * iterations, so a line search is finished, not cut (maxEvaluations cuts it).
   */
  maxfun?: number;
  /** Stop when max |g_i| <= tolGradient; default 1e-7 as PyTorch's tolerance_grad. */
  tolGradient?: number;
  /**
   * Stop when a step moves no value of x by more than tolChange; default 1e-9 as
   * PyTorch's tolerance_change. Also the line search's smallest bracket, in x units.
   */
  tolChange?: number;
  onEvaluation?: OnEvaluation;
}

type Settings = Required<Omit<LbfgsOptions, 'maxEvaluations' | 'onEvaluation' | 'historyStorage' | keyof ResumeOptions>>;

/** Nocedal & Wright's usual strong-Wolfe constants for quasi-Newton methods (section 3.1). */
const SUFFICIENT_DECREASE = 1e-4;
const CURVATURE = 0.9;

export async function lbfgs(f: Objective, x0: Float32Array, opts: LbfgsOptions): Promise<OptimResult> {
  const settings = resolveSettings(opts);
  const objective = new CountedObjective(f, x0, opts.maxEvaluations, opts.onEvaluation);
  return new LbfgsRun(objective, x0, settings, opts.historyStorage).run(opts);
}

function resolveSettings(opts: LbfgsOptions): Settings {
  const settings: Settings = {
    history: opts.history ?? 10,
    lineSearch: opts.lineSearch ?? 'strong-wolfe',
    learningRate: opts.learningRate ?? 1,
    maxIterations: opts.maxIterations ?? Infinity,
    maxfun: opts.maxfun ?? Infinity,
    tolFunction: opts.tolFunction ?? 1e-9,
    tolGradient: opts.tolGradient ?? 1e-7,
    tolChange: opts.tolChange ?? 1e-9,
  };
  if (!Number.isInteger(settings.history) || settings.history < 1) {
    throw new RangeError(`history must be a positive integer, got ${settings.history}`);
  }
  if (!(settings.learningRate > 0 && Number.isFinite(settings.learningRate))) {
    throw new RangeError(`learningRate must be a positive number, got ${settings.learningRate}`);
  }
  if (!(settings.maxIterations >= 1 && settings.maxfun >= 1)) {
    throw new RangeError(`maxIterations and maxfun must be at least 1, got ${settings.maxIterations} and ${settings.maxfun}`);
  }
  if (settings.lineSearch !== 'strong-wolfe' && settings.lineSearch !== 'none') {
    throw new RangeError(`lineSearch must be 'strong-wolfe' or 'none', got ${String(settings.lineSearch)}`);
  }
  return settings;
}

/** The state of one run. It is also φ(t) = f(x + t·direction), the line search's view of the objective. */
class LbfgsRun implements LineFunction {
  private readonly history: CurvatureHistory;
  private x: Float32Array;
  private grad: Float32Array;
  private loss = NaN;
  private readonly direction: Float32Array;
  private trialX: Float32Array;
  private trialGrad: Float32Array;
  /** Gradient at the best step of the current line search; becomes grad when that step is taken. */
  private stepGrad: Float32Array;
  private iterations = 0;

  constructor(
    private readonly objective: CountedObjective,
    x0: Float32Array,
    private readonly settings: Settings,
    historyStorage: PairStorageFactory | undefined,
  ) {
    const n = x0.length;
    this.history = new CurvatureHistory(settings.history, n, historyStorage);
    this.x = Float32Array.from(x0);
    this.grad = new Float32Array(n);
    this.direction = new Float32Array(n);
    this.trialX = new Float32Array(n);
    this.trialGrad = new Float32Array(n);
    this.stepGrad = new Float32Array(n);
  }

  async run({ resume, onBoundary }: ResumeOptions): Promise<OptimResult> {
    const { tolFunction, tolGradient, tolChange, maxIterations, maxfun } = this.settings;
    const evaluated = resume ? this.restore(resume) : false;
    if (!evaluated) {
      await this.reportBoundary(onBoundary, false);
      this.loss = await this.objective.evaluate(this.x, this.grad);
      if (this.objective.interrupt) return this.finish(this.objective.interrupt);
    }
    for (;;) {
      await this.reportBoundary(onBoundary, true);
      if (maxAbs(this.grad) <= tolGradient) return this.finish('tolerance-gradient');
      this.iterations++;
      const slope = this.chooseDirection();
      // Not even -grad descends: the gradient is exactly zero.
      if (!(slope < 0)) return this.finish('tolerance-gradient');

      const step = await this.searchStep(slope);
      if (this.objective.interrupt) return this.finish(this.objective.interrupt);
      if (step === undefined) {
        if (this.history.isEmpty) return this.finish('line-search-failed');
        // The quasi-Newton direction led nowhere (stale or badly rounded curvature pairs):
        // forget them and retry along -grad before giving up.
        this.history.clear();
        continue;
      }

      const previousLoss = this.loss;
      this.moveTo(step.step, step.loss);
      if (step.step * maxAbs(this.direction) <= tolChange) return this.finish('tolerance-change');
      const lossScale = Math.max(Math.abs(previousLoss), Math.abs(this.loss), 1);
      if (Math.abs(previousLoss - this.loss) <= tolFunction * lossScale) return this.finish('tolerance-function');
      if (this.iterations >= maxIterations) return this.finish('max-iterations');
      if (this.objective.evaluations > maxfun) return this.finish('max-evaluations');
    }
  }

  async evaluate(step: number): Promise<LinePoint | undefined> {
    this.pointAlongDirection(step, this.trialX);
    const value = await this.objective.evaluate(this.trialX, this.trialGrad);
    if (this.objective.interrupt) return undefined;
    return { step, value, slope: dot(this.trialGrad, this.direction) };
  }

  keepLast(): void {
    [this.stepGrad, this.trialGrad] = [this.trialGrad, this.stepGrad];
  }

  /** Writes the direction -H·grad, falling back to -grad if that does not descend; returns the slope grad·direction. */
  private chooseDirection(): number {
    this.history.computeDirection(this.grad, this.direction);
    const slope = dot(this.grad, this.direction);
    if (slope < 0 || this.history.isEmpty) return slope;
    this.history.clear();
    return this.chooseDirection();
  }

  /**
   * Picks the step along the direction, leaving its gradient in stepGrad. Undefined when
   * the line search found no decrease or the run was interrupted.
   */
  private async searchStep(slope: number): Promise<{ step: number; loss: number } | undefined> {
    const { lineSearch, learningRate, tolChange } = this.settings;
    if (lineSearch === 'none') {
      const step = this.history.isEmpty ? Math.min(1, 1 / sumAbs(this.grad)) * learningRate : learningRate;
      const point = await this.evaluate(step);
      if (!point) return undefined;
      this.keepLast();
      return { step, loss: point.value };
    }
    const initialStep = this.history.isEmpty ? Math.min(1, 1 / maxAbs(this.grad)) * learningRate : learningRate;
    const start = { step: 0, value: this.loss, slope };
    const search = await strongWolfeLineSearch(this, start, initialStep, {
      c1: SUFFICIENT_DECREASE,
      c2: CURVATURE,
      minBracketWidth: tolChange / maxAbs(this.direction),
    });
    if (search.status === 'interrupted' || search.status === 'no-decrease') return undefined;
    return { step: search.step, loss: search.value };
  }

  /** Takes the step: records the curvature pair and makes the step's point and gradient current. */
  private moveTo(step: number, loss: number): void {
    const xNew = this.trialX;
    this.pointAlongDirection(step, xNew);
    this.history.add(this.x, xNew, this.grad, this.stepGrad);
    [this.x, this.trialX] = [xNew, this.x];
    [this.grad, this.stepGrad] = [this.stepGrad, this.grad];
    this.loss = loss;
  }

  /**
   * out = x + step·direction, rounded to float32. Recomputing a step's point gives the
   * very values that were evaluated, so only gradients need keeping during a line search.
   */
  private pointAlongDirection(step: number, out: Float32Array): void {
    for (let i = 0; i < out.length; i++) out[i] = this.x[i] + step * this.direction[i];
  }

  /**
   * A boundary: before the first evaluation (x only), then at the top of each iteration, where
   * x, grad, loss and the history stay as they are until the next step is taken.
   */
  private async reportBoundary(onBoundary: ResumeOptions['onBoundary'], evaluated: boolean): Promise<void> {
    const evaluations = this.objective.evaluations;
    const iterations = this.iterations;
    await onBoundary?.({ evaluations, iterations, state: () => this.exportState(evaluations, iterations, evaluated) });
  }

  private exportState(evaluations: number, iterations: number, evaluated: boolean): OptimizerState {
    const { steps, gradientChanges, rho, initialScale } = this.history.exportPairs();
    const pairs = Object.fromEntries([...steps.map((s, k) => [`s${k}`, s]), ...gradientChanges.map((y, k) => [`y${k}`, y])]);
    return stateOf('lbfgs', this.objective, evaluations, {
      scalars: { evaluated: evaluated ? 1 : 0, loss: this.loss, iterations, pairs: steps.length, initialScale },
      vectors: { x: this.x, grad: this.grad, rho, ...pairs },
    });
  }

  /** Goes back to a boundary; returns whether its point was evaluated already. */
  private restore(state: OptimizerState): boolean {
    expectKind(state, 'lbfgs');
    const n = this.x.length;
    copyInto(this.x, vectorOf(state, 'x', n));
    copyInto(this.grad, vectorOf(state, 'grad', n));
    this.loss = scalarOf(state, 'loss');
    this.iterations = scalarOf(state, 'iterations');
    const pairs = scalarOf(state, 'pairs');
    const rho = state.vectors.rho;
    if (!(rho instanceof Float64Array)) throw new RangeError('lbfgs state: rho missing or not float64');
    const steps = Array.from({ length: pairs }, (_, k) => vectorOf(state, `s${k}`, n));
    const gradientChanges = Array.from({ length: pairs }, (_, k) => vectorOf(state, `y${k}`, n));
    this.history.importPairs(steps, gradientChanges, rho, scalarOf(state, 'initialScale'));
    restoreCounted(this.objective, state, n);
    return scalarOf(state, 'evaluated') === 1;
  }

  private finish(reason: StopReason): OptimResult {
    return this.objective.result(reason, this.iterations);
  }
}
