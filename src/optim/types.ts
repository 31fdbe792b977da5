/**
 * Types shared by the optimisers in this folder (L-BFGS, Adam, SGD).
 *
 * The optimisers minimise an objective over a Float32Array (the pixels of an image).
 * An objective evaluation is expensive (a VGG19 forward and backward pass), so the
 * budget is counted in evaluations, not in iterations: one "iteration" as the user sees
 * it is one evaluation, as jcjohnson/neural-style counts them with torch's optim.lbfgs.
 */

/** Evaluates f at x, writes the gradient into grad (same length), returns f. May be async. */
export type Objective = (x: Float32Array, grad: Float32Array) => number | Promise<number>;

export interface EvaluationInfo {
  /** 1-based count of objective evaluations. */
  evaluation: number;
  loss: number;
  /** The point just evaluated; an optimiser buffer, so do not keep a reference. */
  x: Float32Array;
}

/** Called after every objective evaluation; returning 'stop' ends the run after this evaluation (used for Ctrl-C). */
export type OnEvaluation = (info: EvaluationInfo) => void | 'stop' | Promise<void | 'stop'>;

/** Changes x in place after a step, e.g. clips it to a box (pixel clipping). */
export type Projection = (x: Float32Array) => void;

export type StopReason =
  | 'max-evaluations'
  | 'max-iterations'
  | 'tolerance-function'
  | 'tolerance-gradient'
  | 'tolerance-change'
  | 'stopped'
  | 'non-finite'
  | 'line-search-failed';

export interface OptimResult {
  /** Best finite point seen (lowest loss). x0 itself when no evaluation was finite. */
  x: Float32Array;
  /** Loss at x; NaN when no evaluation was finite. */
  loss: number;
  /** Objective evaluations made, line-search evaluations included. */
  evaluations: number;
  /** Steps taken: L-BFGS directions tried, or Adam updates. */
  iterations: number;
  reason: StopReason;
}
