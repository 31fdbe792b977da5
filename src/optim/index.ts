/**
 * The optimisers for the image pixels: L-BFGS (Nocedal & Wright, Algorithm 7.5) with a
 * strong-Wolfe line search (Algorithms 3.5/3.6) or a fixed step, and Adam (Kingma & Ba).
 */
export type { EvaluationInfo, Objective, OnEvaluation, OptimResult, StopReason } from './types.js';
export { lbfgs, type LbfgsOptions } from './lbfgs.js';
export { adam, type AdamOptions } from './adam.js';
export {
  cubicMinimizer,
  strongWolfeLineSearch,
  type LineFunction,
  type LinePoint,
  type LineSearchResult,
  type StrongWolfeOptions,
} from './line-search.js';
