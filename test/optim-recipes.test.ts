/**
 * The optimiser settings the source articles use, each against an update written here from
 * its framework's definition: Keras's ExponentialDecay, SGD, Adam in Keras's and PyTorch's
 * epsilon forms (both updates transcribed in float64), projection (pixel clipping), and L-BFGS
 * in rounds as scipy's fmin_l_bfgs_b called in a loop (maxfun, maxiter, fresh history, clip
 * between rounds). Deterministic: evaluations are counted, never timed.
 */
import { describe, expect, it } from 'vitest';
import { adam, exponentialDecay, lbfgsRounds, sgd, type Objective } from '../src/optim/index.js';
import { clipTo } from '../src/stylize/optimize.js';

/** f = ½ Σ λ_i (x_i - c_i)², λ = 1 .. 10, c = 1 .. 5: a bowl with different curvatures. */
const bowl: Objective = (x, grad) => {
  let f = 0;
  for (let i = 0; i < x.length; i++) {
    const lambda = 1 + (9 * i) / Math.max(1, x.length - 1);
    const d = x[i] - ((i % 5) + 1);
    f += 0.5 * lambda * d * d;
    grad[i] = lambda * d;
  }
  return f;
};

/** Chained Rosenbrock: many L-BFGS iterations, line searches of several evaluations. */
const rosenbrock: Objective = (x, grad) => {
  grad.fill(0);
  let f = 0;
  for (let i = 0; i + 1 < x.length; i++) {
    const valley = x[i + 1] - x[i] * x[i];
    f += 100 * valley * valley + (1 - x[i]) ** 2;
    grad[i] += -400 * valley * x[i] - 2 * (1 - x[i]);
    grad[i + 1] += 200 * valley;
  }
  return f;
};

const START = Float32Array.from([-1.2, 1, -1.2, 1, -1.2, 1]);

/** Every point evaluated, copied. */
function recorder(f: Objective) {
  const points: Float32Array[] = [];
  const objective: Objective = async (x, g) => {
    points.push(Float32Array.from(x));
    return f(x, g);
  };
  return { objective, points };
}

describe("Keras's ExponentialDecay", () => {
  const keras = { initial: 100, rate: 0.96, steps: 100 };
  it('decays continuously by default: initial * rate^(step / steps), the first update at the initial rate', () => {
    const lr = exponentialDecay({ ...keras, staircase: false });
    expect(lr(0)).toBe(100);
    expect(lr(50)).toBeCloseTo(100 * 0.96 ** 0.5, 12);
    expect(lr(100)).toBeCloseTo(96, 12);
    expect(lr(3999)).toBeCloseTo(100 * 0.96 ** 39.99, 10);
  });
  it('in whole steps of decay_steps when staircase', () => {
    const lr = exponentialDecay({ ...keras, staircase: true });
    expect([lr(0), lr(99), lr(100), lr(199), lr(250)]).toEqual([100, 100, 96, 96, 100 * 0.96 ** 2]);
  });
  it('refuses a rate outside (0, 1]', () => {
    expect(() => exponentialDecay({ ...keras, rate: 1.5, staircase: false })).toThrow(RangeError);
    expect(() => exponentialDecay({ ...keras, rate: 0, staircase: false })).toThrow(RangeError);
  });
});

describe('SGD', () => {
  it('takes x - lr(step) g steps with the schedule, then projects', async () => {
    const schedule = exponentialDecay({ initial: 0.3, rate: 0.5, steps: 2, staircase: false });
    const { objective, points } = recorder(bowl);
    const x0 = Float32Array.from([0, 0, 0, 0, 8]);
    await sgd(objective, x0, { maxEvaluations: 5, learningRate: schedule, project: clipTo([-10, 4.5]) });
    // The same steps written out: x <- clip(x - 0.3 * 0.5^(k/2) * grad(x)).
    const x = Float64Array.from(x0);
    const grad = new Float32Array(x.length);
    for (let k = 0; k < 4; k++) {
      expect(Array.from(points[k])).toEqual(Array.from(Float32Array.from(x)));
      bowl(Float32Array.from(x), grad);
      for (let i = 0; i < x.length; i++) x[i] = Math.min(4.5, Math.max(-10, Math.fround(x[i] - 0.3 * 0.5 ** (k / 2) * grad[i])));
    }
    expect(points).toHaveLength(5);
    expect(Math.max(...points[4])).toBeLessThanOrEqual(4.5);
  });
});

/** Adam as each framework writes it, in float64. */
function frameworkAdam(form: 'keras' | 'pytorch', x0: Float32Array, steps: number, lr: number, b1: number, b2: number, eps: number) {
  const x = Float64Array.from(x0);
  const m = new Float64Array(x.length);
  const v = new Float64Array(x.length);
  const g = new Float32Array(x.length);
  for (let t = 1; t <= steps; t++) {
    bowl(Float32Array.from(x), g);
    for (let i = 0; i < x.length; i++) {
      if (form === 'keras') {
        // keras.optimizers.Adam: alpha = lr * sqrt(1 - b2^t) / (1 - b1^t); m += (g - m)(1 - b1); v += (g^2 - v)(1 - b2); x -= m alpha / (sqrt(v) + eps)
        const alpha = (lr * Math.sqrt(1 - b2 ** t)) / (1 - b1 ** t);
        m[i] += (g[i] - m[i]) * (1 - b1);
        v[i] += (g[i] * g[i] - v[i]) * (1 - b2);
        x[i] -= (m[i] * alpha) / (Math.sqrt(v[i]) + eps);
      } else {
        // torch.optim.Adam: denom = sqrt(v) / sqrt(1 - b2^t) + eps; x -= lr / (1 - b1^t) * m / denom
        m[i] = b1 * m[i] + (1 - b1) * g[i];
        v[i] = b2 * v[i] + (1 - b2) * g[i] * g[i];
        x[i] -= ((lr / (1 - b1 ** t)) * m[i]) / (Math.sqrt(v[i]) / Math.sqrt(1 - b2 ** t) + eps);
      }
    }
  }
  return x;
}

describe("Adam's parameters and epsilon forms", () => {
  // Article 000's Adam, on a problem where epsilon = 0.1 is not negligible.
  const settings = { lr: 0.02, b1: 0.99, b2: 0.999, eps: 0.1 };
  const x0 = Float32Array.from([0.3, 0.2, 0.9, 0.5, 0.1]);
  for (const form of ['keras', 'pytorch'] as const) {
    it(`follows ${form}'s update`, async () => {
      const { objective, points } = recorder(bowl);
      await adam(objective, x0, {
        maxEvaluations: 7,
        learningRate: settings.lr,
        beta1: settings.b1,
        beta2: settings.b2,
        epsilon: settings.eps,
        epsilonForm: form,
      });
      const expected = frameworkAdam(form, x0, 6, settings.lr, settings.b1, settings.b2, settings.eps);
      for (let i = 0; i < x0.length; i++) expect(points[6][i]).toBeCloseTo(expected[i], 6);
    });
  }
  it('the two forms differ visibly with epsilon 0.1 (so the tests above tell them apart)', () => {
    const keras = frameworkAdam('keras', x0, 6, settings.lr, settings.b1, settings.b2, settings.eps);
    const pytorch = frameworkAdam('pytorch', x0, 6, settings.lr, settings.b1, settings.b2, settings.eps);
    expect(Math.max(...keras.map((v, i) => Math.abs(v - pytorch[i])))).toBeGreaterThan(1e-3);
  });
  it('clips after every step', async () => {
    const { objective, points } = recorder(bowl);
    await adam(objective, x0, { maxEvaluations: 20, learningRate: 0.5, project: clipTo([0, 1]) });
    for (const p of points.slice(1)) for (const v of p) expect(v >= 0 && v <= 1).toBe(true);
    expect(points.slice(1).some((p) => p.some((v) => v === 1))).toBe(true);
  });
});

describe("L-BFGS in rounds, as scipy's fmin_l_bfgs_b called in a loop", () => {
  it('maxfun: a round stops after the first iteration that takes it past maxfun evaluations', async () => {
    const { objective, points } = recorder(rosenbrock);
    const rounds: number[] = [];
    const result = await lbfgsRounds(objective, START, {
      rounds: 3,
      maxfun: 4,
      lineSearch: 'none',
      learningRate: 1e-3,
      onRound: () => void rounds.push(points.length),
    });
    // Each round: its start (evaluation 1), then one per iteration until more than 4 were made: 5 per round.
    expect(rounds).toEqual([5, 10, 15]);
    expect(result.evaluations).toBe(15);
  });

  it('maxiter bounds iterations per round; each round restarts from where the last stopped, with an empty history', async () => {
    const { objective, points } = recorder(rosenbrock);
    const evaluations: number[] = [];
    const ends: Float32Array[] = [];
    await lbfgsRounds(objective, START, {
      rounds: 2,
      maxIterations: 3,
      lineSearch: 'none',
      learningRate: 1e-3,
      onEvaluation: ({ evaluation }) => void evaluations.push(evaluation),
      onRound: (_round, x) => void ends.push(Float32Array.from(x)),
    });
    expect(evaluations).toEqual([1, 2, 3, 4, 5, 6, 7, 8]); // numbered across rounds
    expect(points).toHaveLength(8); // 1 + 3 per round
    // Round 2 re-evaluates its start (the best point of round 1), then steps along -g as a first iteration does.
    expect(Array.from(points[4])).toEqual(Array.from(ends[0]));
    const g = new Float32Array(START.length);
    rosenbrock(points[4], g);
    const l1 = g.reduce((s, v) => s + Math.abs(v), 0);
    const step = Math.min(1, 1 / l1) * 1e-3;
    points[5].forEach((v, i) => expect(v).toBeCloseTo(points[4][i] - step * g[i], 6));
  });

  it('with a line search a round ends only between iterations, so it can pass maxfun; the loss falls round after round', async () => {
    const { objective, points } = recorder(rosenbrock);
    const counts: number[] = [];
    const losses: number[] = [];
    await lbfgsRounds(objective, START, {
      rounds: 4,
      maxfun: 5,
      onRound: (_r, x) => {
        counts.push(points.length - counts.reduce((a, b) => a + b, 0));
        losses.push(rosenbrock(x, new Float32Array(x.length)) as number);
      },
    });
    for (const count of counts) expect(count).toBeGreaterThan(5);
    for (let r = 1; r < losses.length; r++) expect(losses[r]).toBeLessThan(losses[r - 1]);
  });

  it('clips between rounds only (article 000 clips after each fmin_l_bfgs_b)', async () => {
    const { objective, points } = recorder(bowl);
    const starts: Float32Array[] = [];
    await lbfgsRounds(objective, Float32Array.from([0, 0, 0, 0, 0]), {
      rounds: 2,
      maxIterations: 4,
      project: clipTo([-1, 2.5]),
      onRound: (_r, x) => void starts.push(Float32Array.from(x)),
    });
    // Inside round 1 L-BFGS reaches past 2.5 towards the minimiser (1, 2, 3, 4, 5); the next round starts clipped.
    expect(points.some((p) => p.some((v) => v > 2.5))).toBe(true);
    expect(Math.max(...starts[0])).toBeLessThanOrEqual(2.5);
    expect(points.find((p) => Array.from(p).every((v, i) => v === starts[0][i]))).toBeDefined();
  });
});
