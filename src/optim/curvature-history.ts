/**
 * The limited memory of L-BFGS: the last m pairs s_k = x_{k+1} - x_k and
 * y_k = ∇f_{k+1} - ∇f_k, and the two-loop recursion that multiplies a gradient by the
 * inverse-Hessian approximation they define (Nocedal & Wright, Numerical Optimization,
 * 2nd ed., Algorithm 7.4), with the initial matrix H0 = γ·I, γ = s'y / y'y of the newest
 * pair (N&W equation 7.20).
 *
 * The pairs are kept by a PairStorage (pair-storage.ts): in memory as Float32Array (each
 * pair costs 2·n float32, i.e. 24 MB for a 3M-value image), or in a file at print sizes. The
 * recursion streams through them in order; dot products accumulate in float64, in the same
 * order wherever the pairs are kept, so the directions are the same bit for bit.
 */
import { memoryPairStorage, type PairStorage, type PairStorageFactory, type PairVector } from './pair-storage.js';
import { forEachChunkOf, type StreamedVector } from './state.js';
import { scale } from './vector.js';

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

/** Values computed and stored per chunk when a pair is recorded (4 MiB of scratch per vector). */
const CHUNK = 1 << 20;

export class CurvatureHistory {
  private readonly storage: PairStorage;
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
    storage: PairStorageFactory = memoryPairStorage,
  ) {
    this.rho = new Float64Array(capacity);
    this.alpha = new Float64Array(capacity);
    this.storage = storage(capacity, length);
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
    const s = new Float32Array(Math.min(CHUNK, this.length));
    const y = new Float32Array(s.length);
    for (let start = 0; start < this.length; start += CHUNK) {
      const size = Math.min(CHUNK, this.length - start);
      for (let i = 0; i < size; i++) {
        s[i] = xNew[start + i] - x[start + i];
        y[i] = gradNew[start + i] - grad[start + i];
      }
      this.storage.write(slot, 0, start, s.subarray(0, size));
      this.storage.write(slot, 1, start, y.subarray(0, size));
    }
    this.rho[slot] = 1 / sy;
    this.initialScale = sy / yy;
    this.newestSlot = slot;
    this.count = Math.min(this.count + 1, this.capacity);
    return true;
  }

  /**
   * The pairs, oldest first (views of this history's buffers, or streams of its file), their
   * rho and γ: all the two-loop recursion reads. Stored in this order, they give the same
   * directions again.
   */
  exportPairs(): { steps: Array<Float32Array | StreamedVector>; gradientChanges: Array<Float32Array | StreamedVector>; rho: Float64Array; initialScale: number } {
    const slots = Array.from({ length: this.count }, (_, k) => this.slotFromNewest(this.count - 1 - k));
    const stream = (slot: number, vector: PairVector): Float32Array | StreamedVector =>
      this.storage.view?.(slot, vector) ?? { length: this.length, forEachChunk: (visit) => this.storage.read(slot, vector, visit) };
    return {
      steps: slots.map((slot) => stream(slot, 0)),
      gradientChanges: slots.map((slot) => stream(slot, 1)),
      rho: Float64Array.from(slots, (slot) => this.rho[slot]),
      initialScale: this.initialScale,
    };
  }

  /** Replaces the pairs with exported ones (copied), oldest first. */
  importPairs(steps: ReadonlyArray<Float32Array | StreamedVector>, gradientChanges: ReadonlyArray<Float32Array | StreamedVector>, rho: Float64Array, initialScale: number): void {
    if (steps.length > this.capacity || gradientChanges.length !== steps.length || rho.length !== steps.length) {
      throw new RangeError(`curvature history: ${steps.length} pairs do not fit ${this.capacity} slots`);
    }
    const store = (slot: number, vector: PairVector, source: Float32Array | StreamedVector) =>
      forEachChunkOf(source, (chunk, start) => this.storage.write(slot, vector, start, chunk));
    steps.forEach((s, slot) => {
      store(slot, 0, s);
      store(slot, 1, gradientChanges[slot]);
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
      this.alpha[slot] = this.rho[slot] * this.dot(slot, 0, q);
      this.addScaled(q, -this.alpha[slot], slot, 1);
    }
    scale(q, this.initialScale);
    for (let k = this.count - 1; k >= 0; k--) {
      const slot = this.slotFromNewest(k);
      const beta = this.rho[slot] * this.dot(slot, 1, q);
      this.addScaled(q, this.alpha[slot] - beta, slot, 0);
    }
    scale(q, -1);
  }

  /** The stored vector's dot product with v, accumulated in float64 in index order. */
  private dot(slot: number, vector: PairVector, v: Float32Array): number {
    let sum = 0;
    this.storage.read(slot, vector, (chunk, start) => {
      for (let i = 0; i < chunk.length; i++) sum += chunk[i] * v[start + i];
    });
    return sum;
  }

  /** v += alpha · the stored vector. */
  private addScaled(v: Float32Array, alpha: number, slot: number, vector: PairVector): void {
    this.storage.read(slot, vector, (chunk, start) => {
      for (let i = 0; i < chunk.length; i++) v[start + i] += alpha * chunk[i];
    });
  }

  private slotFromNewest(k: number): number {
    return (this.newestSlot - k + this.capacity) % this.capacity;
  }
}
