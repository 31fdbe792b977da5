/**
 * L-BFGS as the Keras examples run scipy's fmin_l_bfgs_b (articles 000 and 004): in a loop of
 * outer iterations ("rounds"), each a fresh run from where the last one stopped, bounded by
 * scipy's maxfun (evaluations, checked between iterations) or maxiter (iterations), with
 * scipy's default stopping tests. Every round starts with an empty history and the first-step
 * rule of a first iteration, and re-evaluates its starting point, as each scipy call does.
 * Between rounds the point can be projected (article 000 clips its pixels there).
 *
 * The result is the best point evaluated over all rounds. Numbering of evaluations runs on
 * across rounds, so onEvaluation sees 1, 2, 3, ... as with the other optimisers.
 */
import { lbfgs, type LbfgsOptions } from './lbfgs.js';
import { copyInto, expectKind, scalarOf, vectorOf, type OptimizerState } from './state.js';
import type { OnEvaluation, Objective, OptimResult, Projection, StopReason } from './types.js';

/**
 * scipy's fmin_l_bfgs_b defaults: factr = 1e7 times the float64 machine epsilon for the
 * relative decrease of f, pgtol = 1e-5 for the largest gradient component (the projected
 * gradient of L-BFGS-B is the gradient when there are no bounds), no test on the step.
 */
const SCIPY_TOLERANCES = { tolFunction: 1e7 * 2 ** -52, tolGradient: 1e-5, tolChange: -1 } as const;

export interface LbfgsRoundsOptions extends Omit<LbfgsOptions, 'maxEvaluations' | 'onEvaluation' | 'tolFunction' | 'tolGradient' | 'tolChange'> {
  rounds: number;
  /** Applied to the point a round ends at, before the next round starts from it. */
  project?: Projection;
  onEvaluation?: OnEvaluation;
  /** After each round, with its 1-based number and the point the next round starts from (projected). */
  onRound?: (round: number, x: Float32Array) => void | Promise<void>;
}

/** Reasons that end all rounds, not just one. */
const FINAL: ReadonlySet<StopReason> = new Set(['stopped', 'non-finite']);

export async function lbfgsRounds(f: Objective, x0: Float32Array, opts: LbfgsRoundsOptions): Promise<OptimResult> {
  const { rounds, project, onEvaluation, onRound, resume, onBoundary, ...lbfgsOptions } = opts;
  if (!(Number.isInteger(rounds) && rounds >= 1)) throw new RangeError(`rounds must be a positive integer, got ${rounds}`);
  if (lbfgsOptions.maxfun === undefined && lbfgsOptions.maxIterations === undefined) {
    throw new RangeError('a round needs a bound: maxfun or maxIterations');
  }
  let start = Float32Array.from(x0);
  let best: OptimResult | null = null;
  let evaluations = 0;
  let iterations = 0;
  let firstRound = 1;
  if (resume) {
    expectKind(resume, 'lbfgs-rounds');
    start = copyInto(new Float32Array(x0.length), vectorOf(resume, 'start', x0.length));
    evaluations = scalarOf(resume, 'evaluations');
    iterations = scalarOf(resume, 'lbfgsIterations');
    firstRound = scalarOf(resume, 'round');
    if (scalarOf(resume, 'hasBest')) {
      const x = copyInto(new Float32Array(x0.length), vectorOf(resume, 'bestX', x0.length));
      best = { x, loss: scalarOf(resume, 'bestLoss'), evaluations, iterations, reason: 'max-iterations' };
    }
  }
  for (let round = firstRound; round <= rounds; round++) {
    // The boundary: a round starts afresh from \`start\`; only the best point of the rounds before matters.
    const [from, done, made, held] = [start, evaluations, iterations, best];
    const state = (): OptimizerState => ({
      optimizer: 'lbfgs-rounds',
      scalars: { round, evaluations: done, lbfgsIterations: made, hasBest: held ? 1 : 0, bestLoss: held?.loss ?? NaN },
      vectors: { start: from, ...(held ? { bestX: held.x } : {}) },
    });
    await onBoundary?.({ evaluations: done, iterations: round - 1, state });
    const before = evaluations;
    const result = await lbfgs(f, start, {
      ...lbfgsOptions,
      ...SCIPY_TOLERANCES,
      maxEvaluations: Number.MAX_SAFE_INTEGER,
      onEvaluation: onEvaluation && ((info) => onEvaluation({ ...info, evaluation: before + info.evaluation })),
    });
    evaluations += result.evaluations;
    iterations += result.iterations;
    if (!best || result.loss < best.loss || Number.isNaN(best.loss)) best = result;
    if (FINAL.has(result.reason)) return { ...best, evaluations, iterations, reason: result.reason };
    start = Float32Array.from(result.x);
    project?.(start);
    await onRound?.(round, start);
  }
  return { ...best!, evaluations, iterations, reason: 'max-iterations' };
}
