/**
 * Stopping an optimiser and going on later exactly where it was (nst stylize --resume).
 *
 * Each optimiser reports its iteration boundaries: the top of its loop, where everything its
 * next step depends on is in a few buffers and counters (L-BFGS: the point, its gradient and
 * loss, the curvature pairs; Adam: the point and both moments; SGD: the point). Between two
 * boundaries (an L-BFGS line search, an evaluation) those buffers do not change, so the state
 * of the last boundary can still be read when the run is stopped mid-way: a resumed run
 * repeats the evaluations made since, which give the same values again, and goes on.
 *
 * The best point is the exception: it is taken as it is now, not at the boundary. The
 * repeated evaluations cannot lower it (they are already in it), so the run ends with the
 * same best point as one never stopped.
 */
import type { CountedObjective } from './counted-objective.js';
import type { ChunkVisitor } from './pair-storage.js';

export type OptimizerKind = 'lbfgs' | 'lbfgs-rounds' | 'adam' | 'sgd';

export interface OptimizerState {
  optimizer: OptimizerKind;
  /** Counters and scalars (float64, so exact). */
  scalars: Record<string, number>;
  /**
   * Vectors. When exported they are views of the optimiser's own buffers (or streams of its
   * pairs kept in a file): write them out before the optimiser runs on. When imported they are
   * copied.
   */
  vectors: Record<string, StateVector>;
}

/**
 * A float32 vector handed over chunk by chunk, never whole: L-BFGS pairs kept in a file, the
 * vectors of a checkpoint being read (at print sizes each is hundreds of MB).
 */
export interface StreamedVector {
  readonly length: number;
  forEachChunk(visit: ChunkVisitor): void;
}

export type StateVector = Float32Array | Float64Array | StreamedVector;

/** Visits a float32 vector, whole (one chunk) or streamed, chunk by chunk in order. */
export function forEachChunkOf(source: Float32Array | StreamedVector, visit: ChunkVisitor): void {
  if (source instanceof Float32Array) visit(source, 0);
  else source.forEachChunk(visit);
}

/** Copies a float32 vector, whole or streamed, into `target` (of the same length). */
export function copyInto<T extends Float32Array>(target: T, source: Float32Array | StreamedVector): T {
  forEachChunkOf(source, (chunk, start) => target.set(chunk, start));
  return target;
}

export interface Boundary {
  /** Objective evaluations made before this boundary. */
  evaluations: number;
  /** Iterations done: L-BFGS directions, Adam or SGD steps, or rounds of lbfgsRounds. */
  iterations: number;
  /** The state to resume from this boundary; valid until the optimiser passes its next boundary. */
  state: () => OptimizerState;
}

export interface ResumeOptions {
  /** Go on from this state (exported by the same optimiser with the same options) instead of starting at x0. */
  resume?: OptimizerState;
  /** Called at every iteration boundary; keep the last one to save the run when it stops. */
  onBoundary?: (boundary: Boundary) => void | Promise<void>;
}

/** The state's vector `name`, checked to be a float32 vector of `length` values (whole or streamed: copy it with copyInto). */
export function vectorOf(state: OptimizerState, name: string, length: number): Float32Array | StreamedVector {
  const v = state.vectors[name];
  if (v === undefined || v instanceof Float64Array || v.length !== length) {
    throw new RangeError(`${state.optimizer} state: vector '${name}' missing or not ${length} float32 values`);
  }
  return v;
}

/** The state's scalar `name`. */
export function scalarOf(state: OptimizerState, name: string): number {
  const s = state.scalars[name];
  if (typeof s !== 'number') throw new RangeError(`${state.optimizer} state: scalar '${name}' missing`);
  return s;
}

/** Refuses a state of another optimiser. */
export function expectKind(state: OptimizerState, kind: OptimizerKind): void {
  if (state.optimizer !== kind) throw new RangeError(`state of ${state.optimizer}, not ${kind}`);
}

/**
 * A state: the optimiser's own scalars and vectors, with the bookkeeping every optimiser shares
 * (the evaluations made before the boundary, the best point now).
 */
export function stateOf(kind: OptimizerKind, objective: CountedObjective, evaluations: number, own: Pick<OptimizerState, 'scalars' | 'vectors'>): OptimizerState {
  const best = objective.best();
  return { optimizer: kind, scalars: { evaluations, bestLoss: best.loss, ...own.scalars }, vectors: { bestX: best.x, ...own.vectors } };
}

/** Restores the bookkeeping part of a state made by stateOf. */
export function restoreCounted(objective: CountedObjective, state: OptimizerState, length: number): void {
  objective.restore(scalarOf(state, 'evaluations'), vectorOf(state, 'bestX', length), scalarOf(state, 'bestLoss'));
}
