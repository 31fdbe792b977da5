/**
 * Strong-Wolfe line search: Nocedal & Wright, Numerical Optimization (2nd ed.),
 * Algorithm 3.5 (bracketing) and Algorithm 3.6 (zoom), with the step chosen by
 * cubic interpolation as in minFunc's WolfeLineSearch and PyTorch's _strong_wolfe.
 *
 * It works on the 1-D restriction φ(t) = f(x + t·d) of the objective along a descent
 * direction d, and looks for a step t with
 *   sufficient decrease  φ(t) <= φ(0) + c1·t·φ'(0)      and
 *   curvature            |φ'(t)| <= c2·|φ'(0)|.
 *
 * Invariant of both phases (N&W section 3.5): `low` is the step with the lowest φ among
 * those that satisfy sufficient decrease (t = 0 when none does yet), and the interval
 * between `low` and `high` contains steps satisfying the strong Wolfe conditions.
 */

/** A point of φ: its step t, value φ(t) and slope φ'(t) = ∇f(x + t·d)·d. */
export interface LinePoint {
  step: number;
  value: number;
  slope: number;
}

export interface LineFunction {
  /** Evaluates φ at step; undefined when the optimiser must stop (budget spent, user stop, non-finite value). */
  evaluate(step: number): Promise<LinePoint | undefined>;
  /**
   * Called when the point evaluated last becomes the best step so far (`low`), so that
   * the caller can keep its gradient: the search returns one of these points (or t = 0).
   */
  keepLast(): void;
}

export interface StrongWolfeOptions {
  /** Sufficient-decrease constant; default 1e-4 (N&W section 3.1). */
  c1?: number;
  /** Curvature constant; default 0.9, the usual value for quasi-Newton directions (N&W section 3.1). */
  c2?: number;
  /** Evaluations allowed in one search; default 25 as PyTorch's max_ls. */
  maxEvaluations?: number;
  /** The zoom gives up once the bracket is this narrow (in step units); default 0. */
  minBracketWidth?: number;
}

export interface LineSearchResult {
  /** The step to take: `low`, 0 when no step decreased φ enough. */
  step: number;
  /** φ(step). */
  value: number;
  /**
   * 'strong-wolfe': both conditions hold at step. 'sufficient-decrease': the search ran
   * out of evaluations or bracket width with only the first one satisfied. 'no-decrease':
   * step is 0. 'interrupted': the line function asked to stop; step is meaningless.
   */
  status: 'strong-wolfe' | 'sufficient-decrease' | 'no-decrease' | 'interrupted';
  evaluations: number;
}

/** Extrapolation stays within [t + 0.01·(t - tPrevious), 10·t], as minFunc and PyTorch. */
const MIN_EXTRAPOLATION = 0.01;
const MAX_EXTRAPOLATION = 10;
/** A zoom step keeps this fraction of the bracket width away from both ends, so the bracket always shrinks. */
const ZOOM_MARGIN = 0.1;

/**
 * Minimiser of the cubic interpolating the values and slopes of two points
 * (N&W equation 3.59), clamped to [lower, upper]; the midpoint of [lower, upper]
 * when the cubic has no minimiser.
 */
export function cubicMinimizer(p: LinePoint, q: LinePoint, lower: number, upper: number): number {
  const [a, b] = p.step <= q.step ? [p, q] : [q, p];
  const d1 = a.slope + b.slope - (3 * (a.value - b.value)) / (a.step - b.step);
  const d2Squared = d1 * d1 - a.slope * b.slope;
  if (d2Squared >= 0) {
    const d2 = Math.sqrt(d2Squared);
    const minimizer = b.step - (b.step - a.step) * ((b.slope + d2 - d1) / (b.slope - a.slope + 2 * d2));
    if (Number.isFinite(minimizer)) return Math.min(Math.max(minimizer, lower), upper);
  }
  return (lower + upper) / 2;
}

export async function strongWolfeLineSearch(
  phi: LineFunction,
  start: LinePoint,
  initialStep: number,
  options: StrongWolfeOptions = {},
): Promise<LineSearchResult> {
  const { c1 = 1e-4, c2 = 0.9, maxEvaluations = 25, minBracketWidth = 0 } = options;
  if (!(start.slope < 0)) throw new RangeError(`line search needs a descent direction, got slope ${start.slope}`);

  const decreasesEnough = (p: LinePoint) => p.value <= start.value + c1 * p.step * start.slope;
  const isFlatEnough = (p: LinePoint) => Math.abs(p.slope) <= -c2 * start.slope;
  let evaluations = 0;
  const evaluate = (step: number) => {
    evaluations++;
    return phi.evaluate(step);
  };
  const finish = (status: LineSearchResult['status'], p: LinePoint): LineSearchResult => ({
    step: p.step,
    value: p.value,
    status,
    evaluations,
  });
  const finishWithoutWolfe = (low: LinePoint) => finish(low.step > 0 ? 'sufficient-decrease' : 'no-decrease', low);

  /** Algorithm 3.6: shrinks the bracket [low, high] until a strong Wolfe step is found. */
  const zoom = async (low: LinePoint, high: LinePoint): Promise<LineSearchResult> => {
    while (evaluations < maxEvaluations && Math.abs(high.step - low.step) > minBracketWidth) {
      const left = Math.min(low.step, high.step);
      const right = Math.max(low.step, high.step);
      const margin = ZOOM_MARGIN * (right - left);
      const trial = await evaluate(cubicMinimizer(low, high, left + margin, right - margin));
      if (!trial) return finish('interrupted', low);
      // N&W move high on φ(trial) >= φ(low); a tie goes to the slope test below instead,
      // because near a minimum values stop differing in floating point while slopes still do.
      if (!decreasesEnough(trial) || trial.value > low.value) {
        high = trial;
        continue;
      }
      phi.keepLast();
      if (isFlatEnough(trial)) return finish('strong-wolfe', trial);
      // Keep a minimiser between low and high: if φ rises from trial towards high, the
      // minimiser lies on the other side of trial, between it and the old low.
      if (trial.slope * (high.step - low.step) >= 0) high = low;
      low = trial;
    }
    return finishWithoutWolfe(low);
  };

  // Algorithm 3.5: grow the step until the interval [previous, current] brackets a Wolfe step.
  let previous = start;
  let step = initialStep;
  while (evaluations < maxEvaluations) {
    const current = await evaluate(step);
    if (!current) return finish('interrupted', previous);
    // N&W test φ(current) >= φ(previous) only after the first trial; for the first one
    // (previous = start) it implies that sufficient decrease fails, so testing it always is the same.
    if (!decreasesEnough(current) || current.value >= previous.value) return zoom(previous, current);
    phi.keepLast();
    if (isFlatEnough(current)) return finish('strong-wolfe', current);
    if (current.slope >= 0) return zoom(current, previous);
    const lower = current.step + MIN_EXTRAPOLATION * (current.step - previous.step);
    step = cubicMinimizer(previous, current, lower, MAX_EXTRAPOLATION * current.step);
    previous = current;
  }
  return finishWithoutWolfe(previous);
}
