/**
 * Adam: Kingma & Ba, "Adam: A Method for Stochastic Optimization" (ICLR 2015),
 * Algorithm 1, with bias-corrected first and second moment estimates.
 * One objective evaluation per step; the step after the last evaluation is not taken,
 * since its loss would be unknown and the result is the best point evaluated.
 *
 * Where epsilon goes differs between frameworks, and with a large epsilon (the TF tutorial's
 * 0.1) the difference shows:
 *  - pytorch, Algorithm 1 (PyTorch):     x -= lr * m-hat / (sqrt(v-hat) + eps)
 *  - keras, the paper's "epsilon-hat" reordering at the end of its section 2 (TF/Keras, torch7's
 *    optim.adam):  x -= lr * sqrt(1 - beta2^t) / (1 - beta1^t) * m / (sqrt(v) + eps),
 *    i.e. eps is added before the bias correction, as eps / sqrt(1 - beta2^t) after it.
 */
import { CountedObjective } from './counted-objective.js';
import { checkLearningRate, rateAt, type LearningRate } from './schedule.js';
import { copyInto, expectKind, restoreCounted, scalarOf, stateOf, vectorOf, type ResumeOptions } from './state.js';
import type { Objective, OnEvaluation, OptimResult, Projection } from './types.js';

export type AdamEpsilonForm = 'pytorch' | 'keras';

export interface AdamOptions extends ResumeOptions {
  /** Hard cap on objective evaluations (one per step). */
  maxEvaluations: number;
  /** Default 1e1, jcjohnson/neural-style's -learning_rate for pixels in the 0..255 range; or a schedule. */
  learningRate?: LearningRate;
  /** Decay of the first moment estimate; default 0.9 (the paper's, torch's and PyTorch's). */
  beta1?: number;
  /** Decay of the second moment estimate; default 0.999. */
  beta2?: number;
  /** Added to the root of the second moment to avoid dividing by zero; default 1e-8. */
  epsilon?: number;
  /** Default 'pytorch'. */
  epsilonForm?: AdamEpsilonForm;
  /** Applied to x after every step (pixel clipping, as the TF tutorial). */
  project?: Projection;
  onEvaluation?: OnEvaluation;
}

export async function adam(f: Objective, x0: Float32Array, opts: AdamOptions): Promise<OptimResult> {
  const { learningRate = 1e1, beta1 = 0.9, beta2 = 0.999, epsilon = 1e-8, epsilonForm = 'pytorch' } = opts;
  checkLearningRate(learningRate);
  if (!(beta1 >= 0 && beta1 < 1 && beta2 >= 0 && beta2 < 1)) {
    throw new RangeError(`beta1 and beta2 must be in [0, 1), got ${beta1} and ${beta2}`);
  }
  if (!(epsilon > 0)) throw new RangeError(`epsilon must be positive, got ${epsilon}`);
  const objective = new CountedObjective(f, x0, opts.maxEvaluations, opts.onEvaluation);
  const n = x0.length;
  const x = Float32Array.from(x0);
  const grad = new Float32Array(n);
  const firstMoment = new Float32Array(n);
  const secondMoment = new Float32Array(n);
  let firstStep = 1;
  if (opts.resume) {
    expectKind(opts.resume, 'adam');
    copyInto(x, vectorOf(opts.resume, 'x', n));
    copyInto(firstMoment, vectorOf(opts.resume, 'firstMoment', n));
    copyInto(secondMoment, vectorOf(opts.resume, 'secondMoment', n));
    restoreCounted(objective, opts.resume, n);
    firstStep = scalarOf(opts.resume, 'evaluations') + 1;
  }

  for (let step = firstStep; ; step++) {
    // The boundary: the point to evaluate next and the moments of the steps before it.
    const evaluations = step - 1;
    await opts.onBoundary?.({
      evaluations,
      iterations: evaluations,
      state: () => stateOf('adam', objective, evaluations, { scalars: {}, vectors: { x, firstMoment, secondMoment } }),
    });
    await objective.evaluate(x, grad);
    if (objective.interrupt) return objective.result(objective.interrupt, step - 1);
    const rate = rateAt(learningRate, step - 1);
    // The moments start at zero, so they are biased towards zero by these factors.
    const firstBias = 1 - beta1 ** step;
    const secondBias = 1 - beta2 ** step;
    // pytorch: lr m/b1 / (sqrt(v/b2) + eps) = (lr sqrt(b2)/b1) m / (sqrt(v) + eps sqrt(b2)).
    const stepSize = (rate * Math.sqrt(secondBias)) / firstBias;
    const denominatorEpsilon = epsilonForm === 'pytorch' ? epsilon * Math.sqrt(secondBias) : epsilon;
    for (let i = 0; i < n; i++) {
      const g = grad[i];
      firstMoment[i] = beta1 * firstMoment[i] + (1 - beta1) * g;
      secondMoment[i] = beta2 * secondMoment[i] + (1 - beta2) * g * g;
      x[i] -= (stepSize * firstMoment[i]) / (Math.sqrt(secondMoment[i]) + denominatorEpsilon);
    }
    opts.project?.(x);
  }
}
