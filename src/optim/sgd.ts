/**
 * Plain gradient descent, x <- x - lr(step) * grad, as Keras's SGD without momentum (the
 * keras.io style transfer example, article 003, with an ExponentialDecay schedule).
 * One objective evaluation per step; the step after the last evaluation is not taken,
 * since its loss would be unknown and the result is the best point evaluated.
 */
import { CountedObjective } from './counted-objective.js';
import { checkLearningRate, rateAt, type LearningRate } from './schedule.js';
import { copyInto, expectKind, restoreCounted, scalarOf, stateOf, vectorOf, type ResumeOptions } from './state.js';
import type { Objective, OnEvaluation, OptimResult, Projection } from './types.js';

export interface SgdOptions extends ResumeOptions {
  /** Hard cap on objective evaluations (one per step). */
  maxEvaluations: number;
  learningRate: LearningRate;
  /** Applied to x after every step (pixel clipping). */
  project?: Projection;
  onEvaluation?: OnEvaluation;
}

export async function sgd(f: Objective, x0: Float32Array, opts: SgdOptions): Promise<OptimResult> {
  checkLearningRate(opts.learningRate);
  const objective = new CountedObjective(f, x0, opts.maxEvaluations, opts.onEvaluation);
  const x = Float32Array.from(x0);
  const grad = new Float32Array(x.length);
  let firstStep = 0;
  if (opts.resume) {
    expectKind(opts.resume, 'sgd');
    copyInto(x, vectorOf(opts.resume, 'x', x.length));
    restoreCounted(objective, opts.resume, x.length);
    firstStep = scalarOf(opts.resume, 'evaluations');
  }
  for (let step = firstStep; ; step++) {
    // The boundary: the point to evaluate next (steps before it are done).
    await opts.onBoundary?.({ evaluations: step, iterations: step, state: () => stateOf('sgd', objective, step, { scalars: {}, vectors: { x } }) });
    await objective.evaluate(x, grad);
    if (objective.interrupt) return objective.result(objective.interrupt, step);
    const rate = rateAt(opts.learningRate, step);
    for (let i = 0; i < x.length; i++) x[i] -= rate * grad[i];
    opts.project?.(x);
  }
}
