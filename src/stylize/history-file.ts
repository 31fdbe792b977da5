/**
 * L-BFGS's curvature pairs in a file, for runs whose pairs do not fit in memory (print sizes:
 * 10 pairs of a 4096 x 3072 image are 3 GB). The two-loop recursion reads every pair twice per
 * iteration, in order (src/optim/pair-storage.ts): 6 GB at that size, a few seconds from the
 * page cache or a disk, against the 36 minutes an evaluation took there (bench/README.md).
 *
 * The file is made in the output's directory (the disk the user chose for the result), opened
 * and at once unlinked: it has no name, so a crash or a kill -9 leaves nothing behind, and its
 * space is freed when it is closed or the process ends.
 */
import { closeSync, openSync, statfsSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { UserError } from '../errors.js';
import { describeFsError, readFloat32Chunks } from '../files.js';
import type { ChunkVisitor, PairStorage, PairStorageFactory, PairVector } from '../optim/pair-storage.js';
import { formatBytes } from './memory.js';

/** Values per read: 4 MiB of buffer. */
const CHUNK = 1 << 20;
const BYTES = 4;

/**
 * The history file of a run: each L-BFGS that the run starts (one per scale, or per round of
 * --lbfgs-maxfun) gets a fresh file, which replaces the previous one (that optimiser is done).
 * Released when the run no longer needs its state: after the last checkpoint is written.
 */
export class HistoryFile {
  private current: FilePairStorage | null = null;

  /** Refuses a directory without room for `bytes` of history, with one line naming it. */
  constructor(
    private readonly directory: string,
    bytes: number,
  ) {
    const stat = statfsSync(directory);
    const free = stat.bavail * stat.bsize;
    if (free < bytes) {
      throw new UserError(
        `--output: the L-BFGS history of this run (${formatBytes(bytes)}) does not fit in memory and is kept in a file beside the output, ` +
          `but '${directory}' has ${formatBytes(free)} free; free some space, write the output elsewhere, or use a smaller --lbfgs-history or --optimizer adam`,
      );
    }
  }

  readonly storage: PairStorageFactory = (capacity, length) => {
    this.release();
    this.current = new FilePairStorage(join(this.directory, `.nst-lbfgs-history-${process.pid}-${randomBytes(4).toString('hex')}`), capacity, length);
    return this.current;
  };

  release(): void {
    this.current?.release();
    this.current = null;
  }
}

class FilePairStorage implements PairStorage {
  private fd: number;
  private readonly buffer: Float32Array;

  constructor(
    path: string,
    private readonly capacity: number,
    private readonly length: number,
  ) {
    try {
      this.fd = openSync(path, 'wx+');
    } catch (e) {
      throw new UserError(`--output: cannot make the L-BFGS history file '${path}': ${describeFsError(e)}`);
    }
    unlinkSync(path);
    this.buffer = new Float32Array(Math.min(CHUNK, length));
  }

  read(slot: number, vector: PairVector, visit: ChunkVisitor): void {
    const ended = () => new Error(`L-BFGS history file: pair ${slot} ends early (read before written?)`);
    readFloat32Chunks(this.fd, this.offset(slot, vector, 0), this.length, this.buffer, visit, ended);
  }

  write(slot: number, vector: PairVector, start: number, values: Float32Array): void {
    const bytes = new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
    const position = this.offset(slot, vector, start);
    for (let done = 0; done < bytes.length; ) done += writeSync(this.fd, bytes, done, bytes.length - done, position + done);
  }

  release(): void {
    if (this.fd < 0) return;
    closeSync(this.fd);
    this.fd = -1;
  }

  private offset(slot: number, vector: PairVector, start: number): number {
    if (!(slot >= 0 && slot < this.capacity)) throw new RangeError(`L-BFGS history file: no slot ${slot}`);
    return ((2 * slot + vector) * this.length + start) * BYTES;
  }
}
