/**
 * The optimisers for the image pixels: L-BFGS (Nocedal & Wright, Algorithm 7.5) with a
 * strong-Wolfe line search (Algorithms 3.5/3.6) or a fixed step, also in scipy-style rounds;
 * Adam (Kingma & Ba); plain gradient descent; learning-rate schedules for the last two.
 */
export type { EvaluationInfo, Objective, OnEvaluation, OptimResult, Projection, StopReason } from './types.js';
export { lbfgs, type LbfgsOptions } from './lbfgs.js';
export { lbfgsRounds, type LbfgsRoundsOptions } from './lbfgs-rounds.js';
export { adam, type AdamEpsilonForm, type AdamOptions } from './adam.js';
export { sgd, type SgdOptions } from './sgd.js';
export { exponentialDecay, type ExponentialDecay, type LearningRate } from './schedule.js';
export { describeStopReason } from './stop-reasons.js';
export {
  cubicMinimizer,
  strongWolfeLineSearch,
  type LineFunction,
  type LinePoint,
  type LineSearchResult,
  type StrongWolfeOptions,
} from './line-search.js';
export type { Boundary, OptimizerKind, OptimizerState, ResumeOptions } from './state.js';
