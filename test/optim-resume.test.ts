/**
 * Stopping an optimiser and resuming it from its last iteration boundary (src/optim/state.ts)
 * gives the run it would have made without stopping: the same losses at the same evaluation
 * numbers and the same result, bit for bit (the objective here is plain, deterministic JS).
 * Each optimiser is stopped after every evaluation of a short run in turn, so stops fall in
 * L-BFGS line searches, on boundaries and inside rounds; the state is copied in between, as a
 * checkpoint file would.
 */
import { describe, expect, it } from 'vitest';
import { adam, lbfgs, lbfgsRounds, sgd, type Boundary, type OptimizerState, type OptimResult } from '../src/optim/index.js';
import { copyInto, type ResumeOptions } from '../src/optim/state.js';
import { rosenbrock as rosenbrockOf } from './helpers/optim-problems.js';

/** Curved enough that L-BFGS needs line searches of several evaluations. */
const { objective: rosenbrock, start } = rosenbrockOf(6);
const BUDGET = 24;

type Run = (opts: ResumeOptions & { onEvaluation: (info: { evaluation: number; loss: number }) => void | 'stop' }) => Promise<OptimResult>;

const clip = (x: Float32Array) => x.forEach((v, i) => (x[i] = Math.min(2, Math.max(-2, v))));
const optimisers: Array<{ name: string; run: Run }> = [
  { name: 'lbfgs, strong-wolfe', run: (o) => lbfgs(rosenbrock, start, { maxEvaluations: BUDGET, history: 3, tolFunction: -1, tolGradient: -1, tolChange: -1, ...o }) },
  { name: 'lbfgs, fixed step', run: (o) => lbfgs(rosenbrock, start, { maxEvaluations: BUDGET, lineSearch: 'none', learningRate: 0.05, history: 3, ...o }) },
  { name: 'adam', run: (o) => adam(rosenbrock, start, { maxEvaluations: BUDGET, learningRate: 0.05, project: clip, ...o }) },
  { name: 'sgd', run: (o) => sgd(rosenbrock, start, { maxEvaluations: BUDGET, learningRate: (step) => 1e-3 * 0.9 ** step, ...o }) },
  {
    name: 'lbfgs in rounds',
    // The budget: 6 rounds, each ending after the iteration that passes 3 evaluations.
    run: (o) => lbfgsRounds(rosenbrock, start, { rounds: 6, maxfun: 3, project: clip, ...o }),
  },
  {
    // Each round starts further from the minimum than the last ended: the best point is an
    // early round's, which a resumed run must remember.
    name: 'lbfgs in rounds, drifting away',
    run: (o) => lbfgsRounds(rosenbrock, start, { rounds: 6, maxfun: 3, project: (x) => x.forEach((v, i) => (x[i] = 3 * v - 0.5)), ...o }),
  },
];

/** A deep copy, as writing the state to a file and reading it back makes. */
function copied(state: OptimizerState): OptimizerState {
  return { optimizer: state.optimizer, scalars: { ...state.scalars }, vectors: Object.fromEntries(Object.entries(state.vectors).map(([k, v]) => [k, v instanceof Float64Array ? v.slice() : copyInto(new Float32Array(v.length), v)])) };
}

describe.each(optimisers)('$name resumed', ({ run }) => {
  it('after a stop at any evaluation, gives the losses and result of the run never stopped, bit for bit', async () => {
    const whole: number[] = [];
    const reference = await run({ onEvaluation: ({ loss }) => void whole.push(loss) });
    expect(whole.length).toBeGreaterThan(8);

    for (let stopAt = 1; stopAt < whole.length; stopAt++) {
      let last: Boundary | undefined;
      const first = await run({ onEvaluation: ({ evaluation }) => (evaluation === stopAt ? 'stop' : undefined), onBoundary: (b) => void (last = b) });
      expect(first.reason).toBe('stopped');
      expect(last, `a boundary before evaluation ${stopAt}`).toBeDefined();
      const boundary = last!;
      expect(boundary.evaluations).toBeLessThanOrEqual(stopAt);
      const state = copied(boundary.state());

      // Stopped again at the same evaluation, it has the same best point: the one before the boundary counts too.
      const again = await run({ resume: copied(boundary.state()), onEvaluation: ({ evaluation }) => (evaluation === stopAt ? 'stop' : undefined) });
      expect(again.loss, `best after a stop at ${stopAt}`).toBe(first.loss);
      expect(Array.from(again.x)).toEqual(Array.from(first.x));

      const resumed: Array<[number, number]> = [];
      const result = await run({ resume: state, onEvaluation: ({ evaluation, loss }) => void resumed.push([evaluation, loss]) });
      expect(resumed.map(([i]) => i), `numbering goes on from the boundary (stop at ${stopAt})`).toEqual(
        Array.from({ length: whole.length - boundary.evaluations }, (_, k) => boundary.evaluations + k + 1),
      );
      expect(resumed.map(([, loss]) => loss), `losses after a stop at ${stopAt}`).toEqual(whole.slice(boundary.evaluations));
      expect(result.loss).toBe(reference.loss);
      expect(Array.from(result.x)).toEqual(Array.from(reference.x));
      expect([result.evaluations, result.iterations, result.reason]).toEqual([reference.evaluations, reference.iterations, reference.reason]);
    }
  });
});

describe('optimiser state', () => {
  it("is refused by another optimiser", async () => {
    let last: Boundary | undefined;
    await adam(rosenbrock, start, { maxEvaluations: 3, onBoundary: (b) => void (last = b) });
    await expect(sgd(rosenbrock, start, { maxEvaluations: 3, learningRate: 1, resume: last!.state() })).rejects.toThrow(/state of adam, not sgd/);
  });
});
