/**
 * Tests of the optimisers in src/optim: L-BFGS (Nocedal & Wright, Algorithm 7.5) with a
 * strong-Wolfe line search or a fixed step, and Adam (Kingma & Ba, 2015).
 * Convergence is checked on the Rosenbrock function and on ill-conditioned quadratics,
 * against a fixed-step gradient descent baseline written here; the bookkeeping (the
 * evaluation cap, callbacks, stop, non-finite values, best point) on small problems.
 * Everything is deterministic: evaluations are counted, never timed.
 */
import { describe, expect, it } from 'vitest';
import { adam, lbfgs, type Objective, type OnEvaluation, type OptimResult } from '../src/optim/index.js';
import { rosenbrock, type Problem } from './helpers/optim-problems.js';

// ---------------------------------------------------------------------------------------
// Test problems

/** Eigenvalues spread evenly on a log scale from 1 to conditionNumber. */
function logSpacedEigenvalues(n: number, conditionNumber: number): Float64Array {
  return Float64Array.from({ length: n }, (_, i) => conditionNumber ** (i / (n - 1)));
}

/** Minimiser (1, 2, 3, 4, 5, 1, 2, ...): values of different sizes, away from the start at 0. */
function quadraticMinimizer(n: number): Float64Array {
  return Float64Array.from({ length: n }, (_, i) => (i % 5) + 1);
}

/** f = ½·Σ λ_i·(x_i - c_i)², minimum 0 at c. */
function diagonalQuadratic(n: number, conditionNumber: number): Problem {
  const eigenvalues = logSpacedEigenvalues(n, conditionNumber);
  const minimizer = quadraticMinimizer(n);
  const objective: Objective = (x, grad) => {
    let f = 0;
    for (let i = 0; i < n; i++) {
      const d = x[i] - minimizer[i];
      f += 0.5 * eigenvalues[i] * d * d;
      grad[i] = eigenvalues[i] * d;
    }
    return f;
  };
  return { name: `diagonal-quadratic-${n}-cond-${conditionNumber}`, objective, start: new Float32Array(n), minimizer };
}

/** Deterministic uniform numbers in [0, 1) (mulberry32). */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * The n×n symmetric matrix Q·Λ·Qᵀ, row-major, with Q a product of three Householder
 * reflections along random directions: an orthogonal Q that mixes every coordinate.
 */
function rotatedMatrix(eigenvalues: Float64Array, random: () => number): Float64Array {
  const n = eigenvalues.length;
  const matrix = new Float64Array(n * n);
  for (let i = 0; i < n; i++) matrix[i * n + i] = eigenvalues[i];
  for (let reflection = 0; reflection < 3; reflection++) {
    const v = Float64Array.from({ length: n }, () => random() - 0.5);
    const norm = Math.hypot(...v);
    for (let i = 0; i < n; i++) v[i] /= norm;
    // M ← H·M·H with H = I - 2·v·vᵀ.
    const mv = new Float64Array(n);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) mv[i] += matrix[i * n + j] * v[j];
    let vmv = 0;
    for (let i = 0; i < n; i++) vmv += v[i] * mv[i];
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        matrix[i * n + j] += -2 * v[i] * mv[j] - 2 * mv[i] * v[j] + 4 * vmv * v[i] * v[j];
      }
    }
  }
  return matrix;
}

/** f = ½·(x - c)ᵀ·A·(x - c) with A a rotated diagonal matrix, minimum 0 at c. */
function rotatedQuadratic(n: number, conditionNumber: number): Problem {
  const matrix = rotatedMatrix(logSpacedEigenvalues(n, conditionNumber), seededRandom(42));
  const minimizer = quadraticMinimizer(n);
  const offset = new Float64Array(n);
  const objective: Objective = (x, grad) => {
    for (let i = 0; i < n; i++) offset[i] = x[i] - minimizer[i];
    let f = 0;
    for (let i = 0; i < n; i++) {
      let row = 0;
      for (let j = 0; j < n; j++) row += matrix[i * n + j] * offset[j];
      grad[i] = row;
      f += 0.5 * offset[i] * row;
    }
    return f;
  };
  return { name: `rotated-quadratic-${n}-cond-${conditionNumber}`, objective, start: new Float32Array(n), minimizer };
}

function maxError(x: Float32Array, minimizer: Float64Array): number {
  let error = 0;
  for (let i = 0; i < x.length; i++) error = Math.max(error, Math.abs(x[i] - minimizer[i]));
  return error;
}

interface Call {
  x: Float32Array;
  loss: number;
}

/** Wraps an objective to record every call, with a copy of its point. */
function recording(objective: Objective): { objective: Objective; calls: Call[] } {
  const calls: Call[] = [];
  return {
    calls,
    objective: async (x, grad) => {
      const loss = await objective(x, grad);
      calls.push({ x: Float32Array.from(x), loss });
      return loss;
    },
  };
}

function bestFiniteCall(calls: Call[]): Call {
  const finite = calls.filter((call) => Number.isFinite(call.loss));
  return finite.reduce((best, call) => (call.loss < best.loss ? call : best));
}

/** The baseline: x ← x - step·∇f(x). Returns the evaluations until isAccurate(x), or Infinity past budget. */
async function gradientDescentEvaluations(
  problem: Problem,
  step: number,
  budget: number,
  isAccurate: (x: Float32Array) => boolean,
): Promise<number> {
  const x = Float32Array.from(problem.start);
  const grad = new Float32Array(x.length);
  for (let evaluation = 1; evaluation <= budget; evaluation++) {
    await problem.objective(x, grad);
    if (isAccurate(x)) return evaluation;
    for (let i = 0; i < x.length; i++) x[i] -= step * grad[i];
  }
  return Infinity;
}

/** Evaluations L-BFGS needs until the first evaluated point that isAccurate. */
async function lbfgsEvaluations(problem: Problem, budget: number, isAccurate: (x: Float32Array) => boolean) {
  const result = await lbfgs(problem.objective, problem.start, {
    maxEvaluations: budget,
    onEvaluation: ({ x }) => (isAccurate(x) ? 'stop' : undefined),
  });
  return result.reason === 'stopped' ? result.evaluations : Infinity;
}

/** Disables every tolerance test, as neural-style does (tolX = tolFun = -1), so only the budget ends a run. */
const NO_TOLERANCES = { tolFunction: -1, tolGradient: -1, tolChange: -1 } as const;

// ---------------------------------------------------------------------------------------
// L-BFGS convergence

/**
 * Each problem with its gradient descent step: the largest that converges, of 2e-3, 1e-3,
 * 5e-4 for Rosenbrock (larger ones oscillate in the valley), and 1.9/λmax for the
 * quadratics (the optimal fixed step is 2/(λmax + λmin)).
 */
const convergenceCases = [
  { problem: rosenbrock(2), gradientStep: 2e-3, budget: 200 },
  { problem: rosenbrock(10), gradientStep: 1e-3, budget: 300 },
  { problem: rosenbrock(100), gradientStep: 1e-3, budget: 1000 },
  { problem: diagonalQuadratic(100, 1e4), gradientStep: 1.9e-4, budget: 1000 },
  { problem: rotatedQuadratic(50, 1e3), gradientStep: 1.9e-3, budget: 500 },
];

describe('lbfgs convergence', () => {
  it.each(convergenceCases)('reaches the minimiser of $problem.name', async ({ problem, budget }) => {
    const result = await lbfgs(problem.objective, problem.start, { maxEvaluations: budget });
    expect(result.reason).toMatch(/^tolerance-/);
    expect(result.evaluations).toBeLessThan(budget);
    expect(maxError(result.x, problem.minimizer)).toBeLessThan(1e-3);
    expect(result.loss).toBeLessThan(1e-6);
  });

  it.each(convergenceCases)(
    'needs at least 10x fewer evaluations than gradient descent on $problem.name',
    async ({ problem, gradientStep, budget }) => {
      const isAccurate = (x: Float32Array) => maxError(x, problem.minimizer) <= 1e-3;
      const lbfgsCount = await lbfgsEvaluations(problem, budget, isAccurate);
      const gradientDescentCount = await gradientDescentEvaluations(problem, gradientStep, 100 * budget, isAccurate);
      expect(lbfgsCount).toBeLessThan(budget);
      expect(gradientDescentCount).toBeGreaterThanOrEqual(10 * lbfgsCount);
    },
  );

  it('finds the known minimum value and point of a shifted sum of squares', async () => {
    const centre = Float32Array.from([3, -1, 0.5, 250, -7]);
    const objective: Objective = (x, grad) => {
      let f = 7;
      for (let i = 0; i < x.length; i++) {
        f += (x[i] - centre[i]) ** 2;
        grad[i] = 2 * (x[i] - centre[i]);
      }
      return f;
    };
    const result = await lbfgs(objective, new Float32Array(5), { maxEvaluations: 50 });
    expect(result.loss).toBeCloseTo(7, 6);
    for (let i = 0; i < centre.length; i++) expect(result.x[i]).toBeCloseTo(centre[i], 3);
    expect(result.evaluations).toBeLessThanOrEqual(10);
  });

  it('stops at once with tolerance-gradient when started at the minimiser', async () => {
    const problem = rosenbrock(2);
    const result = await lbfgs(problem.objective, Float32Array.from([1, 1]), { maxEvaluations: 10 });
    expect(result).toMatchObject({ reason: 'tolerance-gradient', evaluations: 1, iterations: 0, loss: 0 });
  });

  it('takes the fixed step learningRate along the L-BFGS direction with lineSearch none', async () => {
    const { objective, calls } = recording(diagonalQuadratic(10, 10).objective);
    const result = await lbfgs(objective, new Float32Array(10), { maxEvaluations: 200, lineSearch: 'none' });
    expect(result.reason).toMatch(/^tolerance-/);
    expect(maxError(result.x, quadraticMinimizer(10))).toBeLessThan(1e-3);
    // One evaluation per iteration, plus the one at the start.
    expect(result.evaluations).toBe(result.iterations + 1);
    // The first step is min(1, 1/|g|_1)·learningRate along -g, where g_i = -λ_i·c_i at x = 0.
    const eigenvalues = logSpacedEigenvalues(10, 10);
    const minimizer = quadraticMinimizer(10);
    const gradientL1 = eigenvalues.reduce((sum, eigenvalue, i) => sum + eigenvalue * minimizer[i], 0);
    expect(calls[1].x[0]).toBeCloseTo(1 / gradientL1, 6);
  });

  it('gives up with line-search-failed when even -grad does not descend, after a retry without history', async () => {
    // f = x², but every gradient after the first has the wrong sign. The first iteration
    // still decreases f (3 → 2) and records a pair; the line search along the quasi-Newton
    // direction then finds no decrease (iteration 2), nor does the one along -grad once
    // the history is cleared (iteration 3). Both end when the bracket is below tolChange.
    let evaluations = 0;
    const objective: Objective = (x, grad) => {
      grad[0] = (++evaluations === 1 ? 2 : -2) * x[0];
      return x[0] * x[0];
    };
    const result = await lbfgs(objective, Float32Array.from([3]), { maxEvaluations: 100 });
    expect(result).toMatchObject({ reason: 'line-search-failed', iterations: 3, loss: 4 });
    expect(result.evaluations).toBeLessThan(100);
    expect(result.x).toEqual(Float32Array.from([2]));
  });

  it('does not modify x0', async () => {
    const problem = rosenbrock(2);
    const x0 = Float32Array.from(problem.start);
    await lbfgs(problem.objective, x0, { maxEvaluations: 20 });
    expect(x0).toEqual(problem.start);
  });

  it('rejects invalid options', async () => {
    const { objective, start } = rosenbrock(2);
    await expect(lbfgs(objective, start, { maxEvaluations: 0 })).rejects.toThrow(RangeError);
    await expect(lbfgs(objective, start, { maxEvaluations: 10, history: 0 })).rejects.toThrow(RangeError);
    await expect(lbfgs(objective, start, { maxEvaluations: 10, learningRate: -1 })).rejects.toThrow(RangeError);
  });
});

// ---------------------------------------------------------------------------------------
// Bookkeeping shared by both optimisers

type Run = (
  objective: Objective,
  x0: Float32Array,
  options: { maxEvaluations: number; onEvaluation?: OnEvaluation },
) => Promise<OptimResult>;

const optimisers: { name: string; run: Run }[] = [
  { name: 'lbfgs strong-wolfe', run: (f, x0, options) => lbfgs(f, x0, { ...NO_TOLERANCES, ...options }) },
  { name: 'lbfgs none', run: (f, x0, options) => lbfgs(f, x0, { ...NO_TOLERANCES, lineSearch: 'none', ...options }) },
  { name: 'adam', run: (f, x0, options) => adam(f, x0, { learningRate: 0.01, ...options }) },
];

describe.each(optimisers)('$name bookkeeping', ({ run }) => {
  const problem = rosenbrock(10);

  it('makes exactly maxEvaluations calls when nothing else stops it', async () => {
    for (const maxEvaluations of [1, 2, 3, 5, 8, 13, 21, 34, 55]) {
      const { objective, calls } = recording(problem.objective);
      const result = await run(objective, problem.start, { maxEvaluations });
      expect(calls).toHaveLength(maxEvaluations);
      expect(result).toMatchObject({ reason: 'max-evaluations', evaluations: maxEvaluations });
    }
  });

  it('returns the best point evaluated, with its loss', async () => {
    const { objective, calls } = recording(problem.objective);
    const result = await run(objective, problem.start, { maxEvaluations: 40 });
    const best = bestFiniteCall(calls);
    expect(result.loss).toBe(best.loss);
    expect(result.x).toEqual(best.x);
  });

  it('calls onEvaluation once per evaluation with a 1-based counter, the loss and the point', async () => {
    const { objective, calls } = recording(problem.objective);
    const seen: number[] = [];
    await run(objective, problem.start, {
      maxEvaluations: 30,
      onEvaluation: ({ evaluation, loss, x }) => {
        seen.push(evaluation);
        expect(loss).toBe(calls[evaluation - 1].loss);
        expect(x).toEqual(calls[evaluation - 1].x);
      },
    });
    expect(seen).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
  });

  it("stops after the evaluation for which onEvaluation returns 'stop', also when async", async () => {
    const { objective, calls } = recording(problem.objective);
    const result = await run(objective, problem.start, {
      maxEvaluations: 100,
      onEvaluation: async ({ evaluation }) => (evaluation === 7 ? 'stop' : undefined),
    });
    expect(calls).toHaveLength(7);
    expect(result).toMatchObject({ reason: 'stopped', evaluations: 7, loss: bestFiniteCall(calls).loss });
  });

  it.each(['loss', 'gradient'])('stops on a non-finite %s and returns the best finite point', async (where) => {
    let count = 0;
    const { objective, calls } = recording((x, grad) => {
      const loss = problem.objective(x, grad) as number;
      if (++count < 12) return loss;
      if (where === 'gradient') grad[3] = Infinity;
      return where === 'loss' ? NaN : loss;
    });
    const result = await run(objective, problem.start, { maxEvaluations: 100 });
    const best = bestFiniteCall(calls.slice(0, 11));
    expect(calls).toHaveLength(12);
    expect(result).toMatchObject({ reason: 'non-finite', evaluations: 12, loss: best.loss });
    expect(result.x).toEqual(best.x);
  });

  it('returns x0 and a NaN loss when the first evaluation is not finite', async () => {
    const x0 = Float32Array.from([1, 2, 3]);
    const result = await run(() => NaN, x0, { maxEvaluations: 10 });
    expect(result).toMatchObject({ reason: 'non-finite', evaluations: 1, loss: NaN });
    expect(result.x).toEqual(x0);
  });

  it('awaits async objectives', async () => {
    const asyncObjective: Objective = async (x, grad) => {
      await new Promise((resolve) => setImmediate(resolve));
      return problem.objective(x, grad);
    };
    const synchronous = await run(problem.objective, problem.start, { maxEvaluations: 25 });
    const asynchronous = await run(asyncObjective, problem.start, { maxEvaluations: 25 });
    expect(asynchronous).toEqual(synchronous);
  });
});

describe('lbfgs best point', () => {
  it("returns the best point when a too large fixed step makes lineSearch 'none' diverge", async () => {
    const { objective, calls } = recording((x, grad) => {
      grad[0] = 2 * (x[0] - 1);
      return (x[0] - 1) ** 2;
    });
    const result = await lbfgs(objective, Float32Array.from([3]), {
      maxEvaluations: 20,
      lineSearch: 'none',
      learningRate: 3,
    });
    const best = bestFiniteCall(calls);
    expect(calls[calls.length - 1].loss).toBeGreaterThan(100 * best.loss);
    expect(result.loss).toBe(best.loss);
    expect(result.x).toEqual(best.x);
  });
});

// ---------------------------------------------------------------------------------------
// Adam

describe('adam', () => {
  it('converges on an ill-conditioned quadratic', async () => {
    const problem = rotatedQuadratic(20, 1e2);
    const result = await adam(problem.objective, problem.start, { maxEvaluations: 3000, learningRate: 0.05 });
    expect(result.reason).toBe('max-evaluations');
    expect(maxError(result.x, problem.minimizer)).toBeLessThan(1e-2);
  });

  it('converges on the 2-D Rosenbrock function', async () => {
    const problem = rosenbrock(2);
    const result = await adam(problem.objective, problem.start, { maxEvaluations: 5000, learningRate: 0.02 });
    expect(maxError(result.x, problem.minimizer)).toBeLessThan(1e-3);
  });

  it('moves every value by the learning rate on its first step, 10 by default as neural-style', async () => {
    const { objective, calls } = recording(diagonalQuadratic(5, 1e3).objective);
    const result = await adam(objective, Float32Array.from([100, 150, 200, 250, 300]), { maxEvaluations: 2 });
    expect(result.iterations).toBe(1);
    for (let i = 0; i < 5; i++) expect(calls[0].x[i] - calls[1].x[i]).toBeCloseTo(10, 4);
  });
});
