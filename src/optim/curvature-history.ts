/**
 * The limited memory of L-BFGS: the last m pairs s_k = x_{k+1} - x_k and
 * y_k = ∇f_{k+1} - ∇f_k, and the two-loop recursion that multiplies a gradient by the
 * inverse-Hessian approximation they define (Nocedal & Wright, Numerical Optimization,
 * 2nd ed., Algorithm 7.4), with the initial matrix H0 = γ·I, γ = s'y / y'y of the newest
 * pair (N&W equation 7.20).
 *
 * Pairs are stored as Float32Array (each costs 2·n float32, i.e. 24 MB for a 3M-value
 * image); dot products accumulate in float64. All m pairs are allocated and written up front:
 * a run that cannot hold its history fails at the start rather than after m iterations, and
 * its memory is flat from the first iteration, so a short run measures the true peak.
 */
import { addScaled, dot, scale } from './vector.js';

/**
 * A pair is kept only when its curvature s'y is clearly positive: s'y > ε·|s|·|y|, i.e.
 * the cosine between s and y exceeds ε. This keeps the inverse Hessian positive definite;
 * L-BFGS-B and PyTorch's LBFGS likewise skip pairs with too small an s'y (PyTorch with an
 * absolute threshold, which depends on the scale of f). ε is the float32 unit roundoff, because s and
 * y are float32 vectors: below it the sign of s'y is within their rounding error, so the
 * pair carries no curvature information, and 1/s'y would blow up the update. The test is
 * scale-free, which matters for images whose loss and gradients span many magnitudes.
 */
const CURVATURE_EPSILON = 2 ** -23;

export class CurvatureHistory {
  private readonly steps: Float32Array[];
  private readonly gradientChanges: Float32Array[];
  /** rho_k = 1 / y_k's_k, per slot. */
  private readonly rho: Float64Array;
  /** Scratch for the two-loop recursion, per slot. */
  private readonly alpha: Float64Array;
  private newestSlot = -1;
  private count = 0;
  /** γ of the newest pair. */
  private initialScale = 1;

  constructor(
    private readonly capacity: number,
    private readonly length: number,
  ) {
    this.rho = new Float64Array(capacity);
    this.alpha = new Float64Array(capacity);
    // fill() touches every page, so the memory is really resident now, not at first use
    this.steps = Array.from({ length: capacity }, () => new Float32Array(length).fill(0));
    this.gradientChanges = Array.from({ length: capacity }, () => new Float32Array(length).fill(0));
  }

  get isEmpty(): boolean {
    return this.count === 0;
  }

  /** Forgets all pairs: the next direction is steepest descent, -grad. */
  clear(): void {
    this.count = 0;
    this.initialScale = 1;
  }

  /**
   * Records the pair s = xNew - x, y = gradNew - grad when it passes the curvature test,
   * replacing the oldest pair when full. Returns whether it was recorded.
   */
  add(x: Float32Array, xNew: Float32Array, grad: Float32Array, gradNew: Float32Array): boolean {
    let sy = 0;
    let ss = 0;
    let yy = 0;
    for (let i = 0; i < this.length; i++) {
      const s = xNew[i] - x[i];
      const y = gradNew[i] - grad[i];
      sy += s * y;
      ss += s * s;
      yy += y * y;
    }
    if (!(sy > CURVATURE_EPSILON * Math.sqrt(ss * yy))) return false;

    const slot = (this.newestSlot + 1) % this.capacity;
    const s = this.steps[slot];
    const y = this.gradientChanges[slot];
    for (let i = 0; i < this.length; i++) {
      s[i] = xNew[i] - x[i];
      y[i] = gradNew[i] - grad[i];
    }
    this.rho[slot] = 1 / sy;
    this.initialScale = sy / yy;
    this.newestSlot = slot;
    this.count = Math.min(this.count + 1, this.capacity);
    return true;
  }

  /**
   * The pairs, oldest first (views of this history's buffers), their rho and γ: all the
   * two-loop recursion reads. Stored in this order, they give the same directions again.
   */
  exportPairs(): { steps: Float32Array[]; gradientChanges: Float32Array[]; rho: Float64Array; initialScale: number } {
    const slots = Array.from({ length: this.count }, (_, k) => this.slotFromNewest(this.count - 1 - k));
    return {
      steps: slots.map((slot) => this.steps[slot]),
      gradientChanges: slots.map((slot) => this.gradientChanges[slot]),
      rho: Float64Array.from(slots, (slot) => this.rho[slot]),
      initialScale: this.initialScale,
    };
  }

  /** Replaces the pairs with exported ones (copied), oldest first. */
  importPairs(steps: readonly Float32Array[], gradientChanges: readonly Float32Array[], rho: Float64Array, initialScale: number): void {
    if (steps.length > this.capacity || gradientChanges.length !== steps.length || rho.length !== steps.length) {
      throw new RangeError(`curvature history: ${steps.length} pairs do not fit ${this.capacity} slots`);
    }
    steps.forEach((s, slot) => {
      this.steps[slot].set(s);
      this.gradientChanges[slot].set(gradientChanges[slot]);
      this.rho[slot] = rho[slot];
    });
    this.count = steps.length;
    this.newestSlot = steps.length - 1;
    this.initialScale = initialScale;
  }

  /** Writes the quasi-Newton direction -H·grad into direction (Algorithm 7.4). */
  computeDirection(grad: Float32Array, direction: Float32Array): void {
    const q = direction;
    q.set(grad);
    for (let k = 0; k < this.count; k++) {
      const slot = this.slotFromNewest(k);
      this.alpha[slot] = this.rho[slot] * dot(this.steps[slot], q);
      addScaled(q, -this.alpha[slot], this.gradientChanges[slot]);
    }
    scale(q, this.initialScale);
    for (let k = this.count - 1; k >= 0; k--) {
      const slot = this.slotFromNewest(k);
      const beta = this.rho[slot] * dot(this.gradientChanges[slot], q);
      addScaled(q, this.alpha[slot] - beta, this.steps[slot]);
    }
    scale(q, -1);
  }

  private slotFromNewest(k: number): number {
    return (this.newestSlot - k + this.capacity) % this.capacity;
  }
}
