/**
 * Adam: Kingma & Ba, "Adam: A Method for Stochastic Optimization" (ICLR 2015),
 * Algorithm 1, with bias-corrected first and second moment estimates.
 * One objective evaluation per step; the step after the last evaluation is not taken,
 * since its loss would be unknown and the result is the best point evaluated.
 */
import { CountedObjective } from './counted-objective.js';
import type { Objective, OnEvaluation, OptimResult } from './types.js';

export interface AdamOptions {
  /** Hard cap on objective evaluations (one per step). */
  maxEvaluations: number;
  /** Default 1e1, jcjohnson/neural-style's -learning_rate for pixels in the 0..255 range. */
  learningRate?: number;
  /** Decay of the first moment estimate; default 0.9 (the paper's, torch's and PyTorch's). */
  beta1?: number;
  /** Decay of the second moment estimate; default 0.999. */
  beta2?: number;
  /** Added to the root of the second moment to avoid dividing by zero; default 1e-8. */
  epsilon?: number;
  onEvaluation?: OnEvaluation;
}

export async function adam(f: Objective, x0: Float32Array, opts: AdamOptions): Promise<OptimResult> {
  const { learningRate = 1e1, beta1 = 0.9, beta2 = 0.999, epsilon = 1e-8 } = opts;
  if (!(learningRate > 0 && Number.isFinite(learningRate))) {
    throw new RangeError(`learningRate must be a positive number, got ${learningRate}`);
  }
  if (!(beta1 >= 0 && beta1 < 1 && beta2 >= 0 && beta2 < 1)) {
    throw new RangeError(`beta1 and beta2 must be in [0, 1), got ${beta1} and ${beta2}`);
  }
  const objective = new CountedObjective(f, x0, opts.maxEvaluations, opts.onEvaluation);
  const n = x0.length;
  const x = Float32Array.from(x0);
  const grad = new Float32Array(n);
  const firstMoment = new Float32Array(n);
  const secondMoment = new Float32Array(n);

  for (let step = 1; ; step++) {
    await objective.evaluate(x, grad);
    if (objective.interrupt) return objective.result(objective.interrupt, step - 1);
    // The moments start at zero, so they are biased towards zero by these factors.
    const firstBias = 1 - beta1 ** step;
    const secondBias = 1 - beta2 ** step;
    for (let i = 0; i < n; i++) {
      const g = grad[i];
      firstMoment[i] = beta1 * firstMoment[i] + (1 - beta1) * g;
      secondMoment[i] = beta2 * secondMoment[i] + (1 - beta2) * g * g;
      x[i] -= (learningRate * (firstMoment[i] / firstBias)) / (Math.sqrt(secondMoment[i] / secondBias) + epsilon);
    }
  }
}
