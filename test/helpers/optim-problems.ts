/** Test problems for the optimisers (test/optim*.test.ts). */
import type { Objective } from '../../src/optim/index.js';

export interface Problem {
  name: string;
  objective: Objective;
  start: Float32Array;
  minimizer: Float64Array;
}

/** Chained Rosenbrock, sum of 100·(x[i+1] - x[i]²)² + (1 - x[i])², from the classic (-1.2, 1, -1.2, ...). */
export function rosenbrock(n: number): Problem {
  const objective: Objective = (x, grad) => {
    grad.fill(0);
    let f = 0;
    for (let i = 0; i < n - 1; i++) {
      const valley = x[i + 1] - x[i] * x[i];
      const offset = 1 - x[i];
      f += 100 * valley * valley + offset * offset;
      grad[i] += -400 * valley * x[i] - 2 * offset;
      grad[i + 1] += 200 * valley;
    }
    return f;
  };
  const start = Float32Array.from({ length: n }, (_, i) => (i % 2 === 0 ? -1.2 : 1));
  return { name: `rosenbrock-${n}`, objective, start, minimizer: new Float64Array(n).fill(1) };
}

