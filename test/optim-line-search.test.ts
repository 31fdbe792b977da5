/**
 * Tests of the strong-Wolfe line search (Nocedal & Wright, Algorithms 3.5 and 3.6) on the
 * 1-D test functions of Moré & Thuente, "Line search algorithms with guaranteed sufficient
 * decrease" (ACM TOMS 20(3), 1994), and of its cubic interpolation step.
 */
import { describe, expect, it } from 'vitest';
import { cubicMinimizer, strongWolfeLineSearch, type LineFunction, type LinePoint } from '../src/optim/index.js';

interface TestFunction {
  name: string;
  value: (t: number) => number;
  slope: (t: number) => number;
  c1: number;
  c2: number;
}

/** Moré & Thuente's tables 1 to 3, with their constants μ (c1) and η (c2). */
const testFunctions: TestFunction[] = [
  {
    // -t / (t² + β), β = 2: minimum at √2.
    name: 'rational',
    value: (t) => -t / (t * t + 2),
    slope: (t) => (t * t - 2) / (t * t + 2) ** 2,
    c1: 1e-3,
    c2: 0.1,
  },
  {
    // (t + β)⁵ - 2·(t + β)⁴, β = 0.004: minimum at 1.596, very flat near 0.
    name: 'quintic',
    value: (t) => (t + 0.004) ** 5 - 2 * (t + 0.004) ** 4,
    slope: (t) => 5 * (t + 0.004) ** 4 - 8 * (t + 0.004) ** 3,
    c1: 0.1,
    c2: 0.1,
  },
  wigglyFunction(),
];

/** φ0(t) + 2·(1 - β)/(lπ)·sin(lπt/2), β = 0.01, l = 39: many local minima. */
function wigglyFunction(): TestFunction {
  const beta = 0.01;
  const l = 39;
  const base = (t: number) => (t <= 1 - beta ? 1 - t : t >= 1 + beta ? t - 1 : (t - 1) ** 2 / (2 * beta) + beta / 2);
  const baseSlope = (t: number) => (t <= 1 - beta ? -1 : t >= 1 + beta ? 1 : (t - 1) / beta);
  return {
    name: 'wiggly',
    value: (t) => base(t) + ((2 * (1 - beta)) / (l * Math.PI)) * Math.sin((l * Math.PI * t) / 2),
    slope: (t) => baseSlope(t) + (1 - beta) * Math.cos((l * Math.PI * t) / 2),
    c1: 0.1,
    c2: 0.1,
  };
}

/** A LineFunction over a test function that records the steps evaluated and kept. */
function lineFunction(fn: Pick<TestFunction, 'value' | 'slope'>, stopAfter = Infinity) {
  const evaluated: number[] = [];
  const kept: number[] = [];
  const phi: LineFunction = {
    evaluate: async (step) => {
      evaluated.push(step);
      if (evaluated.length >= stopAfter) return undefined;
      return { step, value: fn.value(step), slope: fn.slope(step) };
    },
    keepLast: () => kept.push(evaluated[evaluated.length - 1]),
  };
  return { phi, evaluated, kept };
}

function startOf(fn: Pick<TestFunction, 'value' | 'slope'>): LinePoint {
  return { step: 0, value: fn.value(0), slope: fn.slope(0) };
}

describe('strongWolfeLineSearch', () => {
  const cases = testFunctions.flatMap((fn) => [1e-3, 1e-1, 1e1, 1e3].map((initialStep) => ({ fn, initialStep })));

  it.each(cases)('finds a strong Wolfe step of $fn.name from initial step $initialStep', async ({ fn, initialStep }) => {
    const { phi, evaluated, kept } = lineFunction(fn);
    const start = startOf(fn);
    const result = await strongWolfeLineSearch(phi, start, initialStep, { c1: fn.c1, c2: fn.c2 });

    expect(result.status).toBe('strong-wolfe');
    expect(result.value).toBe(fn.value(result.step));
    // Sufficient decrease and the strong curvature condition.
    expect(result.value).toBeLessThanOrEqual(start.value + fn.c1 * result.step * start.slope);
    expect(Math.abs(fn.slope(result.step))).toBeLessThanOrEqual(fn.c2 * Math.abs(start.slope));
    expect(result.evaluations).toBe(evaluated.length);
    expect(result.evaluations).toBeLessThanOrEqual(20);
    // The caller was told to keep the gradient of the step returned.
    expect(kept[kept.length - 1]).toBe(result.step);
  });

  it('returns the first step when it already satisfies both conditions', async () => {
    const fn = { value: (t: number) => (t - 1) ** 2, slope: (t: number) => 2 * (t - 1) };
    const { phi } = lineFunction(fn);
    const result = await strongWolfeLineSearch(phi, startOf(fn), 1);
    expect(result).toEqual({ step: 1, value: 0, status: 'strong-wolfe', evaluations: 1 });
  });

  it('reports sufficient decrease only when the budget ends before the curvature condition holds', async () => {
    const fn = testFunctions[0];
    const { phi } = lineFunction(fn);
    const result = await strongWolfeLineSearch(phi, startOf(fn), 1e-3, { maxEvaluations: 1 });
    expect(result).toMatchObject({ step: 1e-3, status: 'sufficient-decrease', evaluations: 1 });
  });

  it('returns step 0 with no-decrease when no step decreases the function', async () => {
    // A wrong derivative: the slope at 0 claims descent but the function only rises.
    const fn = { value: (t: number) => t, slope: () => 1 };
    const { phi } = lineFunction(fn);
    const result = await strongWolfeLineSearch(phi, { step: 0, value: 0, slope: -1 }, 1, { maxEvaluations: 25 });
    expect(result).toMatchObject({ step: 0, value: 0, status: 'no-decrease', evaluations: 25 });
  });

  it('ends the zoom once the bracket is narrower than minBracketWidth', async () => {
    const fn = { value: (t: number) => t, slope: () => 1 };
    const { phi } = lineFunction(fn);
    const result = await strongWolfeLineSearch(phi, { step: 0, value: 0, slope: -1 }, 1, { minBracketWidth: 0.05 });
    expect(result.status).toBe('no-decrease');
    // Each zoom step keeps at least 10% of the bracket off each end, so it shrinks by at least 10%.
    expect(result.evaluations).toBeLessThanOrEqual(1 + Math.ceil(Math.log(0.05) / Math.log(0.9)));
  });

  it('is interrupted when the line function asks to stop', async () => {
    const fn = testFunctions[1];
    const { phi } = lineFunction(fn, 3);
    const result = await strongWolfeLineSearch(phi, startOf(fn), 1e-3);
    expect(result).toMatchObject({ status: 'interrupted', evaluations: 3 });
  });

  it('rejects a start that is not a descent direction', async () => {
    const fn = testFunctions[0];
    const { phi } = lineFunction(fn);
    await expect(strongWolfeLineSearch(phi, { step: 0, value: 0, slope: 0 }, 1)).rejects.toThrow(RangeError);
  });
});

describe('cubicMinimizer', () => {
  const point = (fn: { value: (t: number) => number; slope: (t: number) => number }, step: number): LinePoint => ({
    step,
    value: fn.value(step),
    slope: fn.slope(step),
  });
  const parabola = { value: (t: number) => (t - 0.3) ** 2, slope: (t: number) => 2 * (t - 0.3) };
  const cubic = { value: (t: number) => t ** 3 - 3 * t, slope: (t: number) => 3 * t ** 2 - 3 };
  const increasing = { value: (t: number) => t ** 3 + t, slope: (t: number) => 3 * t ** 2 + 1 };

  it('finds the exact minimiser of a parabola and of a cubic, in either order', () => {
    expect(cubicMinimizer(point(parabola, 0), point(parabola, 1), 0, 1)).toBeCloseTo(0.3, 12);
    expect(cubicMinimizer(point(parabola, 1), point(parabola, 0), 0, 1)).toBeCloseTo(0.3, 12);
    expect(cubicMinimizer(point(cubic, 0), point(cubic, 2), 0, 2)).toBeCloseTo(1, 12);
  });

  it('clamps the minimiser to the bounds, which may lie outside the two points', () => {
    expect(cubicMinimizer(point(parabola, 0), point(parabola, 1), 0.5, 0.8)).toBe(0.5);
    expect(cubicMinimizer(point(cubic, -0.5), point(cubic, 0), 0.01, 10)).toBeCloseTo(1, 12);
  });

  it('falls back to the middle of the bounds when the cubic has no minimiser', () => {
    expect(cubicMinimizer(point(increasing, 0), point(increasing, 1), 0, 1)).toBe(0.5);
  });
});
