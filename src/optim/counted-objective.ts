/**
 * The bookkeeping every optimiser here shares: it wraps the user's objective to count
 * evaluations against the hard cap, report each one to onEvaluation, remember the best
 * finite point, and decide when the run must end whatever the algorithm is doing
 * (budget spent, user stop, non-finite loss or gradient). Because the best point is kept
 * here, an optimiser interrupted mid line search can still return it.
 */
import { copyInto, type StreamedVector } from './state.js';
import type { Objective, OnEvaluation, OptimResult, StopReason } from './types.js';
import { allFinite } from './vector.js';

/** The reasons that end a run from outside the algorithm, whatever it is doing. */
export type InterruptReason = Extract<StopReason, 'max-evaluations' | 'stopped' | 'non-finite'>;

export class CountedObjective {
  evaluations = 0;
  /** Set by the evaluation after which the run must end. */
  interrupt: InterruptReason | undefined;
  private readonly bestX: Float32Array;
  private bestLoss = Infinity;

  constructor(
    private readonly objective: Objective,
    x0: Float32Array,
    private readonly maxEvaluations: number,
    private readonly onEvaluation: OnEvaluation | undefined,
  ) {
    if (!Number.isInteger(maxEvaluations) || maxEvaluations < 1) {
      throw new RangeError(`maxEvaluations must be a positive integer, got ${maxEvaluations}`);
    }
    this.bestX = Float32Array.from(x0);
  }

  /** Evaluates the objective at x into grad. Callers must not evaluate again once interrupt is set. */
  async evaluate(x: Float32Array, grad: Float32Array): Promise<number> {
    const loss = await this.objective(x, grad);
    this.evaluations++;
    const finite = Number.isFinite(loss) && allFinite(grad);
    if (finite && loss < this.bestLoss) {
      this.bestLoss = loss;
      this.bestX.set(x);
    }
    const verdict = await this.onEvaluation?.({ evaluation: this.evaluations, loss, x });
    if (!finite) this.interrupt = 'non-finite';
    else if (verdict === 'stop') this.interrupt = 'stopped';
    else if (this.evaluations >= this.maxEvaluations) this.interrupt = 'max-evaluations';
    return loss;
  }

  /** The best finite point so far (this object's buffer) and its loss, Infinity when none. */
  best(): { x: Float32Array; loss: number } {
    return { x: this.bestX, loss: this.bestLoss };
  }

  /** Goes on from a saved run: its evaluation count and best point. */
  restore(evaluations: number, bestX: Float32Array | StreamedVector, bestLoss: number): void {
    this.evaluations = evaluations;
    copyInto(this.bestX, bestX);
    this.bestLoss = bestLoss;
  }

  result(reason: StopReason, iterations: number): OptimResult {
    return {
      x: this.bestX,
      loss: this.bestLoss === Infinity ? NaN : this.bestLoss,
      evaluations: this.evaluations,
      iterations,
      reason,
    };
  }
}
