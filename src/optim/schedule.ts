/**
 * Learning rates that change with the step, for the first-order optimisers (SGD, Adam).
 * Keras's ExponentialDecay (keras.optimizers.schedules; keras.io and its source):
 *   lr(step) = initial * rate ^ (step / steps),   step / steps floored when staircase,
 * where step counts the updates already applied (Keras's optimizer.iterations), so the first
 * update uses the initial rate.
 */

/** A constant, or the rate for the update after `step` earlier ones. */
export type LearningRate = number | ((step: number) => number);

export function rateAt(rate: LearningRate, step: number): number {
  return typeof rate === 'number' ? rate : rate(step);
}

export interface ExponentialDecay {
  initial: number;
  /** In (0, 1]: the factor per `steps` updates. */
  rate: number;
  steps: number;
  /** Decay in whole steps of `steps` updates instead of continuously (Keras's default: false). */
  staircase: boolean;
}

export function exponentialDecay({ initial, rate, steps, staircase }: ExponentialDecay): (step: number) => number {
  if (!(initial > 0 && rate > 0 && rate <= 1 && Number.isInteger(steps) && steps > 0)) {
    throw new RangeError(`exponential decay needs initial > 0, rate in (0, 1] and whole steps > 0; got ${initial}, ${rate}, ${steps}`);
  }
  return (step) => {
    const p = step / steps;
    return initial * rate ** (staircase ? Math.floor(p) : p);
  };
}

/** Checks a learning rate that is a plain number (a schedule checks itself). */
export function checkLearningRate(rate: LearningRate): void {
  if (typeof rate === 'number' && !(rate > 0 && Number.isFinite(rate))) {
    throw new RangeError(`learningRate must be a positive number, got ${rate}`);
  }
}
