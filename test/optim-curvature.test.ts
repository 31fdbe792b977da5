/**
 * CurvatureHistory.computeDirection (the L-BFGS two-loop recursion) against the dense BFGS
 * inverse Hessian built in float64 from the same pairs (Nocedal & Wright, equations 6.17
 * and 7.20): H_0 = gamma I with gamma = s'y / y'y of the newest pair, then for each kept
 * pair, oldest first, H <- (I - rho s y') H (I - rho y s') + rho s s', rho = 1 / y's.
 * The two are the same matrix, so -H g must agree to float32 rounding.
 *
 * Caught (each tried, then reverted in src/optim/curvature-history.ts): the first loop of
 * the recursion walking oldest to newest (errors 0.2-0.5), both loops walking the wrong way
 * (0.07-0.2); gamma kept from the first pair instead of the newest (0.2-0.6); a full history
 * not wrapping (the newest pair written over the previous one: 0.3-0.5, in the wraparound
 * and rejected-pair tests); a pair without positive curvature recorded (add returns true).
 */
import { describe, expect, it } from 'vitest';
import { relativeMaxError } from '../src/check/gradient-check.js';
import { Rng } from '../src/check/random.js';
import { CurvatureHistory } from '../src/optim/curvature-history.js';

const N = 12;

/** A random symmetric positive definite matrix, row-major: B B' + I. */
function spdMatrix(rng: Rng): Float64Array {
  const b = rng.normals(N * N);
  const a = new Float64Array(N * N);
  for (let i = 0; i < N; i++) {
    for (let j = 0; j < N; j++) {
      let s = i === j ? 1 : 0;
      for (let k = 0; k < N; k++) s += b[i * N + k] * b[j * N + k];
      a[i * N + j] = s;
    }
  }
  return a;
}

function multiply(a: Float64Array, v: ArrayLike<number>): Float64Array {
  const out = new Float64Array(N);
  for (let i = 0; i < N; i++) for (let j = 0; j < N; j++) out[i] += a[i * N + j] * v[j];
  return out;
}

const dot = (a: ArrayLike<number>, b: ArrayLike<number>) => Array.from(a).reduce((s, v, i) => s + v * b[i], 0);

interface Pair {
  s: Float32Array;
  y: Float32Array;
}

/** The dense BFGS inverse Hessian from `pairs` (oldest first), in float64. */
function denseInverseHessian(pairs: readonly Pair[]): Float64Array {
  const newest = pairs[pairs.length - 1];
  const gamma = dot(newest.s, newest.y) / dot(newest.y, newest.y);
  let h = new Float64Array(N * N);
  for (let i = 0; i < N; i++) h[i * N + i] = gamma;
  for (const { s, y } of pairs) {
    const rho = 1 / dot(y, s);
    // V = I - rho y s'; H <- V' H V + rho s s'
    const v = new Float64Array(N * N);
    for (let i = 0; i < N; i++) for (let j = 0; j < N; j++) v[i * N + j] = (i === j ? 1 : 0) - rho * y[i] * s[j];
    const hv = new Float64Array(N * N);
    for (let i = 0; i < N; i++) for (let j = 0; j < N; j++) for (let k = 0; k < N; k++) hv[i * N + j] += h[i * N + k] * v[k * N + j];
    const next = new Float64Array(N * N);
    for (let i = 0; i < N; i++) {
      for (let j = 0; j < N; j++) {
        let sum = rho * s[i] * s[j];
        for (let k = 0; k < N; k++) sum += v[k * N + i] * hv[k * N + j];
        next[i * N + j] = sum;
      }
    }
    h = next;
  }
  return h;
}

/** Pairs with positive curvature: y = A s for an SPD A (plus a little noise, so no two pairs agree on A exactly). */
function curvedPairs(rng: Rng, count: number): Pair[] {
  const a = spdMatrix(rng);
  return Array.from({ length: count }, () => {
    const s = rng.normals(N);
    const y = Float32Array.from(multiply(a, s), (v) => v + 0.1 * rng.normal());
    return { s, y };
  });
}

/** Adds a pair as L-BFGS does: from x = 0, grad = 0 to x = s, grad = y (exact in float32). */
function add(history: CurvatureHistory, { s, y }: Pair): boolean {
  return history.add(new Float32Array(N), s, new Float32Array(N), y);
}

function direction(history: CurvatureHistory, g: ArrayLike<number>): Float32Array {
  const out = new Float32Array(N);
  history.computeDirection(Float32Array.from(g), out);
  return out;
}

/** float32 storage of q between the recursion's steps; measured worst 1e-7. */
const TOLERANCE = 1e-5;

describe('CurvatureHistory.computeDirection against the dense BFGS inverse Hessian', () => {
  const rng = new Rng(31);
  const g = rng.normals(N);

  it('with fewer pairs than its capacity', () => {
    const pairs = curvedPairs(rng, 3);
    const history = new CurvatureHistory(5, N);
    for (const p of pairs) expect(add(history, p)).toBe(true);
    const expected = multiply(denseInverseHessian(pairs), g).map((v) => -v);
    expect(relativeMaxError(direction(history, g), expected)).toBeLessThan(TOLERANCE);
  });

  it('after wrapping around: only the newest `capacity` pairs count, oldest first', () => {
    const pairs = curvedPairs(rng, 7);
    const history = new CurvatureHistory(3, N);
    for (const p of pairs) expect(add(history, p)).toBe(true);
    const expected = multiply(denseInverseHessian(pairs.slice(-3)), g).map((v) => -v);
    expect(relativeMaxError(direction(history, g), expected)).toBeLessThan(TOLERANCE);
    // all 7 would give another matrix: the test can tell them apart
    expect(relativeMaxError(multiply(denseInverseHessian(pairs), g), expected.map((v) => -v))).toBeGreaterThan(1e-2);
  });

  it('skips pairs without positive curvature, and keeps the others in order', () => {
    const pairs = curvedPairs(rng, 5);
    const history = new CurvatureHistory(4, N);
    const flat: Pair = { s: pairs[0].s, y: Float32Array.from(pairs[0].s, (v) => -v) }; // s'y < 0
    const orthogonal: Pair = { s: Float32Array.from([1, ...new Array(N - 1).fill(0)]), y: Float32Array.from([0, 1, ...new Array(N - 2).fill(0)]) }; // s'y = 0
    const accepted: Pair[] = [];
    for (const [k, p] of pairs.entries()) {
      expect(add(history, p)).toBe(true);
      accepted.push(p);
      if (k === 1) expect(add(history, flat)).toBe(false);
      if (k === 3) expect(add(history, orthogonal)).toBe(false);
    }
    const expected = multiply(denseInverseHessian(accepted.slice(-4)), g).map((v) => -v);
    expect(relativeMaxError(direction(history, g), expected)).toBeLessThan(TOLERANCE);
  });

  it('satisfies the secant equation H y = s for the newest pair', () => {
    const pairs = curvedPairs(rng, 6);
    const history = new CurvatureHistory(4, N);
    for (const p of pairs) add(history, p);
    const newest = pairs[pairs.length - 1];
    expect(relativeMaxError(direction(history, newest.y), Float32Array.from(newest.s, (v) => -v))).toBeLessThan(TOLERANCE);
  });

  it('is steepest descent, -g, when empty or cleared', () => {
    const history = new CurvatureHistory(2, N);
    expect(Array.from(direction(history, g))).toEqual(Array.from(g, (v) => -v));
    for (const p of curvedPairs(rng, 2)) add(history, p);
    history.clear();
    expect(history.isEmpty).toBe(true);
    expect(Array.from(direction(history, g))).toEqual(Array.from(g, (v) => -v));
  });
});
