/**
 * The check every kernel must pass on the backend in use, shared by `nst doctor` and the tests:
 *  - forward: the kernel's output against the float64 reference;
 *  - gradient: the kernel's backward pass J^T v against central finite differences of the
 *    float64 reference, d<f(x), v>/dx_i = (<f(x + h e_i), v> - <f(x - h e_i), v>) / 2h;
 *  - adjoint: <J u, v> (J u by a central difference along u) against <u, J^T v>.
 * Errors are relative to the largest magnitude compared, so they do not blow up near zeros.
 */
import type { Engine } from '../engine/engine.js';
import type { Shape3, Tensor } from '../engine/tensor.js';
import type { Rng } from './random.js';

/** One kernel (forward and backward) set up on an engine with fixed parameters. */
export interface DifferentiableCase {
  kernel: string;
  inputShape: Shape3;
  /** Input values for the check, chosen away from kinks and ties where the kernel has them. */
  sampleInput(rng: Rng): Float32Array;
  reference(x: Float64Array): Float64Array;
  forward(x: Tensor): Float32Array;
  /** J^T v at x. */
  backward(x: Tensor, v: Float32Array): Float32Array;
  dispose(): void;
}

export interface CheckResult {
  kernel: string;
  shape: Shape3;
  forwardError: number;
  gradientError: number;
  adjointError: number;
  passed: boolean;
  /** Why the check could not run (a kernel that did not compile or fell back); the errors are then NaN. */
  error?: string;
}

export const TOLERANCE = { forward: 1e-4, gradient: 1e-3, adjoint: 1e-3 } as const;

/** Step of the finite differences: small, since the reference is float64 and the kernels are piecewise smooth. */
const STEP = 1e-6;

function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

function maxAbs(a: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]));
  return m;
}

/** max |actual - expected| / max |expected|. */
export function relativeMaxError(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  if (actual.length !== expected.length) return Infinity;
  let worst = 0;
  for (let i = 0; i < actual.length; i++) worst = Math.max(worst, Math.abs(actual[i] - expected[i]));
  const scale = maxAbs(expected);
  return scale === 0 ? worst : worst / scale;
}

function pickCoordinates(n: number, max: number, rng: Rng): number[] {
  const all = Array.from({ length: n }, (_, i) => i);
  if (n <= max) return all;
  for (let i = 0; i < max; i++) {
    const j = i + Math.floor(rng.uniform() * (n - i));
    [all[i], all[j]] = [all[j], all[i]];
  }
  return all.slice(0, max);
}

export function checkCase(engine: Engine, c: DifferentiableCase, rng: Rng, maxCoordinates = 64): CheckResult {
  const x32 = c.sampleInput(rng);
  const x64 = Float64Array.from(x32);
  const xDevice = engine.upload(x32, c.inputShape);
  try {
    const yRef = c.reference(x64);
    const forwardError = relativeMaxError(c.forward(xDevice), yRef);

    const v = rng.normals(yRef.length);
    const gDevice = c.backward(xDevice, v);
    const directional = (u: ArrayLike<number>): number => {
      const plus = x64.map((xi, i) => xi + STEP * u[i]);
      const minus = x64.map((xi, i) => xi - STEP * u[i]);
      return (dot(c.reference(plus), v) - dot(c.reference(minus), v)) / (2 * STEP);
    };

    const coordinates = pickCoordinates(x64.length, maxCoordinates, rng);
    const unit = new Float64Array(x64.length);
    const finiteDifferences = coordinates.map((i) => {
      unit[i] = 1;
      const d = directional(unit);
      unit[i] = 0;
      return d;
    });
    const gradientError = relativeMaxError(coordinates.map((i) => gDevice[i]), finiteDifferences);

    const u = rng.normals(x64.length);
    const jvpDotV = directional(u);
    const uDotJtv = dot(u, gDevice);
    const adjointError = Math.abs(jvpDotV - uDotJtv) / Math.max(Math.abs(jvpDotV), Math.abs(uDotJtv), 1e-30);

    const passed =
      forwardError <= TOLERANCE.forward && gradientError <= TOLERANCE.gradient && adjointError <= TOLERANCE.adjoint;
    return { kernel: c.kernel, shape: c.inputShape, forwardError, gradientError, adjointError, passed };
  } finally {
    xDevice.release();
  }
}

/** The columns of the check table (nst doctor prints them, the playground shows them). */
export const CHECK_TABLE_HEADER = ['kernel', 'input', 'vs reference', 'vs finite diff', 'adjoint', 'result'] as const;

const formatError = (e: number) => (Number.isFinite(e) ? e.toExponential(1) : String(e));

/** One row of the check table, as text. */
export function checkTableRow(r: CheckResult): string[] {
  return [
    r.kernel,
    `[${r.shape.join(',')}]`,
    // a check that could not run has no errors to show
    ...(r.error ? ['-', '-', '-'] : [formatError(r.forwardError), formatError(r.gradientError), formatError(r.adjointError)]),
    r.passed ? 'pass' : r.error ? `FAIL: ${r.error}` : 'FAIL',
  ];
}
