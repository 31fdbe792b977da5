/**
 * Where L-BFGS keeps its curvature pairs. Each pair is two vectors of n float32 (s and y), and
 * m pairs are 2·m·n float32: 3 GB for 10 pairs of a 4096 x 3072 image, more than everything
 * else of the run. The two-loop recursion reads each vector in order, once per loop, so the
 * pairs can live anywhere that streams: in memory (the default), or in a file (Node,
 * src/stylize/history-file.ts) when they do not fit.
 *
 * Vectors are read and written chunk by chunk, in order; a reader sees the same float32
 * values wherever they are kept, and accumulating over the chunks in order gives bit-identical
 * sums, so where the pairs live never changes a result.
 */

/** Vector 0 or 1 of a pair: s = x_{k+1} - x_k or y = ∇f_{k+1} - ∇f_k. */
export type PairVector = 0 | 1;

/** Receives consecutive chunks of a vector: `chunk` holds values start .. start + chunk.length - 1. */
export type ChunkVisitor = (chunk: Float32Array, start: number) => void;

export interface PairStorage {
  /** Visits the vector's values in order. */
  read(slot: number, vector: PairVector, visit: ChunkVisitor): void;
  /** Stores `values` as the vector's values start .. start + values.length - 1. */
  write(slot: number, vector: PairVector, start: number, values: Float32Array): void;
  /** Frees what the storage holds (a file is closed and removed). */
  release(): void;
  /** The vector itself, where it is in memory (state exported in memory stays plain arrays). */
  view?(slot: number, vector: PairVector): Float32Array;
}

/** The bytes of `capacity` pairs of vectors of `length` float32 values. */
export function historyBytes(capacity: number, length: number): number {
  return 2 * capacity * length * 4;
}

/** Makes the storage for `capacity` pairs of vectors of `length` values. */
export type PairStorageFactory = (capacity: number, length: number) => PairStorage;

/**
 * Pairs in memory, as Float32Array. All of them are allocated and written up front: a run
 * that cannot hold its history fails at the start rather than after m iterations, and its
 * memory is flat from the first iteration, so a short run measures the true peak.
 */
export const memoryPairStorage: PairStorageFactory = (capacity, length) => {
  // fill() touches every page, so the memory is really resident now, not at first use
  const vectors = Array.from({ length: 2 * capacity }, () => new Float32Array(length).fill(0));
  return {
    read: (slot, vector, visit) => visit(vectors[2 * slot + vector], 0),
    write: (slot, vector, start, values) => vectors[2 * slot + vector].set(values, start),
    release: () => {},
    view: (slot, vector) => vectors[2 * slot + vector],
  };
};
